"""Test sounds made at test time, at known times: speech from espeak-ng (the library that the
espeakng-loader wheel ships, called through ctypes), tones, noise and a cry-like signal."""

from __future__ import annotations

import ctypes
import functools

import numpy as np

RATE = 16_000
_SYNCHRONOUS = 0x02  # espeak_AUDIO_OUTPUT: AUDIO_OUTPUT_SYNCHRONOUS
_CHARS_UTF8 = 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                             ctypes.c_void_p)


@functools.cache
def _espeak() -> tuple[ctypes.CDLL, int]:
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0,
                                 espeakng_loader.get_data_path().encode(), 0)
    if rate <= 0:
        raise RuntimeError("espeak-ng did not start")
    return lib, rate


def speech(text: str, voice: str = "en") -> np.ndarray:
    """``text`` spoken by espeak-ng, as int16 at 16 kHz."""
    lib, rate = _espeak()
    pieces: list[np.ndarray] = []

    def collect(wav: ctypes._Pointer, count: int, _events: int) -> int:  # type: ignore[type-arg]
        if count > 0:
            pieces.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    callback = _CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(voice.encode())
    data = text.encode("utf-8")
    lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _CHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    spoken = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    return resample(spoken, rate, RATE)


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    if rate == to:
        return samples.astype(np.int16)
    from scipy.signal import resample_poly

    g = np.gcd(rate, to)
    out = resample_poly(samples.astype(np.float64), to // g, rate // g)
    return np.clip(out, -32768, 32767).astype(np.int16)


def silence(ms: int) -> np.ndarray:
    return np.zeros(RATE * ms // 1000, dtype=np.int16)


def noise(ms: int, level: float = 200.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0, level, RATE * ms // 1000), -32768, 32767).astype(np.int16)


def tone(ms: int, hz: float, level: float = 8000.0) -> np.ndarray:
    t = np.arange(RATE * ms // 1000) / RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def cry(ms: int, f0: float = 450.0, level: float = 12000.0, seed: int = 1) -> np.ndarray:
    """A cry-like burst: a harmonic-rich voiced sound with f0 wobbling ±8 %, rising and falling
    loudness, a little breath noise (a synthetic stand-in; it tests the plumbing)."""
    rng = np.random.default_rng(seed)
    n = RATE * ms // 1000
    t = np.arange(n) / RATE
    f = f0 * (1 + 0.08 * np.sin(2 * np.pi * 2.5 * t))
    phase = 2 * np.pi * np.cumsum(f) / RATE
    voiced = sum(np.sin(k * phase) / k for k in range(1, 6))
    envelope = np.sin(np.pi * np.linspace(0, 1, n)) ** 0.5
    signal = level * envelope * voiced / 1.6 + rng.normal(0, level * 0.03, n)
    return np.clip(signal, -32768, 32767).astype(np.int16)


def place(total_ms: int, pieces: list[tuple[int, np.ndarray]], floor: float = 60.0,
          ) -> np.ndarray:
    """A recording of ``total_ms`` of quiet room noise with each piece added at its onset."""
    out = noise(total_ms, floor).astype(np.int32)
    for onset_ms, piece in pieces:
        start = RATE * onset_ms // 1000
        out[start:start + len(piece)] += piece[: max(0, len(out) - start)]
    return np.clip(out, -32768, 32767).astype(np.int16)


def duration_ms(samples: np.ndarray) -> int:
    return len(samples) * 1000 // RATE
