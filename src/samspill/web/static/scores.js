// The six withdrawal signs of this coding, refreshed after saves; evidence times seek the video.

import { t } from "./i18n.js";
import { formatMs } from "./time.js";

const SHOWN_EVIDENCE = 12;

function number(value) {
  if (value === null || value === undefined) return "–";
  return typeof value === "number" && !Number.isInteger(value) ? value.toFixed(2) : String(value);
}

export class ScoresPanel {
  constructor(host, { codingId, onSeek }) {
    this.host = host;
    this.url = `/api/codings/${codingId}/scores`;
    this.onSeek = onSeek;
    this.timer = null;
    host.addEventListener("click", (e) => {
      const ms = e.target.closest?.("button[data-seek-ms]")?.dataset.seekMs;
      if (ms !== undefined) this.onSeek(Number(ms));
    });
  }

  // Many saves in a row give one request.
  refreshSoon(delayMs = 800) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), delayMs);
  }

  async refresh() {
    this.host.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(this.url, { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (!response.ok) this.message(t("Scores cannot be computed yet: {message}", { message: body.error?.message || response.status }));
      else this.render(body);
    } catch {
      // Offline: the last scores stay; the outbox's status already says why.
    } finally {
      this.host.removeAttribute("aria-busy");
    }
  }

  message(text) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = text;
    this.host.replaceChildren(p);
  }

  render(scores) {
    const rows = scores.indicators.filter((item) => item.scope === "session").map((item) => this.row(item));
    const table = document.createElement("table");
    table.className = "list scores-table";
    const head = table.createTHead().insertRow();
    for (const label of [t("Sign"), t("Flag"), t("Values"), t("Evidence")]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = label;
      head.append(th);
    }
    table.createTBody().append(...rows);
    const note = document.createElement("p");
    note.className = "muted small";
    note.textContent = t("The thresholds are this study's settings, not clinical norms. The indicators support a trained coder's judgement; they are no diagnosis.");
    this.host.replaceChildren(table, note);
  }

  row(item) {
    const tr = document.createElement("tr");
    tr.dataset.indicator = item.id;
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = t(item.title);
    const flag = document.createElement("td");
    flag.textContent = item.flag ? t("present") : t("not present");
    if (item.flag) flag.className = "flag-on";
    const values = document.createElement("td");
    values.textContent = Object.entries(item.values).map(([k, v]) => `${k} ${number(v)}`).join(" · ");
    const evidence = document.createElement("td");
    for (const e of item.evidence.slice(0, SHOWN_EVIDENCE)) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "seek small";
      button.dataset.seekMs = e.time_ms;
      button.textContent = formatMs(e.time_ms);
      button.setAttribute("aria-label", t("Evidence at {time}: seek", { time: formatMs(e.time_ms) }));
      evidence.append(button, " ");
    }
    if (item.evidence.length > SHOWN_EVIDENCE) evidence.append(`… (+${item.evidence.length - SHOWN_EVIDENCE})`);
    tr.append(th, flag, values, evidence);
    return tr;
  }
}
