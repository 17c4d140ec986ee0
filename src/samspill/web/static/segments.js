// Segments marked from the player: [ marks a start, ] the end; the name and role follow the
// session's segment template (e.g. the Strange Situation's episodes), with a note.

import { t } from "./i18n.js";
import { formatMs, newId } from "./time.js";

export class Segments {
  constructor({ form, list, segments, template, player, send, toast, onChange }) {
    this.form = form;
    this.list = list;
    this.segments = [...segments].sort((a, b) => a.start_ms - b.start_ms);
    this.template = template;
    this.player = player;
    this.send = send;
    this.toast = toast;
    this.onChange = onChange;
    this.startMs = null;
    this.spec = form.querySelector("#segment-spec");
    this.name = form.querySelector("#segment-name");
    this.note = form.querySelector("#segment-note");
    form.querySelector("#segment-start").addEventListener("click", () => this.markStart());
    form.querySelector("#segment-end").addEventListener("click", () => this.markEnd());
    form.addEventListener("submit", (e) => e.preventDefault());
    this.nextSpec();
    this.render();
  }

  nextSpec() {
    const marked = new Set(this.segments.map((s) => s.spec_id).filter(Boolean));
    const next = [...this.spec.options].find((o) => o.value && !marked.has(o.value));
    if (next) this.spec.value = next.value;
  }

  markStart() {
    this.startMs = this.player.nowMs();
    this.toast(t("Segment start marked at {time}: press ] at its end", { time: formatMs(this.startMs) }));
  }

  markEnd() {
    const end = this.player.nowMs();
    if (this.startMs === null) return this.toast(t("Mark a segment's start first"), true);
    if (end <= this.startMs) return this.toast(t("A state cannot stop before it starts"), true);
    const option = this.spec.selectedOptions[0];
    const specId = option?.value || null;
    const name = this.name.value.trim() || (specId ? option.textContent : formatMs(this.startMs));
    const segment = { id: newId(), spec_id: specId, name, role: option?.dataset.role || "plain",
      start_ms: this.startMs, end_ms: end, note: this.note.value.trim() };
    this.startMs = null;
    this.name.value = "";
    this.note.value = "";
    this.send({ type: "segment", segment });
    this.put(segment);
    this.toast(t("Segment {name} marked", { name }));
    this.nextSpec();
  }

  put(segment) {
    this.segments = this.segments.filter((s) => s.id !== segment.id).concat(segment)
      .sort((a, b) => a.start_ms - b.start_ms);
    this.render();
  }

  drop(segmentId) {
    this.segments = this.segments.filter((s) => s.id !== segmentId);
    this.send({ type: "delete-segment", segment_id: segmentId });
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.segments.map((s) => {
      const li = document.createElement("li");
      li.textContent = `${s.name} ${formatMs(s.start_ms)}–${formatMs(s.end_ms)}${s.note ? ` · ${s.note}` : ""} `;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small";
      remove.textContent = t("Delete");
      remove.setAttribute("aria-label", `${t("Delete")} ${s.name}`);
      remove.disabled = this.form.querySelector("#segment-start").disabled;
      remove.addEventListener("click", () => this.drop(s.id));
      li.append(remove);
      return li;
    }));
    this.onChange(this.segments);
  }
}
