// Undo and redo. Every step is a list of actions; undoing applies their inverses as new actions
// (new ids), so the server sees an ordinary edit and the outbox's order stays the truth.

import { t } from "./i18n.js";
import { newId } from "./time.js";

export class History {
  constructor({ store, enqueue, canWrite }) {
    this.store = store;
    this.enqueue = enqueue;
    this.canWrite = canWrite;
    this.done = [];
    this.undone = [];
  }

  inverse(op) {
    if (op.type === "add") return [{ type: "delete", event_id: op.event.id }];
    const id = op.type === "delete" ? op.event_id : op.event.id;
    const before = this.store.byId.get(id);
    if (!before) return op.type === "edit" ? [{ type: "delete", event_id: id }] : [];
    return [{ type: op.type === "delete" ? "add" : "edit", event: { ...before } }];
  }

  // Applies operations now (store, then outbox); returns what undoes them.
  run(ops) {
    const actions = [];
    let undo = [];
    for (const op of ops) {
      undo = [...this.inverse(op), ...undo];
      const action = { id: newId(), ...op };
      this.store.apply(action);
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
