// The transcript pane's text helpers (transcript.js): the time a new entry starts with, and where
// Alt + N puts it in the text.

import { stamp, withEntry } from "../../src/samspill/web/static/transcript.js";
import { assert, test } from "./harness.js";

test("a new entry's time is whole seconds, with hours only past the hour", () => {
  assert.deepEqual([0, 12_999, 75_000, 3_723_500].map(stamp), ["00:00", "00:12", "01:15", "1:02:03"]);
});

test("Alt + N starts a line of its own wherever the cursor is", () => {
  assert.deepEqual(withEntry("", 0, 12_400), ["00:12 ", 6]);
  assert.deepEqual(withEntry("00:05 a", 7, 12_400), ["00:05 a\n00:12 ", 14]);
  assert.deepEqual(withEntry("00:05 a\n00:20 b", 8, 12_400), ["00:05 a\n00:12 \n00:20 b", 14]);
  assert.deepEqual(withEntry("00:05 ab", 7, 12_400), ["00:05 a\n00:12 \nb", 14]);
});
