// The outbox: every action is written to IndexedDB first, then sent; it leaves the outbox only
// when the server has committed it. A reload or a crash finds it here again.

import { t } from "./i18n.js";

const DB_NAME = "samspill-outbox";
const STORE = "actions";
const BATCH = 200;
const MAX_BACKOFF_MS = 8000;
// Sending waits this long after the write: presses in quick succession go in one request, and
// the request does not compete with drawing the frame that shows the new event.
const GATHER_MS = 30;
// A lone action the server fails this many times in a row (500) is set aside.
const SERVER_TRIES = 3;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => {
    const store = req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    store.createIndex("coding", "coding");
  };
  return request(req);
}

// A failed request's error reaches the transaction's onerror before the transaction holds it
// (tx.error is still null there): the request's own error is the one to report. An abort with
// no error of its own (tx.abort()) still rejects with an Error that says what happened.
function done(tx) {
  return new Promise((resolve, reject) => {
    const failed = (event) => event?.target?.error || tx.error
      || new DOMException(t("the browser broke off storing it"), "AbortError");
    tx.oncomplete = () => resolve();
    tx.onerror = (event) => reject(failed(event));
    tx.onabort = (event) => reject(failed(event));
  });
}

// Every type of action the outbox holds (services/actions.py's Action.type), in words: what the
// coder did, for the actions set aside and for a refusal without a message.
export function actionWords(type) {
  const words = {
    add: t("Added an event"),
    edit: t("Edited an event"),
    delete: t("Deleted an event"),
    rating: t("Changed a rating"),
    segment: t("Marked a segment"),
    "delete-segment": t("Deleted a segment"),
    reject: t("Rejected a suggestion"),
    reopen: t("Reopened a suggestion"),
  };
  return words[type] ?? type;
}

export class Outbox {
  // send(actions) → {ok, status, body}; status 0 means the server was unreachable.
  constructor({ codingId, send, onState, onRejected }) {
    this.codingId = codingId;
    this.send = send;
    this.onState = onState || (() => {});
    this.onRejected = onRejected || (() => {});
    this.count = 0;
    this.state = "saved";
    this.draining = false;
    this.sending = false;
    this.paused = true;
    this.single = false;
    this.backoff = 500;
    this.timer = null;
  }

  async open() {
    this.db = await openDb();
    const restored = await this.pending();
    this.count = restored.length;
    this.serverErrors = 0;
    this.report();
    return restored.map((record) => record.action);
  }

  // The actions still to send, in order (not those set aside).
  async pending() {
    return (await this.records()).filter((record) => !record.aside);
  }

  async records() {
    const tx = this.db.transaction(STORE, "readonly");
    const index = tx.objectStore(STORE).index("coding");
    const records = await request(index.getAll(IDBKeyRange.only(this.codingId)));
    return records.sort((a, b) => a.seq - b.seq);
  }

  // Actions the server kept refusing, kept in this browser with the reason, until the coder
  // sends them again or lets them go; the actions after them were sent all the same.
  async setAside() {
    return (await this.records()).filter((record) => record.aside);
  }

  async putAside(record, answer) {
    const error = answer.body?.error || {};
    const aside = { status: answer.status, message: error.message || String(answer.status), fix: error.fix || "" };
    const tx = this.db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put({ ...record, aside });
    await done(tx);
    this.count = Math.max(0, this.count - 1);
  }

  // Sends the set-aside actions again (after the coder fixed what was wrong), or forgets them.
  async retryAside() {
    const records = await this.setAside();
    const tx = this.db.transaction(STORE, "readwrite");
    for (const record of records) tx.objectStore(STORE).put({ coding: record.coding, action: record.action, seq: record.seq });
    await done(tx);
    this.count += records.length;
    this.drain();
  }

  async dropAside() {
    await this.remove(await this.setAside(), false);
  }

  // One user operation, one transaction: written together or not at all, then sent.
  // Counted at once (the status shows "pending" while the write runs); a failed write takes
  // its count back, since nothing of it was kept and nothing of it will be sent.
  async add(actions) {
    this.count += actions.length;
    this.report();
    try {
      const tx = this.db.transaction(STORE, "readwrite");
      const store = tx.objectStore(STORE);
      for (const action of actions) store.add({ coding: this.codingId, action });
      await done(tx);
    } catch (error) {
      this.count = Math.max(0, this.count - actions.length);
      this.report();
      throw error;
    }
    clearTimeout(this.gather);
    this.gather = setTimeout(() => this.drain(), GATHER_MS);
  }

  async remove(records, counted = true) {
    const tx = this.db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    for (const record of records) store.delete(record.seq);
    await done(tx);
    if (counted) this.count = Math.max(0, this.count - records.length);
  }

  start() {
    this.paused = false;
    this.drain();
  }

  stop() {
    this.paused = true;
  }

  report(state) {
    if (state) this.state = state;
    else if (this.count === 0) this.state = "saved";
    else if (this.state === "saved") this.state = "pending";
    this.onState(this.state, this.count);
  }

  // Sends in order, one batch at a time, until the outbox is empty or the server is away.
  async drain() {
    if (this.draining || this.paused) return;
    this.draining = true;
    clearTimeout(this.timer);
    try {
      for (;;) {
        const batch = (await this.pending()).slice(0, this.single ? 1 : BATCH);
        this.count = Math.max(this.count, batch.length);
        if (!batch.length || this.paused) break;
        this.report("sending");
        const answer = await this.send(batch.map((record) => record.action));
        if (!(await this.settle(batch, answer))) return;
      }
      this.single = false;
      this.report("saved");
    } finally {
      this.draining = false;
    }
  }

  // True to go on draining; false when a retry has been scheduled.
  async settle(batch, answer) {
    if (answer.ok) {
      await this.remove(batch);
      this.backoff = 500;
      this.serverErrors = 0;
      if (this.single && batch.length === 1) this.single = (await this.pending()).length > 0;
      return true;
    }
    if (answer.status === 0 || answer.status === 429 || answer.status === 503) {
      return this.retry("offline"); // unreachable, busy, or storage away: it will come back
    }
    if (answer.status >= 500) return this.serverError(batch, answer);
    if (answer.status === 401 || answer.status === 403) return this.retry("auth");
    if (batch.length > 1) {
      this.single = true; // find the one action the server refuses; the others still go
      return true;
    }
    await this.refused(batch[0], answer);
    return true;
  }

  // The server failed (a 500): said as a server error, not as offline, and retried. When one
  // action alone fails SERVER_TRIES times, it is set aside so that the rest still go.
  serverError(batch, answer) {
    this.serverErrors += 1;
    if (batch.length > 1) this.single = true;
    else if (this.serverErrors >= SERVER_TRIES) {
      this.serverErrors = 0;
      return this.refused(batch[0], answer).then(() => true);
    }
    return this.retry("server");
  }

  // A refusal the coder resolves (a choice between versions) leaves the outbox; any other is
  // set aside with its reason.
  async refused(record, answer) {
    const handled = await this.onRejected(record.action, answer.body, answer.status);
    if (handled === true) await this.remove([record]);
    else await this.putAside(record, answer);
  }

  retry(state) {
    this.report(state);
    this.timer = setTimeout(() => this.drain(), this.backoff);
    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff * 2);
    return false;
  }
}
