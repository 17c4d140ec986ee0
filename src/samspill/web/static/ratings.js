// Ratings: the scheme's items with their anchors; the disrupted classification derived from the
// level and the cut-off (the study's, else the scheme's). A change is one step of the undo
// history like an event: the page commits {type: "rating"} actions, and undoing one sets the
// item back to what it was (or unset).
//
// A form rated per segment (`per: segment`) has a choice of segment above its items: the
// radios show and set the chosen segment's ratings, and its actions carry `segment_id`.

import { t } from "./i18n.js";

export class Ratings {
  // `segmentName(segment)`: the name the screen shows for a segment (the page's language).
  constructor(form, output, { scheme, ratings, segmentRatings = {}, segments = [], cutoff, onChange,
    segmentName = (s) => s.name }) {
    this.form = form;
    this.shownName = segmentName;
    this.output = output;
    this.scheme = scheme;
    this.values = { ...ratings };
    this.bySegment = Object.fromEntries(Object.entries(segmentRatings).map(([s, r]) => [s, { ...r }]));
    this.cutoff = cutoff;
    this.onChange = onChange;
    // Per-segment forms: their fieldset, their choice of segment and the template ids they take.
    this.perSegment = (scheme.rating_forms || []).filter((f) => f.per === "segment").map((f) => ({
      form: f,
      box: form.querySelector(`.rating-form[data-form="${f.id}"]`),
      choice: form.querySelector(`select[data-segment-choice="${f.id}"]`),
    })).filter((p) => p.box && p.choice);
    for (const p of this.perSegment) p.choice.addEventListener("change", () => this.showSegment(p));
    this.setSegments(segments);
    for (const [item, value] of Object.entries(this.values)) if (!this.formOf(item)) this.check(item, value);
    // The values change when the action is applied (apply), so the history's inverse still
    // reads the value before the change.
    form.addEventListener("change", (e) => {
      if (e.target.tagName === "SELECT") return;
      const p = this.formOf(e.target.name);
      if (p && !p.choice.value) return;
      this.onChange(e.target.name, e.target.value, p ? p.choice.value : null);
    });
    this.classify();
  }

  // The per-segment form that holds `item`, or undefined (rated once per coding).
  formOf(item) {
    return this.perSegment.find((p) => p.form.items.includes(item));
  }

  segmentName(id) {
    const segment = this.segments.find((s) => s.id === id);
    return segment ? this.shownName(segment) : id;
  }

  // The session's segments changed: each per-segment form offers those it is rated in.
  setSegments(all) {
    this.segments = [...all].sort((a, b) => a.start_ms - b.start_ms);
    for (const p of this.perSegment) {
      const mine = this.segments.filter((s) => p.form.segments.includes(s.spec_id));
      const kept = p.choice.value;
      p.choice.replaceChildren(...mine.map((s) => new Option(this.shownName(s), s.id)));
      if (mine.some((s) => s.id === kept)) p.choice.value = kept;
      p.choice.disabled = !mine.length || this.readOnly;
      p.box.querySelector(".segment-none").hidden = mine.length > 0;
      for (const input of p.box.querySelectorAll("input")) input.disabled = !mine.length || this.readOnly;
      this.showSegment(p);
    }
  }

  // A per-segment form's radios show the chosen segment's ratings.
  showSegment(p) {
    const values = this.bySegment[p.choice.value] || {};
    for (const input of p.box.querySelectorAll("input")) input.checked = values[input.name] === input.value;
  }

  check(item, value) {
    const input = [...this.form.querySelectorAll("input")].find(
      (i) => i.name === item && i.value === String(value));
    if (input) input.checked = true;
  }

  set(item, value, segment = null) {
    if (segment) {
      (this.bySegment[segment] ||= {})[item] = String(value);
      const p = this.formOf(item);
      if (p && p.choice.value === segment) this.showSegment(p);
      return;
    }
    this.values[item] = value;
    this.check(item, value);
    this.classify();
  }

  // Applies a rating action's values; null unsets an item.
  apply(ratings, segment = null) {
    for (const [item, value] of Object.entries(ratings)) {
      if (value !== null) this.set(item, value, segment);
      else if (segment) {
        delete this.bySegment[segment]?.[item];
        const p = this.formOf(item);
        if (p && p.choice.value === segment) this.showSegment(p);
      } else {
        delete this.values[item];
        for (const input of this.form.querySelectorAll("input")) if (input.name === item) input.checked = false;
      }
    }
    this.classify();
  }

  // The action that undoes `op`: every item it sets goes back to its value now.
  inverse(op) {
    const now = op.segment_id ? this.bySegment[op.segment_id] || {} : this.values;
    const before = Object.keys(op.ratings).map((item) => [item, now[item] ?? null]);
    const undo = { type: "rating", ratings: Object.fromEntries(before) };
    return [op.segment_id ? { ...undo, segment_id: op.segment_id } : undo];
  }

  label(item) {
    return this.scheme.rating_items.find((r) => r.id === item)?.label ?? item;
  }

  setReadOnly(readOnly) {
    this.readOnly = readOnly;
    for (const input of this.form.querySelectorAll("input")) input.disabled = readOnly;
    this.setSegments(this.segments);
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
