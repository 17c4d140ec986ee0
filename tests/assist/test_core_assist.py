"""The assist's pure detectors on arrays whose answer is known by construction."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from samspill.core.assist.cry import CrySettings, cry_episodes, frame_features
from samspill.core.assist.proposals import merge_close, runs
from samspill.core.assist.silence import silences_after_bids
from samspill.core.assist.speech import SpeechSettings, speech_segments
from tests.assist import sounds

W = 32.0  # ms per VAD window


def probs(pattern: list[tuple[int, float]]) -> np.ndarray:
    """Windows of probability: [(count, p), ...]."""
    return np.concatenate([np.full(n, p) for n, p in pattern])


def test_speech_hysteresis_keeps_a_breath_inside_one_segment() -> None:
    p = probs([(10, 0.1), (20, 0.9), (5, 0.4), (20, 0.9), (40, 0.05)])
    # 0.4 is above threshold - hysteresis (0.35): the breath does not end the segment
    assert [(a, b) for a, b, _ in speech_segments(p, W, 3000)] == [(290, 1790)]


def test_speech_ends_after_min_silence_and_short_blips_are_dropped() -> None:
    p = probs([(10, 0.0), (20, 0.9), (15, 0.0), (3, 0.9), (15, 0.0), (20, 0.8), (5, 0.0)])
    found = speech_segments(p, W, 3000, SpeechSettings(min_silence_ms=300, pad_ms=0))
    # the 3-window (96 ms) blip is shorter than min_speech_ms (250)
    assert [(a, b) for a, b, _ in found] == [(320, 960), (2016, 2656)]
    assert all(0.79 < conf <= 0.9 for _, _, conf in found)


def test_speech_pads_never_cross_the_recording_or_a_neighbour() -> None:
    p = probs([(20, 0.9), (10, 0.0), (20, 0.9)])
    found = speech_segments(p, W, 1600, SpeechSettings(min_silence_ms=300, pad_ms=200))
    assert found[0][0] == 0 and found[-1][1] <= 1600
    assert found[0][1] <= found[1][0]


def test_speech_running_to_the_end_is_closed_at_the_end() -> None:
    found = speech_segments(probs([(5, 0.0), (30, 0.9)]), W, 1120, SpeechSettings(pad_ms=0))
    assert [(a, b) for a, b, _ in found] == [(160, 1120)]


@given(st.lists(st.booleans(), max_size=200))
def test_runs_cover_exactly_the_true_flags(flags: list[bool]) -> None:
    mask = np.array(flags, dtype=bool)
    rebuilt = np.zeros(len(flags), dtype=bool)
    for a, b in runs(mask):
        assert a < b and rebuilt[a:b].sum() == 0
        rebuilt[a:b] = True
    assert (rebuilt == mask).all()


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 2000)), max_size=30),
       st.integers(0, 1000))
def test_merge_close_leaves_gaps_wider_than_the_limit(raw: list[tuple[int, int]],
                                                       gap: int) -> None:
    intervals = [(a, a + d) for a, d in raw]
    merged = merge_close(intervals, gap)
    assert all(b2 - b1 > 0 for b1, b2 in merged)
    assert all(nxt[0] - cur[1] > gap for cur, nxt in itertools.pairwise(merged))
    for a, b in intervals:  # every input lies inside one output
        assert any(m0 <= a and b <= m1 for m0, m1 in merged)


def test_cry_found_within_200_ms_and_speech_and_a_pure_tone_are_not() -> None:
    talk = sounds.speech("Hello little one, come here to mummy. Look at this!")
    rec = sounds.place(30_000, [(1000, talk), (6000, sounds.cry(1500)),
                                (8000, sounds.cry(2000, 520, seed=3)),
                                (15_000, sounds.speech("Come here, my darling", "en+f3")),
                                (22_000, sounds.tone(1000, 440)),
                                (25_000, sounds.cry(1200, 380, seed=5))])
    found = cry_episodes(frame_features(rec, sounds.RATE))
    assert [(a, b) for a, b, _ in found] == [(a, b) for a, b, _ in found]  # stable order
    assert len(found) == 2
    (a1, b1, c1), (a2, b2, c2) = found
    assert abs(a1 - 6000) <= 200 and abs(b1 - 10_000) <= 200  # two bursts, one inhalation
    assert abs(a2 - 25_000) <= 200 and abs(b2 - 26_200) <= 200
    assert 0.5 < c1 <= 1 and 0.5 < c2 <= 1


def test_cry_features_in_chunks_equal_the_whole() -> None:
    rec = sounds.place(10_000, [(2000, sounds.cry(2000))])
    whole = frame_features(rec, sounds.RATE)
    window, hop = sounds.RATE * 40 // 1000, sounds.RATE * 20 // 1000
    parts, start, step = [], 0, hop * 97
    while start + window <= len(rec):
        chunk = rec[start:start + step + window - hop]
        part = frame_features(chunk, sounds.RATE)
        parts.append(part)
        start += len(part.energy_db) * hop
    joined = type(whole).join(parts)
    np.testing.assert_allclose(joined.periodicity, whole.periodicity, atol=1e-9)
    np.testing.assert_allclose(joined.energy_db, whole.energy_db, atol=1e-9)


def test_a_quiet_cry_below_the_rise_is_not_proposed() -> None:
    rec = sounds.place(8000, [(2000, sounds.cry(2000, level=150))], floor=60)
    assert cry_episodes(frame_features(rec, sounds.RATE), CrySettings(min_rise_db=15)) == []


def test_silence_after_bid_counts_any_voice_after_the_grace() -> None:
    speech = [(1000, 1800), (12_500, 14_000)]
    found = silences_after_bids([1000, 12_000, 30_000, 59_500], speech, window_ms=10_000,
                                duration_ms=60_000, version="1")
    # bid 1000: only its own call (within the 1 s grace) then quiet -> silence
    # bid 12000: speech at 12.5 s starts inside the grace but lasts past it -> not silent
    # bid 30000: quiet -> silence; bid 59500: too little recording left to judge
    assert [(p.onset_ms, p.offset_ms) for p in found] == [(1000, 11_000), (30_000, 40_000)]
    assert all(p.code == "silence" and p.provenance == "assist:silence@1" for p in found)


def test_silence_cut_by_the_end_of_the_recording_says_so() -> None:
    found = silences_after_bids([55_000], [], 10_000, 60_000, "1")
    assert found[0].offset_ms == 60_000 and "5000 ms" in found[0].note
    assert found[0].confidence < 1


def test_the_assist_settings_give_the_detectors_their_own_defaults() -> None:
    from samspill.core.assist.cry import CrySettings
    from samspill.core.assist.settings import AssistSettings
    from samspill.core.assist.speech import SpeechSettings

    assert AssistSettings().speech_settings() == SpeechSettings()
    assert AssistSettings().cry_settings() == CrySettings()
    low = AssistSettings(speech_threshold=0.2).speech_settings()
    assert round(low.threshold - low.hysteresis, 6) == 0.1  # speech can still end
    tuned = AssistSettings(cry_min_rise_db=12, cry_f0_max_hz=800).cry_settings()
    assert (tuned.min_rise_db, tuned.f0_max_hz) == (12, 800)
