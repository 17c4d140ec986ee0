"""Finding a clap in two cameras' audio (issue 14, M17): synthetic tracks with a known lag, at
several lags and sample rates, under noise, with other microphones' gains; silence is refused."""

from __future__ import annotations

import numpy as np
import pytest

from samspill.core.clap import MIN_CONFIDENCE, find_lag, onset_envelope
from samspill.core.errors import InputError


def track(rate: int, seconds: float, clap_at_s: float, *, seed: int, noise: float = 300.0,
          gain: float = 1.0) -> np.ndarray:
    """Room noise with a clap: a 30 ms burst of noise that starts at once and decays."""
    rng = np.random.default_rng(seed)
    out = rng.normal(0.0, noise, int(rate * seconds))
    start, length = int(clap_at_s * rate), int(0.03 * rate)
    burst = rng.normal(0.0, 1.0, length) * np.exp(-np.arange(length) / (0.006 * rate))
    out[start : start + length] += gain * 12_000 * burst
    return np.clip(out, -32768, 32767).astype(np.int16)


@pytest.mark.parametrize("lag_ms", [0, 250, -730, 1234, -2960])
@pytest.mark.parametrize("rate_a,rate_b", [(8000, 8000), (44100, 8000), (48000, 16000)])
def test_the_lag_of_a_clap_is_found_to_the_millisecond(lag_ms: int, rate_a: int,
                                                        rate_b: int) -> None:
    clap_b = 3.5
    a = track(rate_a, 8.0, clap_b + lag_ms / 1000, seed=1)
    b = track(rate_b, 7.0, clap_b, seed=2, gain=0.4)  # another microphone, farther away
    found = find_lag(a, rate_a, b, rate_b)
    assert abs(found.lag_ms - lag_ms) <= 2
    assert found.confidence > 0.5 and not found.doubtful


def test_the_order_of_the_tracks_gives_the_sign() -> None:
    a, b = track(8000, 5.0, 1.0, seed=3), track(8000, 5.0, 1.8, seed=4)
    assert abs(find_lag(a, 8000, b, 8000).lag_ms - -800) <= 2
    assert abs(find_lag(b, 8000, a, 8000).lag_ms - 800) <= 2


def test_a_clap_is_found_under_loud_noise_and_a_steady_hum() -> None:
    rate = 16000
    hum = (4000 * np.sin(2 * np.pi * 50 * np.arange(6 * rate) / rate)).astype(np.int16)
    a = track(rate, 6.0, 3.1, seed=5, noise=1500.0)
    b = track(rate, 6.0, 2.6, seed=6, noise=1500.0)
    found = find_lag((a.astype(np.int32) + hum).clip(-32768, 32767), rate, b, rate)
    assert abs(found.lag_ms - 500) <= 3


def test_noise_alone_gives_a_doubtful_proposal() -> None:
    a = track(8000, 4.0, 0.0, seed=7, gain=0.0)
    b = track(8000, 4.0, 0.0, seed=8, gain=0.0)
    assert find_lag(a, 8000, b, 8000).confidence < MIN_CONFIDENCE


def test_lags_beyond_the_bound_are_not_considered() -> None:
    a, b = track(8000, 10.0, 8.0, seed=9), track(8000, 10.0, 1.0, seed=10)
    assert abs(find_lag(a, 8000, b, 8000).lag_ms - 7000) <= 2
    assert abs(find_lag(a, 8000, b, 8000, max_lag_ms=3000).lag_ms) <= 3000


def test_the_envelope_is_one_value_per_millisecond() -> None:
    assert len(onset_envelope(np.zeros(44100), 44100)) == 1000


@pytest.mark.parametrize("a,rate", [(np.zeros(8000, dtype=np.int16), 8000),
                                    (np.ones(10, dtype=np.int16), 8000),
                                    (np.ones(8000, dtype=np.int16), 0)])
def test_silence_or_too_little_audio_is_refused_with_a_fix(a: np.ndarray, rate: int) -> None:
    b = track(8000, 3.0, 1.0, seed=11)
    with pytest.raises(InputError) as refused:
        find_lag(a, rate, b, 8000)
    assert refused.value.fix
