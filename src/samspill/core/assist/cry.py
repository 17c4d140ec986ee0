"""Child crying (distress) candidates from audio: a documented acoustic detector, no model.

No cry model ships inside a registry package, so this detector uses published cry acoustics:
infant and toddler cries are loud, strongly periodic (voiced) sounds with a fundamental of
about 250–600 Hz (typically 400–600 Hz in infants), produced in bursts of 0.5–3 s separated by
short inhalations. Construct decisions, and why:

- A frame (40 ms, hop 20 ms) is *cry-like* when its energy is at least ``min_rise_db`` above
  the recording's background (its quiet percentile) and its normalised autocorrelation has a
  peak of at least ``min_periodicity`` at a lag whose frequency lies in ``f0_min_hz`` ..
  ``f0_max_hz``. Adult speech mostly lies below 250 Hz, so a caregiver's voice rarely passes.
- A pure tone (a beeping toy) is periodic too: a cry-like frame must also have overtones
  (its 2nd–4th harmonics hold at least ``min_harmonic_share`` of the fundamental's power).
- A *burst* is a run of cry-like frames lasting ``min_burst_ms`` or more (bridging gaps of one
  or two frames): speech syllables are voiced for 100–300 ms, a cry for 0.5 s and more, so a
  toddler's talking (whose pitch overlaps a cry's) is mostly kept out by duration.
- Bursts closer than ``max_gap_ms`` (inhalations) join into one episode, proposed as a
  ``distress`` state of the child. Confidence: mean periodicity of its frames, scaled down for
  an episode with little voicing.

What it cannot do: tell crying from a child's singing or squealing in play, or hear a silent,
frozen child. Its agreement with a coder is measured by ``samspill assist evaluate``; nothing
else claims an accuracy.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from samspill.core.assist.proposals import Proposal, merge_close, runs

FRAME_MS = 40
HOP_MS = 20


@dataclass(frozen=True)
class CrySettings:
    f0_min_hz: float = 250.0
    f0_max_hz: float = 600.0
    min_periodicity: float = 0.6
    min_rise_db: float = 15.0
    min_harmonic_share: float = 0.02
    background_percentile: float = 20.0
    min_burst_ms: int = 500
    max_gap_ms: int = 1500
    bridge_frames: int = 2


@dataclass(frozen=True)
class FrameFeatures:
    """Per hop: energy (dB re full scale), best periodicity in the f0 range, and that f0 (Hz)."""

    energy_db: np.ndarray
    periodicity: np.ndarray
    f0_hz: np.ndarray

    @staticmethod
    def join(parts: list[FrameFeatures]) -> FrameFeatures:
        if not parts:
            empty = np.zeros(0)
            return FrameFeatures(empty, empty, empty)
        return FrameFeatures(
            np.concatenate([p.energy_db for p in parts]),
            np.concatenate([p.periodicity for p in parts]),
            np.concatenate([p.f0_hz for p in parts]),
        )


def frame_count(n_samples: int, rate: int) -> int:
    window, hop = rate * FRAME_MS // 1000, rate * HOP_MS // 1000
    return 0 if n_samples < window else 1 + (n_samples - window) // hop


def frame_features(samples: np.ndarray, rate: int, settings: CrySettings = CrySettings(),
                   ) -> FrameFeatures:
    """Features of every whole frame of mono ``samples`` (int16 or float in -1..1) at ``rate``.

    The caller may feed a long recording in chunks: a chunk that starts ``k * hop`` samples in
    and overlaps the previous one by ``window - hop`` samples gives the frames that follow."""
    window, hop = rate * FRAME_MS // 1000, rate * HOP_MS // 1000
    signal = _as_float(samples)
    count = frame_count(len(signal), rate)
    if count == 0:
        empty = np.zeros(0)
        return FrameFeatures(empty, empty, empty)
    index = np.arange(window)[None, :] + hop * np.arange(count)[:, None]
    frames = signal[index]
    frames = frames - frames.mean(axis=1, keepdims=True)
    power = (frames ** 2).mean(axis=1)
    energy_db = 10 * np.log10(np.maximum(power, 1e-12))
    periodicity, f0 = _periodicity(frames, rate, settings)
    periodicity = np.where(_harmonic(frames, rate, f0, settings), periodicity, 0.0)
    return FrameFeatures(energy_db, periodicity, f0)


def _as_float(samples: np.ndarray) -> np.ndarray:
    data = np.asarray(samples)
    if data.dtype.kind in "iu":
        return data.astype(np.float64) / 32768.0
    return data.astype(np.float64)


def _periodicity(frames: np.ndarray, rate: int, settings: CrySettings,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Normalised autocorrelation (unbiased for the overlap) peak in the f0 lag range."""
    window = frames.shape[1]
    size = 1 << (2 * window - 1).bit_length()
    spectrum = np.fft.rfft(frames, size, axis=1)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :window]
    lo = max(1, int(rate / settings.f0_max_hz))
    hi = min(window - 1, int(np.ceil(rate / settings.f0_min_hz)))
    overlap = (window - np.arange(lo, hi + 1)) / window
    zero = np.maximum(acf[:, :1], 1e-12)
    normalised = acf[:, lo:hi + 1] / zero / overlap
    best = normalised.argmax(axis=1)
    periodicity = np.clip(normalised[np.arange(len(frames)), best], 0.0, 1.0)
    return periodicity, rate / (lo + best)


def _harmonic(frames: np.ndarray, rate: int, f0: np.ndarray, settings: CrySettings,
              ) -> np.ndarray:
    """Whether the 2nd–4th harmonics hold at least ``min_harmonic_share`` of the
    fundamental's power: a voice has overtones, a beeping toy's pure tone does not."""
    size = 4096
    power = np.abs(np.fft.rfft(frames * np.hanning(frames.shape[1]), size, axis=1)) ** 2
    bin_hz = rate / size
    rows = np.arange(len(frames))[:, None]

    def band(multiple: int) -> np.ndarray:
        centre = np.rint(f0 * multiple / bin_hz).astype(int)[:, None]
        cols = np.clip(centre + np.arange(-3, 4)[None, :], 0, power.shape[1] - 1)
        return np.asarray(power[rows, cols].sum(axis=1))

    overtones = band(2) + band(3) + band(4)
    enough: np.ndarray = overtones >= settings.min_harmonic_share * np.maximum(band(1), 1e-12)
    return enough


def cry_episodes(features: FrameFeatures, settings: CrySettings = CrySettings(),
                 ) -> list[tuple[int, int, float]]:
    """(onset_ms, offset_ms, confidence) of each cry-like episode, in time order."""
    if not len(features.energy_db):
        return []
    background = np.percentile(features.energy_db, settings.background_percentile)
    cry_like = (
        (features.energy_db >= background + settings.min_rise_db)
        & (features.periodicity >= settings.min_periodicity)
        & (features.f0_hz >= settings.f0_min_hz) & (features.f0_hz <= settings.f0_max_hz)
    )
    bridged = _bridge(cry_like, settings.bridge_frames)
    bursts = [
        (a * HOP_MS, b * HOP_MS + (FRAME_MS - HOP_MS)) for a, b in runs(bridged)
        if (b - a) * HOP_MS + (FRAME_MS - HOP_MS) >= settings.min_burst_ms
    ]
    episodes = merge_close(bursts, settings.max_gap_ms)
    return [(a, b, _confidence(features, cry_like, a, b)) for a, b in episodes]


def _bridge(mask: np.ndarray, frames: int) -> np.ndarray:
    """Fill False gaps of at most ``frames`` frames between True runs (a consonant, a click)."""
    out = mask.copy()
    spans = runs(mask)
    for (_, stop), (start, _) in itertools.pairwise(spans):
        if start - stop <= frames:
            out[stop:start] = True
    return out


def _confidence(features: FrameFeatures, cry_like: np.ndarray, onset_ms: int,
                offset_ms: int) -> float:
    a, b = onset_ms // HOP_MS, max(onset_ms // HOP_MS + 1, (offset_ms - FRAME_MS) // HOP_MS + 1)
    voiced = cry_like[a:b]
    if not voiced.any():
        return 0.0
    mean_periodicity = float(features.periodicity[a:b][voiced].mean())
    return round(mean_periodicity * min(1.0, float(voiced.mean()) / 0.5), 3)


def cry_proposals(features: FrameFeatures, version: str,
                  settings: CrySettings = CrySettings(), code: str = "distress",
                  subject: str = "child") -> list[Proposal]:
    return [
        Proposal("cry", version, subject, code, onset, offset, conf)
        for onset, offset, conf in cry_episodes(features, settings)
    ]
