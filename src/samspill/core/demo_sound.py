"""The demo video's synthetic sound track, made with numpy from the vignette's events.

No one is recorded for the demo: the track is quiet room noise throughout, a cry-like sound
while the child is in ``distress``, and a short voice-like babble at each of the caregiver's
verbal answers (``respond`` with ``channel=verbal``). It exists so that a new user can watch the
assist work on the demo; it is a stand-in, not a model of a real child or adult.

- The cry: a harmonic-rich voiced sound (f0 about 400–500 Hz, wobbling ±8 % a few times a
  second, five harmonics, a little breath noise) in bursts of 1–2.5 s separated by 0.3–0.6 s
  "inhalations", the pattern that ``core.assist.cry`` looks for.
- The babble: a source-filter vowel made in the frequency domain (the harmonics of a falling
  glottal source at about 200 Hz, each weighted by the vowel's three formant resonances), one
  vowel per syllable of 150–250 ms, with a syllable-rate loudness envelope.

Every random draw comes from a generator seeded by a constant: the same events give the same
samples, so the rendered demo video is the same at every setup.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from samspill.core.events import Event

RATE = 16_000
ROOM_LEVEL = 60.0  # int16 RMS of the room noise: about −55 dBFS
CRY_LEVEL = 11_000.0
BABBLE_LEVEL = 5_000.0
BABBLE_MS = 1_400
# (F1, F2, F3) in Hz and bandwidths of an adult's vowels /a e i o u/ (textbook averages).
_VOWELS = ((730, 1090, 2440), (530, 1840, 2480), (300, 2200, 3000), (570, 840, 2410),
           (300, 870, 2240))
_BANDWIDTHS = (90, 110, 170)
_SEED = 2023


def cry(ms: int, rng: np.random.Generator, f0: float = 450.0,
        level: float = CRY_LEVEL) -> np.ndarray:
    """One cry-like burst of ``ms`` (float samples): five harmonics of a wobbling f0, a
    rising-and-falling loudness and a little breath noise."""
    n = RATE * ms // 1000
    t = np.arange(n) / RATE
    wobble = 2.0 + 2.0 * rng.random()
    f = f0 * (1 + 0.08 * np.sin(2 * np.pi * wobble * t + rng.random() * 2 * np.pi))
    phase = 2 * np.pi * np.cumsum(f) / RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = np.sin(np.pi * np.linspace(0, 1, n)) ** 0.5
    return np.asarray(level * envelope * voiced / 1.6 + rng.normal(0, level * 0.03, n))


def crying(ms: int, rng: np.random.Generator) -> np.ndarray:
    """``ms`` of crying: bursts of 1–2.5 s (f0 400–500 Hz) with 0.3–0.6 s gaps between them."""
    out = np.zeros(RATE * ms // 1000)
    at = 0
    while at < ms:
        burst = min(int(rng.integers(1000, 2501)), ms - at)
        if burst >= 300:
            start = RATE * at // 1000
            piece = cry(burst, rng, f0=float(rng.uniform(400, 500)))
            out[start:start + len(piece)] += piece[: len(out) - start]
        at += burst + int(rng.integers(300, 601))
    return out


def babble(ms: int, rng: np.random.Generator, level: float = BABBLE_LEVEL) -> np.ndarray:
    """``ms`` of voice-like babble: vowels of 150–250 ms on a glottal source near 200 Hz."""
    out = np.zeros(RATE * ms // 1000)
    at = 0
    while at < ms:
        length = min(int(rng.integers(150, 251)), ms - at)
        vowel = _VOWELS[int(rng.integers(len(_VOWELS)))]
        piece = _syllable(length, vowel, f0=200.0 * (1 - 0.1 * at / ms), level=level)
        start = RATE * at // 1000
        out[start:start + len(piece)] += piece
        at += length
    return out + rng.normal(0, level * 0.01, len(out))


def _syllable(ms: int, formants: tuple[int, int, int], f0: float, level: float) -> np.ndarray:
    """A vowel: the harmonics of ``f0`` weighted by the formants. A glottal source falls 12 dB
    an octave and the lips' radiation lifts 6 dB: the harmonics fall 6 dB an octave."""
    n = RATE * ms // 1000
    t = np.arange(n) / RATE
    f = f0 * (1 + 0.03 * np.sin(2 * np.pi * 3 * t))  # intonation within the syllable
    phase = 2 * np.pi * np.cumsum(f) / RATE
    harmonics = np.arange(1, int(RATE / 2 / (f0 * 1.03)))
    gains = _formant_gain(harmonics * f0, formants) / harmonics
    voiced = (gains[:, None] * np.sin(harmonics[:, None] * phase[None, :])).sum(axis=0)
    voiced /= max(float(np.abs(voiced).max()), 1e-9)
    envelope = np.sin(np.pi * np.linspace(0, 1, n)) ** 1.5  # onset and release: a syllable
    return np.asarray(level * envelope * voiced)


def _formant_gain(hz: np.ndarray, formants: tuple[int, int, int]) -> np.ndarray:
    """The magnitude of three resonances (second-order peaks) at each frequency."""
    gain = np.zeros_like(hz, dtype=np.float64)
    for centre, width in zip(formants, _BANDWIDTHS, strict=True):
        gain += 1.0 / np.sqrt(1.0 + ((hz - centre) / (width / 2)) ** 2)
    return gain


def room_noise(ms: int, rng: np.random.Generator, level: float = ROOM_LEVEL) -> np.ndarray:
    """Quiet, slightly low-passed room noise (a running mean of white noise)."""
    white = rng.normal(0, level * 1.7, RATE * ms // 1000 + 3)
    return np.asarray((white[:-3] + white[1:-2] + white[2:-1] + white[3:]) / 4 * 1.9)


def demo_track(events: Sequence[Event], duration_ms: int) -> np.ndarray:
    """The demo's mono sound at ``RATE`` as int16: room noise, crying during the child's
    distress states, babble at the caregiver's verbal answers."""
    rng = np.random.default_rng(_SEED)
    out = room_noise(duration_ms, rng)
    for event in sorted(events, key=lambda e: (e.onset_ms, e.code)):
        if event.subject == "child" and event.code == "distress" and event.offset_ms:
            _add(out, event.onset_ms, crying(event.offset_ms - event.onset_ms, rng))
        elif event.code == "respond" and event.modifiers.get("channel") == "verbal":
            _add(out, event.onset_ms, babble(BABBLE_MS, rng))
    track: np.ndarray = np.clip(np.rint(out), -32768, 32767).astype(np.int16)
    return track


def _add(out: np.ndarray, onset_ms: int, piece: np.ndarray) -> None:
    start = RATE * onset_ms // 1000
    if 0 <= start < len(out):
        end = min(len(out), start + len(piece))
        out[start:end] += piece[: end - start]
