// A small test harness for the coding screen's ES modules, run in Chromium without a bundler.
// A test file registers tests with test(name, fn); runner.js runs each one in a fresh iframe
// (its own document, module instances, timers and Web Locks) and reports to pytest
// (tests/browser/test_js_units.py), which collects the names by the pattern test("…", so
// a test's name is a plain string literal on the line that calls test().

const tests = new Map();
let cleanups = [];

export function test(name, fn) {
  if (tests.has(name)) throw new Error(`two tests are called "${name}"`);
  tests.set(name, fn);
}

export function names() {
  return [...tests.keys()];
}

// Runs after the test, passed or failed, last registered first.
export function cleanup(fn) {
  cleanups.push(fn);
}

export async function run(name) {
  const fn = tests.get(name);
  if (!fn) return { ok: false, message: `no test called "${name}"` };
  cleanups = [];
  let result = { ok: true };
  try {
    await fn();
  } catch (error) {
    result = { ok: false, message: String(error?.message ?? error), stack: String(error?.stack ?? "") };
  }
  for (const undo of cleanups.reverse()) {
    try {
      await undo();
    } catch (error) {
      if (result.ok) result = { ok: false, message: `cleanup: ${error?.message ?? error}` };
    }
  }
  return result;
}

export class AssertionError extends Error {
  name = "AssertionError";
}

function show(value) {
  const kind = Object.prototype.toString.call(value);
  if (kind === "[object Map]" || kind === "[object Set]") return `${kind.slice(8, -1)} ${show([...value])}`;
  if (value === undefined) return "undefined";
  if (typeof value === "function") return `function ${value.name}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// Structural equality of plain data; values from another tab (realm) compare by their kind.
function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const kind = Object.prototype.toString.call(a);
  if (kind !== Object.prototype.toString.call(b)) return false;
  if (kind === "[object Map]" || kind === "[object Set]") return same([...a], [...b]);
  if (kind === "[object Array]") return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

function fail(message, note) {
  throw new AssertionError(note ? `${note}: ${message}` : message);
}

export const assert = {
  ok(value, note) {
    if (!value) fail(`expected a true value, got ${show(value)}`, note);
  },
  equal(actual, expected, note) {
    if (!Object.is(actual, expected)) fail(`expected ${show(expected)}, got ${show(actual)}`, note);
  },
  deepEqual(actual, expected, note) {
    if (!same(actual, expected)) fail(`expected ${show(expected)},\n got ${show(actual)}`, note);
  },
  match(text, pattern, note) {
    if (!pattern.test(String(text))) fail(`expected ${show(text)} to match ${pattern}`, note);
  },
  async rejects(promise, pattern, note) {
    try {
      await promise;
    } catch (error) {
      if (pattern && !pattern.test(`${error?.name}: ${error?.message}`)) {
        fail(`rejected with ${error?.name}: ${error?.message}, not ${pattern}`, note);
      }
      return error;
    }
    return fail("expected a rejection, but it resolved", note);
  },
};

export function sleep(ms) {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

// Polls until predicate() is true; fails with `note` after `timeout` ms.
export async function waitFor(predicate, note = "condition", timeout = 2000) {
  const deadline = performance.now() + timeout;
  while (!(await predicate())) {
    if (performance.now() > deadline) fail(`not met within ${timeout} ms`, note);
    await sleep(5);
  }
}

// Another tab of the coding screen: a same-origin frame with a realm (and module instances) of
// its own, sharing this origin's IndexedDB and Web Locks. load() imports a module into it.
export async function openTab() {
  const frame = document.createElement("iframe");
  frame.src = new URL("./tab.html", import.meta.url).href;
  const loaded = new Promise((resolve) => {
    frame.addEventListener("load", resolve, { once: true });
  });
  document.body.append(frame);
  await loaded;
  const tab = {
    window: frame.contentWindow,
    load: (path) => frame.contentWindow.load(new URL(path, import.meta.url).href),
    close: () => frame.remove(),
  };
  cleanup(tab.close);
  return tab;
}
