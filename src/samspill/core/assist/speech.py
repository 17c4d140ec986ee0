"""Speech segments (any voice) from a voice-activity model's probability per window.

Construct decisions, and why:
- The model (silero-vad) hears *any* voice: caregiver, child, a visitor, a television. A speech
  segment is therefore proposed with subject ``any`` and no code; the coder decides who spoke.
- Hysteresis: speech starts at a window whose probability reaches ``threshold`` and ends only
  after ``min_silence_ms`` below ``threshold - hysteresis``, so a breath inside a sentence does
  not split it (the values are silero's documented defaults, kept as settings).
- Segments shorter than ``min_speech_ms`` are dropped (clicks, a cough); each kept segment is
  widened by ``pad_ms`` on both sides, never past its neighbours or the recording.
- Confidence is the mean probability inside the segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from samspill.core.assist.proposals import Proposal


@dataclass(frozen=True)
class SpeechSettings:
    threshold: float = 0.5
    hysteresis: float = 0.15
    min_speech_ms: int = 250
    min_silence_ms: int = 300
    pad_ms: int = 30


def speech_segments(
    probabilities: np.ndarray, window_ms: float, duration_ms: int,
    settings: SpeechSettings = SpeechSettings(),
) -> list[tuple[int, int, float]]:
    """(onset_ms, offset_ms, mean probability) of each speech segment, in time order."""
    probs = np.asarray(probabilities, dtype=np.float64)
    low = settings.threshold - settings.hysteresis
    found: list[tuple[int, int]] = []
    start: int | None = None
    quiet_since: int | None = None
    for i, p in enumerate(probs):
        if start is None:
            if p >= settings.threshold:
                start, quiet_since = i, None
            continue
        if p >= low:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = i
        elif (i - quiet_since + 1) * window_ms >= settings.min_silence_ms:
            found.append((start, quiet_since))
            start, quiet_since = None, None
    if start is not None:
        found.append((start, quiet_since if quiet_since is not None else len(probs)))
    return _timed(found, probs, window_ms, duration_ms, settings)


def _timed(
    found: list[tuple[int, int]], probs: np.ndarray, window_ms: float, duration_ms: int,
    settings: SpeechSettings,
) -> list[tuple[int, int, float]]:
    kept = [(a, b) for a, b in found if (b - a) * window_ms >= settings.min_speech_ms]
    timed: list[tuple[int, int, float]] = []
    for n, (a, b) in enumerate(kept):
        onset = max(0, round(a * window_ms) - settings.pad_ms)
        offset = min(duration_ms, round(b * window_ms) + settings.pad_ms)
        if timed and onset < timed[-1][1]:  # the pads met: split the gap between the two
            middle = (timed[-1][1] - settings.pad_ms + onset + settings.pad_ms) // 2
            previous = timed[-1]
            timed[-1] = (previous[0], middle, previous[2])
            onset = middle
        if n + 1 < len(kept):
            offset = min(offset, round(kept[n + 1][0] * window_ms))
        timed.append((onset, max(offset, onset + 1), float(probs[a:b].mean())))
    return timed


def speech_proposals(
    probabilities: np.ndarray, window_ms: float, duration_ms: int, version: str,
    settings: SpeechSettings = SpeechSettings(),
) -> list[Proposal]:
    """Speech segments as proposals of a ``speech`` state of subject ``any``."""
    return [
        Proposal("speech", version, "any", "speech", onset, offset, round(conf, 3))
        for onset, offset, conf in speech_segments(probabilities, window_ms, duration_ms, settings)
    ]
