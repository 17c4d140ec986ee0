// Course mode's lesson page: clip players held to the clip's bounds, the mark key (M), play
// and pause (Space), and the feedback timeline. Times are ms on the session's clock.

const STEP_MS = 200;

function clock(ms) {
  const whole = Math.max(0, Math.round(ms / 1000));
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(whole / 60))}:${pad(whole % 60)}`;
}

function clipPlayer(figure) {
  const start = Number(figure.dataset.start);
  const end = Number(figure.dataset.end);
  const offset = Number(figure.dataset.offset || 0);
  const video = figure.querySelector("video");
  const shown = figure.querySelector(".clip-time");
  // Without a video on this server the clip's clock runs alone, so marks still work.
  let runningSince = null;
  let at = start;

  const now = () => {
    if (video) return Math.round(video.currentTime * 1000 + offset);
    return runningSince === null ? at : Math.min(end, at + performance.now() - runningSince);
  };
  const show = () => { if (shown) shown.textContent = clock(now()); };
  const seek = (ms) => {
    const target = Math.min(Math.max(ms, start), end);
    if (video) video.currentTime = (target - offset) / 1000;
    else { at = target; if (runningSince !== null) runningSince = performance.now(); }
    show();
  };
  const playing = () => (video ? !video.paused : runningSince !== null);
  const pause = () => {
    if (video) video.pause();
    else if (runningSince !== null) { at = now(); runningSince = null; }
  };
  const play = () => {
    if (now() >= end - STEP_MS) seek(start);
    if (video) video.play().catch(() => {});
    else runningSince = performance.now();
  };
  const toggle = () => (playing() ? pause() : play());

  // Ready once the clip stands at its start (data-ready: for tests and styles).
  const ready = () => { seek(start); figure.dataset.ready = "1"; };
  if (video) {
    // The metadata may have come before this module ran: seek now, or when it comes.
    if (video.readyState >= 1) ready();
    else video.addEventListener("loadedmetadata", ready, { once: true });
    video.addEventListener("timeupdate", () => {
      if (now() >= end) { video.pause(); }
      show();
    });
  }
  if (!video) ready();
  setInterval(() => {
    if (!video && runningSince !== null && now() >= end) pause();
    show();
  }, STEP_MS);
  figure.querySelector(".play")?.addEventListener("click", toggle);
  figure.querySelector(".restart")?.addEventListener("click", () => seek(start));
  return { figure, start, end, now, seek, toggle };
}

const players = [...document.querySelectorAll("figure.clip")].map(clipPlayer);
const marks = [];
const list = document.getElementById("marks");
const value = document.getElementById("marks-value");

function renderMarks() {
  if (!list) return;
  list.replaceChildren();
  for (const [index, ms] of marks.entries()) {
    const item = document.createElement("li");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", list.dataset.remove.replace("{time}", clock(ms)));
    remove.addEventListener("click", () => { marks.splice(index, 1); renderMarks(); });
    item.append(`${clock(ms)} `, remove);
    list.append(item);
  }
  if (!marks.length) {
    const none = document.createElement("li");
    none.className = "muted none";
    none.textContent = list.dataset.none;
    list.append(none);
  }
  value.value = marks.join(",");
}

function addMark() {
  const player = players[0];
  if (!player || !list) return;
  const ms = player.now();
  if (ms < player.start || ms > player.end) return;
  marks.push(ms);
  marks.sort((a, b) => a - b);
  renderMarks();
}

function activePlayer() {
  return players.find((p) => p.figure.contains(document.activeElement)) || players[0];
}

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName))
    && !["checkbox", "radio"].includes(target.type);
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if ((event.key === "m" || event.key === "M") && list) {
    event.preventDefault();
    addMark();
  } else if (event.key === " " && !(event.target instanceof HTMLButtonElement)
             && !(event.target instanceof HTMLInputElement)) {
    event.preventDefault();
    activePlayer()?.toggle();
  }
});
document.getElementById("mark")?.addEventListener("click", addMark);
renderMarks();

// Feedback: place the timeline's ticks; a time button seeks the clip there.
for (const tick of document.querySelectorAll(".timeline .tick")) {
  tick.style.left = `${tick.dataset.left}%`;
}
for (const button of document.querySelectorAll("button.seek")) {
  button.addEventListener("click", () => players[0]?.seek(Number(button.dataset.ms) - 1000));
}
