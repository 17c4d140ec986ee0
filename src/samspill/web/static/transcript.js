// The transcript pane (issue 12): a time-stamped running narrative of the session, beside the
// event list. Alt + T shows or hides it. The pane reads the transcript as entries whose [code]
// tags are links that seek the video to their event; Edit (or Enter on the pane) opens the text,
// where Alt + N starts a new entry at the video's time, Alt + P plays or pauses, Ctrl + S saves
// and Escape saves and goes back to reading. Saves carry the version they started from: one made
// elsewhere in between is refused (409) and the coder chooses, with their text still in the box.

import { t } from "./i18n.js";
import { formatMs } from "./time.js";

const SAVE_AFTER_MS = 1500;

// 55000 → "00:55", 3723000 → "1:02:03": whole seconds, as people write a transcript.
export function stamp(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hours ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

// The text with a new entry at `ms` on its own line at the cursor: [text, cursor after it].
export function withEntry(text, cursor, ms) {
  const before = text.slice(0, cursor);
  const after = text.slice(cursor);
  const lineStart = before.length === 0 || before.endsWith("\n");
  const head = `${lineStart ? "" : "\n"}${stamp(ms)} `;
  const tail = after.length === 0 || after.startsWith("\n") ? "" : "\n";
  return [before + head + tail + after, before.length + head.length];
}

export class TranscriptPane {
  constructor({ root, url, player, canWrite, toast, call }) {
    this.root = root;
    this.url = url;
    this.player = player;
    this.canWrite = canWrite;
    this.toast = toast;
    this.call = call;
    this.state = null;
    this.dirty = false;
    this.saving = null;
    // Typed text not yet saved is also kept in this browser, so a reload or a lost network
    // never loses it; it is sent again (from the version it started from) when the pane loads.
    this.draftKey = `samspill-transcript-${url}`;
    this.box = root.querySelector("#transcript-text");
    this.view = root.querySelector("#transcript-entries");
    this.status = root.querySelector("#transcript-status");
    this.editButton = root.querySelector("#transcript-edit");
    this.problem = root.querySelector("#transcript-problem");
    this.conflict = root.querySelector("#transcript-conflict");
    this.bind();
  }

  get shown() {
    return !this.root.hidden;
  }

  bind() {
    this.editButton.addEventListener("click", () => this.edit());
    this.root.querySelector("#transcript-close").addEventListener("click", () => this.toggle(false));
    this.root.querySelector("#transcript-import").addEventListener("change", (e) => this.importFile(e.target));
    this.box.addEventListener("input", () => this.changed());
    this.box.addEventListener("keydown", (e) => this.onKey(e));
    this.box.addEventListener("blur", () => this.saveNow());
    window.addEventListener("online", () => this.saveNow());
    this.view.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-ms]");
      if (button) this.seek(Number(button.dataset.ms));
    });
    this.view.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === "F2") && e.target === this.view) {
        e.preventDefault();
        this.edit();
      }
    });
  }

  seek(ms) {
    this.player.seekTo(ms);
    this.toast(t("Went to {time}", { time: formatMs(ms) }));
  }

  async toggle(show = !this.shown) {
    this.root.hidden = !show;
    document.getElementById("workspace").classList.toggle("with-transcript", show);
    document.getElementById("transcript-toggle")?.setAttribute("aria-pressed", String(show));
    window.dispatchEvent(new Event("resize")); // the timeline measures its new width
    if (!show) {
      await this.saveNow();
      this.read();
      document.activeElement?.blur();
      return;
    }
    // The pane takes the focus once its text is in, unless the coder moved it meanwhile (into
    // the editor, or anywhere else): a slow load never pulls the focus out of what they type.
    const before = document.activeElement;
    if (!this.state) await this.load();
    if (document.activeElement === before) this.view.focus();
  }

  async load() {
    const answer = await this.call("GET", this.url);
    if (answer.ok) {
      this.show(answer.body);
      this.restoreDraft();
    } else this.status.textContent = t("Not saved: {message}", { message: answer.body?.error?.message || answer.status });
  }

  readDraft() {
    try {
      return JSON.parse(window.localStorage.getItem(this.draftKey) || "null");
    } catch {
      return null;
    }
  }

  restoreDraft() {
    const draft = this.readDraft();
    if (!draft || draft.text === this.state.text || !this.canWrite()) return this.forgetDraft();
    this.box.value = draft.text;
    this.state.version = draft.version;
    this.dirty = true;
    this.toast(t("Your unsaved transcript text is back; saving it"));
    this.saveNow();
  }

  keepDraft() {
    try {
      window.localStorage.setItem(this.draftKey, JSON.stringify({ text: this.box.value, version: this.state?.version ?? 0 }));
    } catch {
      // A full or private storage: the text is still in the box and saved in a moment.
    }
  }

  forgetDraft() {
    try {
      window.localStorage.removeItem(this.draftKey);
    } catch {
      // nothing kept, nothing to forget
    }
  }

  // The server's state: the text (unless the coder is typing a newer one) and the entries.
  show(state) {
    this.state = state;
    if (!this.dirty) this.box.value = state.text;
    this.render();
  }

  render() {
    const state = this.state;
    const editing = !this.box.hidden;
    this.editButton.hidden = !this.canWrite() || editing;
    this.root.querySelector("#transcript-import-label").hidden = !this.canWrite();
    this.problem.hidden = !state.problem;
    this.problem.textContent = state.problem
      ? `${state.problem.where}: ${state.problem.message}. ${t("How to fix it: {fix}", { fix: state.problem.fix })}`
      : "";
    this.status.textContent = this.dirty ? t("Not saved yet") : state.version ? t("Version {n}, saved", { n: state.version }) : t("No transcript yet");
    this.view.replaceChildren(...state.entries.map((entry) => this.entryItem(entry)));
    if (!state.entries.length) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = this.canWrite() ? t("No entries yet: Edit, then Alt + N writes the video's time") : t("No transcript yet");
      this.view.append(empty);
    }
  }

  entryItem(entry) {
    const li = document.createElement("li");
    const time = document.createElement("button");
    time.type = "button";
    time.className = "seek tr-time";
    time.dataset.ms = entry.time_ms;
    time.textContent = entry.time;
    li.append(time, " ");
    let at = 0;
    for (const link of entry.links) {
      li.append(entry.text.slice(at, link.start));
      li.append(this.linkItem(entry.text.slice(link.start, link.end), link));
      at = link.end;
    }
    li.append(entry.text.slice(at));
    return li;
  }

  linkItem(tag, link) {
    if (link.event_id === null) {
      const span = document.createElement("span");
      span.className = "tr-unlinked";
      span.textContent = tag;
      span.title = t("No {code} event within 2 s", { code: link.code });
      return span;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "seek tr-code";
    button.dataset.ms = link.event_ms;
    button.dataset.event = link.event_id;
    button.textContent = tag;
    button.title = t("Go to the {code} event at {time}", { code: link.code, time: formatMs(link.event_ms) });
    return button;
  }

  edit() {
    if (!this.canWrite()) return;
    this.box.hidden = false;
    this.view.hidden = true;
    this.render();
    this.box.focus();
  }

  read() {
    this.box.hidden = true;
    this.view.hidden = false;
    if (this.state) this.render();
  }

  // A key handled here stops here: the page's keys (the suggestions' Alt + N, Alt + P) never
  // act on it too.
  onKey(e) {
    const key = e.code;
    if (e.altKey && key === "KeyN") {
      e.preventDefault();
      e.stopPropagation();
      const [text, cursor] = withEntry(this.box.value, this.box.selectionStart, this.player.nowMs());
      this.box.value = text;
      this.box.setSelectionRange(cursor, cursor);
      this.changed();
    } else if (e.altKey && key === "KeyP") {
      e.preventDefault();
      e.stopPropagation();
      this.player.togglePlay();
    } else if (e.altKey && key === "KeyT") {
      e.preventDefault();
      this.toggle(false);
    } else if ((e.ctrlKey || e.metaKey) && key === "KeyS") {
      e.preventDefault();
      this.saveNow();
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.saveNow().then(() => {
        this.read();
        this.view.focus();
      });
    }
  }

  changed() {
    this.dirty = true;
    this.keepDraft();
    this.status.textContent = t("Not saved yet");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.saveNow(), SAVE_AFTER_MS);
  }

  // One save at a time; a change typed while one is on its way is saved after it.
  async saveNow() {
    clearTimeout(this.timer);
    if (this.saving) await this.saving;
    if (!this.dirty || !this.canWrite() || !this.state) return;
    this.saving = this.put(this.box.value, this.state.version);
    await this.saving;
    this.saving = null;
  }

  async put(text, version) {
    this.status.textContent = t("Saving…");
    const answer = await this.call("PUT", this.url, { text, version });
    if (answer.ok) {
      this.dirty = this.box.value !== text;
      if (!this.dirty) this.forgetDraft();
      this.show(answer.body);
      return;
    }
    const error = answer.body?.error;
    if (answer.status === 409 && error?.reason === "stale") return this.askConflict(error);
    if (answer.status === 0) {
      this.status.textContent = t("Offline: not saved yet, kept in this browser");
      return;
    }
    this.status.textContent = t("Not saved: {message}", { message: error?.message || answer.status });
  }

  // Changed elsewhere: the coder's text stays in the box until they choose.
  askConflict(error) {
    this.conflict.hidden = false;
    const text = this.conflict.querySelector("p");
    text.textContent = t("The transcript was changed elsewhere (version {n}). Yours is still here.", { n: error.theirs });
    const keep = this.conflict.querySelector("[data-choice=mine]");
    const take = this.conflict.querySelector("[data-choice=theirs]");
    const done = () => { this.conflict.hidden = true; };
    keep.onclick = () => {
      done();
      this.state.version = error.theirs;
      this.dirty = true;
      this.saveNow();
    };
    take.onclick = () => {
      done();
      this.dirty = false;
      this.box.value = error.text;
      this.load();
    };
    keep.focus();
  }

  async importFile(input) {
    const file = input.files?.[0];
    input.value = "";
    if (!file || !this.canWrite()) return;
    if (this.state?.text.trim() && !window.confirm(t("Replace the transcript with {name}?", { name: file.name }))) return;
    await this.saveNow();
    const form = new FormData();
    form.append("file", file);
    form.append("version", String(this.state?.version ?? 0));
    const answer = await this.call("POST", `${this.url}/import`, form);
    if (!answer.ok) {
      const error = answer.body?.error;
      const where = error?.where ? `${error.where}: ` : "";
      return this.toast(t("Not imported: {message}", { message: `${where}${error?.message || answer.status}` }), true);
    }
    this.dirty = false;
    this.show(answer.body);
    this.box.value = answer.body.text;
    this.toast(t("Imported {n} entries", { n: answer.body.entries.length }));
  }
}
