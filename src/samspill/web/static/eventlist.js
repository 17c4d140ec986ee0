// The event list: sorted, always in sync, and windowed. Only the rows in view exist in the
// document (rows have one fixed height), so a keypress changes a few dozen nodes whatever the
// coding's length. Click or Enter seeks; F2 or a double click edits inline; Delete deletes.
// A filter shows only the events whose time, subject, code, modifiers or comment hold its words.

import { optionLabel, subjectLabel, t } from "./i18n.js";
import { formatMs } from "./time.js";
import { editForm } from "./eventedit.js";

const ROW_H = 26; // px; must match .event-list li in workspace.css
const OVERSCAN = 4;

function modifierText(event) {
  return Object.entries(event.modifiers || {})
    .map(([setId, v]) => (Array.isArray(v) ? v : [v]).map((o) => optionLabel(setId, o)).join("+"))
    .join(" · ");
}

export class EventList {
  constructor(ul, { scheme, lookup, onSeek, onEdit, onDelete, editable }) {
    this.ul = ul;
    this.scroller = ul.parentElement;
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.scheme = scheme;
    this.lookup = lookup;
    this.onSeek = onSeek;
    this.onEdit = onEdit;
    this.onDelete = onDelete;
    this.editable = editable;
    this.events = [];
    this.filter = "";
    this.shown = this.events; // the events listed: all, or those matching the filter
    this.selectedId = null;
    this.editing = null;
    this.words = new WeakMap(); // event → its cells' words (shownAs)
    this.full = false; // true only to measure the naive rebuild-every-row approach
    this.top = 0;
    this.height = this.scroller.clientHeight || 500;
    // A scroll that keeps the same rows (the one reveal() just made, seen a frame later) draws
    // nothing: the rows follow the row index at the top, not the pixel.
    this.scroller.addEventListener("scroll", () => {
      const moved = Math.floor(this.scroller.scrollTop / ROW_H) !== Math.floor(this.top / ROW_H);
      this.top = this.scroller.scrollTop;
      if (moved) this.render();
    }, { passive: true });
    new ResizeObserver(() => {
      this.height = this.scroller.clientHeight;
      this.render();
    }).observe(this.scroller);
    ul.addEventListener("click", (e) => this.onClick(e));
    // A double click: the first click re-renders the rows, so the second lands on a new node and
    // the browser's dblclick may not fire; the click's count says it all the same.
    ul.addEventListener("keydown", (e) => this.onKey(e));
  }

  // The store's listener interface.
  reset(events) {
    this.events = events;
    if (!this.selectedId && events.length) this.selectedId = events[0].id;
    this.render();
  }

  // A new event far from the rows in view (the video was moved on) brings a whole new window:
  // its rows in view are written now, for the frame that shows the event, and the hidden rows
  // above and below it (the overscan, a quarter of the work) when the page is next idle.
  add(event, index) {
    const jumped = !this.filter && this.reveal(index);
    this.render({ lean: jumped });
    if (jumped) this.fillSoon();
  }

  fillSoon() {
    if (this.filling) return;
    this.filling = true;
    const idle = window.requestIdleCallback || ((work) => setTimeout(work, 16));
    idle(() => {
      this.filling = false;
      this.render();
    }, { timeout: 200 });
  }

  update() {
    this.render();
  }

  remove(event) {
    if (event.id === this.selectedId) {
      const index = Math.min(this.indexOfSelected(event), this.events.length - 1);
      this.selectedId = index >= 0 ? this.events[index].id : null;
    }
    this.render();
  }

  indexOfSelected(removed) {
    const at = this.events.findIndex((e) => e.onset_ms >= removed.onset_ms);
    return at < 0 ? this.events.length - 1 : at;
  }

  get selected() {
    return this.ul.querySelector('li[tabindex="0"]');
  }

  setFilter(text) {
    this.filter = text.trim().toLowerCase();
    this.top = 0;
    this.scroller.scrollTop = 0;
    this.render();
  }

  // The words the row shows (labels in the page's language) and the stored ids and values.
  matches(event, words) {
    const code = this.codes.get(event.code);
    const stored = Object.values(event.modifiers || {}).flat();
    const text = [formatMs(event.onset_ms), subjectLabel(event.subject), event.subject,
      code?.name ?? event.code, event.code, modifierText(event), ...stored, event.comment]
      .join(" ").toLowerCase();
    return words.every((word) => text.includes(word));
  }

  // Scrolls (by arithmetic, no layout) so that row `index` is in view; true if it scrolled.
  reveal(index) {
    const y = index * ROW_H;
    if (y >= this.top && y + ROW_H <= this.top + this.height) return false;
    this.top = Math.max(0, y - this.height / 2);
    this.scroller.scrollTop = this.top;
    return true;
  }

  // The rows in view, kept by event: a row whose event is still in view stays as it is (even
  // when the window moves), a row whose event left it is given another event (its text nodes
  // rewritten, no new elements), and only a change of the event itself rewrites its cells. So a
  // keypress that inserts one event in view writes one row; a jump writes the window's rows in
  // place. `full` (the naive way, measured by bench/workspace.py) rebuilds every row instead.
  // `lean`: only the rows in view, none above or below (fillSoon() adds those later).
  render({ lean = false } = {}) {
    if (this.editing) return; // the form stays until saved or cancelled; render() follows
    const words = this.filter.split(/\s+/).filter(Boolean);
    this.shown = words.length ? this.events.filter((e) => this.matches(e, words)) : this.events;
    const total = this.shown.length;
    const focused = this.ul.contains(document.activeElement);
    let first = 0;
    let last = total;
    if (!this.full) {
      const over = lean ? 0 : OVERSCAN;
      first = Math.max(0, Math.floor(this.top / ROW_H) - over);
      last = Math.min(total, first + Math.ceil(this.height / ROW_H) + (lean ? 1 : 2 * OVERSCAN));
    }
    this.setStyle("height", `${total * ROW_H}px`);
    this.setStyle("paddingTop", `${first * ROW_H}px`);
    if (this.full) this.ul.replaceChildren(...this.shown.map((e, i) => this.fill(this.row(), e, i, total)));
    else this.place(first, last, total);
    const rows = this.ul.children;
    if (rows.length && !this.ul.querySelector('li[tabindex="0"]')) rows[0].tabIndex = 0;
    const counter = document.getElementById("event-count");
    const count = words.length
      ? `(${t("{shown} of {total}", { shown: total, total: this.events.length })})` : `(${total})`;
    if (counter && counter.textContent !== count) counter.textContent = count;
    if (focused) this.selected?.focus({ preventScroll: true });
  }

  setStyle(name, value) {
    if (this.ul.style[name] !== value) this.ul.style[name] = value;
  }

  // Rows first..last-1 of the shown events, in order, reusing the rows already there: a row
  // whose event stays keeps its place; a row whose event left is rewritten for a new event,
  // where it stands when it can (moving a row rebuilds its style and layout objects).
  place(first, last, total) {
    const byId = new Map();
    for (const li of [...this.ul.children]) {
      if (li.classList.contains("editing")) li.replaceWith(this.row()); // an editor closed
      else byId.set(li.dataset.id, li);
    }
    const wanted = this.shown.slice(first, last);
    const keep = new Set(wanted.map((e) => e.id));
    const free = new Set([...this.ul.children].filter((li) => !keep.has(li.dataset.id)));
    let cursor = this.ul.firstElementChild;
    const take = () => {
      const li = cursor && free.has(cursor) ? cursor : free.values().next().value || this.row();
      free.delete(li);
      return li;
    };
    wanted.forEach((event, i) => {
      let li = keep.has(event.id) ? byId.get(event.id) : null;
      if (li) while (cursor && cursor !== li && free.has(cursor)) cursor = cursor.nextElementSibling;
      else li = take();
      this.fill(li, event, first + i, total);
      if (li === cursor) cursor = cursor.nextElementSibling;
      else this.ul.insertBefore(li, cursor);
    });
    for (const li of free) li.remove();
  }

  // An empty row: its five cells, each with the text node that fill() rewrites.
  row() {
    const li = document.createElement("li");
    li.texts = ["time", "end", "who", "code", "mods"].map((kind) => {
      const span = document.createElement("span");
      span.className = kind;
      const text = document.createTextNode("");
      span.append(text);
      li.append(span);
      return text;
    });
    return li;
  }

  // Writes only what differs: an unchanged event at the same place costs nothing.
  fill(li, event, index, total) {
    // Every row is focusable (-1), the selected one by Tab too (0); a new row has no tabindex.
    const tab = event.id === this.selectedId ? "0" : "-1";
    if (li.getAttribute("tabindex") !== tab) li.setAttribute("tabindex", tab);
    if (li.shownIndex !== index) li.setAttribute("aria-posinset", (li.shownIndex = index) + 1);
    if (li.shownTotal !== total) li.setAttribute("aria-setsize", (li.shownTotal = total));
    if (li.event === event) return li;
    li.event = event;
    if (li.dataset.id !== event.id) li.dataset.id = event.id;
    const { running, texts } = this.shownAs(event);
    if (li.classList.contains("running") !== running) li.classList.toggle("running", running);
    texts.forEach((text, i) => {
      if (li.texts[i].data !== text) li.texts[i].data = text;
    });
    return li;
  }

  // An event's cells in words, worked out once: the store replaces an event it changes, never
  // alters it, so the words of an event object stay true (a jump back to it formats nothing).
  shownAs(event) {
    let shown = this.words.get(event);
    if (shown) return shown;
    const code = this.codes.get(event.code);
    const running = code?.kind === "state" && event.offset_ms === null;
    const end = running ? `▶ ${t("running")}` : event.offset_ms !== null ? `–${formatMs(event.offset_ms)}` : "";
    shown = { running, texts: [formatMs(event.onset_ms), end, subjectLabel(event.subject),
      code ? code.name : event.code, [modifierText(event), event.comment].filter(Boolean).join(" · ")] };
    this.words.set(event, shown);
    return shown;
  }

  rowOf(target) {
    const li = target.closest?.("li[data-id]");
    return li && this.ul.contains(li) && !li.classList.contains("editing") ? li : null;
  }

  eventOf(row) {
    return this.lookup(row.dataset.id);
  }

  select(id) {
    this.selectedId = id;
    const index = this.shown.indexOf(this.lookup(id));
    if (index >= 0) this.reveal(index);
    this.render();
    this.selected?.focus({ preventScroll: true });
  }

  onClick(e) {
    const row = this.rowOf(e.target);
    if (!row) return;
    const id = row.dataset.id;
    if (e.detail >= 2) {
      const now = this.ul.querySelector(`li[data-id="${CSS.escape(id)}"]`);
      if (now) this.edit(now);
      return;
    }
    this.select(id);
    this.onSeek(this.eventOf(row).onset_ms);
  }

  onKey(e) {
    const row = this.rowOf(e.target);
    if (!row || e.ctrlKey || e.altKey || e.metaKey) return;
    const index = this.shown.indexOf(this.eventOf(row));
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: this.shown.length - 1,
      PageDown: index + 10, PageUp: index - 10 };
    if (e.key in moves) {
      const target = Math.min(this.shown.length - 1, Math.max(0, moves[e.key]));
      this.select(this.shown[target].id);
    } else if (e.key === "Enter") this.onSeek(this.eventOf(row).onset_ms);
    else if (e.key === "F2" && this.editable()) this.edit(row);
    else if ((e.key === "Delete" || e.key === "Backspace") && this.editable()) {
      this.onDelete(this.eventOf(row));
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  edit(row) {
    if (!this.editable()) return;
    const event = this.eventOf(row);
    this.editing = event.id;
    row.classList.add("editing");
    const form = editForm(event, this.scheme, {
      save: (changed) => this.onEdit(event, changed),
      close: () => {
        this.editing = null;
        this.selectedId = event.id;
        this.render();
        this.selected?.focus({ preventScroll: true });
      },
    });
    for (const cell of row.children) cell.hidden = true;
    row.append(form);
    form.querySelector("input, select")?.focus();
  }
}
