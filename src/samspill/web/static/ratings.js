// Ratings: the scheme's items with their anchors; the disrupted classification derived from the
// level and the cut-off (the study's, else the scheme's). A change is one step of the undo
// history like an event: the page commits {type: "rating"} actions, and undoing one sets the
// item back to what it was (or unset).

import { t } from "./i18n.js";

export class Ratings {
  constructor(form, output, { scheme, ratings, cutoff, onChange }) {
    this.form = form;
    this.output = output;
    this.scheme = scheme;
    this.values = { ...ratings };
    this.cutoff = cutoff;
    this.onChange = onChange;
    for (const [item, value] of Object.entries(this.values)) this.check(item, value);
    // The values change when the action is applied (apply), so the history's inverse still
    // reads the value before the change.
    form.addEventListener("change", (e) => this.onChange(e.target.name, e.target.value));
    this.classify();
  }

  check(item, value) {
    const input = [...this.form.querySelectorAll("input")].find(
      (i) => i.name === item && i.value === String(value));
    if (input) input.checked = true;
  }

  set(item, value) {
    this.values[item] = value;
    this.check(item, value);
    this.classify();
  }

  // Applies a rating action's values; null unsets an item.
  apply(ratings) {
    for (const [item, value] of Object.entries(ratings)) {
      if (value === null) {
        delete this.values[item];
        for (const input of this.form.querySelectorAll("input")) if (input.name === item) input.checked = false;
      } else this.set(item, value);
    }
    this.classify();
  }

  // The action that undoes `op`: every item it sets goes back to its value now.
  inverse(op) {
    const before = Object.keys(op.ratings).map((item) => [item, this.values[item] ?? null]);
    return [{ type: "rating", ratings: Object.fromEntries(before) }];
  }

  label(item) {
    return this.scheme.rating_items.find((r) => r.id === item)?.label ?? item;
  }

  setReadOnly(readOnly) {
    for (const input of this.form.querySelectorAll("input")) input.disabled = readOnly;
  }

  classify() {
    const level = this.scheme.level_item ? Number(this.values[this.scheme.level_item]) : NaN;
    if (!Number.isFinite(level) || this.cutoff === null) {
      this.output.textContent = t("Rate the level to see the classification");
      this.output.dataset.classification = "";
      return;
    }
    const classification = level >= this.cutoff ? "disrupted" : "not disrupted";
    this.output.dataset.classification = classification;
    // In the page's language: a decimal comma in bokmål (4,5), and 5 rather than 5.0.
    const cutoff = new Intl.NumberFormat(document.documentElement.lang || undefined).format(this.cutoff);
    this.output.textContent = t("Classification: {classification} (cut-off {cutoff})", {
      classification: t(classification), cutoff });
  }
}
