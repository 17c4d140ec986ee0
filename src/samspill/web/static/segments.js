// Segments marked from the player: [ marks a start, ] the end; the name and role follow the
// session's segment template (e.g. the Strange Situation's episodes), with a note.

import { t } from "./i18n.js";
import { formatMs, newId } from "./time.js";

// A template's segment is stored with the template's (English) name: shown in the page's
// language (`names`: the template's names by segment id); a name the coder typed stays as written.
export function shownSegmentName(segment, template, names = {}) {
  const spec = template?.segments.find((x) => x.id === segment.spec_id);
  return spec && spec.name === segment.name && names[spec.id] ? names[spec.id] : segment.name;
}

export class Segments {
  // `onDelete(segment)` deletes a segment as an undoable step (history.js); without it the
  // deletion is sent as it is.
  // `names`: the template's segment names in the page's language, by segment id.
  constructor({ form, list, segments, template, player, send, toast, onChange, onDelete = null, names = {} }) {
    this.onDelete = onDelete;
    this.names = names;
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
    // Escape leaves a name or a note (kept as typed), as it leaves Go to and the filter, so
    // that the next code key codes instead of typing into the field.
    for (const field of [this.name, this.note]) {
      field.addEventListener("keydown", (e) => {
        if (e.key !== "Escape") return;
        e.preventDefault();
        e.stopPropagation();
        field.blur();
      });
    }
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
    if (end <= this.startMs) return this.toast(t("A segment must end after it starts"), true);
    const option = this.spec.selectedOptions[0];
    const specId = option?.value || null;
    const name = this.name.value.trim() || (specId ? option.dataset.name || option.textContent : formatMs(this.startMs));
    const segment = { id: newId(), spec_id: specId, name, role: option?.dataset.role || "plain",
      start_ms: this.startMs, end_ms: end, note: this.note.value.trim() };
    this.startMs = null;
    this.name.value = "";
    this.note.value = "";
    this.send({ type: "segment", segment });
    this.put(segment);
    this.toast(t("Segment {name} marked", { name: this.shownName(segment) }));
    this.nextSpec();
  }

  put(segment) {
    this.segments = this.segments.filter((s) => s.id !== segment.id).concat(segment)
      .sort((a, b) => a.start_ms - b.start_ms);
    this.render();
  }

  get(segmentId) {
    return this.segments.find((s) => s.id === segmentId);
  }

  remove(segmentId) {
    this.segments = this.segments.filter((s) => s.id !== segmentId);
    this.render();
  }

  // Asks first: a segment belongs to the session, so its deletion touches every coding of it.
  drop(segmentId) {
    const segment = this.get(segmentId);
    if (!segment) return;
    const question = t("Delete segment {name} ({start}–{end})? Every coding of this session loses it; Ctrl + Z undoes it.",
      { name: this.shownName(segment), start: formatMs(segment.start_ms), end: formatMs(segment.end_ms) });
    if (!window.confirm(question)) return;
    if (this.onDelete) return this.onDelete(segment);
    this.remove(segmentId);
    this.send({ type: "delete-segment", segment_id: segmentId });
  }

  shownName(s) {
    return shownSegmentName(s, this.template, this.names);
  }

  render() {
    this.list.replaceChildren(...this.segments.map((s) => {
      const li = document.createElement("li");
      li.textContent = `${this.shownName(s)} ${formatMs(s.start_ms)}–${formatMs(s.end_ms)}${s.note ? ` · ${s.note}` : ""} `;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small";
      remove.textContent = t("Delete");
      remove.setAttribute("aria-label", `${t("Delete")} ${this.shownName(s)}`);
      remove.disabled = this.form.querySelector("#segment-start").disabled;
      remove.addEventListener("click", () => this.drop(s.id));
      li.append(remove);
      return li;
    }));
    this.onChange(this.segments);
  }
}
