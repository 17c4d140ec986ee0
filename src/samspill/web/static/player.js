// The video and its clock. Event times come from the frame actually shown
// (requestVideoFrameCallback), in integer ms on the session's timeline (media time + offset).

export const RATES = [0.25, 0.5, 1, 1.5, 2, 3, 4]; // as in BORIS and Datavyu, up to 4×

// Without a video the clock still moves by seeking, so a session can be coded from notes.
class StillClock extends EventTarget {
  constructor(durationMs) {
    super();
    this.currentTime = 0;
    this.duration = (durationMs || 0) / 1000;
    this.paused = true;
    this.playbackRate = 1;
    this.volume = 1;
    this.muted = false;
  }

  play() {}

  pause() {}
}

export class Player {
  constructor(video, { fps, offsetMs, durationMs }) {
    this.video = video || new StillClock(durationMs);
    this.fps = fps || null;
    this.offsetMs = offsetMs || 0;
    this.durationMs = durationMs || null;
    this.shownTime = null; // media time (s) of the frame on screen, from the callback
    this.listeners = [];
    this.watchFrames();
    for (const name of ["seeking", "seeked", "timeupdate", "play", "pause", "ratechange"]) {
      this.video.addEventListener(name, () => this.onMediaEvent(name));
    }
  }

  watchFrames() {
    if (!this.video.requestVideoFrameCallback) return;
    const onFrame = (_now, meta) => {
      this.shownTime = meta.mediaTime;
      this.tick();
      this.video.requestVideoFrameCallback(onFrame);
    };
    this.video.requestVideoFrameCallback(onFrame);
  }

  onMediaEvent(name) {
    if (name === "seeking") this.shownTime = null; // the old frame's time is no longer true
    this.tick();
  }

  onTick(listener) {
    this.listeners.push(listener);
  }

  tick() {
    const ms = this.nowMs();
    for (const listener of this.listeners) listener(ms, this);
  }

  // Media seconds of the frame shown: the callback's, else the frame that holds currentTime.
  mediaSeconds() {
    if (this.shownTime !== null && !this.video.seeking) return this.shownTime;
    const t = this.video.currentTime;
    return this.fps ? Math.floor(t * this.fps + 1e-6) / this.fps : t;
  }

  nowMs() {
    return Math.round(this.mediaSeconds() * 1000) + this.offsetMs;
  }

  frameIndex() {
    return this.fps ? Math.round(this.mediaSeconds() * this.fps) : null;
  }

  get paused() {
    return this.video.paused;
  }

  togglePlay() {
    if (this.video.paused) this.video.play()?.catch?.(() => {});
    else this.video.pause();
  }

  // Seek to a session time; a time before the video starts goes to its first frame.
  seekTo(sessionMs) {
    const media = Math.max(0, (sessionMs - this.offsetMs) / 1000);
    const end = Number.isFinite(this.video.duration) ? this.video.duration : media;
    // A hair past the frame's start, so rounding never lands on the frame before.
    this.video.currentTime = Math.min(media + (this.fps ? 0.001 : 0), end);
    if (!this.video.requestVideoFrameCallback) this.tick();
  }

  seekBy(ms) {
    this.seekTo(this.nowMs() + ms);
  }

  stepFrame(n) {
    if (!this.video.paused) this.video.pause();
    if (!this.fps) return this.seekBy(n * 40);
    const frame = this.frameIndex() + n;
    return this.seekTo(Math.round((Math.max(0, frame) / this.fps) * 1000) + this.offsetMs);
  }

  setRate(rate) {
    this.video.playbackRate = rate;
  }

  changeRate(direction) {
    const index = RATES.indexOf(this.video.playbackRate);
    const next = RATES[Math.min(RATES.length - 1, Math.max(0, (index < 0 ? RATES.indexOf(1) : index) + direction))];
    this.setRate(next);
    return next;
  }

  play() {
    if (this.video.paused) this.video.play()?.catch?.(() => {});
  }

  // Volume 0–1; a volume above 0 unmutes, as a slider moved up means to hear it.
  setVolume(volume) {
    this.video.volume = Math.min(1, Math.max(0, volume));
    if (volume > 0) this.video.muted = false;
  }

  toggleMute() {
    this.video.muted = !this.video.muted;
    return this.video.muted;
  }

  sessionEndMs() {
    const media = Number.isFinite(this.video.duration) ? this.video.duration * 1000 : 0;
    return Math.max(this.durationMs || 0, Math.round(media) + this.offsetMs);
  }
}
