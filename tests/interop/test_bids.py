"""The BIDS-style folder: labels, events.tsv in seconds, sidecars, participants without
identifying data, and the videos copied or linked."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from interop_factories import open_scheme

from samspill.core.errors import InputError
from samspill.core.events import Event
from samspill.core.vignette import vignette_events, vignette_segments
from samspill.interop import bids
from samspill.interop.tidy import CodingEvents


def _run(dyad: str = "D-01", session: str = "v1", coder: str = "ann",
         videos: list[tuple[Path, str]] | None = None) -> bids.Run:
    identity = {"study": "s", "dyad": dyad, "session": session, "coder": coder, "coding_id": 1}
    coding = CodingEvents(identity=identity, events=vignette_events(),
                          segments=vignette_segments())
    return bids.Run(coding=coding, scheme=open_scheme(), task="free-play", videos=videos or [])


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_labels_are_letters_and_digits_and_distinct() -> None:
    assert bids.label("D-01_a") == "D01a" and bids.label("--") == "x"
    assert bids.labels(["D-01", "D01", "d_01"]) == {"D-01": "D01", "D01": "D01x2",
                                                   "d_01": "d01x3"}


@pytest.mark.parametrize(("ms", "text"), [(0, "0"), (60000, "60"), (63250, "63.25"),
                                          (1, "0.001"), (1199878, "1199.878")])
def test_seconds_are_exact(ms: int, text: str) -> None:
    assert bids.seconds(ms) == text


def test_events_tsv_has_onset_and_duration_in_seconds_then_the_codes() -> None:
    events = [Event(subject="child", code="bid", onset_ms=1500, modifiers={"kind": "show"}),
              Event(subject="caregiver", code="hold", onset_ms=2000, offset_ms=4250,
                    comment="a\tb")]
    rows = list(csv.reader(bids.events_tsv(events).splitlines(), delimiter="\t"))
    assert rows[0][:3] == ["onset", "duration", "trial_type"]
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert table[0] == {"onset": "1.5", "duration": "0", "trial_type": "bid",
                             "actor": "child", "segment": "n/a", "mod_kind": "show",
                             "onset_ms": "1500", "duration_ms": "0"}
    assert (table[1]["onset"], table[1]["duration"], table[1]["mod_kind"]) == ("2", "2.25",
                                                                               "n/a")


def test_the_sidecar_describes_every_column_with_units_and_levels() -> None:
    events = vignette_events()
    sidecar = bids.events_sidecar(events, open_scheme())
    header = bids.events_tsv(events).split("\n", 1)[0].split("\t")
    assert set(header) <= set(sidecar)
    assert sidecar["onset"] == {"Description": sidecar["onset"]["Description"],  # type: ignore[index]
                                "Units": "s"}
    levels = sidecar["trial_type"]["Levels"]  # type: ignore[index]
    assert set(levels) == {e.code for e in events}


def test_the_dataset_has_the_bids_layout(tmp_path: Path) -> None:
    video = tmp_path / "store" / "abc"
    video.parent.mkdir()
    video.write_bytes(b"not really a video")
    out = tmp_path / "ds"
    written = bids.write_dataset(
        out, name="Study", runs=[_run(videos=[(video, ".mp4")]), _run("D-02", "v2", "bob"),
                                 _run("D-02", "v2", "cy")],
        videos="copy", copy=shutil.copyfile)
    assert (written.participants, written.events_files, written.videos) == (2, 3, 1)
    beh = out / "sub-D01" / "ses-v1" / "beh"
    events = _tsv(beh / "sub-D01_ses-v1_task-freeplay_events.tsv")
    assert len(events) == len(vignette_events())
    assert json.loads((beh / "sub-D01_ses-v1_task-freeplay_events.json").read_text())
    assert (beh / "sub-D01_ses-v1_task-freeplay_video.mp4").read_bytes() == video.read_bytes()
    # Two codings of one session: one events file per coder (acq-).
    assert sorted(p.name for p in (out / "sub-D02" / "ses-v2" / "beh").iterdir()) == [
        "sub-D02_ses-v2_task-freeplay_acq-bob_events.json",
        "sub-D02_ses-v2_task-freeplay_acq-bob_events.tsv",
        "sub-D02_ses-v2_task-freeplay_acq-cy_events.json",
        "sub-D02_ses-v2_task-freeplay_acq-cy_events.tsv"]
    description = json.loads((out / "dataset_description.json").read_text())
    assert description["Name"] == "Study" and description["BIDSVersion"].startswith("1.")
    assert _tsv(out / "participants.tsv") == [{"participant_id": "sub-D01", "dyad": "D-01"},
                                              {"participant_id": "sub-D02", "dyad": "D-02"}]
    assert set(json.loads((out / "participants.json").read_text())) == {"participant_id",
                                                                          "dyad"}


def test_videos_can_be_linked(tmp_path: Path) -> None:
    video = tmp_path / "v"
    video.write_bytes(b"x")
    bids.write_dataset(tmp_path / "ds", name="S", runs=[_run(videos=[(video, ".webm")])],
                       videos="link", copy=shutil.copyfile)
    linked = tmp_path / "ds/sub-D01/ses-v1/beh/sub-D01_ses-v1_task-freeplay_video.webm"
    assert linked.is_symlink() and linked.resolve() == video.resolve()


def test_a_full_folder_or_a_missing_video_is_refused(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(InputError, match="not an empty folder"):
        bids.write_dataset(tmp_path / "full", name="S", runs=[_run()], videos="none",
                           copy=shutil.copyfile)
    with pytest.raises(InputError, match="missing from the media store"):
        bids.write_dataset(tmp_path / "new", name="S",
                           runs=[_run(videos=[(tmp_path / "gone", ".mp4")])], videos="copy",
                           copy=shutil.copyfile)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]  # nothing half-written
