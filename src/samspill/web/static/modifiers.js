// The modifier pop-up: options numbered 1–9, answered from the keyboard.
// Single choice: a number picks and closes; ↑ / ↓ highlight an option and Enter confirms the
// highlighted one (nothing is highlighted at first, so Enter never records option 1 unasked).
// Multiple choice: numbers (or Space on the highlighted option) toggle, Enter confirms.
// Escape skips, and any other key skips and is handed back, so coding never waits on the
// pop-up; except for a set the scheme marks `required`, which cannot be skipped.

import { optionLabel, t } from "./i18n.js";

export class ModifierDialog {
  constructor(dialog, { onPassKey }) {
    this.dialog = dialog;
    this.title = dialog.querySelector("#modifier-title");
    this.list = dialog.querySelector("#modifier-options");
    this.hint = dialog.querySelector("#modifier-hint");
    this.list.tabIndex = -1; // holds the focus until an option is highlighted
    this.onPassKey = onPassKey;
    this.resolve = null;
    dialog.addEventListener("keydown", (e) => this.onKey(e));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      this.skip();
    });
  }

  get open() {
    return this.resolve !== null;
  }

  // Asks every set in turn; resolves to {setId: value} (possibly empty).
  async ask(code, sets) {
    const answers = {};
    for (const set of sets) {
      const value = await this.askOne(code, set);
      if (value === null || value === undefined) {
        if (this.passed) break;
        continue;
      }
      answers[set.id] = value;
    }
    return answers;
  }

  hintText() {
    const multiple = this.set.choice === "multiple";
    if (this.set.required) {
      return multiple ? t("Press numbers to choose, then Enter (required: cannot be skipped)")
        : t("Press a number, or ↑ ↓ and Enter (required: cannot be skipped)");
    }
    return multiple ? t("Press numbers to choose, then Enter; Escape to skip")
      : t("Press a number, or ↑ ↓ and Enter; Escape to skip");
  }

  askOne(code, set) {
    this.set = set;
    this.chosen = new Set();
    this.passed = false;
    this.title.textContent = t("Choose {label} for {code}", { label: set.label, code: code.name });
    this.hint.textContent = this.hintText();
    this.hint.classList.remove("error");
    this.list.replaceChildren(
      ...set.options.map((option, i) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${i + 1} ${optionLabel(set.id, option)}`;
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => this.choose(i));
        li.append(button);
        return li;
      }),
    );
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (!this.dialog.open) this.dialog.showModal();
      this.list.focus();
    });
  }

  buttons() {
    return [...this.list.querySelectorAll("button")];
  }

  highlighted() {
    return this.buttons().indexOf(document.activeElement);
  }

  move(step) {
    const buttons = this.buttons();
    const at = this.highlighted();
    const next = at < 0 ? (step > 0 ? 0 : buttons.length - 1) : (at + step + buttons.length) % buttons.length;
    buttons[next].focus();
  }

  choose(i) {
    const option = this.set.options[i];
    if (option === undefined) return;
    if (this.set.choice !== "multiple") return this.finish(option);
    if (this.chosen.has(option)) this.chosen.delete(option);
    else this.chosen.add(option);
    this.list.children[i].firstChild.setAttribute("aria-pressed", String(this.chosen.has(option)));
  }

  confirm() {
    if (this.set.choice === "multiple") {
      if (this.chosen.size) return this.finish([...this.chosen]);
      return this.set.required ? this.refuse() : this.finish(null);
    }
    const at = this.highlighted();
    if (at >= 0) return this.choose(at);
    this.hint.textContent = t("Press a number, or choose with ↑ ↓ first");
    this.hint.classList.add("error");
  }

  // A required set stays open: the client never sends an event without it.
  refuse() {
    this.hint.textContent = t("{label} is required: choose an option", { label: this.set.label });
    this.hint.classList.add("error");
  }

  skip() {
    if (this.set?.required) return this.refuse();
    this.finish(null);
  }

  onKey(e) {
    e.stopPropagation();
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const moves = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
    if (/^[1-9]$/.test(e.key)) this.choose(Number(e.key) - 1);
    else if (e.key in moves) this.move(moves[e.key]);
    else if (e.key === "Enter") this.confirm();
    // Space belongs to the pop-up: with nothing highlighted it does nothing, never skips the
    // questions nor plays the video behind (an easy slip in a multiple choice).
    else if (e.key === " ") { if (this.highlighted() >= 0) this.choose(this.highlighted()); }
    else if (e.key === "Escape") this.skip();
    else if (e.key === "Tab") return;
    else if (e.key.length === 1) {
      if (this.set.required) this.refuse();
      else {
        this.passed = true;
        this.finish(null);
        this.onPassKey(e);
      }
    } else return;
    e.preventDefault();
  }

  finish(value) {
    const resolve = this.resolve;
    this.resolve = null;
    this.dialog.close();
    // The focus leaves the closed pop-up at once: the browser moves it only a moment later, and
    // a key pressed in between reached the closed pop-up, not the page, and was lost.
    if (this.dialog.contains(document.activeElement)) document.activeElement.blur();
    resolve?.(value);
  }
}
