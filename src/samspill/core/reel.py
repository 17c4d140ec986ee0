"""The feedback reel's plan: the chosen moments in order, as one sequence (issue 23).

One plan serves both the browser's player and the MP4 export, so that what the clinician
rehearses is what the file holds. Each clip plays its moment from ``start_ms`` to ``end_ms``
with its caption; on the *key second* (from ``key_ms``) it may freeze the picture for
:data:`FREEZE_MS` (``freeze``) and play that second at half speed (``slow``), in that order.
Times in the reel (``reel_start_ms``) are where each clip begins in the sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from samspill.core.errors import N_, InputError

FREEZE_MS = 2000
KEY_SECOND_MS = 1000
SLOW_FACTOR = 2  # the key second lasts two seconds
MAX_CLIP_MS = 120_000
MIN_CLIP_MS = 1000
MAX_CAPTION = 200


@dataclass(frozen=True)
class ClipSpec:
    """One chosen moment as the reel plays it (times on the session's clock)."""

    start_ms: int
    end_ms: int
    key_ms: int
    caption: str = ""
    freeze: bool = False
    slow: bool = False


@dataclass(frozen=True)
class Part:
    """A stretch of one clip: source ``[start_ms, end_ms)`` played at ``speed`` (1 or 0.5),
    or, when ``freeze_ms`` > 0, the frame at ``start_ms`` held that long."""

    start_ms: int
    end_ms: int
    speed: float = 1.0
    freeze_ms: int = 0

    @property
    def length_ms(self) -> int:
        if self.freeze_ms:
            return self.freeze_ms
        return round((self.end_ms - self.start_ms) / self.speed)


@dataclass(frozen=True)
class PlannedClip:
    clip: ClipSpec
    reel_start_ms: int
    parts: tuple[Part, ...]

    @property
    def length_ms(self) -> int:
        return sum(p.length_ms for p in self.parts)


def check_clip(clip: ClipSpec, duration_ms: int | None = None) -> None:
    """Refuse a clip a reel cannot play, saying how to fix it."""
    if clip.start_ms < 0 or clip.end_ms - clip.start_ms < MIN_CLIP_MS:
        raise InputError(N_("a moment must last at least 1 s and start at 0 or later"),
                         fix=N_("move its edges apart"))
    if clip.end_ms - clip.start_ms > MAX_CLIP_MS:
        raise InputError(N_("a moment may last at most {limit} s"),
                         fix=N_("trim its context"), params={"limit": MAX_CLIP_MS // 1000})
    if duration_ms is not None and clip.end_ms > duration_ms:
        raise InputError(N_("a moment cannot run past the end of the recording"),
                         fix=N_("move its end edge back"))
    if not clip.start_ms <= clip.key_ms < clip.end_ms:
        raise InputError(N_("a moment's key second must lie inside it"),
                         fix=N_("keep the edges around the key second"))
    if len(clip.caption) > MAX_CAPTION:
        raise InputError(N_("a caption may hold at most {limit} characters"),
                         fix=N_("shorten the caption"), params={"limit": MAX_CAPTION})


def parts_of(clip: ClipSpec) -> tuple[Part, ...]:
    """Before the key second, the freeze, the key second (slow or not), the rest."""
    key = clip.key_ms
    key_end = min(key + KEY_SECOND_MS, clip.end_ms)
    parts = [Part(clip.start_ms, key)] if key > clip.start_ms else []
    if clip.freeze:
        parts.append(Part(key, key, freeze_ms=FREEZE_MS))
    parts.append(Part(key, key_end, 1 / SLOW_FACTOR if clip.slow else 1.0))
    if key_end < clip.end_ms:
        parts.append(Part(key_end, clip.end_ms))
    return tuple(parts)


def plan(clips: Sequence[ClipSpec]) -> list[PlannedClip]:
    """The clips in order with where each begins in the reel."""
    out, at = [], 0
    for clip in clips:
        planned = PlannedClip(clip, at, parts_of(clip))
        out.append(planned)
        at += planned.length_ms
    return out


def reel_length_ms(clips: Sequence[ClipSpec]) -> int:
    return sum(p.length_ms for p in plan(clips))


def wrap(caption: str, width: int = 42) -> str:
    """The caption in lines of at most ``width`` characters (words are not cut)."""
    lines: list[str] = []
    for word in caption.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)
