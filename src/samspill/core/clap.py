"""Where a sharp sound (a clap, a door, a clapperboard) falls in two recordings of one session:
the lag between two cameras' audio, found by cross-correlating their onset envelopes (issue 14,
M17). Pure: the samples come from the store (ffmpeg), the choice from the user, who sees the
proposal and confirms it.

Why onsets and not the raw samples: two microphones a few metres apart hear different rooms and
gains, so their waveforms hardly match sample by sample; both hear a clap *start* at the same
instant. The envelope is the loudness per millisecond, and the onset its rises only, so a long
steady noise (a fan) weighs nothing and a clap weighs most.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np
from scipy import signal

from samspill.core.errors import N_, InputError

ENVELOPE_RATE = 1000  # Hz: one envelope value per millisecond, so lags come in whole ms
_COMMON_RATE = 8000  # Hz: both tracks are brought to it first (a multiple of ENVELOPE_RATE)
_PEAK_GUARD_MS = 50  # the runner-up peak is looked for at least this far from the best one
_RISE_MS = 20
_NOISE_SPREADS = 8  # how many median deviations above the median a rise must be
MIN_CONFIDENCE = 0.2  # below it the proposal is shown as doubtful


@dataclass(frozen=True)
class Lag:
    """``lag_ms``: how much later the sound comes in track ``a`` than in track ``b`` (media
    time). ``confidence``: 0–1, how much the best match stands out from the next best."""

    lag_ms: int
    confidence: float

    @property
    def doubtful(self) -> bool:
        return self.confidence < MIN_CONFIDENCE


def resample(samples: np.ndarray, rate: int, to_rate: int = _COMMON_RATE) -> np.ndarray:
    """``samples`` at ``rate`` Hz brought to ``to_rate`` Hz (polyphase, anti-aliased)."""
    data = np.asarray(samples, dtype=np.float64)
    if rate == to_rate:
        return data
    common = gcd(rate, to_rate)
    return np.asarray(signal.resample_poly(data, to_rate // common, rate // common))


def onset_envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """The rises of the loudness per millisecond: a clap's sharp start stands out."""
    data = resample(samples, rate)
    per_ms = _COMMON_RATE // ENVELOPE_RATE
    blocks = len(data) // per_ms
    if blocks < 2:
        return np.zeros(0)
    loudness = np.sqrt(np.mean(data[: blocks * per_ms].reshape(blocks, per_ms) ** 2, axis=1))
    # The rise over the mean of the 20 ms before, so a slow swell (a voice) weighs little.
    before = np.convolve(loudness, np.ones(_RISE_MS) / _RISE_MS, mode="full")[: len(loudness)]
    rise = np.clip(loudness - np.roll(before, 1), 0.0, None)
    rise[:_RISE_MS] = 0.0
    # Only rises that stand out of the room's noise count: the noise's own rises are positive
    # on average and would otherwise pull the match towards the largest overlap.
    median = float(np.median(rise))
    spread = float(np.median(np.abs(rise - median)))
    return np.asarray(np.clip(rise - (median + _NOISE_SPREADS * spread), 0.0, None))


def find_lag(
    a: np.ndarray, rate_a: int, b: np.ndarray, rate_b: int, *, max_lag_ms: int = 60_000
) -> Lag:
    """The lag of the sharpest sound shared by ``a`` and ``b`` (``a``'s time minus ``b``'s).

    The two tracks may have different sample rates and lengths; lags beyond ``max_lag_ms``
    either way are not considered (a camera started more than a minute apart is set by hand).
    """
    _check(a, rate_a)
    _check(b, rate_b)
    onsets_a, onsets_b = onset_envelope(a, rate_a), onset_envelope(b, rate_b)
    if not onsets_a.any() or not onsets_b.any():
        raise InputError(
            N_("one of the clips has no sharp sound (a clap) to align on"),
            fix=N_("align the clips by nudging the offset (a frame or 100 ms at a time)"),
        )
    scores = signal.correlate(onsets_a, onsets_b, mode="full", method="fft")
    lags = np.arange(-(len(onsets_b) - 1), len(onsets_a))
    allowed = np.abs(lags) <= max_lag_ms
    scores, lags = scores[allowed], lags[allowed]
    best = int(np.argmax(scores))
    return Lag(int(lags[best]), _confidence(scores, best))


def _confidence(scores: np.ndarray, best: int) -> float:
    """1 minus the runner-up peak over the best (a lone clap gives nearly 1, noise nearly 0)."""
    top = float(scores[best])
    if top <= 0:
        return 0.0
    far = np.ones(len(scores), dtype=bool)
    far[max(0, best - _PEAK_GUARD_MS) : best + _PEAK_GUARD_MS + 1] = False
    runner_up = float(scores[far].max()) if far.any() else 0.0
    return round(max(0.0, 1.0 - max(runner_up, 0.0) / top), 3)


def _check(samples: np.ndarray, rate: int) -> None:
    if rate <= 0:
        raise InputError(N_("the sample rate must be positive"), fix=N_("give the rate in Hz"))
    if len(samples) < rate // 10:
        raise InputError(
            N_("a clip has less than 0.1 s of audio: there is no sound to align on"),
            fix=N_("align the clips by nudging the offset (a frame or 100 ms at a time)"),
        )
