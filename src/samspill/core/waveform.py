"""An audio waveform as the coding screen draws it: per step (10 ms) the lowest and highest
sample, scaled to -127..127, so that a 10-minute session is 120 000 small integers (about
0.5 MB as JSON) and silence after a child's signal is visible at a glance (issue 20). Pure:
the samples come from the store (ffmpeg), the drawing from the browser."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STEP_MS = 10
SAMPLE_RATE = 8000  # Hz: enough for an envelope, and cheap to decode and scan


@dataclass(frozen=True)
class Peaks:
    """``peaks`` alternates min and max per step: [min0, max0, min1, max1, ...]."""

    step_ms: int
    duration_ms: int
    peaks: list[int]

    def as_json(self) -> dict[str, object]:
        return {"audio": True, "step_ms": self.step_ms, "duration_ms": self.duration_ms,
                "peaks": self.peaks}


NO_AUDIO: dict[str, object] = {"audio": False, "step_ms": STEP_MS, "duration_ms": 0, "peaks": []}


def peaks(samples: np.ndarray, rate: int = SAMPLE_RATE, step_ms: int = STEP_MS) -> Peaks:
    """Min and max of each ``step_ms`` of signed 16-bit mono ``samples`` at ``rate`` Hz."""
    per_step = max(1, rate * step_ms // 1000)
    data = np.asarray(samples, dtype=np.int16).astype(np.int32)
    steps = -(-len(data) // per_step)
    padded = np.zeros(steps * per_step, dtype=np.int32)
    padded[:len(data)] = data
    frames = padded.reshape(steps, per_step) if steps else padded.reshape(0, per_step)
    low = np.clip(frames.min(axis=1, initial=0) // 256, -127, 127)
    high = np.clip(frames.max(axis=1, initial=0) // 256, -127, 127)
    pairs = np.stack([low, high], axis=1).reshape(-1)
    return Peaks(step_ms, round(len(data) * 1000 / rate), [int(v) for v in pairs])
