// Several cameras (issue 14): the session's other clips play in step with the main video, whose
// player is the session's clock (events are logged from its frame). A clip's offset says where
// its media time 0 falls on the session clock; changing it moves the clip, never an event.
//
// Paused or after a seek, a follower shows the frame that holds the main frame's session time
// (re-seeked when it shows another). Playing, the drift (the main clip's clock against the
// follower's, both read in the same task) steers the follower's playbackRate in proportion
// (GAIN; at most ±MAX_NUDGE), so a small drift is caught smoothly and a large one fast. A
// follower further than JUMP_MS away is seeked, and so is one that stays more than a frame off
// for STUCK_MS in spite of the nudging (a decoder stalled by a loaded machine); a seek aims
// ahead by the time the follower's last seeks took, so it lands where the clock will be.
// A clip that has not started yet or has ended shows a note in its tile; the clock goes on.
//
// Why currentTime and not the presented frame's mediaTime (requestVideoFrameCallback): both
// clocks are read in one task, so their difference is exact to the millisecond, while a
// presented frame's time is its start, up to a frame before the clock (at 25 and 30 fps
// together that alone is up to two frames of noise to steer by). The frame callbacks count
// where a frame must be exact: paused, a follower shows the frame that holds the main
// frame's time (Follower.holds).

import { t } from "./i18n.js";
import { ownsKey } from "./keys.js";
import { Player } from "./player.js";
import { formatMs } from "./time.js";

const JUMP_MS = 250; // playing: further than this (at 1×) is a seek, nearer is nudging
const STUCK_MS = 600; // more than a frame off for this long in spite of the nudging: a seek
const MAX_NUDGE = 0.5; // the largest change of rate when catching up (50 %, for a moment)
const GAIN = 5; // rate change per second of drift (40 ms behind → 20 % faster; 100 ms → 50 %)
const RATE_STEP = 0.01; // rates are set in steps of 1 %: fewer changes of rate, no hunting
const SEEK_LEAD_MS = [40, 400]; // a seek while playing aims this far ahead (least, most)
const SAVE_AFTER_MS = 700; // nudges in a row are saved once, when they stop
const LAYOUT_KEY = "samspill.cameras.layout";
// Side by side (one row), main + thumbnails (the big view and a column of the others), grid
// (two columns: three or four cameras in two rows). Alt + L goes to the next.
const LAYOUTS = ["side", "thumbs", "grid"];

const $ = (id) => document.getElementById(id);

function frameMs(fps) {
  return fps ? 1000 / fps : 40;
}

class Follower {
  constructor(tile, clip, video) {
    this.tile = tile;
    this.clip = clip;
    this.video = video;
    this.video.muted = true; // the main video's sound only: two rooms' sound would echo
    this.player = new Player(this.video, { fps: clip.fps, offsetMs: clip.offset_ms });
    this.note = tile.querySelector(".tile-note");
    this.soughtMs = null; // the session time last seeked to while paused
    this.offSince = null; // playing: since when (performance.now) it has been a frame off
    this.seekMs = 100; // how long its seeks take (a running mean), the lead of the next one
    this.seekStart = null;
    video.addEventListener("seeking", () => { this.seekStart = performance.now(); });
    video.addEventListener("seeked", () => {
      if (this.seekStart === null) return;
      this.seekMs = 0.7 * this.seekMs + 0.3 * (performance.now() - this.seekStart);
      this.seekStart = null;
    });
  }

  // Playing at `rate`: seek to where the clock will be once the seek is done.
  catchUp(ms, rate) {
    const [least, most] = SEEK_LEAD_MS;
    this.player.seekTo(ms + Math.min(most, Math.max(least, this.seekMs)) * rate);
    this.offSince = null;
  }

  get offsetMs() {
    return this.player.offsetMs;
  }

  set offsetMs(ms) {
    this.player.offsetMs = ms;
  }

  durationS() {
    const d = this.video.duration;
    if (Number.isFinite(d) && d > 0) return d;
    return this.clip.duration_ms ? this.clip.duration_ms / 1000 : Infinity;
  }

  // Where the clip stands at session time `ms`: "before" it starts, "ended", or "on".
  stateAt(ms) {
    const media = (ms - this.offsetMs) / 1000;
    if (media < 0) return "before";
    if (media >= this.durationS()) return "ended";
    return "on";
  }

  show(state) {
    if (this.tile.dataset.state === state) return;
    this.tile.dataset.state = state;
    this.note.textContent = state === "before" ? t("not started yet") : state === "ended" ? t("ended") : "";
  }

  // Paused: is the frame on screen the one that holds session time `ms`?
  holds(ms) {
    const shown = this.player.nowMs();
    return ms - shown >= -1 && ms - shown < frameMs(this.clip.fps) + 1;
  }
}

export class CameraSync {
  // `videoOf`: a tile's video element (the unit tests give stand-ins with the same interface).
  constructor({ player, clips, box, videoOf = (tile) => tile.querySelector("video") }) {
    this.master = player;
    this.box = box;
    this.main = clips[0];
    this.followers = clips.slice(1).map((clip) => {
      const tile = box.querySelector(`.tile[data-media="${clip.id}"]`);
      return new Follower(tile, clip, videoOf(tile));
    });
    this.tiles = [player.video, ...this.followers.map((f) => f.tile)];
    this.big = 0;
    this.maxDriftMs = 0; // the largest drift seen while playing, after the first catch-up
    this.samples = [];
    box.classList.add("multi");
    player.onTick(() => this.follow());
    for (const name of ["play", "pause", "seeking", "seeked", "ratechange", "ended"]) {
      player.video.addEventListener(name, () => this.follow(name));
    }
    for (const f of this.followers) f.video.addEventListener("loadedmetadata", () => this.follow("seeked"));
    // Between frames of a slow main video (or none shown while it seeks), check anyway.
    this.timer = setInterval(() => this.follow(), 100);
    this.follow("seeked");
  }

  stop() {
    clearInterval(this.timer);
  }

  // Session ms of the main clip's playback position: its frame when paused, its clock playing.
  sessionMs() {
    if (this.master.paused || this.master.video.seeking) return this.master.nowMs();
    return this.master.video.currentTime * 1000 + this.master.offsetMs;
  }

  follow(why = "tick") {
    const ms = this.sessionMs();
    for (const f of this.followers) this.followOne(f, ms, why);
  }

  followOne(f, ms, why) {
    const state = f.stateAt(ms);
    f.show(state);
    const rate = this.master.video.playbackRate;
    if (state !== "on") {
      if (!f.video.paused) f.video.pause();
      const edge = state === "before" ? 0 : f.durationS();
      if (Number.isFinite(edge) && Math.abs(f.video.currentTime - edge) > 0.05 && !f.video.seeking) {
        f.video.currentTime = edge;
      }
      return;
    }
    if (this.master.paused || this.master.video.seeking) {
      if (!f.video.paused) f.video.pause();
      f.video.playbackRate = rate;
      // Once per target: past a clip's last frame (its sound may run longer) no frame holds it.
      if (!f.video.seeking && !f.holds(ms) && f.soughtMs !== ms) {
        f.soughtMs = ms;
        f.player.seekTo(ms);
      }
      return;
    }
    f.soughtMs = null; // playing: the next pause checks its frame afresh
    const drift = ms - (f.video.currentTime * 1000 + f.offsetMs); // > 0: the follower is behind
    if (f.video.seeking) return;
    if (why === "seeked") {
      f.player.seekTo(ms);
      f.offSince = null;
    } else if (Math.abs(drift) > JUMP_MS * Math.max(1, rate) || this.stuck(f, drift)) {
      f.catchUp(ms, rate);
    } else {
      this.steer(f, drift, rate);
      this.record(f, drift);
    }
    if (f.video.paused) f.video.play()?.catch?.(() => {});
  }

  // Rate in proportion to the drift: within a quarter frame the follower plays at the clock's
  // rate; beyond, faster or slower by GAIN per second of drift, up to ±MAX_NUDGE.
  steer(f, drift, rate) {
    const quarter = frameMs(f.clip.fps) / 4;
    const nudge = Math.abs(drift) < quarter ? 0 : Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, (drift / 1000) * GAIN));
    const wanted = rate * (1 + Math.round(nudge / RATE_STEP) * RATE_STEP);
    if (Math.abs(f.video.playbackRate - wanted) > 1e-3) f.video.playbackRate = wanted;
  }

  // Has the follower been more than a frame off for STUCK_MS (nudging does not bring it in)?
  stuck(f, drift) {
    if (Math.abs(drift) <= frameMs(f.clip.fps)) {
      f.offSince = null;
      return false;
    }
    const now = performance.now();
    f.offSince ??= now;
    return now - f.offSince > STUCK_MS;
  }

  record(f, drift) {
    this.samples.push(Math.abs(drift) / frameMs(f.clip.fps));
    if (this.samples.length > 600) this.samples.shift();
  }

  // The drift of the last `n` samples while playing, in frames of the follower: the largest
  // (q = 1), or the q-quantile (q = 0.9: nine samples in ten were within it).
  driftFrames(n = 60, q = 1) {
    const last = this.samples.slice(-n).sort((a, b) => a - b);
    return last.length ? last[Math.min(last.length - 1, Math.floor(q * last.length))] : null;
  }

  // Paused: each follower's frame on screen against the main frame's session time, in ms.
  pausedErrors() {
    const ms = this.master.nowMs();
    return this.followers.filter((f) => f.stateAt(ms) === "on").map((f) => ms - f.player.nowMs());
  }

  follower(id) {
    return this.followers.find((f) => f.clip.id === Number(id));
  }

  setOffset(id, ms) {
    const f = this.follower(id);
    if (!f) return;
    f.offsetMs = Math.round(ms);
    f.soughtMs = null;
    f.player.seekTo(this.master.nowMs());
    this.follow("seeked");
  }

  swap() {
    this.big = (this.big + 1) % this.tiles.length;
    this.tiles.forEach((tile, i) => tile.classList?.toggle("is-big", i === this.big));
    return this.big === 0 ? this.main : this.followers[this.big - 1].clip;
  }

  setLayout(layout) {
    this.box.dataset.layout = layout;
    const rows = { thumbs: this.followers.length, grid: Math.ceil(this.tiles.length / 2) }[layout];
    this.box.style.gridTemplateRows = rows ? `repeat(${rows}, minmax(0, 1fr))` : "";
  }
}

// The bar: layout, main view, the chosen clip's offset (buttons and keys), the clap.
export function startSync({ player, boot, csrf, toast }) {
  const sync = new CameraSync({ player, clips: boot.media_list, box: $("video-box") });
  const layout = $("sync-layout");
  const choice = $("sync-clip");
  let saveTimer = null;
  let toldLocal = false;

  const chosen = () => sync.follower(choice.value);
  const show = () => {
    const f = chosen();
    const ms = f.offsetMs;
    $("sync-offset").textContent = `${ms < 0 ? "−" : "+"}${formatMs(Math.abs(ms))}`;
  };
  const save = (f) => {
    if (!boot.can_edit_media) {
      if (!toldLocal) toast(t("Offset changed in this view only: only the study's owner can save it"));
      toldLocal = true;
      return;
    }
    clearTimeout(saveTimer);
    saveTimer = setTimeout(async () => {
      const answer = await fetch(`/api/media/${f.clip.id}/offset`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ offset_ms: f.offsetMs }),
      }).catch(() => null);
      const body = await answer?.json().catch(() => null);
      if (answer?.ok) toast(t("Offset saved"));
      else toast(t("Not saved: {message}", { message: body?.error?.message || answer?.status || "offline" }), true);
    }, SAVE_AFTER_MS);
  };
  const moveBy = (ms) => {
    const f = chosen();
    sync.setOffset(f.clip.id, f.offsetMs + ms);
    show();
    save(f);
  };
  const nudgeFrames = (n) => moveBy(Math.round(n * frameMs(chosen().clip.fps)));
  const swap = () => {
    const clip = sync.swap();
    if (clip.id !== sync.main.id) choice.value = String(clip.id);
    show();
    toast(t("Main view: {clip}", { clip: clip.filename }));
  };
  const pickLayout = (value) => {
    layout.value = value;
    sync.setLayout(value);
    try { localStorage.setItem(LAYOUT_KEY, value); } catch { /* private mode: not kept */ }
  };

  let kept = "side";
  try { kept = localStorage.getItem(LAYOUT_KEY) || "side"; } catch { /* private mode */ }
  pickLayout(LAYOUTS.includes(kept) ? kept : "side");
  sync.tiles[0].classList.add("is-big");
  layout.addEventListener("change", () => pickLayout(layout.value));
  $("sync-swap").addEventListener("click", swap);
  choice.addEventListener("change", show);
  for (const b of document.querySelectorAll("[data-nudge-ms]")) b.addEventListener("click", () => moveBy(Number(b.dataset.nudgeMs)));
  for (const b of document.querySelectorAll("[data-nudge-frames]")) b.addEventListener("click", () => nudgeFrames(Number(b.dataset.nudgeFrames)));
  bindClap({ sync, choice, show, save, toast, csrf });
  // Before the page's own keys (capture): Alt + M, L, comma and full stop are the cameras'.
  document.addEventListener("keydown", (e) => {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.getModifierState?.("AltGraph")) return;
    if (ownsKey(e.target, e) || e.target.closest?.("dialog")) return;
    const actions = {
      KeyM: swap,
      KeyL: () => pickLayout(LAYOUTS[(LAYOUTS.indexOf(layout.value) + 1) % LAYOUTS.length]),
      Comma: () => (e.shiftKey ? moveBy(-100) : nudgeFrames(-1)),
      Period: () => (e.shiftKey ? moveBy(100) : nudgeFrames(1)),
    };
    const action = actions[e.code];
    if (!action) return;
    e.preventDefault();
    action();
  }, true);
  show();
  return sync;
}

// The clap: the server cross-correlates the chosen clip's audio with the main clip's and proposes
// an offset; it is shown at once (the videos move) and kept or undone by the user.
function bindClap({ sync, choice, show, save, toast, csrf }) {
  const proposal = $("sync-proposal");
  let before = null;
  let clip = null;
  const close = () => { proposal.hidden = true; before = null; };
  $("sync-align").addEventListener("click", async () => {
    const f = sync.follower(choice.value);
    toast(t("Looking for the clap…"));
    const answer = await fetch(`/api/media/${f.clip.id}/align`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ reference_id: sync.main.id }),
    }).catch(() => null);
    const body = await answer?.json().catch(() => null);
    if (!answer?.ok) {
      const error = body?.error;
      return toast(t("Not saved: {message}", { message: error ? `${error.message} (${error.fix})` : answer?.status || "offline" }), true);
    }
    before = f.offsetMs;
    clip = f;
    sync.setOffset(f.clip.id, body.offset_ms);
    show();
    const words = body.doubtful ? "Clap found, but unsure: offset {offset} ({percent} % sure). Keep it?" : "Clap found: offset {offset} ({percent} % sure). Keep it?";
    const ms = body.offset_ms;
    $("sync-proposal-text").textContent = t(words, { offset: `${ms < 0 ? "−" : "+"}${formatMs(Math.abs(ms))}`, percent: Math.round(body.confidence * 100) });
    proposal.hidden = false;
    proposal.dataset.offset = String(ms);
  });
  $("sync-keep").addEventListener("click", () => {
    if (clip) save(clip);
    close();
  });
  $("sync-undo").addEventListener("click", () => {
    if (clip && before !== null) sync.setOffset(clip.clip.id, before);
    show();
    close();
  });
}
