"""A small synthetic demo video: two figures whose distance follows the proximity codes, with a
synthetic sound track (``core.demo_sound``: room noise, crying in distress, a babbled answer).

No real person is filmed or recorded for the demo; picture and sound are rendered at setup from
the vignette, so the assist has something to hear. The figures are discs, or, when the
photographs that the model fetch takes from the scikit-image wheel are given (``people``), the
two cut-outs of ``services.people_clip`` (an astronaut as the caregiver, a man with a camera as
the child, a red bar over her head while distressed), so that the pose model has people to see: the
caregiver out of the picture while absent, an arm's length from the child when near, across the
room when far, and the child in front of her while held.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from samspill.core import demo_sound
from samspill.core.events import Event
from samspill.services.people_clip import People, resized

WIDTH, HEIGHT, FPS = 320, 180, 10
_BACKGROUND = np.array([238, 234, 224], dtype=np.uint8)
_CAREGIVER = np.array([52, 101, 164], dtype=np.uint8)
_CHILD = np.array([230, 140, 40], dtype=np.uint8)
_DISTRESS = np.array([200, 40, 40], dtype=np.uint8)
_GAP_PX = {"near": 40, "far": 190, "absent": None}
_OPUS_SLACK_MS = 20


def _state_at(events: Sequence[Event], codes: set[str], t_ms: int) -> str | None:
    for e in events:
        if e.code in codes and e.offset_ms is not None and e.onset_ms <= t_ms < e.offset_ms:
            return e.code
    return None


def _disc(frame: np.ndarray, cx: int, cy: int, r: int, colour: np.ndarray) -> None:
    yy, xx = np.ogrid[:HEIGHT, :WIDTH]
    frame[(xx - cx) ** 2 + (yy - cy) ** 2 <= r * r] = colour


def _frame(events: Sequence[Event], t_ms: int, duration_ms: int) -> np.ndarray:
    proximity = _state_at(events, {"near", "far", "absent"}, t_ms) or "far"
    held = _state_at(events, {"hold"}, t_ms) == "hold"
    distressed = _state_at(events, {"distress"}, t_ms) == "distress"
    frame = _scene(proximity, held, distressed).copy()
    frame[HEIGHT - 6 :, : int(WIDTH * t_ms / duration_ms)] = _CAREGIVER  # progress bar
    return frame


@functools.lru_cache(maxsize=32)
def _scene(proximity: str, held: bool, distressed: bool) -> np.ndarray:
    """The room for one state, drawn once: a 6-minute video has some ten states and 3,600
    frames, and drawing the discs anew took most of the render's Python time."""
    frame = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    frame[:] = _BACKGROUND
    child_x = 100
    gap = 0 if held else _GAP_PX[proximity]
    if gap is not None:
        _disc(frame, child_x + gap + (12 if held else 0), 80, 22, _CAREGIVER)
    _disc(frame, child_x, 110 if not held else 92, 13, _DISTRESS if distressed else _CHILD)
    frame.flags.writeable = False
    return frame


# The photographs' sizes in the demo's frame, and the caregiver's left edge (px) by state.
# Chosen so that the pose model, at this small size, sees both people in every state (checked by
# tests/assist/test_pose.py): near is a gap of 0.1 caregiver heights, far 0.6.
_CAREGIVER_H, _CHILD_H, _CHILD_X, _FOOT = 140, 90, 60, 172
_PHOTO_X = {"near": 132, "far": 212, "hold": 10}


def demo_people(people: People) -> People:
    """The cut-outs at the demo's size."""
    return People(resized(people.caregiver, _CAREGIVER_H), resized(people.child, _CHILD_H))


def _paste(frame: np.ndarray, picture: np.ndarray, x0: int) -> None:
    height, width = picture.shape[:2]
    right = min(WIDTH, x0 + width)
    frame[_FOOT - height:_FOOT, x0:right] = picture[:, : right - x0]


def _photo_frame(events: Sequence[Event], t_ms: int, duration_ms: int,
                 people: People) -> np.ndarray:
    frame = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    frame[:] = _BACKGROUND
    proximity = _state_at(events, {"near", "far", "absent"}, t_ms) or "far"
    held = _state_at(events, {"hold"}, t_ms) == "hold"
    if proximity != "absent":
        _paste(frame, people.caregiver, _PHOTO_X["hold" if held else proximity])
    _paste(frame, people.child, _CHILD_X)
    if _state_at(events, {"distress"}, t_ms) == "distress":  # a red bar over her head: tinting
        top = _FOOT - people.child.shape[0]                    # the photograph hides her
        frame[top - 10:top - 4, _CHILD_X:_CHILD_X + people.child.shape[1]] = _DISTRESS
    frame[HEIGHT - 6 :, : int(WIDTH * t_ms / duration_ms)] = _CAREGIVER  # progress bar
    return frame


def _frames(events: Sequence[Event], duration_ms: int,
            people: People | None = None) -> Iterator[bytes]:
    for index in range(duration_ms * FPS // 1000):
        t_ms = index * 1000 // FPS
        picture = (_frame(events, t_ms, duration_ms) if people is None
                   else _photo_frame(events, t_ms, duration_ms, people))
        yield picture.tobytes()


def render_demo_video(events: Sequence[Event], duration_ms: int, out: Path,
                      people: People | None = None) -> Path:
    """Render a WebM (VP8 picture, Opus sound) of ``duration_ms`` at 10 fps; about a megabyte for
    six minutes (two thirds of it sound). ``people``: photographs instead of discs. The picture
    is encoded first, then the sound is muxed beside it (the picture copied, not encoded
    again)."""
    import imageio_ffmpeg

    out.parent.mkdir(parents=True, exist_ok=True)
    picture = out.with_name(out.stem + ".picture.webm")
    writer = imageio_ffmpeg.write_frames(
        str(picture),
        (WIDTH, HEIGHT),
        fps=FPS,
        codec="libvpx",
        quality=None,
        bitrate="150k",
        # One encoder thread: VP8's threads wait for each other by spinning, so on a busy
        # machine (make test's two workers, or any other work) they burn CPU instead of
        # encoding: a six-minute render took a minute of CPU with them and a second or two with
        # one. Photographs take VP8 several times longer than flat discs: its fastest setting.
        output_params=["-f", "webm", "-auto-alt-ref", "0", "-threads", "1",
                       *(["-deadline", "realtime", "-cpu-used", "8"] if people else [])],
        macro_block_size=1,
        ffmpeg_log_level="error",
    )
    writer.send(None)
    small = demo_people(people) if people is not None else None
    for chunk in _frames(events, duration_ms, small):
        writer.send(chunk)
    writer.close()
    try:
        _mux_sound(picture, demo_sound.demo_track(events, duration_ms), out)
    finally:
        picture.unlink(missing_ok=True)
    return out


def _mux_sound(picture: Path, samples: np.ndarray, out: Path) -> None:
    """``picture``'s video stream with ``samples`` (mono int16) as its Opus sound, into ``out``."""
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y",
               "-i", str(picture),
               "-f", "s16le", "-ar", str(demo_sound.RATE), "-ac", "1", "-i", "pipe:0",
               "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "libopus", "-b:a", "16k",
               "-f", "webm", str(out)]
    # Opus starts 13 ms late (its pre-skip) and ends on a whole 20 ms packet: without its last
    # 20 ms of room noise the sound ends within the picture, so the file is as long as the session.
    sound = samples[: max(0, len(samples) - demo_sound.RATE * _OPUS_SLACK_MS // 1000)]
    subprocess.run(command, input=sound.astype("<i2").tobytes(), capture_output=True,
                   check=True, timeout=300)
