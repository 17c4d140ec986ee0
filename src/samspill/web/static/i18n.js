// The page's strings in its language: the server sends them translated through Babel.
let strings = {};

export function setStrings(catalog) {
  strings = catalog || {};
}

// The scheme's display labels for stored values (subjects, codes, modifier options), in the
// page's language; a value without a label shows as itself. The stored value never changes.
let labels = { subjects: {}, codes: {}, modifiers: {} };

export function setLabels(given) {
  labels = { subjects: {}, codes: {}, modifiers: {}, ...(given || {}) };
}

// A code's name as the pad, the list and the timeline show it (the scheme's, translated).
export function codeLabel(code) {
  return labels.codes[code] ?? code;
}

export function subjectLabel(subject) {
  return labels.subjects[subject] ?? t(subject);
}

export function optionLabel(setId, option) {
  return labels.modifiers[setId]?.[option] ?? option;
}

// t("{n} pending", {n: 3}) → "3 pending" (or the Norwegian, when the page is Norwegian).
export function t(msgid, params = {}) {
  const text = strings[msgid] ?? msgid;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
}
