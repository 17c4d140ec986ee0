// The event list: one row per event, sorted, changed row by row (never rebuilt on a keypress).
// Click or Enter seeks; F2 or a double click edits inline; Delete deletes.

import { t } from "./i18n.js";
import { formatMs } from "./time.js";
import { editForm } from "./eventedit.js";

function modifierText(event) {
  return Object.values(event.modifiers || {})
    .map((v) => (Array.isArray(v) ? v.join("+") : v))
    .join(" · ");
}

export class EventList {
  constructor(ul, { scheme, lookup, onSeek, onEdit, onDelete, editable }) {
    this.lookup = lookup;
    this.ul = ul;
    this.scheme = scheme;
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.onSeek = onSeek;
    this.onEdit = onEdit;
    this.onDelete = onDelete;
    this.editable = editable;
    this.rows = new Map();
    this.selected = null;
    this.full = false; // true only to measure the naive rebuild-everything approach
    this.events = [];
    ul.addEventListener("click", (e) => this.onClick(e));
    ul.addEventListener("dblclick", (e) => this.rowOf(e.target) && this.edit(this.rowOf(e.target)));
    ul.addEventListener("keydown", (e) => this.onKey(e));
  }

  // The store's listener interface.
  reset(events) {
    this.events = events;
    const fragment = document.createDocumentFragment();
    this.rows.clear();
    for (const event of events) fragment.append(this.row(event));
    this.ul.replaceChildren(fragment);
    this.count();
    if (!this.selected && events.length) this.select(this.ul.firstElementChild, false);
  }

  add(event, index) {
    if (this.full) return this.reset(this.events);
    this.ul.insertBefore(this.row(event), this.ul.children[index] || null);
    this.count();
    this.reveal(this.rows.get(event.id));
  }

  update(event, index, old) {
    if (this.full) return this.reset(this.events);
    const oldRow = this.rows.get(old.id);
    const wasSelected = oldRow === this.selected;
    const hadFocus = oldRow !== undefined && oldRow.contains(document.activeElement);
    oldRow?.remove();
    const row = this.row(event);
    this.ul.insertBefore(row, this.ul.children[index] || null);
    if (wasSelected) this.select(row, hadFocus);
  }

  remove(event) {
    if (this.full) return this.reset(this.events);
    const row = this.rows.get(event.id);
    if (!row) return;
    if (row === this.selected) {
      const next = row.nextElementSibling || row.previousElementSibling;
      const focused = document.activeElement === row;
      row.remove();
      this.selected = null;
      if (next) this.select(next, focused);
    } else row.remove();
    this.rows.delete(event.id);
    this.count();
  }

  count() {
    const counter = document.getElementById("event-count");
    if (counter) counter.textContent = `(${this.rows.size})`;
  }

  row(event) {
    const li = document.createElement("li");
    li.dataset.id = event.id;
    li.tabIndex = -1;
    const code = this.codes.get(event.code);
    const running = code?.kind === "state" && event.offset_ms === null;
    if (running) li.classList.add("running");
    li.append(
      this.cell("time", formatMs(event.onset_ms)),
      this.cell("end", running ? `▶ ${t("running")}` : event.offset_ms !== null ? `–${formatMs(event.offset_ms)}` : ""),
      this.cell("who", event.subject),
      this.cell("code", code ? code.name : event.code),
      this.cell("mods", modifierText(event)),
      this.cell("comment", event.comment || ""),
    );
    this.rows.set(event.id, li);
    return li;
  }

  cell(kind, text) {
    const span = document.createElement("span");
    span.className = kind;
    span.textContent = text;
    return span;
  }

  rowOf(target) {
    const li = target.closest?.("li[data-id]");
    return li && this.ul.contains(li) && !li.classList.contains("editing") ? li : null;
  }

  select(row, focus = true) {
    if (this.selected) this.selected.tabIndex = -1;
    this.selected = row;
    row.tabIndex = 0;
    if (focus) row.focus();
  }

  reveal(row) {
    if (row && !this.ul.querySelector(".editing")) row.scrollIntoView({ block: "nearest" });
  }

  onClick(e) {
    const row = this.rowOf(e.target);
    if (!row) return;
    this.select(row);
    this.onSeek(this.eventOf(row).onset_ms);
  }

  eventOf(row) {
    return this.lookup(row.dataset.id);
  }

  onKey(e) {
    const row = this.rowOf(e.target);
    if (!row || e.ctrlKey || e.altKey || e.metaKey) return;
    const moves = { ArrowDown: row.nextElementSibling, ArrowUp: row.previousElementSibling,
      Home: this.ul.firstElementChild, End: this.ul.lastElementChild };
    if (e.key in moves) {
      if (moves[e.key]) this.select(moves[e.key]);
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
    row.classList.add("editing");
    const form = editForm(event, this.scheme, {
      save: (changed) => this.onEdit(event, changed),
      close: () => {
        row.classList.remove("editing");
        form.remove();
        for (const cell of row.children) cell.hidden = false;
        const current = this.rows.get(event.id);
        if (current) this.select(current);
      },
    });
    for (const cell of row.children) cell.hidden = true;
    row.append(form);
    form.querySelector("input, select")?.focus();
  }
}
