"""The audio waveform lane's data (issue 20): peaks per 10 ms computed on the server from the
media's audio with imageio-ffmpeg's ffmpeg, cached beside the file, served to readers of the
study; a file without audio says so. The clips are made with ffmpeg: 1 s of a 440 Hz tone,
1 s of silence, 1 s of tone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from fastapi.testclient import TestClient

from samspill.core.waveform import peaks
from samspill.services import media as media_service
from samspill.store import waveform
from samspill.store.db import Database
from samspill.store.media import media_path
from tests.factories import Built
from tests.web.conftest import bearer

TONE = "sine=frequency=440:sample_rate=44100:duration=1"


def _clip(out: Path, *, audio: bool) -> Path:
    video = ["-f", "lavfi", "-i", "color=c=gray:s=64x48:r=10:d=3"]
    sound = (["-f", "lavfi", "-i", TONE, "-f", "lavfi", "-i",
              "anullsrc=r=44100:cl=mono:d=1", "-f", "lavfi", "-i", TONE,
              "-filter_complex", "[1:a]atrim=0:1[a];[2:a]atrim=0:1[b];[3:a]atrim=0:1[c];"
              "[a][b][c]concat=n=3:v=0:a=1[out]", "-map", "0:v", "-map", "[out]",
              "-c:a", "libopus"] if audio else [])
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *video, *sound,
                    "-c:v", "libvpx", "-threads", "1", "-t", "3", str(out)],
                   check=True, timeout=120)
    return out


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    return {"tone": _clip(folder / "tone.webm", audio=True),
            "mute": _clip(folder / "mute.webm", audio=False)}


def test_peaks_are_min_and_max_per_step() -> None:
    samples = np.array([0, 1000, -2000, 3000] * 20 + [0] * 80, dtype=np.int16)  # 20 ms at 8 kHz
    found = peaks(samples)
    assert (found.step_ms, found.duration_ms) == (10, 20)
    assert found.peaks == [-2000 // 256, 3000 // 256, 0, 0]


def test_the_waveform_shows_tone_silence_tone_and_is_cached(
        clips: dict[str, Path], tmp_path: Path) -> None:
    clip = tmp_path / "clip"
    clip.write_bytes(clips["tone"].read_bytes())
    found = waveform.waveform(clip)
    assert found["audio"] is True and found["step_ms"] == 10
    assert 2900 <= found["duration_ms"] <= 3100  # type: ignore[operator]
    pairs = np.array(found["peaks"]).reshape(-1, 2)
    loud = pairs[:, 1] - pairs[:, 0]
    # Each 10 ms step: the tone's seconds are loud, the silent second is flat (codec edges
    # of 100 ms are left out).
    # lavfi's sine is at 1/8 of full scale: about 32 of 254 steps from min to max.
    assert loud[10:90].min() > 20 and loud[110:190].max() < 3 and loud[210:290].min() > 20
    assert waveform.cache_path(clip).exists()
    clip.write_bytes(b"no longer a video")  # the cache answers; ffmpeg is not run again
    assert waveform.waveform(clip) == found
    waveform.forget(clip)
    assert not waveform.cache_path(clip).exists()


def test_a_file_without_audio_says_so(clips: dict[str, Path], tmp_path: Path) -> None:
    clip = tmp_path / "mute"
    clip.write_bytes(clips["mute"].read_bytes())
    assert waveform.waveform(clip) == {"audio": False, "step_ms": 10, "duration_ms": 0,
                                       "peaks": []}


def test_the_route_serves_the_waveform_to_readers_only(
        client: TestClient, database: Database, built: Built, clips: dict[str, Path]) -> None:
    settings = client.app.state.settings  # type: ignore[attr-defined]
    with database.session() as db:
        session = db.merge(built.session)
        stored = media_service.attach_file(db, session=session, media_dir=settings.media_dir,
                                           source=clips["tone"])
        media_id, sha = stored.id, stored.sha256
    url = f"/api/media/{media_id}/waveform"
    assert client.get(url).status_code == 401
    answer = client.get(url, headers=bearer(database, built.owner.username))
    assert answer.status_code == 200 and answer.json()["audio"] is True
    assert len(answer.json()["peaks"]) >= 580
    assert waveform.cache_path(media_path(settings.media_dir, sha)).exists()
