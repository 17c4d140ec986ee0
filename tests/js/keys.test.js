// The key handling: the Logger (keys.js) turning scheme keys into events, with the real event
// store and history and a stubbed player; the page's keyboard (bindKeys) with synthetic key
// events; the modifier pop-up (modifiers.js) in a real <dialog>; the inline editor's keys
// (eventedit.js). Wired as workspace.js wires them.

import { editForm } from "../../src/samspill/web/static/eventedit.js";
import { History } from "../../src/samspill/web/static/history.js";
import { bindKeys, GUARD_MS, Logger } from "../../src/samspill/web/static/keys.js";
import { EventStore } from "../../src/samspill/web/static/model.js";
import { ModifierDialog } from "../../src/samspill/web/static/modifiers.js";
import { event, scheme } from "./fixtures.js";

const baseScheme = scheme;
import { assert, sleep, test } from "./harness.js";

const code = (id) => scheme.codes.find((c) => c.id === id);
const set = (id) => scheme.modifier_sets.find((s) => s.id === id);

// performance.now, which the double-press guard reads, moved on by hand (and still running).
function wallClock() {
  const real = performance.now.bind(performance);
  let ahead = 0;
  performance.now = () => real() + ahead;
  return { advance: (ms) => { ahead += ms; } };
}

// A coding screen without the page: store, history, a player at `player.ms`, stubbed pop-up.
function coder({ answers = () => ({}), modifiers = null, codes = baseScheme } = {}) {
  const store = new EventStore(codes);
  store.load([]);
  const sent = []; // each step's actions, as the outbox gets them
  const toasts = [];
  const asked = [];
  const screen = { writable: true };
  const history = new History({ store, enqueue: (actions) => sent.push(actions), canWrite: () => screen.writable });
  const player = { ms: 1000, frame: 10, nowMs: () => player.ms, frameIndex: () => player.frame };
  const stub = {
    ask: async (c, sets) => {
      asked.push([c.id, sets.map((s) => s.id)]);
      return answers(c, sets);
    },
  };
  const logger = new Logger({
    scheme: codes, store, player, modifiers: modifiers || stub,
    toast: (text, bad = false) => toasts.push([text, bad]),
    commit: (ops, label, group) => history.commit(ops, label, group),
    hold: (ops) => history.hold(ops),
    release: (held, ops, label) => history.release(held, ops, label),
  });
  const press = (name) => logger.press(logger.byKey.get(name));
  return Object.assign(screen, { store, history, sent, toasts, asked, player, logger, press });
}

function summary(actions) {
  return actions.map((a) => [a.type, a.event.code, a.event.subject, a.event.onset_ms, a.event.offset_ms]);
}

function running(store) {
  return [...store.running.keys()].sort();
}

// --- the Logger -------------------------------------------------------------------------------

test("a point key logs one event at the time and frame on screen", () => {
  wallClock();
  const screen = coder();
  screen.player.ms = 1234;
  screen.player.frame = 12;
  screen.press("l");
  assert.equal(screen.sent.length, 1);
  const [added] = screen.sent[0];
  assert.equal(added.type, "add");
  const { id, ...rest } = added.event;
  assert.deepEqual(rest, { subject: "parent", code: "look", onset_ms: 1234, offset_ms: null,
    modifiers: {}, comment: "", frame: 12, version: 1 });
  assert.equal(screen.store.byId.get(id).onset_ms, 1234, "in the store at once");
  assert.equal(screen.history.done[0].label, "Logged Look at 00:01.234", "the undo step's name");
});

test("the subject key chooses whom a code is logged for; a code of one subject keeps its own", () => {
  const screen = coder();
  assert.equal(screen.logger.switchSubject(), "child");
  screen.press("l");
  screen.press("n"); // near: the parent's only
  assert.equal(screen.logger.switchSubject(), "parent", "round the subjects");
  screen.press("l");
  assert.deepEqual(screen.sent.map((step) => step[0].event.subject), ["child", "parent", "parent"]);
});

test("a state key starts the state; the next press stops it at the time on screen", () => {
  const clock = wallClock();
  const screen = coder();
  screen.press("h");
  assert.deepEqual(running(screen.store), ["parent|hold"]);
  clock.advance(GUARD_MS + 50);
  screen.player.ms = 3000;
  screen.press("h");
  assert.deepEqual(screen.sent.map(summary), [
    [["add", "hold", "parent", 1000, null]],
    [["edit", "hold", "parent", 1000, 3000]],
  ]);
  assert.deepEqual(running(screen.store), []);
  assert.equal(screen.toasts.filter(([, bad]) => bad).length, 0);
});

test("a second press soon after a state's start warns and keeps it; a further press stops it", () => {
  const clock = wallClock();
  const screen = coder();
  screen.press("h");
  clock.advance(100);
  screen.player.ms = 1100;
  screen.press("h");
  assert.equal(screen.sent.length, 1, "the quick second press stops nothing");
  assert.deepEqual(screen.toasts.at(-1), ["Hold started 0.1 s ago: press h again to stop it", true]);
  assert.deepEqual(running(screen.store), ["parent|hold"]);
  clock.advance(50);
  screen.player.ms = 1150;
  screen.press("h");
  assert.deepEqual(summary(screen.sent[1]), [["edit", "hold", "parent", 1000, 1150]]);
});

test("a state of an exclusive group stops the running one at the same instant, in one undo step", () => {
  wallClock();
  const screen = coder();
  screen.press("n");
  screen.player.ms = 2000;
  screen.press("f"); // no guard between two codes
  assert.deepEqual(summary(screen.sent[1]), [
    ["edit", "near", "parent", 1000, 2000],
    ["add", "far", "parent", 2000, null],
  ]);
  assert.deepEqual(running(screen.store), ["parent|far"]);
  screen.history.undo(() => {});
  assert.deepEqual(running(screen.store), ["parent|near"]);
  assert.deepEqual(screen.store.sorted.map((e) => [e.code, e.offset_ms]), [["near", null]]);
});

test("a state cannot stop before it starts when the video went back", () => {
  const clock = wallClock();
  const screen = coder();
  screen.player.ms = 5000;
  screen.press("h");
  screen.press("n");
  clock.advance(GUARD_MS + 50);
  screen.player.ms = 4000;
  screen.press("h");
  screen.press("f");
  assert.equal(screen.sent.length, 2, "only the two starts");
  assert.deepEqual(screen.toasts.slice(-2), [
    ["A state cannot stop before it starts", true], ["A state cannot stop before it starts", true]]);
  assert.deepEqual(running(screen.store), ["parent|hold", "parent|near"]);
});

test("a state that would overlap a closed one of its lane is refused", () => {
  const screen = coder();
  screen.store.load([event({ id: "n1", code: "near", onset_ms: 1000, offset_ms: 3000 })]);
  screen.player.ms = 2000;
  screen.press("f");
  assert.equal(screen.sent.length, 0);
  assert.deepEqual(screen.toasts.at(-1), ["'Far' would overlap another 'Far' for parent", true]);
  screen.player.ms = 3000;
  screen.press("f");
  assert.deepEqual(summary(screen.sent[0]), [["add", "far", "parent", 3000, null]]);
});

test("a point's pop-up asks every set; the answers join the key's undo step", async () => {
  const screen = coder({ answers: () => ({ kind: "show", channel: ["verbal", "gaze"] }) });
  screen.press("b");
  await sleep(0);
  assert.deepEqual(screen.asked, [["bid", ["kind", "channel"]]]);
  assert.equal(screen.sent.length, 2);
  assert.deepEqual(screen.sent[1][0].event.modifiers, { kind: "show", channel: ["verbal", "gaze"] });
  assert.equal(screen.sent[1][0].event.id, screen.sent[0][0].event.id);
  assert.equal(screen.history.done.length, 1, "one step");
  screen.history.undo(() => {});
  assert.deepEqual(screen.store.sorted, [], "one undo takes the bid away");
});

test("a state asks its start sets at its start and its stop sets at its stop", async () => {
  const clock = wallClock();
  const screen = coder({ answers: () => ({ ending: "abrupt" }) });
  screen.press("c"); // cry: the child's, asks `ending` at its stop
  await sleep(0);
  assert.deepEqual(screen.asked, []);
  clock.advance(GUARD_MS + 50);
  screen.player.ms = 4000;
  screen.press("c");
  await sleep(0);
  assert.deepEqual(screen.asked, [["cry", ["ending"]]]);
  const last = screen.store.sorted[0];
  assert.deepEqual([last.subject, last.offset_ms, last.modifiers], ["child", 4000, { ending: "abrupt" }]);
});

test("a pop-up skipped without an answer changes nothing", async () => {
  const screen = coder({ answers: () => ({}) });
  screen.press("b");
  await sleep(0);
  assert.equal(screen.sent.length, 1, "the add only");
});

test("an answer that comes after its event was deleted adds nothing", async () => {
  let answer;
  const screen = coder({ answers: () => new Promise((resolve) => { answer = resolve; }) });
  screen.press("b");
  const id = screen.sent[0][0].event.id;
  screen.history.commit([{ type: "delete", event_id: id }], "delete");
  answer({ kind: "give" });
  await sleep(0);
  assert.deepEqual(screen.sent.map((step) => step[0].type), ["add", "delete"]);
  assert.equal(screen.store.byId.has(id), false);
});

// Issue 20: a code with a required set was sent as an add without it, then an edit; the server
// now refuses such an add, so the screen holds the event until the required set is answered.
const requiredScheme = {
  ...scheme,
  modifier_sets: scheme.modifier_sets.map((s) => (s.id === "kind" || s.id === "ending" ? { ...s, required: true } : s)),
};

test("a code with a required set is shown at once and sent once answered, in one add", async () => {
  let answer;
  const screen = coder({ codes: requiredScheme, answers: (c, sets) => (sets.some((s) => s.id === "kind")
    ? new Promise((resolve) => { answer = resolve; }) : { channel: ["gaze"] }) });
  screen.player.ms = 2345;
  screen.player.frame = 23;
  screen.press("b");
  await sleep(0);
  assert.deepEqual(screen.asked, [["bid", ["kind"]]], "the required set first, alone");
  assert.equal(screen.sent.length, 0, "nothing sent before the answer");
  const [shown] = screen.store.sorted;
  assert.deepEqual([shown.code, shown.onset_ms, shown.frame], ["bid", 2345, 23], "shown at once");
  answer({ kind: "show" });
  await sleep(0);
  assert.deepEqual(screen.sent[0].map((a) => [a.type, a.event.onset_ms, a.event.modifiers]),
    [["add", 2345, { kind: "show" }]], "one add that carries the required modifier");
  assert.deepEqual(screen.asked[1], ["bid", ["channel"]], "then the other sets, as before");
  assert.equal(screen.sent[1][0].type, "edit");
  assert.deepEqual(screen.store.sorted[0].modifiers, { kind: "show", channel: ["gaze"] });
  assert.equal(screen.history.done.length, 1, "one undo step");
  screen.history.undo(() => {});
  assert.deepEqual(screen.store.sorted, [], "one undo takes the bid away");
  assert.equal(screen.sent.at(-1).at(-1).type, "delete", "sent as one step");
  screen.history.redo(() => {});
  assert.deepEqual(screen.store.sorted[0].modifiers, { kind: "show", channel: ["gaze"] }, "redo brings it back whole");
});

test("a state with a required stop set sends its stop with the answer; its start at once", async () => {
  const clock = wallClock();
  const screen = coder({ codes: requiredScheme, answers: () => ({ ending: "calm" }) });
  screen.press("c");
  assert.equal(screen.sent.length, 1, "the start needs nothing: sent at once");
  clock.advance(GUARD_MS + 50);
  screen.player.ms = 4000;
  screen.press("c");
  assert.equal(screen.sent.length, 1, "the stop waits for its answer");
  assert.equal(screen.store.sorted[0].offset_ms, 4000, "but is shown");
  await sleep(0);
  assert.deepEqual(screen.sent[1].map((a) => [a.type, a.event.offset_ms, a.event.modifiers]),
    [["edit", 4000, { ending: "calm" }]]);
  screen.history.undo(() => {});
  assert.equal(screen.store.sorted[0].offset_ms, null, "undo: running again");
});

test("a read-only screen holds nothing and sends nothing for a required set", async () => {
  const screen = coder({ codes: requiredScheme, answers: () => ({ kind: "give" }) });
  screen.writable = false;
  screen.press("b");
  await sleep(0);
  assert.deepEqual([screen.sent, screen.store.sorted, screen.asked], [[], [], []]);
});

// --- the page's keyboard (bindKeys) -------------------------------------------------------------

function key(target, name, init = {}) {
  const e = new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(e);
  return e;
}

// A coder whose keys are bound to this frame's document; `commands` records each command.
function keyboard(options) {
  const screen = coder(options);
  screen.commands = [];
  const commands = new Proxy({}, {
    get: (_, name) => (arg) => screen.commands.push(arg === undefined ? name : [name, arg]),
  });
  bindKeys({ logger: screen.logger, commands, canCode: () => screen.writable });
  return screen;
}

function element(html) {
  const box = document.createElement("div");
  box.innerHTML = html;
  document.body.append(box);
  return box.firstElementChild;
}

test("a scheme key on the page logs its code once, however long it is held", () => {
  const screen = keyboard();
  assert.equal(key(document.body, "l").defaultPrevented, true);
  assert.equal(key(document.body, "l", { repeat: true }).defaultPrevented, true, "the repeat is swallowed");
  assert.equal(screen.store.sorted.length, 1);
  assert.deepEqual(screen.commands, []);
});

test("keys typed in a text field or a text area stay there", () => {
  const screen = keyboard();
  const fields = [
    element('<input type="text">'), element('<input type="number">'), element("<input>"),
    element("<textarea></textarea>"),
  ];
  for (const field of fields) {
    field.focus();
    for (const name of ["l", " ", "ArrowLeft", "/", "[", "z"]) {
      assert.equal(key(field, name).defaultPrevented, false, `${field.outerHTML} ${name}`);
    }
    assert.equal(key(field, "z", { ctrlKey: true }).defaultPrevented, false, "its own undo");
  }
  assert.equal(screen.store.sorted.length, 0);
  assert.deepEqual(screen.commands, []);
});

// Issue 20: `2` on a focused speed menu set 2× speed. A menu (and a slider) keeps only the keys
// it moves by; a code key codes and never reaches the menu's type-ahead.
test("a focused menu or slider keeps its moving keys; code keys code", () => {
  const screen = keyboard();
  for (const html of ["<select><option>a</option><option>l</option></select>", '<input type="range">']) {
    const menu = element(html);
    menu.focus();
    for (const name of ["ArrowUp", "ArrowDown", "ArrowLeft", "Home", "End", "Enter", "Escape", "Tab", " "]) {
      assert.equal(key(menu, name).defaultPrevented, false, `${html} ${name}`);
    }
    assert.equal(key(menu, "l").defaultPrevented, true, `${html} l codes`);
  }
  assert.equal(screen.store.sorted.length, 2);
});

test("a focused rating or check box keeps Space and the arrows; code keys still log", () => {
  const screen = keyboard();
  for (const html of ['<input type="radio" name="r">', '<input type="checkbox">', '<input type="button" value="x">']) {
    const choice = element(html);
    choice.focus();
    assert.equal(key(choice, " ").defaultPrevented, false, `${html} keeps Space`);
    assert.equal(key(choice, "ArrowRight").defaultPrevented, false, `${html} keeps the arrows`);
  }
  assert.deepEqual(screen.commands.filter((c) => c === "play" || c[0] === "seek"), []);
  const radio = element('<input type="radio" name="r2">');
  assert.equal(key(radio, "l").defaultPrevented, true);
  assert.equal(screen.store.sorted.length, 1, "coding goes on after a click on a rating");
});

test("keys in an open dialog are the dialog's", () => {
  const screen = keyboard();
  const dialog = element("<dialog><button>ok</button></dialog>");
  dialog.showModal();
  assert.equal(key(dialog.querySelector("button"), "l").defaultPrevented, false);
  key(dialog, " ");
  assert.equal(screen.store.sorted.length, 0);
  assert.deepEqual(screen.commands, []);
});

test("a read-only coding logs nothing by key and asks nothing, but the player's keys work", async () => {
  const screen = keyboard();
  screen.writable = false;
  key(document.body, "b");
  key(document.body, "h");
  key(document.body, " ");
  await sleep(0);
  assert.equal(screen.store.sorted.length, 0);
  assert.deepEqual(screen.asked, [], "no modifier pop-up");
  assert.deepEqual(screen.commands, ["play"]);
});

test("the player's and the editor's keys", () => {
  const screen = keyboard();
  const presses = [
    [" ", {}, "play"],
    ["ArrowLeft", {}, ["seek", -1000]],
    ["ArrowRight", {}, ["seek", 1000]],
    ["ArrowLeft", { shiftKey: true }, ["seek", -5000]],
    ["ArrowRight", { shiftKey: true, repeat: true }, ["seek", 5000]],
    [",", {}, "frameBack"],
    [".", {}, "frameForward"],
    ["ArrowLeft", { ctrlKey: true }, ["frame", -1]],
    ["ArrowRight", { ctrlKey: true }, ["frame", 1]],
    ["/", {}, "goto"],
    ["?", { shiftKey: true }, "help"],
    ["[", {}, "segmentStart"],
    ["]", {}, "segmentEnd"],
    ["+", {}, "zoomIn"],
    ["=", {}, "zoomIn"],
    ["-", {}, "zoomOut"],
    ["ArrowUp", {}, "faster"],
    ["ArrowDown", {}, "slower"],
    ["`", {}, "subject"],
    ["|", {}, "subject"],
    ["§", {}, "subject"],
    ["Dead", { code: "Backquote" }, "subject"], // the key left of 1 on a Nordic keyboard
    ["<", { code: "IntlBackslash" }, "subject"],
    ["z", { ctrlKey: true }, "undo"],
    ["Z", { ctrlKey: true, shiftKey: true }, "redo"],
    ["y", { ctrlKey: true }, "redo"],
    ["e", { altKey: true, code: "KeyE" }, "focusList"],
  ];
  for (const [name, init, expected] of presses) {
    screen.commands = [];
    const e = key(document.body, name, init);
    assert.deepEqual(screen.commands, [expected], `${name} ${JSON.stringify(init)}`);
    assert.equal(e.defaultPrevented, true, `${name} ${JSON.stringify(init)} is swallowed`);
  }
});

test("AltGr and the Mac's Option type brackets and the bar as plain keys", () => {
  const screen = keyboard();
  const altGr = { ctrlKey: true, altKey: true, modifierAltGraph: true };
  key(document.body, "[", altGr);
  key(document.body, "]", altGr);
  key(document.body, "|", altGr);
  key(document.body, "[", { altKey: true }); // Option+8 on a Mac
  assert.deepEqual(screen.commands, ["segmentStart", "segmentEnd", "subject", "segmentStart"]);
});

test("other Ctrl and Alt shortcuts and the Command key stay the browser's", () => {
  const screen = keyboard();
  const browsers = [
    ["l", { ctrlKey: true }], ["s", { ctrlKey: true }], ["l", { altKey: true }],
    ["ArrowLeft", { altKey: true }], ["1", { altKey: true }], ["l", { metaKey: true }],
    ["z", { metaKey: true }],
  ];
  for (const [name, init] of browsers) {
    assert.equal(key(document.body, name, init).defaultPrevented, false, `${name} ${JSON.stringify(init)}`);
  }
  assert.equal(screen.store.sorted.length, 0);
  assert.deepEqual(screen.commands, []);
});

test("Escape, Enter and Tab on the page are no commands and are not swallowed", () => {
  const screen = keyboard();
  for (const name of ["Escape", "Enter", "Tab", "F2", "Delete"]) {
    assert.equal(key(document.body, name).defaultPrevented, false, name);
  }
  assert.deepEqual(screen.commands, []);
});

test("a key already handled below, or typed while composing, is left alone", () => {
  const screen = keyboard();
  const list = element('<ul tabindex="0"></ul>');
  list.addEventListener("keydown", (e) => e.preventDefault()); // as the event list handles its own
  key(list, "l");
  key(document.body, "l", { isComposing: true });
  assert.equal(screen.store.sorted.length, 0);
});

// --- the modifier pop-up (modifiers.js) ---------------------------------------------------------

function popUp(onPassKey = () => {}) {
  const dialog = element('<dialog><h2 id="modifier-title"></h2><ol id="modifier-options"></ol>' +
    '<p id="modifier-hint"></p></dialog>');
  return { dialog, modifiers: new ModifierDialog(dialog, { onPassKey }) };
}

const optionKey = (dialog, name, init) => key(dialog.querySelector("button"), name, init);

test("the pop-up lists the options by number; a number picks one and closes it", async () => {
  const { dialog, modifiers } = popUp();
  const answer = modifiers.ask(code("bid"), [set("kind")]);
  assert.equal(dialog.open, true);
  assert.equal(modifiers.open, true);
  assert.equal(dialog.querySelector("#modifier-title").textContent, "Choose Kind for Bid");
  assert.deepEqual([...dialog.querySelectorAll("button")].map((b) => b.textContent), ["1 give", "2 show", "3 point"]);
  assert.equal(optionKey(dialog, "2").defaultPrevented, true);
  assert.deepEqual(await answer, { kind: "show" });
  assert.equal(dialog.open, false);
  assert.equal(modifiers.open, false);
});

test("multiple choice: numbers toggle, Enter confirms; Enter with none chosen skips", async () => {
  const { dialog, modifiers } = popUp();
  let answer = modifiers.ask(code("bid"), [set("channel")]);
  for (const n of ["1", "3", "1"]) optionKey(dialog, n);
  assert.deepEqual([...dialog.querySelectorAll("button")].map((b) => b.getAttribute("aria-pressed")),
    ["false", "false", "true"]);
  optionKey(dialog, "Enter");
  assert.deepEqual(await answer, { channel: ["gaze"] });
  answer = modifiers.ask(code("bid"), [set("channel")]);
  optionKey(dialog, "Enter");
  assert.deepEqual(await answer, {});
});

test("Escape skips one set and the pop-up asks the next", async () => {
  const { dialog, modifiers } = popUp();
  const answer = modifiers.ask(code("bid"), [set("kind"), set("channel")]);
  assert.equal(optionKey(dialog, "Escape").defaultPrevented, true);
  await sleep(0);
  assert.equal(dialog.querySelector("#modifier-title").textContent, "Choose Channel for Bid");
  optionKey(dialog, "2");
  optionKey(dialog, "Enter");
  assert.deepEqual(await answer, { channel: ["gesture"] });
});

test("the dialog's cancel (the browser's Escape) skips too and leaves the dialog to the pop-up", async () => {
  const { dialog, modifiers } = popUp();
  const answer = modifiers.ask(code("bid"), [set("kind")]);
  const cancel = new Event("cancel", { cancelable: true });
  dialog.dispatchEvent(cancel);
  assert.equal(cancel.defaultPrevented, true);
  assert.deepEqual(await answer, {});
  assert.equal(dialog.open, false);
});

test("a number without an option, a modified key or a named key leaves the pop-up open", async () => {
  const passed = [];
  const { dialog, modifiers } = popUp((e) => passed.push(e.key));
  const answer = modifiers.ask(code("bid"), [set("kind")]);
  for (const [name, init] of [["7", {}], ["c", { ctrlKey: true }], ["c", { metaKey: true }], ["Tab", {}], ["ArrowDown", {}]]) {
    optionKey(dialog, name, init);
    assert.equal(modifiers.open, true, `${name} ${JSON.stringify(init)}`);
  }
  optionKey(dialog, "1");
  assert.deepEqual(await answer, { kind: "give" });
  assert.deepEqual(passed, []);
});

test("any other key skips the rest of the pop-up and is handed back", async () => {
  const passed = [];
  const { dialog, modifiers } = popUp((e) => passed.push(e.key));
  const answer = modifiers.ask(code("bid"), [set("kind"), set("channel")]);
  optionKey(dialog, "h");
  assert.deepEqual(await answer, {}, "the channel is not asked");
  assert.deepEqual(passed, ["h"]);
  assert.equal(dialog.open, false);
});

test("a code key pressed in the pop-up closes it and logs that code", async () => {
  const { dialog, modifiers } = popUp((e) => document.dispatchEvent(new KeyboardEvent("keydown", e)));
  const screen = keyboard({ modifiers });
  key(document.body, "b");
  assert.equal(dialog.open, true, "bid asks its kind");
  optionKey(dialog, "h");
  await sleep(0);
  assert.equal(dialog.open, false);
  assert.deepEqual(screen.store.sorted.map((e) => [e.code, e.modifiers]), [["bid", {}], ["hold", {}]]);
  assert.equal(screen.sent.length, 2, "the bid, then the hold: nothing for the skipped pop-up");
});

test("an option chosen in the pop-up reaches the logged event", async () => {
  const { dialog, modifiers } = popUp();
  const screen = keyboard({ modifiers });
  key(document.body, "b");
  optionKey(dialog, "3"); // kind: point
  await sleep(0); // the next set is asked a moment later; a person is never quicker
  optionKey(dialog, "1"); // channel: verbal
  optionKey(dialog, "Enter");
  await sleep(0);
  assert.deepEqual(screen.store.sorted[0].modifiers, { kind: "point", channel: ["verbal"] });
  assert.equal(screen.history.done.length, 1);
});

// --- the inline editor (eventedit.js) -----------------------------------------------------------

test("typing in the inline editor never logs; Escape cancels it", () => {
  const screen = keyboard();
  const closed = [];
  const form = editForm(event({ id: "e1", code: "look", onset_ms: 1000 }), scheme, {
    save: () => assert.ok(false, "nothing saved"), close: () => closed.push("closed"),
  });
  document.body.append(form);
  const comment = form.elements.comment;
  comment.focus();
  for (const name of ["l", "h", " ", "/"]) key(comment, name);
  const cancel = [...form.querySelectorAll("button")].find((b) => b.textContent === "Cancel");
  cancel.focus();
  key(cancel, "l"); // a button is no text field: only the form keeps this key from coding
  assert.equal(screen.store.sorted.length, 0);
  assert.deepEqual(screen.commands, []);
  assert.equal(key(comment, "Escape").defaultPrevented, true);
  assert.deepEqual(closed, ["closed"]);
});

test("the inline editor saves what was typed, and says why when a time is wrong", () => {
  const saved = [];
  const form = editForm(event({ id: "e1", code: "hold", onset_ms: 1000, offset_ms: 2000 }), scheme, {
    save: (changed) => saved.push(changed), close: () => {},
  });
  document.body.append(form);
  form.elements.offset.value = "nonsense";
  form.requestSubmit();
  assert.deepEqual(saved, []);
  assert.equal(form.querySelector(".error").textContent, "Not a time: use mm:ss.mmm");
  form.elements.offset.value = "0:00.500";
  form.requestSubmit();
  assert.equal(form.querySelector(".error").textContent, "A state cannot stop before it starts");
  form.elements.offset.value = "0:03";
  form.elements.comment.value = "lap";
  form.requestSubmit();
  assert.deepEqual(saved.map((e) => [e.id, e.onset_ms, e.offset_ms, e.comment]), [["e1", 1000, 3000, "lap"]]);
});

// Issue 20: Enter recorded option 1 unasked, and Escape skipped a required set.
test("Enter confirms only the option highlighted with the arrows, never option 1 unasked", async () => {
  const { dialog, modifiers } = popUp();
  const answer = modifiers.ask(code("bid"), [set("kind")]);
  key(dialog.querySelector("ol"), "Enter");
  assert.equal(modifiers.open, true, "nothing highlighted: nothing recorded");
  for (const name of ["ArrowDown", "ArrowDown", "ArrowDown", "ArrowUp"]) key(document.activeElement, name);
  assert.equal(document.activeElement.textContent, "2 show");
  assert.equal(key(document.activeElement, "Enter").defaultPrevented, true);
  assert.deepEqual(await answer, { kind: "show" });
});

test("a required set is not skipped by Escape, the dialog's cancel or a code key", async () => {
  const passed = [];
  const { dialog, modifiers } = popUp((e) => passed.push(e.key));
  const required = { ...set("kind"), required: true };
  const answer = modifiers.ask(code("bid"), [required]);
  key(dialog.querySelector("ol"), "Escape");
  dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
  key(dialog.querySelector("ol"), "l");
  assert.equal(modifiers.open, true);
  assert.equal(dialog.open, true);
  assert.deepEqual(passed, []);
  assert.equal(dialog.querySelector("#modifier-hint").classList.contains("error"), true);
  key(dialog.querySelector("ol"), "3");
  assert.deepEqual(await answer, { kind: "point" });
});
