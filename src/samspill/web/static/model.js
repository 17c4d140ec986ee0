// The coding's events in the browser: the server's events with the outbox's actions on top.
// Kept sorted (onset, subject, code, id) so that views insert one row, never rebuild.

function compare(a, b) {
  if (a.onset_ms !== b.onset_ms) return a.onset_ms - b.onset_ms;
  if (a.subject !== b.subject) return a.subject < b.subject ? -1 : 1;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function before(a, b) {
  if (a.onset_ms !== b.onset_ms) return a.onset_ms < b.onset_ms;
  if (a.subject !== b.subject) return a.subject < b.subject;
  if (a.code !== b.code) return a.code < b.code;
  return a.id < b.id;
}

export class EventStore {
  constructor(scheme) {
    this.scheme = scheme;
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.byId = new Map();
    this.sorted = [];
    this.running = new Map(); // "subject|code" → event, for states without an end
    this.listeners = [];
  }

  subscribe(listener) {
    this.listeners.push(listener);
  }

  emit(kind, ...args) {
    for (const listener of this.listeners) listener[kind]?.(...args);
  }

  // Replaces everything: the server's events, then the outbox's pending actions on top.
  load(events, pending = []) {
    this.clear();
    this.sorted = events.map((event) => ({ ...event })).sort(compare); // one sort, not n inserts
    for (const event of this.sorted) {
      this.byId.set(event.id, event);
      if (this.isState(event) && event.offset_ms === null) {
        this.running.set(`${event.subject}|${event.code}`, event);
      }
    }
    for (const action of pending) this.apply(action, false);
    this.emit("reset", this.sorted);
  }

  clear() {
    this.byId.clear();
    this.sorted = [];
    this.running.clear();
  }

  indexFor(event) {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(this.sorted[mid], event)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  isState(event) {
    return this.codes.get(event.code)?.kind === "state";
  }

  put(event, notify = true) {
    const old = this.byId.get(event.id);
    if (old) this.take(old);
    const index = this.indexFor(event);
    this.sorted.splice(index, 0, event);
    this.byId.set(event.id, event);
    if (this.isState(event) && event.offset_ms === null) {
      this.running.set(`${event.subject}|${event.code}`, event);
    }
    if (notify) this.emit(old ? "update" : "add", event, index, old);
  }

  take(event) {
    const index = this.sorted.indexOf(event, Math.max(0, this.indexFor(event) - 1));
    this.sorted.splice(index, 1);
    this.byId.delete(event.id);
    const key = `${event.subject}|${event.code}`;
    if (this.running.get(key) === event) this.running.delete(key);
  }

  remove(id, notify = true) {
    const old = this.byId.get(id);
    if (!old) return;
    this.take(old);
    if (notify) this.emit("remove", old);
  }

  // An action from the outbox or the coder; the same action twice gives the same state.
  apply(action, notify = true) {
    if (action.type === "add" || action.type === "edit") this.put({ ...action.event }, notify);
    else if (action.type === "delete") this.remove(action.event_id, notify);
  }

  // The closed state of the same lane (the code, or its exclusive group) covering ms, if any.
  overlapping(subject, codeId, ms, ignoreId) {
    const group = this.scheme.exclusive_groups.find((g) => g.codes.includes(codeId));
    const lane = new Set(group ? group.codes : [codeId]);
    return this.sorted.find(
      (e) =>
        e.id !== ignoreId &&
        e.subject === subject &&
        lane.has(e.code) &&
        e.offset_ms !== null &&
        e.onset_ms <= ms &&
        ms < e.offset_ms,
    );
  }
}
