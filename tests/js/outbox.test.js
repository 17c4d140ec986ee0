// The outbox (outbox.js) on Chromium's real IndexedDB, with the server stubbed: order, batches,
// retry and backoff, idempotency by action id, refused actions, storage failures, and the
// isolation between codings and between tabs (with tablock.js).

import { Outbox } from "../../src/samspill/web/static/outbox.js";
import { claimCoding } from "../../src/samspill/web/static/tablock.js";
import { event } from "./fixtures.js";
import { assert, cleanup, openTab, sleep, test, waitFor } from "./harness.js";

const OUTBOX = "../../src/samspill/web/static/outbox.js";
const TABLOCK = "../../src/samspill/web/static/tablock.js";

function action(id, fields = {}) {
  return { id, type: "add", event: event({ id: `event-of-${id}`, ...fields }) };
}

function actions(prefix, n) {
  return Array.from({ length: n }, (_, i) => action(`${prefix}${i + 1}`));
}

// POST /api/codings/{id}/actions, stubbed. Like the server it applies a request's actions
// together or not at all, and each action id once (its applied_actions table): a repeated id is
// answered as done without being applied again. `answer(actions)` may answer otherwise.
function fakeServer({ refuse = [] } = {}) {
  const server = {
    requests: [], // the action ids of each request, in order
    applied: [], // the action ids the server applied, each once, in order
    answer: null,
    async send(sent) {
      const ids = sent.map((a) => a.id);
      server.requests.push(ids);
      const special = server.answer?.(sent);
      if (special) return special;
      const refused = ids.find((id) => refuse.includes(id));
      if (refused) return { ok: false, status: 422, body: { error: { message: `refused ${refused}` } } };
      for (const id of ids) if (!server.applied.includes(id)) server.applied.push(id);
      return { ok: true, status: 200, body: { applied: ids.length } };
    },
  };
  return server;
}

// An outbox as workspace.js makes one, recording what it reports.
async function openOutbox(server, { codingId = 1, start = true, OutboxClass = Outbox } = {}) {
  const states = [];
  const rejected = [];
  const box = new OutboxClass({
    codingId,
    send: (sent) => server.send(sent),
    onState: (state, count) => states.push([state, count]),
    onRejected: (refused, body) => rejected.push([refused.id, body]),
  });
  const restored = await box.open();
  if (start) box.start();
  cleanup(() => box.stop());
  return { box, states, rejected, restored };
}

async function pendingIds(box) {
  return (await box.pending()).map((record) => record.action.id);
}

function saved(box) {
  return waitFor(async () => box.state === "saved" && (await box.pending()).length === 0,
    `outbox saved (state ${box.state})`);
}

test("an empty outbox restores nothing and reports saved", async () => {
  const { restored, states } = await openOutbox(fakeServer());
  assert.deepEqual(restored, []);
  assert.deepEqual(states, [["saved", 0]]);
});

test("an action is in IndexedDB before it is sent, and leaves it when the server has it", async () => {
  const server = fakeServer();
  const { box, states } = await openOutbox(server, { start: false });
  await box.add([action("a1")]);
  assert.deepEqual(await pendingIds(box), ["a1"]);
  await sleep(60); // past the gathering pause: a stopped outbox does not send
  assert.deepEqual(server.requests, []);
  box.start();
  await saved(box);
  assert.deepEqual(server.applied, ["a1"]);
  assert.deepEqual(states, [["saved", 0], ["pending", 1], ["sending", 1], ["saved", 0]]);
  assert.equal(box.count, 0);
});

test("actions are sent in the order they were added, across operations", async () => {
  const server = fakeServer();
  const { box } = await openOutbox(server);
  await box.add([action("a1")]);
  await box.add([action("a2"), action("a3")]);
  await box.add([action("a4")]);
  await saved(box);
  assert.deepEqual(server.requests.flat(), ["a1", "a2", "a3", "a4"]);
  assert.deepEqual(server.applied, ["a1", "a2", "a3", "a4"]);
});

test("an action added while a request is out goes in the next request", async () => {
  const server = fakeServer();
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  const send = server.send;
  server.send = async (sent) => {
    if (server.requests.length === 0) await held;
    return send(sent);
  };
  const { box } = await openOutbox(server);
  await box.add([action("a1")]);
  await waitFor(() => box.state === "sending", "first request out");
  await box.add([action("a2")]);
  release();
  await saved(box);
  assert.deepEqual(server.requests, [["a1"], ["a2"]]);
});

test("a request carries at most 200 actions, in order", async () => {
  const server = fakeServer();
  const { box } = await openOutbox(server, { start: false });
  const many = actions("a", 450);
  await box.add(many);
  box.start();
  await saved(box);
  assert.deepEqual(server.requests.map((ids) => ids.length), [200, 200, 50]);
  assert.deepEqual(server.applied, many.map((a) => a.id));
});

test("a reload finds the unsent actions again, in order, with their ids", async () => {
  const before = await openTab();
  const first = await openOutbox(fakeServer(), {
    start: false, OutboxClass: (await before.load(OUTBOX)).Outbox,
  });
  const written = [action("a1"), action("a2"), action("a3")];
  await first.box.add(written.slice(0, 2));
  await first.box.add(written.slice(2));
  before.close(); // the page goes away with its memory; IndexedDB stays

  const after = await openTab();
  const server = fakeServer();
  const second = await openOutbox(server, { start: false, OutboxClass: (await after.load(OUTBOX)).Outbox });
  assert.deepEqual(second.restored, written);
  assert.deepEqual(second.states, [["pending", 3]]);
  second.box.start();
  await saved(second.box);
  assert.deepEqual(server.applied, ["a1", "a2", "a3"]);
});

test("an action whose answer was lost is sent again with its id and applied once", async () => {
  const server = fakeServer();
  server.answer = (sent) => {
    server.answer = null;
    for (const a of sent) server.applied.push(a.id); // committed, but the answer never came
    return { ok: false, status: 0, body: null };
  };
  const { box } = await openOutbox(server);
  await box.add([action("a1"), action("a2")]);
  await waitFor(() => box.state === "offline", "offline after the lost answer");
  box.drain(); // as the browser's "online" event does
  await saved(box);
  assert.deepEqual(server.requests, [["a1", "a2"], ["a1", "a2"]]);
  assert.deepEqual(server.applied, ["a1", "a2"]);
});

test("offline, the actions stay and the retry waits twice as long each time, up to 8 s", async () => {
  const server = fakeServer();
  server.answer = () => ({ ok: false, status: 0, body: null });
  const { box, rejected } = await openOutbox(server);
  await box.add([action("a1")]);
  await waitFor(() => box.state === "offline", "offline");
  const waits = [box.backoff];
  for (let i = 0; i < 4; i += 1) {
    await box.drain();
    waits.push(box.backoff);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000], "the next wait after each failure");
  assert.deepEqual(await pendingIds(box), ["a1"]);
  assert.equal(box.state, "offline");
  server.answer = null;
  await box.drain();
  assert.equal(box.state, "saved");
  assert.equal(box.backoff, 500, "a success starts the backoff again");
  assert.deepEqual(server.applied, ["a1"]);
  assert.deepEqual(rejected, []);
});

test("after the first wait the outbox retries by itself", async () => {
  const server = fakeServer();
  server.answer = () => {
    server.answer = null;
    return { ok: false, status: 503, body: null };
  };
  const { box, states } = await openOutbox(server);
  await box.add([action("a1")]);
  await waitFor(() => server.applied.length === 1, "sent again after 500 ms", 3000);
  await saved(box);
  assert.deepEqual(server.requests, [["a1"], ["a1"]]);
  assert.ok(states.some(([state]) => state === "offline"), "said offline in between");
});

test("a server error or too many requests is retried, never dropped", async () => {
  for (const [status, state] of [[500, "server"], [502, "server"], [503, "offline"], [429, "offline"]]) {
    const server = fakeServer();
    server.answer = () => ({ ok: false, status, body: null });
    const { box, rejected } = await openOutbox(server, { codingId: status });
    await box.add([action(`a${status}`)]);
    await waitFor(() => box.state === state, `${state} on ${status}`);
    box.stop();
    assert.deepEqual(await pendingIds(box), [`a${status}`], `kept on ${status}`);
    assert.deepEqual(rejected, [], `not refused on ${status}`);
  }
});

test("an expired login (401, 403) keeps the actions and says so", async () => {
  for (const status of [401, 403]) {
    const server = fakeServer();
    server.answer = () => ({ ok: false, status, body: null });
    const { box, rejected } = await openOutbox(server, { codingId: status });
    await box.add([action(`a${status}`)]);
    await waitFor(() => box.state === "auth", `auth on ${status}`);
    box.stop();
    assert.deepEqual(await pendingIds(box), [`a${status}`]);
    assert.deepEqual(rejected, []);
  }
});

test("a refused action is dropped and reported; the others of its request still go, in order", async () => {
  const server = fakeServer({ refuse: ["a2"] });
  const { box, rejected } = await openOutbox(server, { start: false });
  await box.add([action("a1"), action("a2"), action("a3")]);
  await box.add([action("a4")]);
  box.start();
  await saved(box);
  assert.deepEqual(server.requests, [["a1", "a2", "a3", "a4"], ["a1"], ["a2"], ["a3"], ["a4"]],
    "one at a time after the refusal");
  assert.deepEqual(server.applied, ["a1", "a3", "a4"]);
  assert.deepEqual(rejected, [["a2", { error: { message: "refused a2" } }]]);
  assert.equal(box.count, 0);

  await box.add([action("a5"), action("a6")]);
  await saved(box);
  assert.deepEqual(server.requests.at(-1), ["a5", "a6"], "back to one request for many");
});

test("a refused lone action is removed, reported once and not retried", async () => {
  const server = fakeServer();
  server.answer = () => ({ ok: false, status: 409, body: { error: { message: "locked" } } });
  const { box, rejected } = await openOutbox(server);
  await box.add([action("a1")]);
  await saved(box);
  await sleep(600); // longer than the first backoff
  assert.deepEqual(server.requests, [["a1"]]);
  assert.deepEqual(rejected, [["a1", { error: { message: "locked" } }]]);
});

test("one coding's outbox neither sends nor restores another coding's actions", async () => {
  const server1 = fakeServer();
  const server2 = fakeServer();
  const one = await openOutbox(server1, { codingId: 1, start: false });
  const two = await openOutbox(server2, { codingId: 2, start: false });
  await one.box.add([action("a1")]);
  await two.box.add([action("b1")]);
  await one.box.add([action("a2")]);
  one.box.start();
  await saved(one.box);
  assert.deepEqual(server1.applied, ["a1", "a2"]);
  assert.deepEqual(server2.requests, []);
  assert.deepEqual(await pendingIds(two.box), ["b1"]);

  const tab = await openTab();
  const again = await openOutbox(fakeServer(), {
    codingId: 2, start: false, OutboxClass: (await tab.load(OUTBOX)).Outbox,
  });
  assert.deepEqual(again.restored.map((a) => a.id), ["b1"]);
});

test("a second tab of a coding may not write it; another coding's it may (Web Locks)", async () => {
  const first = await openTab();
  const second = await openTab();
  const claimFirst = (await first.load(TABLOCK)).claimCoding;
  const claimSecond = (await second.load(TABLOCK)).claimCoding;
  assert.equal(await claimFirst(7), true, "the first tab writes coding 7");
  assert.equal(await claimSecond(7, 100), false, "the second tab does not");
  assert.equal(await claimSecond(8, 100), true, "but it writes coding 8");
  first.close(); // the first tab is closed: its lock goes with it
  assert.equal(await claimCoding(7, 1000), true, "a new tab now writes coding 7");
});

test("without Web Locks a second tab of a coding hears the first and may not write it", async () => {
  const first = await openTab();
  const second = await openTab();
  for (const tab of [first, second]) {
    Object.defineProperty(tab.window.navigator, "locks", { value: undefined }); // plain http on a LAN address
  }
  assert.equal(await (await first.load(TABLOCK)).claimCoding(9), true, "the first tab");
  assert.equal(await (await second.load(TABLOCK)).claimCoding(9), false, "the second tab");
});

// The browser refusing one write of an operation (as a full disk does): the transaction aborts.
function refuseWritesOf(badId, duplicateSeq) {
  const original = IDBObjectStore.prototype.add;
  IDBObjectStore.prototype.add = function add(value, ...rest) {
    if (value.action?.id !== badId) return original.call(this, value, ...rest);
    return original.call(this, { ...value, seq: duplicateSeq }); // a key in use: ConstraintError
  };
  cleanup(() => {
    IDBObjectStore.prototype.add = original;
  });
}

test("a failed write rejects, keeps nothing of its operation and sends nothing", async () => {
  const server = fakeServer();
  const { box } = await openOutbox(server, { start: false });
  await box.add([action("a1")]);
  refuseWritesOf("bad", (await box.pending())[0].seq);
  // The failed request's own error, never null: workspace.js says "Not saved: <its message>".
  await assert.rejects(box.add([action("a2"), action("bad"), action("a3")]), /ConstraintError/);
  assert.deepEqual(await pendingIds(box), ["a1"], "all of the operation or nothing");
  await box.add([action("a4")]);
  box.start();
  await saved(box);
  assert.deepEqual(server.applied, ["a1", "a4"]);
});

test("a write to a closed database (the site's data cleared) rejects", async () => {
  const { box } = await openOutbox(fakeServer(), { start: false });
  box.db.close();
  await assert.rejects(box.add([action("a1")]), /InvalidStateError/);
});

test("after a failed write the pending count is what the outbox holds", async () => {
  const server = fakeServer();
  const { box, states } = await openOutbox(server, { start: false });
  await box.add([action("a1")]);
  refuseWritesOf("bad", (await box.pending())[0].seq);
  await assert.rejects(box.add([action("bad")]));
  assert.equal(box.count, 1, "count after the failed write");
  assert.deepEqual(states.at(-1), ["pending", 1], "the status shows the count taken back");
  box.start();
  await saved(box);
  assert.equal(box.count, 0, "count once all is sent (submit waits for 0)");
});

test("a 500 is said as a server error, not as offline", async () => {
  const server = fakeServer();
  server.answer = () => ({ ok: false, status: 500, body: { error: { message: "something went wrong" } } });
  const { box, states } = await openOutbox(server);
  await box.add([action("a1")]);
  await waitFor(() => box.state === "server", "server error");
  box.stop();
  assert.ok(!states.some(([state]) => state === "offline"), JSON.stringify(states));
});

test("a refused action is set aside with its reason; later ones go; it can be sent again", async () => {
  const server = fakeServer({ refuse: ["a2"] });
  const { box, rejected } = await openOutbox(server, { start: false });
  await box.add([action("a1"), action("a2"), action("a3")]);
  box.start();
  await saved(box);
  await box.add([action("a4")]);
  await saved(box);
  assert.deepEqual(server.applied, ["a1", "a3", "a4"], "the others are not blocked");
  assert.equal(rejected.length, 1);
  const aside = await box.setAside();
  assert.deepEqual(aside.map((r) => [r.action.id, r.aside.status, r.aside.message]), [["a2", 422, "refused a2"]]);
  assert.deepEqual(await pendingIds(box), [], "not in the pending actions");
  server.answer = () => null;
  server.send = async (sent) => {
    for (const a of sent) server.applied.push(a.id);
    return { ok: true, status: 200, body: {} };
  };
  await box.retryAside();
  await saved(box);
  assert.deepEqual(server.applied.at(-1), "a2");
  assert.deepEqual(await box.setAside(), []);
});

test("a lone action the server keeps failing (500) is set aside; the rest go through", async () => {
  const server = fakeServer();
  server.answer = (sent) => (sent.some((a) => a.id === "bad")
    ? { ok: false, status: 500, body: { error: { message: "something went wrong" } } } : null);
  const { box } = await openOutbox(server, { start: false });
  await box.add([action("bad"), action("good")]);
  box.start();
  await waitFor(async () => (await box.setAside()).length === 1, "set aside", 15000);
  await saved(box);
  assert.deepEqual(server.applied, ["good"]);
});

test("a refusal the coder resolves (a choice of versions) leaves the outbox", async () => {
  const server = fakeServer({ refuse: ["a1"] });
  const box = new Outbox({ codingId: 77, send: (sent) => server.send(sent), onRejected: async () => true });
  await box.open();
  box.start();
  cleanup(() => box.stop());
  await box.add([action("a1")]);
  await saved(box);
  assert.deepEqual(await box.setAside(), []);
  assert.deepEqual(await pendingIds(box), []);
});

test("a read-only second tab takes the coding over when the first tab closes", async () => {
  const first = await openTab();
  const second = await openTab();
  assert.equal(await (await first.load(TABLOCK)).claimCoding(11), true, "the first tab writes");
  const tablock = await second.load(TABLOCK);
  assert.equal(await tablock.claimCoding(11, 100), false, "the second tab reads only");
  let claimed = false;
  tablock.takeOverWhenFree(11, () => { claimed = true; });
  await sleep(100);
  assert.equal(claimed, false, "not while the first tab is open");
  first.close();
  await waitFor(() => claimed, "taken over");
  assert.equal(await claimCoding(11, 100), false, "and held: a third tab reads only");
});
