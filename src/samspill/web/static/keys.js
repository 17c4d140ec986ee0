// Logging by keyboard from the scheme's keys. A point is one press; a state starts with a press
// and stops with the next. Starting a state of an exclusive group stops the running one at the
// same instant. A second press within GUARD_MS of a state's start does not silently stop it
// (BORIS issue #222): it warns, and only a further press stops the state.

import { subjectLabel, t } from "./i18n.js";
import { formatMs, newId } from "./time.js";

export const GUARD_MS = 600;
const CHOICES = new Set(["radio", "checkbox", "button", "submit", "reset"]);
// Keys a menu or a slider moves by; every other key (a code's letter, a digit) is the coding's,
// so `2` on a focused speed menu logs the scheme's code 2 and never sets 2× speed.
const MOVES = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp",
  "PageDown", "Enter", "Escape", "Tab", " "]);

// How a control got the focus: after a click on a rating, ← / → seek the video (what a coder
// pressing them means); only after Tab do the arrows move the rating, and then visibly (a
// message, and the change is undoable like any other).
const byPointer = new WeakSet();
let pointerAt = -Infinity;
document.addEventListener("pointerdown", () => { pointerAt = performance.now(); }, true);
document.addEventListener("focusin", (e) => {
  if (performance.now() - pointerAt < 1000) byPointer.add(e.target);
  else byPointer.delete(e.target);
}, true);
document.addEventListener("click", (e) => {
  if (e.detail > 0 && e.target.tagName === "INPUT") byPointer.add(e.target); // a mouse click
}, true);

// Text fields keep their keys; menus and sliders keep only the keys they move by; a radio
// button keeps its arrows and Space only when Tab brought the focus there.
export function ownsKey(target, e) {
  if (target.tagName === "TEXTAREA") return true;
  if (target.tagName === "SELECT" || target.type === "range") return MOVES.has(e.key);
  if (target.tagName !== "INPUT") return false;
  if (!CHOICES.has(target.type)) return true;
  if (byPointer.has(target)) return false;
  return e.key === " " || e.key.startsWith("Arrow");
}

export class Logger {
  // `hold` and `release` keep back a step whose code asks a required modifier (History.hold).
  constructor({ scheme, store, player, commit, modifiers, toast, hold = null, release = null }) {
    this.scheme = scheme;
    this.store = store;
    this.player = player;
    this.commit = commit;
    this.hold = hold;
    this.release = release;
    this.modifiers = modifiers;
    this.toast = toast;
    this.byKey = new Map(scheme.codes.filter((c) => c.key).map((c) => [c.key, c]));
    this.subjects = scheme.subjects;
    this.subject = scheme.subjects[0];
    this.started = new Map(); // event id → wall-clock ms of its start press
    this.warned = new Set();
  }

  subjectFor(code) {
    return code.subjects.includes(this.subject) ? this.subject : code.subjects[0];
  }

  switchSubject() {
    const i = this.subjects.indexOf(this.subject);
    this.subject = this.subjects[(i + 1) % this.subjects.length];
    return this.subject;
  }

  sets(code, when) {
    return code.modifiers
      .map((id) => this.scheme.modifier_sets.find((m) => m.id === id))
      .filter((set) => set && (code.kind === "point" || set.ask_at === when));
  }

  // A press of a scheme key; the time is the frame on screen at the press.
  press(code) {
    const ms = this.player.nowMs();
    const frame = this.player.frameIndex();
    const subject = this.subjectFor(code);
    if (code.kind === "point") return this.point(code, subject, ms, frame);
    const running = this.store.running.get(`${subject}|${code.id}`);
    return running ? this.stop(code, running, ms) : this.startState(code, subject, ms, frame);
  }

  point(code, subject, ms, frame) {
    const event = { id: newId(), subject, code: code.id, onset_ms: ms, offset_ms: null,
      modifiers: {}, comment: "", frame };
    this.log(code, [{ type: "add", event }], event.id, "start", ms);
  }

  // Sends a step now and asks its modifiers after (an edit follows). A step whose code asks a
  // required set is held (shown, not sent) until the required sets are answered, and then sent
  // with those answers in one add; the other sets follow as today, in the same undo step.
  log(code, ops, eventId, when, ms) {
    const label = t("Logged {code} at {time}", { code: code.name, time: formatMs(ms) });
    const sets = this.sets(code, when);
    const required = sets.filter((set) => set.required);
    if (!this.hold || !required.length) return this.askModifiers(code, eventId, sets, this.commit(ops, label));
    const held = this.hold(ops);
    if (!held) return undefined;
    return this.modifiers.ask(code, required).then((answers) => {
      const answered = ops.map((op) => (op.event?.id === eventId
        ? { ...op, event: { ...op.event, modifiers: { ...op.event.modifiers, ...answers } } } : op));
      const step = this.release(held, answered, label);
      return this.askModifiers(code, eventId, sets.filter((set) => !set.required), step);
    });
  }

  startState(code, subject, ms, frame) {
    const ops = [];
    const group = this.scheme.exclusive_groups.find((g) => g.codes.includes(code.id));
    for (const other of group ? group.codes : []) {
      const running = this.store.running.get(`${subject}|${other}`);
      if (!running || other === code.id) continue;
      if (ms < running.onset_ms) return this.toast(t("A state cannot stop before it starts"), true);
      ops.push({ type: "edit", event: { ...running, offset_ms: ms } });
    }
    if (this.store.overlapping(subject, code.id, ms)) {
      return this.toast(t("'{code}' would overlap another '{code}' for {subject}", { code: code.name, subject: subjectLabel(subject) }), true);
    }
    const event = { id: newId(), subject, code: code.id, onset_ms: ms, offset_ms: null,
      modifiers: {}, comment: "", frame };
    ops.push({ type: "add", event });
    this.started.set(event.id, performance.now());
    return this.log(code, ops, event.id, "start", ms);
  }

  stop(code, running, ms) {
    const since = performance.now() - (this.started.get(running.id) ?? -Infinity);
    if (since < GUARD_MS && !this.warned.has(running.id)) {
      this.warned.add(running.id);
      return this.toast(t("{code} started {seconds} s ago: press {key} again to stop it", {
        code: code.name, seconds: (since / 1000).toFixed(1), key: code.key }), true);
    }
    if (ms < running.onset_ms) return this.toast(t("A state cannot stop before it starts"), true);
    this.started.delete(running.id);
    return this.log(code, [{ type: "edit", event: { ...running, offset_ms: ms } }], running.id, "stop", ms);
  }

  async askModifiers(code, eventId, sets, group) {
    if (!sets.length) return;
    const answers = await this.modifiers.ask(code, sets);
    const current = this.store.byId.get(eventId);
    if (!current || !Object.keys(answers).length) return;
    const event = { ...current, modifiers: { ...current.modifiers, ...answers } };
    this.commit([{ type: "edit", event }], null, group);
  }
}

// The page's keyboard: scheme keys first, then the player's and the editor's keys.
export function bindKeys({ logger, commands, canCode }) {
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || ownsKey(e.target, e) || e.target.closest?.("dialog")) return;
    if (e.isComposing || e.metaKey) return;
    const command = commandFor(e, logger);
    if (!command) return;
    e.preventDefault();
    if (e.repeat && command.code) return; // a held key logs once
    if (command.code) {
      if (canCode()) logger.press(command.code);
    } else commands[command.name]?.(command.arg);
  });
}

function commandFor(e, logger) {
  // AltGr (Ctrl+Alt on Windows) types [ ] | on Nordic keyboards: those are plain keys here.
  const plain = e.getModifierState?.("AltGraph");
  if (e.ctrlKey && !plain) {
    const key = e.key.toLowerCase();
    if (key === "z") return { name: e.shiftKey ? "redo" : "undo" };
    if (key === "y") return { name: "redo" };
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") return { name: "frame", arg: e.key === "ArrowLeft" ? -1 : 1 };
    return null;
  }
  if (e.altKey && !plain) {
    if (e.code === "KeyE") return { name: "focusList" };
    if (e.code === "KeyT") return { name: "transcript" };
    if (/^[a-z0-9]$/i.test(e.key) || e.key.startsWith("Arrow")) return null; // the browser's
  } // Option+8 on a Mac types [, which is meant as [

  const code = logger.byKey.get(e.key);
  if (code) return { code };
  const arrows = { ArrowLeft: -1000, ArrowRight: 1000 };
  if (e.key in arrows) return { name: "seek", arg: arrows[e.key] * (e.shiftKey ? 5 : 1) };
  const named = { " ": "play", ",": "frameBack", ".": "frameForward", "/": "goto", "?": "help",
    "[": "segmentStart", "]": "segmentEnd", "+": "zoomIn", "=": "zoomIn", "-": "zoomOut",
    ArrowUp: "faster", ArrowDown: "slower", "`": "subject", "|": "subject", "§": "subject" };
  if (e.key in named) return { name: named[e.key] };
  if (e.code === "Backquote" || e.code === "IntlBackslash") return { name: "subject" };
  return null;
}
