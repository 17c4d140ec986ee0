// The signs of withdrawal of this coding, refreshed after saves: per scope (the whole session,
// the reunions together, each segment) a summary, the five signs with their state, reason,
// values, stability and evidence, and the hostility qualifier apart. The words come translated
// from the server (GET /api/codings/{id}/scores/display, the same as the session page);
// every time is a button that seeks the video.

import { t } from "./i18n.js";

const DISCLAIMER =
  "The thresholds are this study's settings, not clinical norms. The indicators support a trained coder's judgement; they are no diagnosis.";

// The share of the server's time the panel's requests may take at most (one in three).
const SERVER_SHARE = 3;
// A whole answer slower than this makes the panel ask for the signs' stability only when the
// coder pauses, PAUSE_MS after the last save.
const SLOW_MS = 400;
const PAUSE_MS = 3000;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && key !== "ariaLabel") node[key] = value;
    else node.setAttribute(key === "ariaLabel" ? "aria-label" : key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== ""));
  return node;
}

function timeButton(entry, className) {
  return el("button", {
    type: "button", className, ariaLabel: entry.label, title: entry.label,
    dataset: { seekMs: String(entry.time_ms) },
  }, entry.time);
}

// The children become `nodes`, touching the parent only when they differ (a removed and
// inserted node is styled and laid out again even when it is the same one).
function setChildren(parent, nodes) {
  const now = parent.childNodes;
  if (now.length === nodes.length && nodes.every((node, i) => now[i] === node)) return;
  parent.replaceChildren(...nodes);
}

// Written only when it changes: the same text or flag written again restyles the panel.
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

function setClass(node, className) {
  if (node.className !== className) node.className = className;
}

function more(n) {
  return n > 0 ? ` … (+${n})` : "";
}

export class ScoresPanel {
  constructor(host, { codingId, onSeek }) {
    this.host = host;
    this.url = `/api/codings/${codingId}/scores/display`;
    this.onSeek = onSeek;
    this.timer = null;
    this.calmUntil = 0;
    this.slow = false;
    this.display = null;
    this.scope = "session";
    // Only the summary line is announced; the whole panel changing would be read out in full.
    host.setAttribute("aria-live", "off");
    this.select = el("select", { id: "scores-scope" });
    this.select.addEventListener("change", () => {
      this.scope = this.select.value;
      this.renderScope();
    });
    this.controls = el("p", { className: "scores-scope", hidden: true },
      el("label", { htmlFor: "scores-scope" }, t("Scope")), " ", this.select);
    this.status = el("p", { className: "scores-summary", "aria-live": "polite", "aria-atomic": "true" });
    // What the whole-session scope leaves out of the recording (outside the marked segments).
    this.outside = el("p", { className: "scores-outside small", role: "note", hidden: true });
    this.body = el("div", { className: "scores-body" });
    // A state still running: the signs are counted up to the playhead (the server says so).
    this.provisional = el("p", { className: "scores-provisional", role: "note", hidden: true });
    // A long coding's stability waits for a pause in the coding (see refreshSoon).
    this.recomputing = el("p", { className: "scores-recomputing small muted", role: "note", hidden: true },
      t("Stability is being recomputed: it shows when you pause"));
    this.note = el("p", { className: "notice small", role: "note" }, t(DISCLAIMER));
    host.replaceChildren(this.controls, this.provisional, this.status, this.outside, this.recomputing, this.body, this.note);
    host.addEventListener("click", (e) => {
      const ms = e.target.closest?.("button[data-seek-ms]")?.dataset.seekMs;
      if (ms !== undefined) this.onSeek(Number(ms));
    });
  }

  // Many saves in a row give one request, and the requests take at most a third of the
  // server's time: after an answer that took `took` ms the next waits at least twice as long.
  // A coding of 5,000 events takes some 1.5 s to score; asked again after every save, the
  // server scored without pause, on a laptop whose other core the browser needs for the
  // coder's keys. A coding of a few hundred events answers in a tenth of that and is asked
  // again 0.8 s after a save, as before.
  //
  // A coding whose whole answer is slow (over SLOW_MS: nine tenths of it is the stability of the
  // signs) is asked after a save for its states only, and for the stability once the coder has
  // paused (no save for PAUSE_MS); meanwhile the panel says the stability is being recomputed,
  // never showing the old figures beside the new states.
  refreshSoon(delayMs = 800) {
    clearTimeout(this.timer);
    clearTimeout(this.pauseTimer);
    const wait = Math.max(delayMs, this.calmUntil - performance.now());
    this.timer = setTimeout(() => this.refresh({ full: !this.slow }), wait);
  }

  // The stability once the coder has paused, when the last answer came without it.
  fullAfterPause() {
    clearTimeout(this.pauseTimer);
    const wait = Math.max(PAUSE_MS, this.calmUntil - performance.now());
    this.pauseTimer = setTimeout(() => this.refresh({ full: true }), wait);
  }

  // One request at a time: scoring a long coding takes the server seconds, and requests sent
  // after each save piled up there (15 at once over 15 presses, each scoring 5,000 events on a
  // machine the coder's browser shares). A refresh asked meanwhile is made once the answer is in,
  // with the coding as it is then. An answer like the last one is not drawn again, and drawing
  // waits for a moment the page is idle, so that it never lands in a keypress's frame.
  async refresh({ full = true } = {}) {
    if (this.busy) {
      this.again = this.again === "full" || full ? "full" : "states";
      return;
    }
    this.busy = true;
    this.host.setAttribute("aria-busy", "true");
    const asked = performance.now();
    let answered = false;
    try {
      const url = new URL(this.url, window.location.href);
      if (!full) url.searchParams.set("stability", "false");
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const text = await response.text();
      const took = performance.now() - asked;
      if (full) this.slow = took > SLOW_MS;
      this.calmUntil = performance.now() + (SERVER_SHARE - 1) * took;
      answered = response.ok;
      if (text !== this.last || !response.ok) await this.whenIdle(() => this.show(response, text, full));
    } catch {
      // Offline: the last scores stay; the outbox's status already says why.
    } finally {
      this.host.removeAttribute("aria-busy");
      this.busy = false;
      const again = this.again;
      this.again = false;
      if (again) this.refreshSoon();
      else if (answered && !full) this.fullAfterPause();
    }
  }

  show(response, text, full = true) {
    const body = JSON.parse(text);
    if (!response.ok) {
      this.last = null;
      return this.problem(body.error, response.status);
    }
    this.last = text;
    setHidden(this.recomputing, full);
    this.render(body.display);
  }

  whenIdle(work) {
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 0));
    return new Promise((resolve, reject) => {
      idle(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      }, { timeout: 1000 });
    });
  }

  // A line instead of the signs (e.g. while a state is running).
  message(text, detail = "") {
    this.display = null;
    this.controls.hidden = true;
    this.provisional.hidden = true;
    this.outside.hidden = true;
    this.recomputing.hidden = true;
    this.status.className = "scores-summary muted";
    this.status.textContent = text;
    this.body.replaceChildren(...(detail ? [el("p", { className: "scores-problem-fix" }, detail)] : []));
  }

  // The coding cannot be scored: the reason and the fix, as the server said them.
  problem(error, status) {
    const message = error?.message || String(status);
    this.message(
      t("Scores cannot be computed yet: {message}", { message }),
      error?.fix ? t("How to fix it: {fix}", { fix: error.fix }) : "",
    );
    this.status.className = "scores-summary scores-problem";
  }

  render(display) {
    this.display = display;
    setText(this.provisional, display.provisional || "");
    setHidden(this.provisional, !display.provisional);
    const keys = display.scopes.map((s) => s.key);
    if (!keys.includes(this.scope)) this.scope = display.default;
    const options = display.scopes.map((s) => el("option", { value: s.key }, s.label));
    // Rebuilt only when the scopes change, so that a focused selector keeps its focus.
    const same = this.select.options.length === options.length
      && options.every((o, i) => this.select.options[i].value === o.value && this.select.options[i].text === o.text);
    if (!same) this.select.replaceChildren(...options);
    if (this.select.value !== this.scope) this.select.value = this.scope;
    setHidden(this.controls, display.scopes.length < 2);
    this.renderScope();
  }

  renderScope() {
    const view = this.display?.scopes.find((s) => s.key === this.scope);
    if (!view) return;
    setClass(this.status, "scores-summary");
    if (this.status.dataset.scope !== view.key) this.status.dataset.scope = view.key;
    // Announced (aria-live) only when it says something new, not after every save.
    if (this.status.textContent !== `${view.label}: ${view.summary}`) {
      this.status.replaceChildren(el("strong", {}, `${view.label}: `), view.summary);
    }
    setText(this.outside, view.outside || "");
    setHidden(this.outside, !view.outside);
    this.next = new Map();
    const list = this.list || (this.list = el("ul", { className: "sign-list" }));
    setChildren(list, view.signs.map((item) => this.kept(item, () => this.sign(item))));
    const qualifier = view.qualifier ? [this.kept(view.qualifier, () => this.qualifier(view.qualifier))] : [];
    setChildren(this.body, [list, ...qualifier]);
    this.built = this.next;
  }

  // A sign whose words did not change keeps its element: one more event in a long coding
  // changes a value or two, and rebuilding all five signs restyled the whole panel after
  // every save, in the page that is taking the coder's keys.
  kept(item, build) {
    const key = JSON.stringify(item);
    const node = this.built?.get(key) || build();
    this.next.set(key, node);
    return node;
  }

  // The state in words with its mark; for the qualifier the mark alone (its sentence says it).
  badge(item, { words = true } = {}) {
    return el("span", { className: `state state-${item.state}` },
      el("span", { className: "mark", "aria-hidden": "true" }, item.mark), words ? ` ${item.state_text}` : "");
  }

  details(item, { reason = true } = {}) {
    const parts = [];
    if (reason && item.reason) parts.push(el("p", { className: "reason" }, item.reason));
    if (item.values.length) {
      parts.push(el("ul", { className: "values" }, ...item.values.map((v) =>
        el("li", { dataset: { value: v.key } }, `${v.label}: `, el("b", {}, v.text)))));
    }
    if (item.counts.length) {
      parts.push(el("p", { className: "counts small muted" },
        item.counts.map((v) => `${v.label}: ${v.text}`).join(" · ")));
    }
    const stability = item.stability;
    if (stability) {
      parts.push(el("p", { className: `stability ${stability.stable ? "stable" : "fragile"}` },
        `${t("Stability")}: ${stability.text} `,
        ...stability.pivotal.flatMap((p) => [timeButton(p, "seek small pivotal"), " "]),
        more(stability.pivotal_more)));
    }
    if (item.evidence.length) {
      parts.push(el("p", { className: "evidence" }, `${t("Evidence")}: `,
        ...item.evidence.flatMap((e) => [timeButton(e, "seek small"), " "]),
        more(item.evidence_more)));
    }
    return parts;
  }

  sign(item) {
    return el("li", { className: `sign sign-${item.state}`, dataset: { indicator: item.id, state: item.state } },
      el("h3", { className: "sign-head" }, el("span", { className: "sign-title" }, item.title), " ", this.badge(item)),
      ...this.details(item));
  }

  qualifier(item) {
    return el("div", { className: "qualifier", dataset: { indicator: item.id, state: item.state } },
      el("h3", {}, t("Qualifier of the profile (not a sign): hostility or intrusiveness")),
      el("p", { className: "qualifier-sentence" }, this.badge(item, { words: false }), " ", el("strong", {}, item.sentence)),
      ...this.details(item, { reason: item.state !== "not_observable" }));
  }
}
