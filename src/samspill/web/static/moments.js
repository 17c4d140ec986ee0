// The moments page (issue 23): proposals (suggestions) listed and on a timeline, chosen by key,
// trimmed by a second at a time, captioned with a guidance note; the reel played in the
// browser as one sequence (caption, freeze frame, slow key second); the MP4 export followed.
import { setStrings, t } from "./i18n.js";
import { formatMs } from "./time.js";

const boot = JSON.parse(document.getElementById("moments-boot").textContent);
const config = boot.config;
setStrings(boot.strings);
let state = boot.state;
let active = "proposals"; // the list the keys act on
const chosenIndex = { proposals: 0, chosen: 0 };
const STEP_MS = 1000;

const video = document.getElementById("moments-video");
const lists = { proposals: document.getElementById("proposals"), chosen: document.getElementById("chosen") };
const timeline = document.getElementById("moments-timeline");
const editor = document.getElementById("moment-editor");
const field = (id) => document.getElementById(id);

function items(list) {
  return list === "proposals" ? state.proposals : state.moments;
}

function selected() {
  const all = items(active);
  return all.length ? all[Math.min(chosenIndex[active], all.length - 1)] : null;
}

// The chosen moment a row stands for (a proposal accepted, or a row of the reel).
function momentOf(item) {
  if (!item) return null;
  if (active === "chosen") return item;
  return state.moments.find((m) => m.key === item.key) ?? null;
}

function reasonsText(reasons) {
  return reasons.map((r) => t(config.reasons[r] ?? r)).join(", ");
}

function statusText(p) {
  if (p.status === "accepted") return t("Accepted");
  if (p.status === "rejected") return t("Rejected");
  return t("Open");
}

function row(item, index, list) {
  const div = document.createElement("div");
  const isSelected = list === active && index === Math.min(chosenIndex[list], items(list).length - 1);
  div.className = `moment-row ${item.kind}${item.status ? ` ${item.status}` : ""}`;
  div.setAttribute("role", "option");
  div.setAttribute("aria-selected", String(isSelected));
  div.dataset.index = String(index);
  div.dataset.key = item.key;
  const kind = item.kind === "good" ? t("Good moment") : t("Missed moment");
  const lead = list === "proposals" ? `${item.rank}. ${kind}` : `${index + 1}. ${kind}`;
  const tail = list === "proposals" ? statusText(item) : (item.caption || "");
  div.innerHTML = "<span class='lead'></span> <span class='times'></span> <span class='why'></span> <span class='status'></span>";
  div.querySelector(".lead").textContent = lead;
  div.querySelector(".times").textContent = `${formatMs(item.start_ms)}–${formatMs(item.end_ms)}`;
  div.querySelector(".why").textContent = `${reasonsText(item.reasons)} · ${t("clarity")} ${Math.round(item.clarity * 100)} %`;
  div.querySelector(".status").textContent = tail;
  div.addEventListener("click", () => { active = list; chosenIndex[list] = index; render(); lists[list].focus(); });
  return div;
}

function renderList(list) {
  const box = lists[list];
  box.replaceChildren(...items(list).map((item, i) => row(item, i, list)));
  if (!items(list).length) {
    const empty = document.createElement("p");
    empty.className = "muted small";
    empty.textContent = list === "proposals"
      ? t("No proposals: the coding shows none of the moments Samspill looks for.")
      : t("No moment chosen yet: accept a proposal (A).");
    box.append(empty);
  }
  box.querySelector("[aria-selected='true']")?.scrollIntoView({ block: "nearest" });
}

function renderTimeline() {
  const total = state.duration_ms || Math.max(1, ...state.proposals.map((p) => p.end_ms));
  const blocks = state.proposals.map((p, i) => {
    const span = document.createElement("span");
    const chosen = p.status === "accepted";
    span.className = `block ${p.kind}${chosen ? " chosen" : ""}${p.status === "rejected" ? " rejected" : ""}`;
    if (active === "proposals" && i === chosenIndex.proposals) span.classList.add("current");
    const m = chosen ? state.moments.find((x) => x.key === p.key) : null;
    const start = m ? m.start_ms : p.start_ms;
    const end = m ? m.end_ms : p.end_ms;
    span.style.left = `${(100 * start) / total}%`;
    span.style.width = `${Math.max(0.4, (100 * (end - start)) / total)}%`;
    span.title = `${formatMs(start)}–${formatMs(end)}`;
    return span;
  });
  timeline.replaceChildren(...blocks);
}

function renderEditor() {
  const m = momentOf(selected());
  editor.hidden = !m;
  if (!m) return;
  editor.dataset.moment = String(m.id);
  field("editor-times").textContent = t("Start {start}, end {end}", { start: formatMs(m.start_ms), end: formatMs(m.end_ms) });
  if (document.activeElement?.closest?.("#moment-editor")) return; // do not overwrite typing
  field("moment-caption").value = m.caption;
  field("moment-freeze").checked = m.freeze;
  field("moment-slow").checked = m.slow;
  field("note-parent").value = m.note.parent_did;
  field("note-child").value = m.note.child_showed;
  field("note-try").value = m.note.to_try;
}

function render() {
  renderList("proposals");
  renderList("chosen");
  renderTimeline();
  renderEditor();
}

async function call(method, path, body) {
  const response = await fetch(config.api + path, {
    method,
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": config.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error ? `${data.error.message}. ${data.error.fix ?? ""}` : String(response.status);
    field("editor-status").textContent = t("Could not save: {message}", { message });
    throw new Error(message);
  }
  return data;
}

async function update(method, path, body) {
  try {
    state = await call(method, path, body);
    render();
  } catch {
    // said in the status line already
  }
}

function decide(status) {
  const p = active === "proposals" ? selected() : null;
  if (p) update("POST", "/moments", { key: p.key, status });
}

function undo() {
  const item = selected();
  const id = active === "chosen" ? item?.id : item?.moment_id;
  if (id) update("DELETE", `/moments/${id}`);
}

// [ and ] widen the start and the end by a second; with Shift they narrow them. Presses are
// queued: each one starts from the answer to the one before, so none is lost.
let queue = Promise.resolve();

function trim(edge, shift) {
  const id = momentOf(selected())?.id;
  if (!id) return;
  const step = shift ? STEP_MS : -STEP_MS;
  queue = queue.then(() => {
    const m = state.moments.find((x) => x.id === id);
    if (!m) return undefined;
    const change = edge === "start"
      ? { start_ms: Math.max(0, m.start_ms + step) }
      : { end_ms: m.end_ms - step };
    return update("PATCH", `/moments/${id}`, change);
  });
}

function move(delta) {
  const all = items(active);
  if (!all.length) return;
  chosenIndex[active] = Math.max(0, Math.min(all.length - 1, chosenIndex[active] + delta));
  render();
}

// --- Playing: one moment, or the reel as one sequence -------------------------------------

let playing = null; // { stopped: bool }

function mediaSeconds(sessionMs) {
  return Math.max(0, (sessionMs - config.offset_ms) / 1000);
}

function waitUntil(run, sessionMs) {
  return new Promise((resolve) => {
    const tick = () => {
      if (run.stopped || video.ended || video.currentTime >= mediaSeconds(sessionMs)) { resolve(); return; }
      window.requestAnimationFrame(tick);
    };
    tick();
  });
}

const pause = (run, ms) => new Promise((resolve) => {
  const started = performance.now();
  const tick = () => (run.stopped || performance.now() - started >= ms ? resolve() : window.setTimeout(tick, 20));
  tick();
});

function seek(sessionMs) {
  return new Promise((resolve) => {
    video.addEventListener("seeked", () => resolve(), { once: true });
    video.currentTime = mediaSeconds(sessionMs);
  });
}

function showEffect(text) {
  const effect = field("reel-effect");
  effect.hidden = !text;
  effect.textContent = text || "";
}

async function playClip(run, clip) {
  const caption = field("reel-caption");
  caption.hidden = !clip.caption;
  caption.textContent = clip.caption;
  video.playbackRate = 1;
  await seek(clip.start_ms);
  await video.play().catch(() => {});
  await waitUntil(run, clip.key_ms);
  if (clip.freeze && !run.stopped) {
    video.pause();
    showEffect(t("Freeze"));
    await pause(run, config.freeze_ms);
    showEffect("");
    if (!run.stopped) await video.play().catch(() => {});
  }
  if (clip.slow && !run.stopped) {
    video.playbackRate = 1 / config.slow_factor;
    showEffect(t("Slow motion"));
    await waitUntil(run, Math.min(clip.key_ms + config.key_second_ms, clip.end_ms));
    video.playbackRate = 1;
    showEffect("");
  }
  await waitUntil(run, clip.end_ms);
  video.pause();
}

async function playSequence(clips, status) {
  if (!video || !clips.length) return;
  stop();
  const run = { stopped: false };
  playing = run;
  document.body.dataset.reel = "playing";
  for (const [i, clip] of clips.entries()) {
    if (run.stopped) break;
    if (status) status.textContent = t("Moment {n} of {count}", { n: i + 1, count: clips.length });
    await playClip(run, clip);
  }
  field("reel-caption").hidden = true;
  showEffect("");
  if (playing === run) playing = null;
  if (status && !run.stopped) status.textContent = t("The reel has ended.");
  document.body.dataset.reel = run.stopped ? "stopped" : "ended";
}

function stop() {
  if (playing) playing.stopped = true;
  playing = null;
  video?.pause();
  if (video) video.playbackRate = 1;
}

function playSelected() {
  const item = selected();
  const m = momentOf(item) ?? item;
  if (m) playSequence([{ start_ms: m.start_ms, end_ms: m.end_ms, key_ms: m.key_ms, caption: m.caption ?? "", freeze: false, slow: false }]);
}

function playReel() {
  field("reel-status").textContent = t("Playing the reel");
  playSequence(state.reel, field("reel-status"));
}

// --- The editor and the export -------------------------------------------------------------

async function saveEditor(event) {
  event?.preventDefault();
  const id = editor.dataset.moment;
  if (!id) return;
  try {
    await call("PATCH", `/moments/${id}`, {
      caption: field("moment-caption").value, freeze: field("moment-freeze").checked, slow: field("moment-slow").checked,
    });
    state = await call("PUT", `/moments/${id}/note`, {
      parent_did: field("note-parent").value, child_showed: field("note-child").value, to_try: field("note-try").value,
    });
    field("editor-status").textContent = t("Saved");
    document.activeElement?.blur?.();
    render();
  } catch {
    // said in the status line already
  }
}

async function followExport(started) {
  const progress = field("export-progress");
  const status = field("export-status");
  progress.hidden = false;
  let current = started;
  while (["queued", "running"].includes(current.state)) {
    progress.value = current.progress;
    status.textContent = t("Export under way: {percent}", { percent: `${Math.round(current.progress * 100)} %` });
    await new Promise((r) => { window.setTimeout(r, 1000); });
    current = await call("GET", `/reel/renders/${current.id}`);
  }
  progress.hidden = true;
  if (current.state === "done") {
    const link = document.createElement("a");
    link.href = `${config.api}/reel/renders/${current.id}/export.mp4`;
    link.textContent = t("Download the MP4");
    link.id = "reel-download";
    status.replaceChildren(link);
  } else {
    status.textContent = t("The export failed: {message}", { message: current.error ?? "" });
  }
}

async function exportReel() {
  try {
    const started = await call("POST", "/reel/renders", { language: field("reel-language").value });
    await followExport(started);
  } catch (error) {
    field("export-status").textContent = t("The export failed: {message}", { message: error.message });
  }
}

// --- Keys ----------------------------------------------------------------------------------

function typing(target) {
  return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

const COMMANDS = {
  ArrowDown: () => move(1), ArrowUp: () => move(-1), j: () => move(1), k: () => move(-1),
  a: () => decide("accepted"), x: () => decide("rejected"), u: () => undo(),
  " ": () => playSelected(), p: () => playReel(), Escape: () => stop(),
  c: () => { if (!editor.hidden) field("moment-caption").focus(); },
};

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (typing(e.target)) {
    if (e.key === "Escape") e.target.blur();
    return;
  }
  if (e.code === "BracketLeft" || e.key === "[" || e.key === "{") { e.preventDefault(); trim("start", e.shiftKey); return; }
  if (e.code === "BracketRight" || e.key === "]" || e.key === "}") { e.preventDefault(); trim("end", e.shiftKey); return; }
  const command = COMMANDS[e.key] ?? COMMANDS[e.key.toLowerCase()];
  if (!command || e.target.tagName === "BUTTON" && e.key === " ") return;
  e.preventDefault();
  command();
});

for (const [name, box] of Object.entries(lists)) {
  box.addEventListener("focus", () => { if (active !== name) { active = name; render(); } });
}
editor.addEventListener("submit", saveEditor);
field("moment-freeze").addEventListener("change", () => saveEditor());
field("moment-slow").addEventListener("change", () => saveEditor());
field("play-reel").addEventListener("click", playReel);
field("export-reel")?.addEventListener("click", exportReel);
render();
lists.proposals.focus();
