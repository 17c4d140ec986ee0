// Undo and redo. Every step is a list of actions; undoing applies their inverses as new actions
// (new ids), so the server sees an ordinary edit and the outbox's order stays the truth.

import { t } from "./i18n.js";
import { newId } from "./time.js";

export class History {
  // `segments` ({get, put, drop}) shows segment steps: a deleted segment can be undone too.
  // `shown` is told when a held step is shown but not yet sent (see hold).
  constructor({ store, enqueue, canWrite, segments = null, shown = () => {} }) {
    this.store = store;
    this.enqueue = enqueue;
    this.shown = shown;
    this.canWrite = canWrite;
    this.segments = segments;
    this.done = [];
    this.undone = [];
  }

  inverse(op) {
    if (op.type === "segment") {
      const before = this.segments?.get(op.segment.id);
      return [before ? { type: "segment", segment: { ...before } } : { type: "delete-segment", segment_id: op.segment.id }];
    }
    if (op.type === "delete-segment") {
      const before = this.segments?.get(op.segment_id);
      return before ? [{ type: "segment", segment: { ...before } }] : [];
    }
    if (op.type === "add") return [{ type: "delete", event_id: op.event.id }];
    // The assist's suggestions: a rejection is undone by reopening, and the other way round.
    if (op.type === "reject") return [{ type: "reopen", suggestion_id: op.suggestion_id }];
    if (op.type === "reopen") return [{ type: "reject", suggestion_id: op.suggestion_id }];
    const id = op.type === "delete" ? op.event_id : op.event.id;
    const before = this.store.byId.get(id);
    if (!before) return op.type === "edit" ? [{ type: "delete", event_id: id }] : [];
    return [{ type: op.type === "delete" ? "add" : "edit", event: { ...before } }];
  }

  // The event's version: an edit or delete says which version it was made on (base_version),
  // so the server refuses it when another window changed the event since; the event the page
  // keeps carries the version the server will give it, so the next edit is based on that.
  versioned(op) {
    if (op.type === "delete") {
      const current = this.store.byId.get(op.event_id);
      return current?.version === undefined ? op : { ...op, base_version: current.version };
    }
    if (op.type !== "add" && op.type !== "edit") return op;
    const current = this.store.byId.get(op.event.id);
    const base = current ? current.version : op.event.version; // an undone delete: its last
    const versioned = { ...op, event: { ...op.event, version: (base ?? 0) + 1 } };
    if (op.type === "edit" && current?.version !== undefined) versioned.base_version = current.version;
    return versioned;
  }

  // Applies operations now (store, then outbox); returns what undoes them.
  run(ops) {
    const actions = [];
    let undo = [];
    for (const op of ops) {
      undo = [...this.inverse(op), ...undo];
      const action = { id: newId(), ...this.versioned(op) };
      if (action.type === "segment") this.segments?.put(action.segment);
      else if (action.type === "delete-segment") this.segments?.drop(action.segment_id);
      else this.store.apply(action);
      actions.push(action);
    }
    this.enqueue(actions);
    return undo;
  }

  // A coder's step; `group` adds to the step before (a modifier chosen after its key).
  commit(ops, label, group) {
    if (!this.canWrite()) return null;
    const undo = this.run(ops);
    if (group) {
      group.undo = [...undo, ...group.undo];
      return group;
    }
    const step = { undo, label };
    this.done.push(step);
    this.undone = [];
    return step;
  }

  // A step held back until its modifier pop-up is answered (a code with a required set): it is
  // shown at once, with its frame-exact time, but nothing is sent, so the server never gets an
  // event without its required modifier. `release` then sends the step, its add carrying the
  // modifiers, as one undo step; until then there is nothing to undo (the pop-up holds the keys).
  hold(ops) {
    if (!this.canWrite()) return null;
    let undo = [];
    for (const op of ops) {
      undo = [...this.inverse(op), ...undo];
      this.store.apply(op);
    }
    this.shown(ops.length);
    return { ops, undo };
  }

  // `ops` are the held step's operations as answered (the same events, with their modifiers).
  release(held, ops, label) {
    if (!this.canWrite()) return null;
    const actions = ops.map((op) => ({ id: newId(), ...this.versioned(op) }));
    for (const action of actions) this.store.apply(action);
    this.enqueue(actions);
    const step = { undo: held.undo, label };
    this.done.push(step);
    this.undone = [];
    return step;
  }

  undo(toast) {
    const step = this.done.pop();
    if (!step) return toast(t("Nothing to undo"));
    this.undone.push({ undo: this.run(step.undo), label: step.label });
    toast(t("Undone: {what}", { what: step.label || "" }));
  }

  redo(toast) {
    const step = this.undone.pop();
    if (!step) return toast(t("Nothing to redo"));
    this.done.push({ undo: this.run(step.undo), label: step.label });
    toast(t("Redone: {what}", { what: step.label || "" }));
  }

  clear() {
    this.done = [];
    this.undone = [];
  }
}
