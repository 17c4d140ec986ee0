// The modifier pop-up: options numbered 1–9, answered from the keyboard.
// Single choice: a number picks and closes. Multiple choice: numbers toggle, Enter confirms.
// Escape skips; any other key skips and is handed back, so coding never waits on the pop-up.

import { t } from "./i18n.js";

export class ModifierDialog {
  constructor(dialog, { onPassKey }) {
    this.dialog = dialog;
    this.title = dialog.querySelector("#modifier-title");
    this.list = dialog.querySelector("#modifier-options");
    this.hint = dialog.querySelector("#modifier-hint");
    this.onPassKey = onPassKey;
    this.resolve = null;
    dialog.addEventListener("keydown", (e) => this.onKey(e));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      this.finish(null);
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

  askOne(code, set) {
    this.set = set;
    this.chosen = new Set();
    this.passed = false;
    this.title.textContent = t("Choose {label} for {code}", { label: set.label, code: code.name });
    this.hint.textContent = t("Press a number; Enter to confirm, Escape to skip");
    this.list.replaceChildren(
      ...set.options.map((option, i) => {
        const li = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${i + 1} ${option}`;
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => this.choose(i));
        li.append(button);
        return li;
      }),
    );
    return new Promise((resolve) => {
      this.resolve = resolve;
      if (!this.dialog.open) this.dialog.showModal();
      this.list.querySelector("button")?.focus();
    });
  }

  choose(i) {
    const option = this.set.options[i];
    if (option === undefined) return;
    if (this.set.choice !== "multiple") return this.finish(option);
    if (this.chosen.has(option)) this.chosen.delete(option);
    else this.chosen.add(option);
    this.list.children[i].firstChild.setAttribute("aria-pressed", String(this.chosen.has(option)));
  }

  onKey(e) {
    e.stopPropagation();
    if (/^[1-9]$/.test(e.key)) {
      e.preventDefault();
      this.choose(Number(e.key) - 1);
    } else if (e.key === "Enter") {
      if (this.set.choice === "multiple") {
        e.preventDefault();
        this.finish(this.chosen.size ? [...this.chosen] : null);
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      this.finish(null);
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.passed = true;
      this.finish(null);
      this.onPassKey(e);
    }
  }

  finish(value) {
    const resolve = this.resolve;
    this.resolve = null;
    this.dialog.close();
    resolve?.(value);
  }
}
