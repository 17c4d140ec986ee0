// The timeline: a segments band, one lane per subject and dimension (or category), the playhead.
// SVG in milliseconds: zoom and scroll change the viewBox only; adding an event adds one element.
// The playhead is its own layer above the SVG, so moving it never repaints thousands of marks.

const NS = "http://www.w3.org/2000/svg";
const LANE = 16;
const BAND = 14;

function svg(name, attrs = {}) {
  const el = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

function laneKey(subject, code) {
  return `${subject}|${code.dimension || code.category || code.id}`;
}

export class Timeline {
  constructor(host, { scheme, durationMs, onSeek }) {
    this.host = host;
    this.codes = new Map(scheme.codes.map((c) => [c.id, c]));
    this.durationMs = Math.max(1000, durationMs || 60000);
    this.onSeek = onSeek;
    this.lanes = this.buildLanes(scheme);
    this.elements = new Map();
    this.running = new Map();
    this.start = 0;
    this.span = this.durationMs;
    this.nowMs = 0;
    this.build();
  }

  buildLanes(scheme) {
    const lanes = new Map();
    for (const subject of scheme.subjects) {
      for (const code of scheme.codes.filter((c) => c.subjects.includes(subject))) {
        const key = laneKey(subject, code);
        if (!lanes.has(key)) {
          lanes.set(key, { index: lanes.size, label: `${subject} · ${code.dimension || code.category || code.name}` });
        }
      }
    }
    return lanes;
  }

  build() {
    const height = BAND + this.lanes.size * LANE + 4;
    const labels = document.createElement("ol");
    labels.className = "tl-labels";
    labels.setAttribute("aria-hidden", "true");
    labels.append(Object.assign(document.createElement("li"), { textContent: "▭" }));
    for (const lane of this.lanes.values()) {
      labels.append(Object.assign(document.createElement("li"), { textContent: lane.label }));
    }
    this.svg = svg("svg", { class: "tl-svg", height, preserveAspectRatio: "none", role: "presentation" });
    this.bands = svg("g", { class: "tl-bands" });
    this.grid = svg("g", { class: "tl-grid" });
    this.layer = svg("g", { class: "tl-events" });
    this.playhead = document.createElement("div");
    this.playhead.className = "tl-playhead";
    for (let i = 0; i < this.lanes.size; i += 1) {
      this.grid.append(svg("rect", { class: i % 2 ? "tl-lane odd" : "tl-lane", x: 0, y: BAND + i * LANE, width: this.durationMs, height: LANE }));
    }
    this.svg.append(this.grid, this.bands, this.layer);
    this.height = height;
    const track = document.createElement("div");
    track.className = "tl-track";
    track.append(this.svg, this.playhead);
    this.host.replaceChildren(labels, track);
    this.width = 1;
    new ResizeObserver(() => {
      this.width = this.svg.clientWidth || 1;
      this.movePlayhead();
    }).observe(this.svg);
    this.grown = 0;
    this.svg.addEventListener("click", (e) => this.onSeek(this.msAt(e.clientX)));
    this.host.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    this.view();
  }

  msAt(clientX) {
    const box = this.svg.getBoundingClientRect();
    return Math.round(this.start + ((clientX - box.left) / box.width) * this.span);
  }

  view() {
    this.svg.setAttribute("viewBox", `${this.start} 0 ${this.span} ${this.height}`);
    this.movePlayhead();
  }

  movePlayhead() {
    const x = ((this.nowMs - this.start) / this.span) * this.width;
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

  onWheel(e) {
    e.preventDefault();
    if (e.ctrlKey) this.zoom(e.deltaY < 0 ? 1.5 : 1 / 1.5, this.msAt(e.clientX));
    else this.pan(((e.deltaX || e.deltaY) / 500) * this.span);
  }

  // Called for every frame shown: moves the playhead, grows running states, keeps it in view.
  setNow(ms) {
    this.nowMs = ms;
    this.movePlayhead();
    if (ms < this.start || ms > this.start + this.span) this.pan(ms - this.start - this.span * 0.1);
    const now = performance.now();
    if (now - this.grown < 250) return; // running states grow four times a second
    this.grown = now;
    for (const [id, el] of this.running) {
      const onset = Number(el.getAttribute("x"));
      el.setAttribute("width", Math.max(0, ms - onset));
      if (!el.isConnected) this.running.delete(id);
    }
  }

  // The store's listener interface.
  // A whole coding at once: one string parsed once is much faster than thousands of nodes.
  reset(events) {
    this.elements.clear();
    this.running.clear();
    this.layer.innerHTML = events.map((event) => this.markup(event)).join("");
    for (const el of this.layer.children) {
      this.elements.set(el.dataset.id, el);
      if (el.dataset.running) this.running.set(el.dataset.id, el);
    }
  }

  markup(event) {
    const code = this.codes.get(event.code);
    const lane = code && this.lanes.get(laneKey(event.subject, code));
    const y = BAND + (lane ? lane.index : 0) * LANE;
    const id = String(event.id).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    if (code?.kind === "state") {
      const end = event.offset_ms ?? Math.max(event.onset_ms, this.nowMs);
      const running = event.offset_ms === null ? ' data-running="1"' : "";
      return `<rect class="tl-state" data-id="${id}"${running} x="${event.onset_ms}" y="${y + 2}" width="${end - event.onset_ms}" height="${LANE - 4}"/>`;
    }
    return `<line class="tl-point" data-id="${id}" x1="${event.onset_ms}" x2="${event.onset_ms}" y1="${y + 2}" y2="${y + LANE - 2}" vector-effect="non-scaling-stroke"/>`;
  }

  add(event) {
    this.layer.append(this.element(event));
  }

  update(event, _index, old) {
    this.remove(old);
    this.add(event);
  }

  remove(event) {
    this.elements.get(event.id)?.remove();
    this.elements.delete(event.id);
    this.running.delete(event.id);
  }

  element(event) {
    const code = this.codes.get(event.code);
    const lane = code && this.lanes.get(laneKey(event.subject, code));
    const y = BAND + (lane ? lane.index : 0) * LANE;
    let el;
    if (code?.kind === "state") {
      const end = event.offset_ms ?? Math.max(event.onset_ms, this.nowMs);
      el = svg("rect", { class: `tl-state c-${code.id}`, x: event.onset_ms, y: y + 2, width: end - event.onset_ms, height: LANE - 4 });
      if (event.offset_ms === null) this.running.set(event.id, el);
    } else {
      el = svg("line", { class: "tl-point", x1: event.onset_ms, x2: event.onset_ms, y1: y + 2, y2: y + LANE - 2, "vector-effect": "non-scaling-stroke" });
    }
    el.dataset.id = event.id;
    this.elements.set(event.id, el);
    return el;
  }

  setSegments(segments) {
    this.bands.replaceChildren(
      ...segments.map((s, i) => {
        const band = svg("rect", { class: `tl-band ${i % 2 ? "odd" : ""}`, x: s.start_ms, y: 0, width: s.end_ms - s.start_ms, height: this.height });
        const title = svg("title");
        title.textContent = s.name;
        band.append(title);
        return band;
      }),
    );
  }
}
