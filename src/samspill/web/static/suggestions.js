// The assist's suggestions in the coding screen: a lane under the timeline and a list beside
// the events. A suggestion is never a code: it becomes an event only when the coder accepts it
// (an ordinary add that names the suggestion, so the server records where it came from), and
// the coder may move its edges or choose its code first. Rejecting is per coding and undoable.
//
// Keys in the list: ↑ / ↓ previous / next (the video follows), Enter plays from it, A accepts,
// X or Delete rejects, U reopens a rejected one, Shift + ← / → moves its start by 100 ms and
// Alt + ← / → its end. Anywhere: Alt + S goes to the list, Alt + N / Alt + P to the next /
// previous suggestion after / before the playhead.

import { t } from "./i18n.js";
import { ownsKey } from "./keys.js";
import { formatMs, newId } from "./time.js";

const HEIGHT = 22;
const STEP_MS = 100;
const COLOURS = { speech: "#3d6b8f", cry: "#b5541d", silence: "#6f3d8f", pose: "#2f7d4f" };

export class Suggestions {
  constructor({ host, timeline, player, scheme, history, store, url, canWrite, toast, labels }) {
    Object.assign(this, { timeline, player, scheme, history, store, url, canWrite, toast, labels });
    this.items = [];
    this.selected = null;
    this.section = this.buildSection();
    host.after(this.section);
    this.canvas = this.buildLane();
    const before = timeline.afterDraw;
    timeline.afterDraw = (tl) => { before?.(tl); this.draw(); };
    store.subscribe({ remove: (event) => this.eventGone(event) });
    document.addEventListener("keydown", (e) => this.globalKey(e));
  }

  buildSection() {
    const section = document.createElement("section");
    section.className = "suggestions";
    section.id = "suggestions";
    section.hidden = true;
    const heading = Object.assign(document.createElement("h2"), { id: "suggestions-heading", textContent: t("Suggestions (not codes)") });
    const note = Object.assign(document.createElement("p"), { className: "muted", textContent: t("The assist's suggestions are never codes: accept each one you agree with (A), reject the rest (X).") });
    this.list = document.createElement("ul");
    this.list.className = "suggestion-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-labelledby", "suggestions-heading");
    this.list.tabIndex = 0;
    this.list.addEventListener("keydown", (e) => this.listKey(e));
    this.chooser = document.createElement("select");
    this.chooser.hidden = true;
    this.chooser.setAttribute("aria-label", t("Accept as which code?"));
    this.chooser.addEventListener("keydown", (e) => this.chooserKey(e));
    section.append(heading, note, this.chooser, this.list);
    return section;
  }

  buildLane() {
    const row = document.createElement("div");
    row.className = "tl-suggestions";
    row.style.cssText = "display:flex;align-items:center;gap:.5rem;margin-top:2px";
    const label = Object.assign(document.createElement("span"), { textContent: t("Suggestions") });
    label.style.cssText = "flex:0 0 auto;font-size:.8rem";
    const canvas = document.createElement("canvas");
    canvas.setAttribute("aria-hidden", "true");
    canvas.style.cssText = `flex:1 1 auto;width:100%;height:${HEIGHT}px;background:#fbfaf7`;
    row.append(label, canvas);
    (document.querySelector(".tl-wave") || this.timeline.host).after(row);
    this.lane = row;
    row.hidden = true;
    return canvas;
  }

  async load() {
    try {
      const answer = await fetch(this.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!answer.ok) return;
      const body = await answer.json();
      if (!body.shown) return;
      this.items = body.suggestions;
    } catch {
      return;
    }
    this.section.hidden = this.lane.hidden = this.items.length === 0;
    this.render();
    this.draw();
  }

  label(item) {
    const code = this.scheme.codes.find((c) => c.id === item.code);
    if (code) return code.name;
    return item.code === "speech" ? t("Speech (anyone)") : t("Silence after a bid");
  }

  stateText(item) {
    if (item.decision === "accepted") return t("accepted");
    if (item.decision === "rejected") return t("rejected");
    return item.decidable ? t("open") : t("to look at");
  }

  render() {
    const rows = this.items.map((item) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.id = item.id;
      li.dataset.decision = item.decision || "open";
      li.setAttribute("aria-selected", String(item === this.selected));
      const end = item.offset_ms === null ? "" : `–${formatMs(item.offset_ms)}`;
      li.textContent = `${formatMs(item.onset_ms)}${end} · ${this.label(item)} · ${Math.round(item.confidence * 100)} % · ${this.stateText(item)}`;
      li.title = item.note || item.provenance;
      li.addEventListener("click", () => this.select(item, true));
      return li;
    });
    this.list.replaceChildren(...rows);
  }

  select(item, seek) {
    this.selected = item;
    for (const li of this.list.children) li.setAttribute("aria-selected", String(li.dataset.id === item?.id));
    this.list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
    if (item && seek) this.player.seekTo(item.onset_ms);
    this.draw();
  }

  move(step) {
    if (!this.items.length) return;
    const at = this.items.indexOf(this.selected);
    const next = this.items[Math.min(this.items.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
    this.select(next, true);
  }

  fromPlayhead(direction) {
    const now = this.player.nowMs();
    const found = direction > 0 ? this.items.find((s) => s.onset_ms > now + 1)
      : [...this.items].reverse().find((s) => s.onset_ms < now - 1);
    if (!found) return this.toast(t("No more suggestions that way"));
    this.select(found, true);
    this.list.focus();
  }

  // The page's keys only: a key a text field types or another part already handled (Alt + N
  // in the transcript's editor writes the time there) never also moves to a suggestion.
  globalKey(e) {
    if (!e.altKey || e.ctrlKey || e.metaKey || this.section.hidden) return;
    if (e.defaultPrevented || ownsKey(e.target, e)) return;
    // The physical key: on a Mac, Option + S types "ß" (keys.js reads Alt + keys the same way).
    const key = e.code;
    if (key === "KeyS") { this.list.focus(); if (!this.selected) this.move(0); }
    else if (key === "KeyN") this.fromPlayhead(1);
    else if (key === "KeyP") this.fromPlayhead(-1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  listKey(e) {
    const item = this.selected;
    const key = e.key;
    let done = true;
    if (key === "ArrowDown") this.move(1);
    else if (key === "ArrowUp") this.move(-1);
    else if (key === "Enter" && item) { this.player.seekTo(item.onset_ms); this.player.play(); }
    else if (key === "a" || key === "A") { if (item) this.accept(item); }
    else if (key === "x" || key === "X" || key === "Delete") { if (item) this.reject(item); }
    else if (key === "u" || key === "U") { if (item) this.reopen(item); }
    else if ((key === "ArrowLeft" || key === "ArrowRight") && (e.shiftKey || e.altKey) && item) {
      this.adjust(item, e.shiftKey ? "onset_ms" : "offset_ms", key === "ArrowLeft" ? -STEP_MS : STEP_MS);
    } else done = false;
    // A, X, U and Delete are the list's even with no suggestion chosen: they never reach the
    // page, where `a` would log Absent.
    if (done) { e.preventDefault(); e.stopPropagation(); }
  }

  // The edges move before accepting; the suggestion itself is not changed on the server.
  adjust(item, edge, delta) {
    if (item.decision || (edge === "offset_ms" && item.offset_ms === null)) return;
    const value = Math.max(0, item[edge] + delta);
    if (edge === "onset_ms" && item.offset_ms !== null && value >= item.offset_ms) return;
    if (edge === "offset_ms" && value <= item.onset_ms) return;
    item[edge] = value;
    this.player.seekTo(edge === "onset_ms" ? value : value - 1);
    this.render();
    this.draw();
    const time = formatMs(value);
    this.toast(edge === "onset_ms" ? t("Start at {time}", { time }) : t("End at {time}", { time }));
  }

  editable(item) {
    if (!this.canWrite()) { this.toast(t("You can read this coding but not change it"), true); return false; }
    if (!item.decidable) { this.toast(t("A silence is a moment to look at: code what the caregiver did, or did not do")); return false; }
    return true;
  }

  accept(item) {
    if (!this.editable(item) || item.decision === "accepted") return;
    const code = this.scheme.codes.find((c) => c.id === item.code);
    if (!code) return this.askCode(item);
    this.acceptAs(item, code);
  }

  askCode(item) {
    const options = this.scheme.codes.map((c) => Object.assign(document.createElement("option"), { value: c.id, textContent: `${c.key ? `${c.key} · ` : ""}${c.name}` }));
    this.chooser.replaceChildren(...options);
    this.chooser.hidden = false;
    this.chooser.dataset.for = item.id;
    this.chooser.focus();
    this.toast(t("Choose the code, then Enter (Escape: back)"));
  }

  chooserKey(e) {
    if (e.key !== "Enter" && e.key !== "Escape") return;
    e.preventDefault();
    e.stopPropagation();
    const item = this.items.find((s) => s.id === this.chooser.dataset.for);
    this.chooser.hidden = true;
    this.list.focus();
    if (e.key === "Enter" && item) this.acceptAs(item, this.scheme.codes.find((c) => c.id === this.chooser.value));
  }

  acceptAs(item, code) {
    const required = code.modifiers.map((id) => this.scheme.modifier_sets.find((m) => m.id === id)).filter((m) => m?.required);
    if (required.length) {
      this.player.seekTo(item.onset_ms);
      return this.toast(t("{code} needs its modifiers: press its key at this moment instead", { code: code.name }), true);
    }
    const subject = code.subjects.includes(item.subject) ? item.subject : code.subjects[0];
    const event = { id: newId(), subject, code: code.id, onset_ms: item.onset_ms, modifiers: {}, comment: "" };
    if (code.kind === "state") event.offset_ms = item.offset_ms ?? item.onset_ms + 1000;
    const step = this.history.commit([{ type: "add", event, suggestion_id: item.id }], t("Accepted {code} at {time}", { code: code.name, time: formatMs(item.onset_ms) }));
    if (!step) return;
    item.decision = "accepted";
    item.event_id = event.id;
    this.toast(t("Accepted {code} at {time}", { code: code.name, time: formatMs(item.onset_ms) }));
    this.changed(item);
  }

  reject(item) {
    if (!this.editable(item) || item.decision) return;
    if (this.history.commit([{ type: "reject", suggestion_id: item.id }], t("Rejected a suggestion at {time}", { time: formatMs(item.onset_ms) }))) {
      item.decision = "rejected";
      this.changed(item);
    }
  }

  reopen(item) {
    if (!this.editable(item) || item.decision !== "rejected") return;
    if (this.history.commit([{ type: "reopen", suggestion_id: item.id }], t("Reopened a suggestion at {time}", { time: formatMs(item.onset_ms) }))) {
      item.decision = null;
      this.changed(item);
    }
  }

  // Undo and redo send reject and reopen again: the list follows what was sent.
  applied(actions) {
    let touched = false;
    for (const action of actions) {
      const item = this.items.find((s) => s.id === action.suggestion_id);
      if (!item) continue;
      if (action.type === "reject") item.decision = "rejected";
      else if (action.type === "reopen") item.decision = null;
      else continue;
      touched = true;
    }
    if (touched) { this.render(); this.draw(); }
  }

  // The event an accepted suggestion became was deleted (or its add undone): open again.
  eventGone(event) {
    const item = event && this.items.find((s) => s.event_id === event.id);
    if (!item) return;
    item.decision = null;
    item.event_id = null;
    this.changed(item);
  }

  changed(item) {
    this.render();
    this.select(item, false);
  }

  draw() {
    const { canvas, timeline: tl } = this;
    if (this.lane.hidden) return;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, canvas.clientWidth);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const x = (ms) => ((ms - tl.start) / tl.span) * width;
    for (const item of this.items) {
      const left = x(item.onset_ms);
      const right = item.offset_ms === null ? left + 2 : Math.max(left + 2, x(item.offset_ms));
      if (right < 0 || left > width) continue;
      ctx.strokeStyle = item.decision === "rejected" ? "#9a9a9a" : COLOURS[item.detector] || "#555";
      ctx.lineWidth = item === this.selected ? 3 : 1.5;
      ctx.setLineDash(item.decision === "accepted" ? [] : [4, 3]);
      if (item.decision === "accepted") { ctx.fillStyle = "rgba(46,125,50,0.25)"; ctx.fillRect(left, 3, right - left, HEIGHT - 6); }
      ctx.strokeRect(left, 3, right - left, HEIGHT - 6);
    }
    ctx.setLineDash([]);
  }
}
