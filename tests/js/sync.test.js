// Several cameras (sync.js): a follower clip against the main clip's clock, with stand-in videos
// (the real ones are in tests/browser/test_cameras.py). Paused, the follower shows the frame that
// holds the main frame's session time; playing, its speed follows the drift in proportion, and a
// large drift, or one the nudging does not close, seeks it (ahead by its seeks' time); before its
// start and after its end it says so and waits; an offset moves only it.

import { Player } from "../../src/samspill/web/static/player.js";
import { CameraSync } from "../../src/samspill/web/static/sync.js";
import { assert, cleanup, test } from "./harness.js";

class StandIn extends EventTarget {
  constructor(duration) {
    super();
    this.currentTime = 0;
    this.duration = duration;
    this.paused = true;
    this.seeking = false;
    this.playbackRate = 1;
    this.muted = false;
  }

  play() {
    this.paused = false;
    this.dispatchEvent(new Event("play"));
    return Promise.resolve();
  }

  pause() {
    this.paused = true;
    this.dispatchEvent(new Event("pause"));
  }
}

// The main clip at 25 fps, 10 s; the second at 30 fps, 8 s, started 1.3 s later.
function cameras() {
  const box = document.createElement("div");
  box.innerHTML = '<div class="tile" data-media="2"><video></video><span class="tile-note"></span></div>';
  document.body.append(box);
  const main = new StandIn(10);
  const second = new StandIn(8);
  const player = new Player(main, { fps: 25, offsetMs: 0 });
  const clips = [{ id: 1, fps: 25, offset_ms: 0, duration_ms: 10000 },
    { id: 2, fps: 30, offset_ms: 1300, duration_ms: 8000, filename: "second.webm" }];
  const sync = new CameraSync({ player, clips, box, videoOf: () => second });
  cleanup(() => { sync.stop(); box.remove(); });
  return { sync, player, main, second, tile: box.querySelector(".tile") };
}

test("paused, the follower shows the frame that holds the main frame's time", () => {
  const { sync, player, second } = cameras();
  player.seekTo(3517);
  sync.follow("seeked");
  // Main frame 3.480 s (25 fps) → the second camera's media time 2.180 s.
  assert.ok(Math.abs(second.currentTime - 2.181) < 0.002, String(second.currentTime));
  const [error] = sync.pausedErrors();
  assert.ok(error >= 0 && error < 1000 / 30, `error ${error} ms`);
});

test("before its start and after its end a camera waits and says so, the clock goes on", () => {
  const { sync, player, second, tile } = cameras();
  player.seekTo(500);
  sync.follow("seeked");
  assert.equal(tile.dataset.state, "before");
  assert.equal(second.currentTime, 0);
  player.seekTo(9600); // the second camera's 8.3 s: past its 8 s
  sync.follow("seeked");
  assert.equal(tile.dataset.state, "ended");
  assert.ok(second.paused);
  assert.ok(player.nowMs() >= 9560, "the main clock is where it was sent");
});

test("playing, the follower's speed follows the drift in proportion and a large drift seeks it", () => {
  const { sync, main, second } = cameras();
  main.currentTime = 4;
  main.paused = false;
  second.currentTime = 2.7 - 0.03; // 30 ms behind: 15 % faster (5 per second of drift)
  sync.follow();
  assert.ok(Math.abs(second.playbackRate - 1.15) < 0.006, `rate ${second.playbackRate}`);
  assert.ok(!second.paused, "it plays along");
  second.currentTime = 2.7 - 0.08; // 80 ms behind: 40 % faster
  sync.follow();
  assert.ok(Math.abs(second.playbackRate - 1.4) < 0.006, `rate ${second.playbackRate}`);
  second.currentTime = 2.7 - 0.2; // 200 ms behind: at most 50 % faster
  sync.follow();
  assert.equal(second.playbackRate, 1.5);
  second.currentTime = 2.7 + 0.06; // 60 ms ahead: slower
  sync.follow();
  assert.ok(Math.abs(second.playbackRate - 0.7) < 0.006, `rate ${second.playbackRate}`);
  second.currentTime = 2.7 + 0.005; // within a quarter frame: the main speed
  sync.follow();
  assert.equal(second.playbackRate, 1);
  main.playbackRate = 2;
  sync.follow();
  assert.equal(second.playbackRate, 2);
  second.currentTime = 1.0; // 1.7 s off: seeked ahead by its seeks' time (100 ms at first) × 2
  sync.follow();
  assert.ok(Math.abs(second.currentTime - 2.9) < 0.01, String(second.currentTime));
});

test("a follower more than a frame off for long in spite of the nudging is seeked", () => {
  const { sync, main, second } = cameras();
  main.currentTime = 4;
  main.paused = false;
  second.currentTime = 2.7 - 0.1; // 100 ms behind: nudged, not seeked
  sync.follow();
  assert.ok(Math.abs(second.currentTime - 2.6) < 1e-9 && second.playbackRate === 1.5);
  sync.follower(2).offSince = performance.now() - 700; // still off 0.7 s later (a stalled decoder)
  sync.follow();
  assert.ok(Math.abs(second.currentTime - 2.8) < 0.01, String(second.currentTime));
  assert.equal(sync.follower(2).offSince, null);
});

test("a seek while playing aims ahead by the time the follower's seeks take", () => {
  const { sync, main, second } = cameras();
  const follower = sync.follower(2);
  for (let i = 0; i < 20; i++) {
    follower.seekStart = performance.now() - 300; // each seek took 300 ms
    second.dispatchEvent(new Event("seeked"));
  }
  assert.ok(Math.abs(follower.seekMs - 300) < 1, String(follower.seekMs));
  main.currentTime = 4;
  main.paused = false;
  second.currentTime = 1.0;
  sync.follow();
  assert.ok(Math.abs(second.currentTime - 3.0) < 0.01, String(second.currentTime));
});

test("an offset moves the follower only, and the main view and layout change", () => {
  const { sync, player, main, second } = cameras();
  player.seekTo(5000);
  sync.follow("seeked");
  const mainAt = main.currentTime;
  sync.setOffset(2, 1400);
  assert.equal(sync.follower(2).offsetMs, 1400);
  assert.ok(Math.abs(second.currentTime - 3.601) < 0.002, String(second.currentTime));
  assert.equal(main.currentTime, mainAt);
  assert.equal(sync.swap().id, 2);
  assert.equal(sync.swap().id, 1);
  sync.setLayout("thumbs");
  assert.equal(sync.box.dataset.layout, "thumbs");
  sync.setLayout("grid"); // two columns: the two cameras in one row
  assert.equal(sync.box.style.gridTemplateRows, "repeat(1, minmax(0px, 1fr))");
});
