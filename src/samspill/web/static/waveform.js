// The audio waveform lane under the timeline: the media's peaks (min and max per 10 ms, from
// GET /api/media/{id}/waveform, computed once on the server) drawn on the timeline's view, so
// that silence after a child's signal shows. A file without audio says "no audio". The lane
// redraws after the timeline (its afterDraw hook): zoom and scroll move both together.

import { t } from "./i18n.js";

const HEIGHT = 40;
const COLOUR = "#2f5d9a";

export class WaveformLane {
  constructor(timeline, media) {
    this.timeline = timeline;
    this.offsetMs = media.offset_ms || 0;
    this.data = null;
    this.element = document.createElement("div");
    this.element.className = "tl-wave";
    this.element.dataset.state = "loading";
    this.element.style.cssText = "display:flex;align-items:center;gap:.5rem;margin-top:2px";
    this.label = Object.assign(document.createElement("span"), { textContent: t("Audio") });
    this.label.style.cssText = "flex:0 0 auto;font-size:.8rem";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "tl-wave-canvas";
    this.canvas.setAttribute("aria-hidden", "true");
    this.canvas.style.cssText = `flex:1 1 auto;width:100%;height:${HEIGHT}px;background:#f4f6f9`;
    this.note = Object.assign(document.createElement("span"), { className: "tl-wave-note", textContent: t("Loading the audio…") });
    this.note.style.cssText = "flex:0 0 auto;font-size:.8rem";
    this.element.append(this.label, this.canvas, this.note);
    timeline.host.after(this.element);
    const before = timeline.afterDraw;
    timeline.afterDraw = (tl) => { before?.(tl); this.draw(); };
    this.load(media.waveform_url);
  }

  async load(url) {
    try {
      const answer = await fetch(url, { credentials: "same-origin" });
      if (!answer.ok) throw new Error(String(answer.status));
      this.data = await answer.json();
    } catch {
      this.show("error", t("The audio could not be read"));
      return;
    }
    if (!this.data.audio) this.show("none", t("no audio"));
    else this.show("drawn", "");
    this.draw();
  }

  show(state, note) {
    this.element.dataset.state = state;
    this.note.textContent = note;
  }

  draw() {
    const { canvas, timeline: tl, data } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, canvas.clientWidth);
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    if (!data?.audio) return;
    const mid = HEIGHT / 2;
    const scale = (HEIGHT / 2 - 1) / 127;
    const { peaks } = data;
    const steps = peaks.length / 2;
    const perPixel = tl.span / width / data.step_ms;
    ctx.fillStyle = COLOUR;
    for (let x = 0; x < width; x += 1) {
      // the steps under this pixel, in media time (session time less the media's offset)
      const first = Math.floor((tl.start + (x / width) * tl.span - this.offsetMs) / data.step_ms);
      const last = Math.min(steps, first + Math.max(1, Math.ceil(perPixel)));
      if (last <= 0 || first >= steps) continue;
      let low = 0;
      let high = 0;
      for (let i = Math.max(0, first); i < last; i += 1) {
        low = Math.min(low, peaks[2 * i]);
        high = Math.max(high, peaks[2 * i + 1]);
      }
      ctx.fillRect(x, mid - high * scale, 1, Math.max(1, (high - low) * scale));
    }
  }
}
