"""A clip with real people in it at known positions: two photographs that ship inside the
scikit-image wheel (``skimage/data/astronaut.png``, the "caregiver"; ``camera.png``, a man with
a camera scaled smaller as the "child"), cut out as rectangles and composited onto a plain room
frame by frame. The child stands far away, comes near, is held (drawn in front of the caregiver,
so that their arms fall in each other's box), and goes away again, along ``PLAN``.

Because every position is known, so is every frame's distance and overlap: ``truth_events``
codes the clip as a coder would, for the tests and ``samspill assist evaluate``. Such a clip
tests the plumbing (decoding, the pose model, the rules), not how well the assist sees real
people in real rooms.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samspill.core.assist.proposals import runs
from samspill.core.events import Event

WIDTH, HEIGHT, FPS = 640, 360, 10
CAREGIVER_H, CHILD_H = 300, 190
CAREGIVER_X = 150  # centre, px
CAREGIVER_FOOT, CHILD_FOOT = 340, 350
_WALL, _FLOOR, _FLOOR_FROM = (205, 200, 190), (150, 120, 90), 250
# The people, cut out of each photograph as a rectangle (rows, columns of the 512 x 512 image).
_CAREGIVER_CROP = (slice(10, 512), slice(15, 370))
_CHILD_CROP = (slice(55, 512), slice(0, 340))
# (seconds, the child's centre in px): far, comes near, is held, near, goes away, far.
PLAN: tuple[tuple[float, float], ...] = (
    (0, 540), (8, 540), (10, 335), (16, 335), (17, 190), (24, 190), (25, 335), (28, 335),
    (30, 540), (36, 540))
NEAR_BELOW = 0.375  # a gap (caregiver heights) under which a coder of this clip says near
HOLD_OVERLAP = 0.5  # share of the child's width in front of the caregiver that is a hold


@dataclass(frozen=True)
class People:
    caregiver: np.ndarray
    child: np.ndarray


def resized(picture: np.ndarray, height: int) -> np.ndarray:
    """``picture`` scaled (nearest pixel) to ``height``, keeping its shape."""
    width = round(picture.shape[1] * height / picture.shape[0])
    rows = np.minimum((np.arange(height) + 0.5) * picture.shape[0] / height,
                      picture.shape[0] - 1).astype(int)
    cols = np.minimum((np.arange(width) + 0.5) * picture.shape[1] / width,
                      picture.shape[1] - 1).astype(int)
    return np.asarray(picture[rows][:, cols])


def load_people(models_dir: Path) -> People:
    """The two cut-outs, scaled, from the photographs the fetch put in ``models_dir``."""
    from samspill.detectors.frames import read_png
    from samspill.detectors.registry import ASTRONAUT, CAMERAMAN, model_path

    caregiver = read_png(model_path(models_dir, ASTRONAUT))[_CAREGIVER_CROP]
    child = read_png(model_path(models_dir, CAMERAMAN))[_CHILD_CROP]
    return People(resized(caregiver, CAREGIVER_H), resized(child, CHILD_H))


def child_x(t_s: float, plan: Sequence[tuple[float, float]] = PLAN) -> float:
    times, xs = zip(*plan, strict=True)
    return float(np.interp(t_s, times, xs))


def boxes(t_s: float, people: People,
          plan: Sequence[tuple[float, float]] = PLAN) -> tuple[np.ndarray, np.ndarray]:
    """(x0, y0, x1, y1) in px of the caregiver's and the child's rectangles at ``t_s``."""
    def box(width: int, height: int, centre: float, foot: int) -> np.ndarray:
        x0 = round(centre - width / 2)
        return np.array([x0, foot - height, x0 + width, foot], dtype=float)

    return (box(people.caregiver.shape[1], CAREGIVER_H, CAREGIVER_X, CAREGIVER_FOOT),
            box(people.child.shape[1], CHILD_H, child_x(t_s, plan), CHILD_FOOT))


def gap_and_overlap(caregiver: np.ndarray, child: np.ndarray) -> tuple[float, float]:
    """The horizontal gap in caregiver heights, and the share of the child's width in front of
    the caregiver."""
    gap = max(0.0, max(caregiver[0], child[0]) - min(caregiver[2], child[2]))
    overlap = max(0.0, min(caregiver[2], child[2]) - max(caregiver[0], child[0]))
    return gap / (caregiver[3] - caregiver[1]), overlap / (child[2] - child[0])


def frame(t_s: float, people: People, plan: Sequence[tuple[float, float]] = PLAN) -> np.ndarray:
    out = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    out[:] = _WALL
    out[_FLOOR_FROM:] = _FLOOR
    for picture, box in zip((people.caregiver, people.child), boxes(t_s, people, plan),
                            strict=True):
        x0, y0, x1, y1 = (int(v) for v in box)
        left, right = max(0, x0), min(WIDTH, x1)
        out[y0:y1, left:right] = picture[:, left - x0:right - x0]
    return out


def duration_ms(plan: Sequence[tuple[float, float]] = PLAN) -> int:
    return round(plan[-1][0] * 1000)


def _frames(people: People, plan: Sequence[tuple[float, float]]) -> Iterator[bytes]:
    for index in range(duration_ms(plan) * FPS // 1000):
        yield frame(index / FPS, people, plan).tobytes()


def render_people_clip(models_dir: Path, out: Path,
                       plan: Sequence[tuple[float, float]] = PLAN) -> Path:
    """An MP4 (H.264 at 10 fps, 640 x 360, with quiet pink noise as its AAC sound) of ``plan``,
    encoded in one ffmpeg process as the frames are drawn."""
    import imageio_ffmpeg

    people = load_people(models_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    seconds = plan[-1][0]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{WIDTH}x{HEIGHT}", "-r", str(FPS),
               "-i", "pipe:0",
               "-f", "lavfi", "-i", f"anoisesrc=c=pink:a=0.003:r=16000:d={seconds}",
               "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
               "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k", "-t", str(seconds),
               "-f", "mp4", str(out)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdin is not None
        for picture in _frames(people, plan):
            process.stdin.write(picture)
        process.stdin.close()
        errors = process.stderr.read() if process.stderr else b""
        if process.wait() != 0:
            raise RuntimeError(errors.decode("utf-8", "replace"))
    return out


def truth_events(models_dir: Path, plan: Sequence[tuple[float, float]] = PLAN,
                 step_ms: int = 100) -> list[Event]:
    """The clip coded from its geometry: the caregiver ``near`` while the gap is under
    ``NEAR_BELOW``, else ``far``; ``hold`` while half the child stands in front of her."""
    people = load_people(models_dir)
    total = duration_ms(plan)
    times = list(range(0, total, step_ms))
    measured = [gap_and_overlap(*boxes(t / 1000, people, plan)) for t in times]
    near = np.array([gap < NEAR_BELOW for gap, _ in measured])
    held = np.array([overlap >= HOLD_OVERLAP for _, overlap in measured])
    events = []
    for code, mask in (("near", near), ("far", ~near), ("hold", held)):
        for a, b in runs(mask):
            events.append(Event(subject="caregiver", code=code, onset_ms=times[a],
                                offset_ms=min(total, times[b - 1] + step_ms)))
    return sorted(events, key=lambda e: (e.onset_ms, e.code))

