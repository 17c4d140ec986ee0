// The timeline: a segments band, one lane per subject and dimension (or category), the playhead.
// Drawn on a canvas that keeps what it has drawn: adding an event draws one mark, never the
// others; an edit that leaves the mark where it was (a modifier chosen, a comment) draws nothing,
// and one that moves it, or a delete, redraws only the stretch of its lane it covered and covers
// now. Zooming and scrolling redraw everything once, in the next frame. The playhead
// is its own layer above the canvas, so moving it never repaints the marks. Under the canvas, a
// time axis with labels; the codes sharing a lane (Near, Far, Absent) have distinct colours, named
// in a legend. The wheel scrolls the page; Ctrl or Shift + wheel zooms.

import { subjectLabel, t } from "./i18n.js";

const LANE = 16;
const BAND = 14;
const COLOURS = { lane: "#ffffff", odd: "#f4f6f9", band: "rgba(47,93,154,0.10)",
  bandOdd: "rgba(154,106,47,0.10)" };
// States (bars) each take their own colour, Okabe–Ito, told apart also by colour-blind coders;
// points (thin marks) take dark shades, the n-th point code of a lane the n-th.
const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#6b5e00"];
const POINTS = ["#1d2430", "#2f5d9a", "#8e3b8f", "#8a4b00", "#3b7a57"];
const TICKS_MS = [100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000,
  600000, 900000, 1800000, 3600000];
const TICK_PX = 90; // labels at least this far apart

function laneKey(subject, code) {
  return `${subject}|${code.dimension || code.category || code.id}`;
}

// A lane's name in words: the dimension's name, the exclusive group's label (Proximity), or
// the names of its codes; never an internal id.
function laneName(scheme, codes) {
  const first = codes[0];
  const dimension = first.dimension && scheme.dimensions.find((d) => d.id === first.dimension);
  if (dimension) return dimension.name;
  const group = scheme.exclusive_groups.find((g) => codes.every((c) => g.codes.includes(c.id)));
  if (group?.label) return group.label;
  return codes.map((c) => c.name).join(", ");
}

// "1:30", or "0:01.5" below a second's steps.
export function axisLabel(ms, step) {
  const minutes = Math.floor(ms / 60000);
  const seconds = Math.floor((ms % 60000) / 1000);
  const tenths = step < 1000 ? `.${Math.floor((ms % 1000) / 100)}` : "";
  return `${minutes}:${String(seconds).padStart(2, "0")}${tenths}`;
}

// Where and how an event's mark is drawn; its modifiers and comment are not drawn.
function sameMark(a, b) {
  return a.code === b.code && a.subject === b.subject && a.onset_ms === b.onset_ms
    && a.offset_ms === b.offset_ms;
}

export class Timeline {
  constructor(host, { scheme, durationMs, onSeek, legend }) {
    this.host = host;
    this.legend = legend;
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.durationMs = Math.max(1000, durationMs || 60000);
    this.onSeek = onSeek;
    this.lanes = this.buildLanes(scheme);
    this.events = [];
    this.segments = [];
    this.running = new Map();
    this.start = 0;
    this.span = this.durationMs;
    this.nowMs = 0;
    this.grown = 0;
    this.pending = false;
    this.build();
  }

  buildLanes(scheme) {
    const lanes = new Map();
    this.colours = new Map();
    for (const subject of scheme.subjects) {
      for (const code of scheme.codes.filter((c) => c.subjects.includes(subject))) {
        const key = laneKey(subject, code);
        if (!lanes.has(key)) lanes.set(key, { index: lanes.size, subject, codes: [] });
        const lane = lanes.get(key);
        if (!lane.codes.includes(code)) lane.codes.push(code);
      }
    }
    scheme.codes.filter((c) => c.kind === "state")
      .forEach((code, i) => this.colours.set(code.id, PALETTE[i % PALETTE.length]));
    for (const lane of lanes.values()) {
      lane.label = `${subjectLabel(lane.subject)} · ${laneName(scheme, lane.codes)}`;
      lane.codes.filter((c) => c.kind === "point").forEach((code, i) => {
        if (!this.colours.has(code.id)) this.colours.set(code.id, POINTS[i % POINTS.length]);
      });
    }
    return lanes;
  }

  colourOf(codeId) {
    return this.colours.get(codeId) ?? POINTS[0];
  }

  // The legend names the colour of every state (the bars); points are thin marks in their lane.
  buildLegend() {
    if (!this.legend) return;
    const items = [...this.codes.values()].filter((c) => c.kind === "state").map((code) => {
      const li = document.createElement("li");
      li.dataset.code = code.id;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = this.colourOf(code.id);
      li.append(swatch, code.name);
      return li;
    });
    this.legend.replaceChildren(...items);
  }

  build() {
    this.height = BAND + this.lanes.size * LANE + 4;
    const labels = document.createElement("ol");
    labels.className = "tl-labels";
    labels.setAttribute("aria-hidden", "true");
    labels.append(Object.assign(document.createElement("li"), { textContent: "▭" }));
    for (const lane of this.lanes.values()) {
      labels.append(Object.assign(document.createElement("li"), { textContent: lane.label, title: lane.label }));
    }
    labels.append(Object.assign(document.createElement("li"), { className: "tl-axis-label", textContent: t("Time") }));
    this.axis = document.createElement("div");
    this.axis.className = "tl-axis";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "tl-canvas";
    this.playhead = document.createElement("div");
    this.playhead.className = "tl-playhead";
    const track = document.createElement("div");
    track.className = "tl-track";
    track.append(this.canvas, this.axis, this.playhead);
    this.buildLegend();
    this.host.replaceChildren(labels, track);
    this.ctx = this.canvas.getContext("2d");
    this.width = 1;
    new ResizeObserver(() => this.resize(track.clientWidth)).observe(track);
    this.canvas.addEventListener("click", (e) => this.onSeek(this.msAt(e.clientX)));
    this.host.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
  }

  resize(width) {
    const ratio = window.devicePixelRatio || 1;
    this.width = Math.max(1, width);
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.canvas.style.height = `${this.height}px`;
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.redraw();
  }

  x(ms) {
    return ((ms - this.start) / this.span) * this.width;
  }

  msAt(clientX) {
    const box = this.canvas.getBoundingClientRect();
    return Math.round(this.start + ((clientX - box.left) / box.width) * this.span);
  }

  view() {
    this.movePlayhead();
    this.redrawSoon();
  }

  movePlayhead() {
    const x = this.x(this.nowMs);
    this.playhead.style.transform = `translateX(${Math.round(x)}px)`;
    this.playhead.hidden = x < 0 || x > this.width;
  }

  zoom(factor, centreMs = this.nowMs) {
    const span = Math.min(this.durationMs, Math.max(2000, this.span / factor));
    this.start = Math.min(Math.max(0, centreMs - span / 2), this.durationMs - span);
    this.span = span;
    this.view();
  }

  whole() {
    this.start = 0;
    this.span = this.durationMs;
    this.view();
  }

  pan(ms) {
    this.start = Math.min(Math.max(0, this.start + ms), this.durationMs - this.span);
    this.view();
  }

  // The wheel scrolls the page as everywhere else; Ctrl or Shift + wheel zooms at the pointer
  // (Shift turns the wheel sideways in Chromium, hence deltaX), a sideways swipe pans.
  onWheel(e) {
    if (e.ctrlKey || e.shiftKey) {
      e.preventDefault();
      const delta = e.deltaY || e.deltaX;
      this.zoom(delta < 0 ? 1.5 : 1 / 1.5, this.msAt(e.clientX));
    } else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      this.pan((e.deltaX / 500) * this.span);
    }
  }

  // Labelled ticks a readable distance apart, drawn as text so that they scale and can be read.
  drawAxis() {
    const step = TICKS_MS.find((s) => (s / this.span) * this.width >= TICK_PX) ?? TICKS_MS.at(-1);
    const ticks = [];
    for (let ms = Math.ceil(this.start / step) * step; ms <= this.start + this.span; ms += step) {
      const tick = document.createElement("span");
      tick.style.left = `${Math.round(this.x(ms))}px`;
      tick.textContent = axisLabel(ms, step);
      ticks.push(tick);
    }
    this.axis.replaceChildren(...ticks);
  }

  // Called for every frame shown: moves the playhead, keeps it in view, grows running states.
  setNow(ms) {
    // Back in time, a running state's bar drawn up to the old playhead must shrink: redraw.
    if (ms < this.nowMs && this.running.size) this.redrawSoon();
    this.nowMs = ms;
    this.movePlayhead();
    if (ms < this.start || ms > this.start + this.span) this.pan(ms - this.start - this.span * 0.1);
    const now = performance.now();
    if (!this.running.size || now - this.grown < 250) return; // four times a second
    this.grown = now;
    for (const event of this.running.values()) this.mark(event);
  }

  // The store's listener interface.
  reset(events) {
    this.events = events;
    this.running = new Map(events.filter((e) => this.isRunning(e)).map((e) => [e.id, e]));
    this.redrawSoon();
  }

  add(event) {
    if (this.isRunning(event)) this.running.set(event.id, event);
    this.mark(event);
  }

  update(event, _index, old) {
    this.running.delete(old.id);
    if (this.isRunning(event)) this.running.set(event.id, event);
    if (!sameMark(event, old)) this.redrawAround([old, event]);
  }

  remove(event) {
    this.running.delete(event.id);
    this.redrawAround([event]);
  }

  setSegments(segments) {
    this.segments = segments;
    this.redrawSoon();
  }

  isRunning(event) {
    return this.codes.get(event.code)?.kind === "state" && event.offset_ms === null;
  }

  laneOf(event) {
    const code = this.codes.get(event.code);
    const lane = code && this.lanes.get(laneKey(event.subject, code));
    return lane ? lane.index : 0;
  }

  // The x-range [from, to] of an event's mark (a running state's to the playhead).
  extent(event) {
    const x = this.x(event.onset_ms);
    if (this.codes.get(event.code)?.kind !== "state") return [Math.round(x) - 1, Math.round(x) + 1];
    const end = this.x(event.offset_ms ?? Math.max(event.onset_ms, this.nowMs));
    return [x, Math.max(x + 1, end)];
  }

  mark(event) {
    const y = BAND + this.laneOf(event) * LANE + 2;
    const [from, to] = this.extent(event);
    if (to < -1 || from > this.width + 1) return;
    this.ctx.fillStyle = this.colourOf(event.code);
    this.ctx.fillRect(from, y, to - from, LANE - 4);
  }

  // Redraws the stretches of lane that these events' marks cover, and nothing else: that
  // stretch's background, segments and marks, in the order redraw() draws them, so the pixels
  // are those of a whole redraw (an edit or a delete in a long coding: a few marks, not 5,000).
  // A running state drew its bar up to where the playhead was then: its stretch runs to the end.
  redrawAround(events) {
    if (this.pending) return; // a whole redraw is coming anyway
    for (const event of events) {
      const lane = this.laneOf(event);
      const [from, to] = this.extent(event);
      const running = this.isRunning(event);
      this.redrawStretch(lane, Math.floor(from) - 2, running ? this.width : Math.ceil(to) + 2);
    }
  }

  redrawStretch(lane, from, to) {
    const left = Math.max(0, from);
    const right = Math.min(this.width, to);
    if (right <= left) return;
    const { ctx } = this;
    const top = BAND + lane * LANE;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, right - left, LANE);
    ctx.clip();
    ctx.clearRect(left, top, right - left, LANE);
    ctx.fillStyle = lane % 2 ? COLOURS.odd : COLOURS.lane;
    ctx.fillRect(left, top, right - left, LANE);
    this.drawSegments();
    for (const event of this.events) {
      if (this.laneOf(event) !== lane) continue;
      const [a, b] = this.extent(event);
      if (b >= left && a <= right) this.mark(event);
    }
    ctx.restore();
  }

  drawSegments() {
    const { ctx } = this;
    this.segments.forEach((s, i) => {
      ctx.fillStyle = i % 2 ? COLOURS.bandOdd : COLOURS.band;
      ctx.fillRect(this.x(s.start_ms), 0, this.x(s.end_ms) - this.x(s.start_ms), this.height);
    });
  }

  redrawSoon() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.redraw();
    });
  }

  redraw() {
    const { ctx } = this;
    ctx.clearRect(0, 0, this.width, this.height);
    for (let i = 0; i < this.lanes.size; i += 1) {
      ctx.fillStyle = i % 2 ? COLOURS.odd : COLOURS.lane;
      ctx.fillRect(0, BAND + i * LANE, this.width, LANE);
    }
    this.drawSegments();
    for (const event of this.events) this.mark(event);
    this.drawAxis();
    this.afterDraw?.(this); // lanes drawn by other modules (waveform.js) follow the view
  }
}
