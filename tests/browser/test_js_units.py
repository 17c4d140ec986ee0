"""The coding screen's JavaScript unit tests (tests/js/*.test.js), each one a pytest test.

The page tests/js/runner.html runs in Debian's Chromium, served with the app's static files
by a small file server on the loopback (tests/js and src/samspill/web/static only, cacheable,
so a test's frame loads its modules from the browser's cache): no app server, no bundler.
Each JS test runs in a fresh frame and starts with no IndexedDB databases.

The tests are collected from the files by the pattern `test("name", …)`, so that collection
needs no browser; `test_the_page_reports_the_collected_tests` fails when the page's list
differs (a name the pattern missed, a file that does not load).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser
JS_DIR = ROOT / "tests" / "js"
SERVED = (JS_DIR, ROOT / "src" / "samspill" / "web" / "static")
TYPES = {".js": "text/javascript", ".html": "text/html", ".css": "text/css"}
TEST_CALL = re.compile(r'^\s*test\(\s*("(?:[^"\\]|\\.)*")', re.MULTILINE)
# Served from memory, for the test that shows that failing JS tests fail.
FAILING = ("failing-on-purpose.test.js", 'import { assert, test } from "./harness.js";\n'
           'test("fails", () => assert.equal(1 + 1, 3, "arithmetic"));\n'
           'test("drops a rejection", () => { Promise.reject(new Error("dropped")); });\n')


# JS tests that show a bug not yet fixed: strict, so a fix makes them fail until removed here.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def collected() -> list[tuple[str, str]]:
    return [(path.name, json.loads(match.group(1)))
            for path in sorted(JS_DIR.glob("*.test.js"))
            for match in TEST_CALL.finditer(path.read_text())]


JS_TESTS = collected()
PARAMS = [pytest.param(file, name, id=f"{file.removesuffix('.test.js')}/{name}",
                       marks=[pytest.mark.xfail(reason=KNOWN_BUGS[file, name], strict=True)]
                       if (file, name) in KNOWN_BUGS else [])
          for file, name in JS_TESTS]


class StaticFiles(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url_path = unquote(urlsplit(self.path).path)
        path = (ROOT / url_path.lstrip("/")).resolve()
        if url_path == f"/tests/js/{FAILING[0]}":
            body = FAILING[1].encode()
        elif any(path.is_relative_to(d) for d in SERVED) and path.is_file():
            body = path.read_bytes()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(path.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def js_page(browser) -> Iterator:
    files = ThreadingHTTPServer(("127.0.0.1", 0), StaticFiles)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    context = browser.new_context()  # a fresh cache and fresh storage
    page = context.new_page()
    # 127.0.0.1 is a secure context: Web Locks and crypto.randomUUID are there, as in the app.
    page.goto(f"http://127.0.0.1:{files.server_address[1]}/tests/js/runner.html")
    page.wait_for_function("() => window.jsTests !== undefined")
    yield page
    context.close()
    files.shutdown()
    files.server_close()


def test_the_page_reports_the_collected_tests(js_page) -> None:
    files = sorted(path.name for path in JS_DIR.glob("*.test.js"))
    listed = js_page.evaluate("(files) => jsTests.list(files)", files)
    problems = {file: answer["message"] for file, answer in listed.items() if not answer["ok"]}
    assert problems == {}
    reported = [(file, name) for file in files for name in listed[file]["names"]]
    assert reported == JS_TESTS, "name each test with a string literal: test(\"…\", …)"
    assert set(KNOWN_BUGS) <= set(JS_TESTS), "a known bug's test was renamed or removed"


@pytest.mark.parametrize(("file", "name"), PARAMS)
def test_js(js_page, file: str, name: str) -> None:
    result = js_page.evaluate("([file, name]) => jsTests.run(file, name)", [file, name])
    if not result["ok"]:
        pytest.fail(f"{file} › {name}\n{result['message']}\n{result.get('stack', '')}",
                    pytrace=False)


def test_a_failing_js_test_fails_with_its_message(js_page) -> None:
    """The plumbing bites: a failed assertion and a rejection left unhandled are failures."""
    run = "([file, name]) => jsTests.run(file, name)"
    failed = js_page.evaluate(run, [FAILING[0], "fails"])
    assert (failed["ok"], failed["message"]) == (False, "arithmetic: expected 3, got 2")
    assert js_page.evaluate(run, [FAILING[0], "drops a rejection"]) == {
        "ok": False, "message": "uncaught: unhandled rejection: dropped"}
