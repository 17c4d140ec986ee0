// Undo and redo (history.js) over the event store: every step is undone by new actions with new
// ids, which go to the outbox like any other.

import { History } from "../../src/samspill/web/static/history.js";
import { EventStore } from "../../src/samspill/web/static/model.js";
import { event, scheme } from "./fixtures.js";
import { assert, test } from "./harness.js";

function setUp(events = []) {
  const store = new EventStore(scheme);
  store.load(events);
  const sent = [];
  const said = [];
  const screen = { writable: true };
  const history = new History({ store, enqueue: (actions) => sent.push(actions), canWrite: () => screen.writable });
  return Object.assign(screen, { store, sent, said, history, toast: (text) => said.push(text) });
}

const shown = (store) => store.sorted.map((e) => [e.id, e.onset_ms, e.comment]);

test("undo takes back an add, an edit and a delete; redo does them again", () => {
  const s = setUp([event({ id: "a", onset_ms: 100, comment: "first" })]);
  s.history.commit([{ type: "add", event: event({ id: "b", onset_ms: 200 }) }], "add b");
  s.history.commit([{ type: "edit", event: { ...s.store.byId.get("a"), comment: "second" } }], "edit a");
  s.history.commit([{ type: "delete", event_id: "b" }], "delete b");
  const after = shown(s.store);
  for (const expected of [[["a", 100, "second"], ["b", 200, ""]], [["a", 100, "first"], ["b", 200, ""]], [["a", 100, "first"]]]) {
    s.history.undo(s.toast);
    assert.deepEqual(shown(s.store), expected);
  }
  for (let i = 0; i < 3; i += 1) s.history.redo(s.toast);
  assert.deepEqual(shown(s.store), after);
  assert.deepEqual(s.said, ["Undone: delete b", "Undone: edit a", "Undone: add b",
    "Redone: add b", "Redone: edit a", "Redone: delete b"]);
});

test("every action sent has an id of its own, undo and redo included", () => {
  const s = setUp();
  s.history.commit([{ type: "add", event: event({ id: "b" }) }], "add");
  s.history.undo(s.toast);
  s.history.redo(s.toast);
  const ids = s.sent.flat().map((a) => a.id);
  assert.equal(ids.length, 3);
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual(s.sent.flat().map((a) => a.type), ["add", "delete", "add"]);
});

test("a new step clears redo; nothing to undo or redo says so", () => {
  const s = setUp();
  s.history.undo(s.toast);
  s.history.commit([{ type: "add", event: event({ id: "b" }) }], "add");
  s.history.undo(s.toast);
  s.history.commit([{ type: "add", event: event({ id: "c" }) }], "add c");
  s.history.redo(s.toast);
  assert.deepEqual(s.said, ["Nothing to undo", "Undone: add", "Nothing to redo"]);
  assert.deepEqual(shown(s.store).map(([id]) => id), ["c"]);
});

test("a read-only coding commits nothing", () => {
  const s = setUp();
  s.writable = false;
  assert.equal(s.history.commit([{ type: "add", event: event({ id: "b" }) }], "add"), null);
  assert.deepEqual(s.sent, []);
  assert.deepEqual(s.store.sorted, []);
});

test("an edit and a delete say the version they were made on; the page keeps the next one", () => {
  const s = setUp([{ ...event({ id: "a", onset_ms: 100 }), version: 3 }]);
  s.history.commit([{ type: "edit", event: { ...s.store.byId.get("a"), comment: "x" } }], "edit");
  const [edit] = s.sent.at(-1);
  assert.equal(edit.base_version, 3);
  assert.equal(edit.event.version, 4);
  assert.equal(s.store.byId.get("a").version, 4, "the next edit is based on the server's next version");
  s.history.commit([{ type: "edit", event: { ...s.store.byId.get("a"), comment: "y" } }], "edit");
  assert.equal(s.sent.at(-1)[0].base_version, 4);
  s.history.commit([{ type: "delete", event_id: "a" }], "delete");
  assert.equal(s.sent.at(-1)[0].base_version, 5);
  s.history.undo(s.toast); // the undone delete adds the event back, one version on
  const [add] = s.sent.at(-1);
  assert.equal(add.type, "add");
  assert.equal(add.event.version, 6);
  s.history.commit([{ type: "add", event: event({ id: "new" }) }], "add");
  assert.equal(s.sent.at(-1)[0].event.version, 1);
  assert.equal(s.sent.at(-1)[0].base_version, undefined);
});

test("a deleted segment comes back with undo, and goes again with redo", () => {
  const segment = { id: "s1", name: "Episode 1", start_ms: 0, end_ms: 1000 };
  let segments = [segment];
  const shownSegments = {
    get: (id) => segments.find((x) => x.id === id),
    put: (x) => { segments = [...segments.filter((y) => y.id !== x.id), x]; },
    drop: (id) => { segments = segments.filter((y) => y.id !== id); },
  };
  const sent = [];
  const history = new History({ store: new EventStore(scheme), enqueue: (a) => sent.push(a), canWrite: () => true, segments: shownSegments });
  const said = [];
  history.commit([{ type: "delete-segment", segment_id: "s1" }], "delete segment");
  assert.deepEqual(segments, []);
  history.undo((text) => said.push(text));
  assert.deepEqual(segments, [segment]);
  assert.equal(sent.at(-1)[0].type, "segment");
  assert.deepEqual(sent.at(-1)[0].segment, segment);
  history.redo((text) => said.push(text));
  assert.deepEqual(segments, []);
  assert.equal(sent.at(-1)[0].type, "delete-segment");
});
