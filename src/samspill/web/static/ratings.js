// Ratings: the scheme's items with their anchors; the disrupted classification derived from the
// level and the cut-off (the study's, else the scheme's).

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
    form.addEventListener("change", (e) => {
      const item = e.target.name;
      this.values[item] = e.target.value;
      this.onChange(item, e.target.value);
      this.classify();
    });
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
