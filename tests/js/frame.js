// One test file in a realm of its own: ?file=x.test.js lists its tests; &test=name runs one.
// An error thrown or a promise rejected and left unhandled during the test fails it.
import { names, run } from "./harness.js";

const params = new URLSearchParams(location.search);
const uncaught = [];
addEventListener("error", (e) => uncaught.push(e.message));
addEventListener("unhandledrejection", (e) => {
  uncaught.push(`unhandled rejection: ${e.reason?.message ?? e.reason}`);
});

async function main() {
  const file = params.get("file") || "";
  if (!/^[\w-]+\.test\.js$/.test(file)) return { ok: false, message: `not a test file: ${file}` };
  try {
    await import(`./${file}`);
  } catch (error) {
    return { ok: false, message: `${file} did not load: ${error?.message ?? error}` };
  }
  if (!params.has("test")) return { ok: true, names: names() };
  const result = await run(params.get("test"));
  // Chromium reports a rejection left unhandled a task after it: two tasks later it is heard.
  for (let i = 0; i < 2; i += 1) {
    await new Promise((resolve) => {
      setTimeout(resolve, 0);
    });
  }
  if (result.ok && uncaught.length) return { ok: false, message: `uncaught: ${uncaught.join("; ")}` };
  return result;
}

main().then((result) => parent.postMessage(result, location.origin));
