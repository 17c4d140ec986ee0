// The JS unit tests' page. tests/browser/test_js_units.py lists each file's tests with
// jsTests.list() and runs them one by one with jsTests.run(); each test runs in a fresh frame
// (frame.html) and starts with no IndexedDB databases. Opened with ?files=a.test.js,b.test.js
// it runs those files here and shows the results.

const TIMEOUT_MS = 10000;

function inFrame(query) {
  return new Promise((resolve) => {
    const frame = document.createElement("iframe");
    const timer = setTimeout(() => finish({ ok: false, message: `no answer within ${TIMEOUT_MS} ms` }), TIMEOUT_MS);
    function onMessage(e) {
      if (e.source === frame.contentWindow) finish(e.data);
    }
    function finish(result) {
      clearTimeout(timer);
      removeEventListener("message", onMessage);
      frame.remove(); // its timers, IndexedDB connections and Web Locks go with it
      resolve(result);
    }
    addEventListener("message", onMessage);
    frame.src = `frame.html?${new URLSearchParams(query)}`;
    document.body.append(frame);
  });
}

async function forgetStorage() {
  for (const { name } of await indexedDB.databases()) {
    await new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(name);
      req.onsuccess = resolve;
      req.onerror = () => reject(req.error);
    });
  }
}

// {file: {ok, names} or {ok: false, message}}
async function list(files) {
  const found = {};
  for (const file of files) found[file] = await inFrame({ file });
  return found;
}

async function run(file, test) {
  await forgetStorage();
  return inFrame({ file, test });
}

window.jsTests = { list, run };

const files = new URLSearchParams(location.search).get("files");
if (files) {
  const out = document.getElementById("results");
  for (const [file, listed] of Object.entries(await list(files.split(",")))) {
    if (!listed.ok) out.textContent += `${file}: ${listed.message}\n`;
    for (const name of listed.names || []) {
      const result = await run(file, name);
      out.textContent += `${result.ok ? "ok  " : "FAIL"} ${file} › ${name}${result.ok ? "" : `\n     ${result.message}`}\n`;
    }
  }
}
