// The coding workspace: wires the player, the keys, the event list, the timeline, the outbox,
// ratings, segments and scores. The way of one event: key → store (list and timeline change one
// element each) → outbox (IndexedDB) → POST /api/codings/{id}/actions → cleared on the answer.

import { EventList } from "./eventlist.js";
import { codeLabel, setLabels, setStrings, subjectLabel, t } from "./i18n.js";
import { bindKeys, Logger } from "./keys.js";
import { EventStore } from "./model.js";
import { ModifierDialog } from "./modifiers.js";
import { actionWords, Outbox } from "./outbox.js";
import { Player } from "./player.js";
import { Ratings } from "./ratings.js";
import { ScoresPanel } from "./scores.js";
import { Segments, shownSegmentName } from "./segments.js";
import { askConflict, keepMine } from "./conflict.js";
import { claimCoding, takeOverWhenFree } from "./tablock.js";
import { formatMs, newId } from "./time.js";
import { Timeline } from "./timeline.js";
import { History } from "./history.js";
import { bindFilter, bindGoto, bindPad, bindSound, bindView, keepStatusInView, openHelp } from "./controls.js";
import { WaveformLane } from "./waveform.js";
import { Suggestions } from "./suggestions.js";
import { startSync } from "./sync.js";
import { TranscriptPane } from "./transcript.js";

performance.mark("samspill-start");
const $ = (id) => document.getElementById(id);
const boot = JSON.parse($("boot").textContent);
setStrings(boot.strings);
// The scheme in the boot data carries its codes' names in the page's language already.
setLabels({ ...boot.labels, codes: Object.fromEntries(boot.scheme.codes.map((c) => [c.id, c.name])) });
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const codingId = boot.coding.id;
const scheme = boot.scheme;
const api = (path) => `/api/codings/${codingId}${path}`;
let writable = boot.can_write && boot.coding.status === "in_progress";

function toast(text, bad = false) {
  const box = $("toast");
  box.textContent = text;
  box.classList.toggle("bad", bad);
  box.classList.add("shown");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.remove("shown"), bad ? 5000 : 2500);
}

function banner(text) {
  $("banner").textContent = text;
  $("banner").hidden = !text;
}

async function call(method, path, body) {
  try {
    // A file goes as a form (the browser sets its boundary); everything else as JSON.
    const form = body instanceof FormData;
    const response = await fetch(path, {
      method,
      headers: { ...(form ? {} : { "Content-Type": "application/json" }), Accept: "application/json", "X-CSRF-Token": csrf },
      body: body === undefined || form ? body : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => null);
    return { ok: response.ok, status: response.status, body: answer };
  } catch {
    return { ok: false, status: 0, body: null };
  }
}

const player = new Player($("video"), {
  fps: boot.media?.fps, offsetMs: boot.media?.offset_ms, durationMs: boot.duration_ms,
});
// Several cameras (issue 14): the others follow the main video's clock.
const sync = boot.media_list?.length > 1 ? startSync({ player, boot, csrf, toast }) : null;
const store = new EventStore(scheme);
const list = new EventList($("event-list"), {
  scheme,
  lookup: (id) => store.byId.get(id),
  onSeek: (ms) => player.seekTo(ms),
  onEdit: (_old, changed) => history.commit([{ type: "edit", event: changed }], t("Edit event at {time}", { time: formatMs(changed.onset_ms) })),
  onDelete: (event) => history.commit([{ type: "delete", event_id: event.id }], t("Deleted {code} at {time}", { code: codeLabel(event.code), time: formatMs(event.onset_ms) })),
  editable: () => writable,
});
const timeline = new Timeline($("timeline"), {
  scheme, durationMs: boot.duration_ms || boot.media?.duration_ms, onSeek: (ms) => player.seekTo(ms),
  legend: $("timeline-legend"),
});
store.subscribe(list);
store.subscribe(timeline);
const waveform = boot.media ? new WaveformLane(timeline, boot.media) : null;
// Only a key whose state changed is touched: even an unchanged toggle rewrites the class
// attribute, and every key so written was laid out again with the whole screen's grid.
const padKeys = [...document.querySelectorAll(".keys li[data-code]")];
const markRunning = () => {
  const running = new Set([...store.running.values()].map((e) => e.code));
  for (const li of padKeys) {
    const on = running.has(li.dataset.code);
    if (li.classList.contains("is-running") !== on) li.classList.toggle("is-running", on);
  }
};
store.subscribe({ add: markRunning, update: markRunning, remove: markRunning, reset: markRunning });

const outbox = new Outbox({ codingId, send: (actions) => call("POST", api("/actions"), { actions }), onState: showState, onRejected: rejected });
// Ratings are steps of the undo history too: their inverse is the item's value before.
class CodingHistory extends History {
  inverse(op) {
    return op.type === "rating" ? ratings.inverse(op) : super.inverse(op);
  }
}
const history = new CodingHistory({
  store,
  enqueue: (actions) => {
    for (const action of actions) if (action.type === "rating") ratings.apply(action.ratings, action.segment_id);
    suggestions?.applied(actions);
    outbox.add(actions).catch(storageFailed);
    document.dispatchEvent(new CustomEvent("samspill:applied", { detail: { count: actions.length } }));
  },
  canWrite: () => writable,
  // A held step (a required modifier to answer) is on screen already: said like a sent one.
  shown: (count) => document.dispatchEvent(new CustomEvent("samspill:applied", { detail: { count, held: true } })),
  segments: { get: (id) => segments.get(id), put: (s) => segments.put(s), drop: (id) => segments.remove(id) },
});
// Evidence in the signs panel: the video comes into view and plays from the event.
const scores = new ScoresPanel($("scores"), { codingId, onSeek: (ms) => {
  player.seekTo(ms);
  $("video")?.scrollIntoView({ block: "nearest" });
  player.play();
} });
// A rating changed is said (never silent) and undone with Ctrl + Z like an event.
const ratings = new Ratings($("ratings-form"), $("classification"), {
  scheme, ratings: boot.ratings, cutoff: boot.cutoff,
  segmentRatings: boot.segment_ratings || {}, segments: boot.segments,
  segmentName: (s) => shownSegmentName(s, boot.template, boot.template_names),
  onChange: (item, value, segment) => {
    const where = segment ? ` (${ratings.segmentName(segment)})` : "";
    const what = `${ratings.label(item)}${where}: ${value}`;
    const action = { type: "rating", ratings: { [item]: value } };
    if (history.commit([segment ? { ...action, segment_id: segment } : action], what)) {
      toast(t("Rated {what} (Ctrl + Z undoes it)", { what }));
    }
  },
});
const segments = new Segments({
  form: $("segment-form"), list: $("segment-list"), segments: boot.segments, template: boot.template,
  names: boot.template_names,
  player, send: (action) => send(action), toast, onChange: (all) => { timeline.setSegments(all); ratings.setSegments(all); },
  onDelete: (segment) => {
    const name = shownSegmentName(segment, boot.template, boot.template_names);
    history.commit([{ type: "delete-segment", segment_id: segment.id }], t("Deleted segment {name}", { name }));
    toast(t("Deleted segment {name}", { name }));
  },
});
// The assist's suggestions (never codes), when the coding shows them (boot.assist.shown).
const suggestions = boot.assist?.shown ? new Suggestions({
  host: $("event-list").parentElement, timeline, player, scheme,
  history, store, url: api("/suggestions"), canWrite: () => writable, toast,
}) : null;
// The transcript pane (issue 12): Alt + T; its code links seek the video.
const transcript = new TranscriptPane({
  root: $("transcript-pane"), url: api("/transcript"), player, canWrite: () => writable, toast, call,
});
const modifiers = new ModifierDialog($("modifier-dialog"), { onPassKey: (e) => document.dispatchEvent(new KeyboardEvent("keydown", e)) });
const logger = new Logger({
  scheme, store, player, modifiers, toast,
  commit: (ops, label, group) => history.commit(ops, label, group),
  hold: (ops) => history.hold(ops),
  release: (held, ops, label) => history.release(held, ops, label),
});

function send(action) {
  if (writable) outbox.add([{ id: newId(), ...action }]).catch(storageFailed);
}

// The browser refused to store (private mode, a full disk): say so at once, never silently.
function storageFailed(error) {
  const message = error?.name === "QuotaExceededError" ? t("this browser's storage is full")
    : error?.message || t("this browser did not store it");
  toast(t("Not saved: {message}", { message }), true);
}

let lastState = "saved";
function showState(state, count) {
  const texts = {
    saved: `${t("Saved")} ✓`,
    pending: t("{n} pending", { n: count }),
    sending: t("Sending {n}…", { n: count }),
    offline: t("Offline: {n} pending, kept in this browser", { n: count }),
    server: t("Server error: {n} pending, kept in this browser; trying again", { n: count }),
    auth: t("Your login has expired or changed: reload the page; nothing is lost"),
  };
  const status = $("save-status");
  status.textContent = texts[state];
  status.dataset.state = state;
  status.dataset.pending = count;
  if (state === "saved" && lastState !== "saved") updateScores();
  lastState = state;
}

// While a state runs the signs are counted up to the playhead, marked as provisional.
function updateScores() {
  if (!boot.show_scores) return;
  scores.url = api(`/scores/display${store.running.size ? `?until_ms=${Math.round(player.nowMs())}` : ""}`);
  scores.refreshSoon();
}

// The server refused one action. Another window changed or deleted the event: the coder
// chooses whose version stays (true: resolved). Otherwise the action is set aside with its
// reason (shown until the coder sends it again or lets it go). Either way the screen is rebuilt
// from the server's events plus what is still pending.
async function rejected(action, body, status) {
  const error = body?.error;
  const conflict = status === 409 && ["stale", "deleted"].includes(error?.reason);
  if (conflict && (await askConflict(action, error)) === "mine") {
    const again = keepMine(action, error, newId);
    if (again) await outbox.add([again]).catch(storageFailed);
  } else if (!conflict) {
    toast(t("Not saved: {message}", { message: error?.message || actionWords(action.type) }), true);
  }
  await reloadFromServer(action);
  if (!conflict) setTimeout(showAside, 0);
  return conflict;
}

async function showAside() {
  const records = await outbox.setAside();
  let box = $("set-aside");
  if (!box) {
    box = document.createElement("div");
    box.id = "set-aside";
    box.setAttribute("role", "status");
    $("save-status").after(box);
  }
  box.hidden = !records.length;
  if (!records.length) return box.replaceChildren();
  const items = records.map((r) => {
    const li = document.createElement("li");
    li.textContent = `${actionWords(r.action.type)}: ${r.aside.message}${r.aside.fix ? ` (${t("How to fix it: {fix}", { fix: r.aside.fix })})` : ""}`;
    return li;
  });
  const again = document.createElement("button");
  again.type = "button";
  again.textContent = t("Send again");
  again.addEventListener("click", async () => { await outbox.retryAside(); showAside(); });
  const drop = document.createElement("button");
  drop.type = "button";
  drop.textContent = t("Discard");
  drop.addEventListener("click", async () => { await outbox.dropAside(); showAside(); });
  const shown = document.createElement("ul");
  shown.append(...items);
  box.replaceChildren(t("{n} action(s) set aside, not saved:", { n: records.length }), shown, again, " ", drop);
}

// `refused`: the action the server just refused, still in the outbox until this returns.
async function reloadFromServer(refused = null) {
  const answer = await call("GET", api("/workspace"));
  if (!answer.ok) return;
  const pending = (await outbox.pending()).map((r) => r.action).filter((a) => a.id !== refused?.id);
  store.load(answer.body.events, pending);
  segments.segments = answer.body.segments;
  segments.render();
  history.clear();
}

function restore(pending) {
  for (const action of pending) {
    if (action.type === "rating") for (const [k, v] of Object.entries(action.ratings)) ratings.set(k, v, action.segment_id);
    else if (action.type === "segment") segments.put(action.segment);
  }
  const dropped = new Set(pending.filter((a) => a.type === "delete-segment").map((a) => a.segment_id));
  if (dropped.size) {
    segments.segments = segments.segments.filter((s) => !dropped.has(s.id));
    segments.render();
  }
}

function setWritable(value, reason) {
  writable = value;
  $("submit-coding").hidden = !(value && boot.coding.status === "in_progress");
  ratings.setReadOnly(!value);
  for (const id of ["segment-start", "segment-end"]) $(id).disabled = !value;
  segments.render();
  if (transcript.state) transcript.render();
  banner(value ? "" : reason);
}

function bindPlayer() {
  const play = $("play");
  player.onTick((ms) => {
    $("clock").textContent = formatMs(ms);
    const frame = player.frameIndex();
    $("frame").textContent = frame === null ? "" : `#${frame}`;
    play.textContent = player.paused ? "▶" : "❚❚";
    timeline.setNow(ms);
  });
  play.addEventListener("click", () => player.togglePlay());
  for (const button of document.querySelectorAll("[data-seek]")) {
    button.addEventListener("click", () => player.seekBy(Number(button.dataset.seek)));
  }
  for (const button of document.querySelectorAll("[data-frame]")) {
    button.addEventListener("click", () => player.stepFrame(Number(button.dataset.frame)));
  }
  $("speed").addEventListener("change", (e) => player.setRate(Number(e.target.value)));
  commands.goto = bindGoto({ player, toast });
  bindSound(player);
  bindView({ workspace: $("workspace") });
  bindFilter(list);
  bindPad({ logger, canCode: () => writable });
  keepStatusInView();
  $("zoom-in").addEventListener("click", () => timeline.zoom(2));
  $("zoom-out").addEventListener("click", () => timeline.zoom(0.5));
  $("zoom-all").addEventListener("click", () => timeline.whole());
  $("timeline").addEventListener("keydown", (e) => {
    if (e.key === "Enter") player.seekTo(timeline.start + timeline.span / 2);
  });
}

function rate(direction) {
  $("speed").value = String(player.changeRate(direction));
}

const commands = {
  play: () => player.togglePlay(),
  seek: (ms) => player.seekBy(ms),
  frame: (n) => player.stepFrame(n),
  frameBack: () => player.stepFrame(-1),
  frameForward: () => player.stepFrame(1),
  goto: () => $("goto").focus(), // replaced by bindGoto at start: it empties the field first
  help: openHelp,
  segmentStart: () => writable && segments.markStart(),
  segmentEnd: () => writable && segments.markEnd(),
  zoomIn: () => timeline.zoom(2),
  zoomOut: () => timeline.zoom(0.5),
  faster: () => rate(1),
  slower: () => rate(-1),
  subject: () => showSubject(logger.switchSubject()),
  undo: () => writable && history.undo(toast),
  redo: () => writable && history.redo(toast),
  focusList: () => (list.selected || $("event-list").firstElementChild)?.focus(),
  transcript: () => transcript.toggle(),
};

function showSubject(subject) {
  const shown = subjectLabel(subject);
  $("subject").textContent = t("Subject: {subject}", { subject: shown });
  toast(t("Subject: {subject}", { subject: shown }));
}

function bindStatus() {
  const status = boot.coding.status;
  const submit = $("submit-coding");
  const reopen = $("reopen-coding");
  submit.hidden = !(boot.can_write && status === "in_progress");
  reopen.hidden = !(boot.role === "owner" && status !== "in_progress");
  submit.addEventListener("click", async () => {
    if (outbox.count > 0) return toast(t("Wait until everything is saved, then submit"), true);
    // Actions the server refused wait in this browser: a locked coding could never take them.
    const aside = await outbox.setAside();
    if (aside.length) {
      return toast(t("{n} change(s) were set aside and are not saved: send them again or let them go, then submit", { n: aside.length }), true);
    }
    if (!window.confirm(t("Submit this coding? It will be locked."))) return;
    const answer = await call("PUT", api("/status"), { status: "submitted" });
    if (answer.ok) window.location.reload();
    else toast(t("Not saved: {message}", { message: answer.body?.error?.message || answer.status }), true);
  });
  reopen.addEventListener("click", async () => {
    const answer = await call("PUT", api("/status"), { status: "in_progress" });
    if (answer.ok) window.location.reload();
    else toast(t("Not saved: {message}", { message: answer.body?.error?.message || answer.status }), true);
  });
  $("help-open").addEventListener("click", openHelp);
  $("transcript-toggle").addEventListener("click", () => transcript.toggle());
}

function readOnlyReason() {
  if (!boot.can_write) return t("You can read this coding but not change it");
  return t("This coding is locked (submitted); ask the study's owner to reopen it");
}

async function start() {
  bindPlayer();
  bindStatus();
  bindKeys({ logger, commands, canCode: () => writable });
  showSubject(logger.subject);
  performance.mark("samspill-bound");
  const pending = await outbox.open();
  performance.mark("samspill-outbox");
  store.load(boot.events, pending.filter((a) => ["add", "edit", "delete"].includes(a.type)));
  performance.mark("samspill-drawn");
  restore(pending);
  const mine = writable ? await claimCoding(codingId) : false;
  if (writable && !mine) {
    setWritable(false, t("This coding is open in another tab: this tab is read only"));
    // When the other tab closes, this one takes the coding over (with the server's events).
    takeOverWhenFree(codingId, async () => {
      await reloadFromServer();
      setWritable(true, "");
      outbox.start();
      toast(t("The other tab was closed: this tab can code now"));
    });
  } else if (!writable) setWritable(false, readOnlyReason());
  if (writable) outbox.start();
  window.addEventListener("online", () => outbox.drain());
  showAside();
  updateScores();
  suggestions?.load();
  if (window.location.hash === "#transcript") transcript.toggle(true);
  window.samspill = { store, list, timeline, outbox, player, logger, history, scores, waveform, sync, suggestions, transcript };
  performance.mark("samspill-ready");
  document.body.dataset.ready = "true";
}

start();
