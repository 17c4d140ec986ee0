// The event store (model.js): the coding's events in the browser, kept sorted by onset, subject,
// code and id, with the outbox's actions laid over the server's events; what it tells its
// listeners (the list and the timeline insert one row from it); running states; overlaps.

import { EventStore } from "../../src/samspill/web/static/model.js";
import { event, scheme } from "./fixtures.js";
import { assert, test } from "./harness.js";

function order(a, b) {
  const key = (e) => [e.onset_ms, e.subject, e.code, e.id];
  const [x, y] = [key(a), key(b)];
  for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

function ids(events) {
  return events.map((e) => e.id);
}

// Records what the store tells a listener, checking that an index given is the event's place.
function listen(store) {
  const heard = [];
  store.subscribe({
    reset: (events) => heard.push(["reset", ids(events)]),
    add: (e, index) => {
      assert.equal(store.sorted[index], e, `add ${e.id}: the index is its place`);
      heard.push(["add", e.id, index]);
    },
    update: (e, index, old) => {
      assert.equal(store.sorted[index], e, `update ${e.id}: the index is its place`);
      heard.push(["update", e.id, index, old.onset_ms]);
    },
    remove: (e) => heard.push(["remove", e.id]),
  });
  return heard;
}

test("load sorts by onset, then subject, code and id, and keeps copies", () => {
  const events = [
    event({ id: "e5", onset_ms: 200, subject: "parent", code: "bid" }),
    event({ id: "e2", onset_ms: 100, subject: "parent", code: "look" }),
    event({ id: "e1", onset_ms: 100, subject: "parent", code: "look" }),
    event({ id: "e3", onset_ms: 100, subject: "parent", code: "bid" }),
    event({ id: "e4", onset_ms: 100, subject: "child", code: "look" }),
  ];
  const store = new EventStore(scheme);
  store.load(events);
  assert.deepEqual(ids(store.sorted), ["e4", "e3", "e1", "e2", "e5"]);
  assert.deepEqual([...store.byId.keys()].sort(), ["e1", "e2", "e3", "e4", "e5"]);
  events[0].onset_ms = 0;
  assert.equal(store.byId.get("e5").onset_ms, 200, "the store's events are its own");
});

test("load lays the pending actions over the server's events and says reset once", () => {
  const store = new EventStore(scheme);
  const heard = listen(store);
  store.load(
    [event({ id: "a", onset_ms: 100 }), event({ id: "b", onset_ms: 200 }), event({ id: "c", onset_ms: 300 })],
    [
      { id: "x1", type: "add", event: event({ id: "d", onset_ms: 50 }) },
      { id: "x2", type: "edit", event: event({ id: "c", onset_ms: 10 }) },
      { id: "x3", type: "delete", event_id: "b" },
    ],
  );
  assert.deepEqual(ids(store.sorted), ["c", "d", "a"]);
  assert.deepEqual(heard, [["reset", ["c", "d", "a"]]]);
  store.load([event({ id: "z" })]);
  assert.deepEqual(ids(store.sorted), ["z"], "a second load replaces everything");
  assert.equal(store.byId.size, 1);
});

test("an added event goes in at its place and the listener is told where", () => {
  const store = new EventStore(scheme);
  store.load([event({ id: "a", onset_ms: 100 }), event({ id: "c", onset_ms: 300 })]);
  const heard = listen(store);
  store.apply({ id: "x1", type: "add", event: event({ id: "b", onset_ms: 200 }) });
  store.apply({ id: "x2", type: "add", event: event({ id: "0", onset_ms: 100 }) });
  store.apply({ id: "x3", type: "add", event: event({ id: "d", onset_ms: 900 }) });
  assert.deepEqual(ids(store.sorted), ["0", "a", "b", "c", "d"]);
  assert.deepEqual(heard, [["add", "b", 1], ["add", "0", 0], ["add", "d", 4]]);
});

test("an edit moves the event and tells the listener what it was", () => {
  const store = new EventStore(scheme);
  store.load([event({ id: "a", onset_ms: 100 }), event({ id: "b", onset_ms: 200 }), event({ id: "c", onset_ms: 300 })]);
  const heard = listen(store);
  store.apply({ id: "x1", type: "edit", event: { ...store.byId.get("a"), onset_ms: 250 } });
  assert.deepEqual(ids(store.sorted), ["b", "a", "c"]);
  assert.deepEqual(heard, [["update", "a", 1, 100]]);
  assert.equal(store.byId.get("a").onset_ms, 250);
  assert.equal(store.sorted.length, 3);
});

test("a delete tells the listener; deleting an unknown id does nothing", () => {
  const store = new EventStore(scheme);
  store.load([event({ id: "a", onset_ms: 100 }), event({ id: "b", onset_ms: 200 })]);
  const heard = listen(store);
  store.apply({ id: "x1", type: "delete", event_id: "a" });
  store.apply({ id: "x2", type: "delete", event_id: "nobody" });
  assert.deepEqual(ids(store.sorted), ["b"]);
  assert.equal(store.byId.has("a"), false);
  assert.deepEqual(heard, [["remove", "a"]]);
});

test("the same action applied twice leaves the same events", () => {
  const store = new EventStore(scheme);
  store.load([event({ id: "a", onset_ms: 100 })]);
  const steps = [
    { id: "x1", type: "add", event: event({ id: "b", onset_ms: 50, code: "hold" }) },
    { id: "x2", type: "edit", event: event({ id: "a", onset_ms: 400 }) },
    { id: "x3", type: "edit", event: event({ id: "b", onset_ms: 50, code: "hold", offset_ms: 90 }) },
    { id: "x4", type: "delete", event_id: "a" },
  ];
  for (const step of steps) {
    store.apply(step);
    const once = JSON.stringify(store.sorted);
    const running = [...store.running.keys()];
    store.apply(step);
    assert.equal(JSON.stringify(store.sorted), once, `${step.type} twice`);
    assert.deepEqual([...store.running.keys()], running, `${step.type} twice: running`);
  }
  assert.deepEqual(ids(store.sorted), ["b"]);
});

test("running holds each subject's open states until they close or go", () => {
  const store = new EventStore(scheme);
  store.load([
    event({ id: "h1", code: "hold", subject: "parent", onset_ms: 100 }),
    event({ id: "h2", code: "hold", subject: "child", onset_ms: 100, offset_ms: 200 }),
    event({ id: "p1", code: "look", subject: "child", onset_ms: 100 }), // a point has no end
  ]);
  assert.deepEqual([...store.running.keys()], ["parent|hold"]);
  store.apply({ id: "x1", type: "add", event: event({ id: "h3", code: "hold", subject: "child", onset_ms: 300 }) });
  assert.deepEqual([...store.running.keys()].sort(), ["child|hold", "parent|hold"]);
  store.apply({ id: "x2", type: "edit", event: { ...store.byId.get("h1"), offset_ms: 500 } });
  assert.deepEqual([...store.running.keys()], ["child|hold"]);
  store.apply({ id: "x3", type: "delete", event_id: "h3" });
  assert.equal(store.running.size, 0);
});

test("overlapping finds a closed state of the same lane: the code, or its exclusive group", () => {
  const store = new EventStore(scheme);
  store.load([
    event({ id: "near1", code: "near", onset_ms: 1000, offset_ms: 2000 }),
    event({ id: "hold1", code: "hold", onset_ms: 1000, offset_ms: 2000 }),
    event({ id: "hold2", code: "hold", subject: "child", onset_ms: 5000 }), // still running
  ]);
  assert.equal(store.overlapping("parent", "far", 1500)?.id, "near1", "far shares near's lane");
  assert.equal(store.overlapping("parent", "near", 1000)?.id, "near1", "from its start");
  assert.equal(store.overlapping("parent", "near", 2000), undefined, "up to, not at, its end");
  assert.equal(store.overlapping("parent", "near", 1500, "near1"), undefined, "itself ignored");
  assert.equal(store.overlapping("child", "hold", 1500), undefined, "another subject's lane");
  assert.equal(store.overlapping("child", "hold", 6000), undefined, "a running state is not closed");
  assert.equal(store.overlapping("parent", "hold", 1999)?.id, "hold1");
});

test("a listener may listen to some changes only", () => {
  const store = new EventStore(scheme);
  const added = [];
  store.subscribe({ add: (e) => added.push(e.id) });
  store.load([event({ id: "a" })]);
  store.apply({ id: "x1", type: "add", event: event({ id: "b", onset_ms: 5 }) });
  store.apply({ id: "x2", type: "edit", event: event({ id: "b", onset_ms: 6 }) });
  store.apply({ id: "x3", type: "delete", event_id: "a" });
  assert.deepEqual(added, ["b"]);
});

// mulberry32: the same "random" operations on every run.
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("random adds, edits and deletes with many ties keep the order and the listeners' indices", () => {
  const next = random(19);
  const pick = (items) => items[Math.floor(next() * items.length)];
  const store = new EventStore(scheme);
  listen(store); // checks every index it is given
  const truth = new Map();
  store.load([]);
  for (let step = 0; step < 600; step += 1) {
    const known = [...truth.keys()];
    const roll = next();
    let action;
    if (roll < 0.5 || !known.length) {
      const e = event({ id: `r${Math.floor(next() * 1e6)}`, onset_ms: pick([0, 100, 100, 200, 300]),
        subject: pick(["parent", "child"]), code: pick(["look", "bid", "hold"]) });
      action = { id: `x${step}`, type: "add", event: e };
    } else if (roll < 0.8) {
      const e = { ...truth.get(pick(known)), onset_ms: pick([0, 100, 200, 300]), code: pick(["look", "bid"]) };
      action = { id: `x${step}`, type: "edit", event: e };
    } else {
      action = { id: `x${step}`, type: "delete", event_id: pick(known) };
    }
    store.apply(action);
    if (action.type === "delete") truth.delete(action.event_id);
    else truth.set(action.event.id, action.event);
    const expected = ids([...truth.values()].sort(order));
    assert.deepEqual(ids(store.sorted), expected, `after step ${step} (${action.type})`);
    assert.equal(store.byId.size, truth.size, `byId after step ${step}`);
  }
});
