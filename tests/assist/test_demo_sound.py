"""The demo video's synthetic sound track: the same at every setup, quiet except where the
vignette has the child cry (distress 180–235 s) or the caregiver answer aloud (27 s), and the
assist's cry detector hears the distress there, from the samples and from the rendered video."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from samspill.core import demo_sound
from samspill.core.assist.cry import cry_proposals, frame_features
from samspill.core.assist.proposals import Proposal
from samspill.core.events import Event
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.detectors.audio import has_audio
from samspill.services import assist, demo
from samspill.store.media import probe

MODELS = Path(__file__).resolve().parents[2] / ".models"
MARGIN_MS = 5_000  # "near the distress": within 5 s of its start or end


def _distress() -> Event:
    return next(e for e in vignette_events() if e.code == "distress")


def _check_cry_proposals(found: list[Proposal]) -> None:
    """Distress proposed over most of the vignette's distress, and nowhere far from it."""
    distress = _distress()
    assert distress.offset_ms is not None
    assert found, "the cry detector heard no crying in the demo"
    for p in found:
        assert (p.detector, p.subject, p.code) == ("cry", "child", "distress")
        assert p.offset_ms is not None
        assert p.onset_ms >= distress.onset_ms - MARGIN_MS, p
        assert p.offset_ms <= distress.offset_ms + MARGIN_MS, p
    covered = sum(max(0, min(p.offset_ms or 0, distress.offset_ms)
                      - max(p.onset_ms, distress.onset_ms)) for p in found)
    assert covered >= 0.8 * (distress.offset_ms - distress.onset_ms)


@pytest.fixture(scope="module")
def track() -> np.ndarray:
    return demo_sound.demo_track(vignette_events(), VIGNETTE_DURATION_MS)


def _rms_db(samples: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * np.log10(max(rms, 1e-9) / 32768)


def _span(track: np.ndarray, start_ms: int, end_ms: int) -> np.ndarray:
    return track[demo_sound.RATE * start_ms // 1000: demo_sound.RATE * end_ms // 1000]


def test_the_track_is_the_same_every_time_and_lasts_the_session(track: np.ndarray) -> None:
    assert track.dtype == np.int16
    assert len(track) == demo_sound.RATE * VIGNETTE_DURATION_MS // 1000
    again = demo_sound.demo_track(vignette_events(), VIGNETTE_DURATION_MS)
    assert np.array_equal(track, again)


def test_the_track_is_quiet_except_at_the_crying_and_the_spoken_answer(
        track: np.ndarray) -> None:
    verbal = [e for e in vignette_events()
              if e.code == "respond" and e.modifiers.get("channel") == "verbal"]
    assert [e.onset_ms for e in verbal] == [27_000]
    quiet = _rms_db(_span(track, 60_000, 170_000))
    assert quiet < -45  # room noise only
    assert _rms_db(_span(track, 27_000, 28_000)) > quiet + 20  # the babbled answer
    assert _rms_db(_span(track, 185_000, 230_000)) > quiet + 30  # the crying
    assert _rms_db(_span(track, 240_000, 360_000)) < quiet + 3


def test_events_without_distress_or_speech_give_room_noise_only() -> None:
    quiet = [e for e in vignette_events() if e.code not in ("distress", "respond")]
    track = demo_sound.demo_track(quiet, 60_000)
    assert _rms_db(track) < -45
    assert cry_proposals(frame_features(track, demo_sound.RATE), "1") == []


def test_the_cry_detector_hears_the_distress_in_the_track(track: np.ndarray) -> None:
    _check_cry_proposals(cry_proposals(frame_features(track, demo_sound.RATE), "1"))


def test_the_assist_on_the_rendered_demo_video_proposes_the_distress(tmp_path: Path) -> None:
    # The conftest's cached renderer: the same file ``load_demo`` attaches, rendered once a run.
    video = demo.render_demo_video(vignette_events(), VIGNETTE_DURATION_MS,
                                   tmp_path / "vignette.webm")
    assert has_audio(video)
    assert probe(video).duration_ms == VIGNETTE_DURATION_MS  # the sound ends within the picture
    result = assist.compute(video, ["cry"], models_dir=MODELS, progress=lambda _f: None)
    assert abs(result.duration_ms - VIGNETTE_DURATION_MS) <= 100
    _check_cry_proposals(result.proposals)
