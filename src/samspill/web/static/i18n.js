// The page's strings in its language: the server sends them translated through Babel.
let strings = {};

export function setStrings(catalog) {
  strings = catalog || {};
}

// t("{n} pending", {n: 3}) → "3 pending" (or the Norwegian, when the page is Norwegian).
export function t(msgid, params = {}) {
  const text = strings[msgid] ?? msgid;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
}
