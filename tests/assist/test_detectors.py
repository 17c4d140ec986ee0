"""The assist's shell: the pinned model files, speech found in real synthetic speech (espeak-ng)
within 200 ms, and audio decoded in chunks from a media file."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from samspill.core.assist.speech import speech_segments
from samspill.detectors.audio import NoAudio, audio_chunks
from samspill.detectors.registry import SILERO_VAD, ModelMissing, model_path
from samspill.detectors.vad import WINDOW_MS, speech_probabilities
from tests.assist import sounds

MODELS = Path(__file__).resolve().parents[2] / ".models"


@pytest.fixture(scope="module")
def vad_file() -> Path:
    return model_path(MODELS, SILERO_VAD)


def test_a_missing_or_altered_model_file_is_refused_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="missing") as missing:
        model_path(tmp_path, SILERO_VAD)
    assert "samspill.detectors.fetch" in missing.value.fix
    (tmp_path / "silero-vad-6.2.3.onnx").write_bytes(b"not a model")
    with pytest.raises(ModelMissing, match="checksum"):
        model_path(tmp_path, SILERO_VAD)


@pytest.mark.parametrize("voice", ["en", "en+f3", "nb"])
def test_speech_is_found_within_200_ms_and_tones_and_noise_are_not(vad_file: Path,
                                                                    voice: str) -> None:
    first = sounds.speech("Hello little one, come here to me. Look at this!", voice)
    second = sounds.speech("Shall we read a book together now?", voice)
    placed = [(2000, first), (20_000, second)]
    others = [(9000, sounds.tone(1500, 440)), (13_000, sounds.noise(2000, 3000, seed=4))]
    rec = sounds.place(30_000, [*placed, *others])
    found = speech_segments(speech_probabilities(vad_file, [rec]), WINDOW_MS, 30_000)
    expected = [(at, at + sounds.duration_ms(s)) for at, s in placed]
    assert len(found) == 2, found
    for (onset, offset, _), (want_on, want_off) in zip(found, expected, strict=True):
        # espeak's own leading and trailing silence lie inside the placed piece
        assert want_on - 200 <= onset and offset <= want_off + 200
        assert onset - want_on <= 400 and want_off - offset <= 600


def test_probabilities_do_not_depend_on_how_the_audio_is_chunked(vad_file: Path) -> None:
    rec = sounds.place(6000, [(1000, sounds.speech("One two three four"))])
    whole = speech_probabilities(vad_file, [rec])
    chunked = speech_probabilities(vad_file, np.array_split(rec, 7))
    np.testing.assert_allclose(chunked, whole, atol=1e-6)


def _media(path: Path, audio: np.ndarray | None) -> Path:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    video = ["-f", "lavfi", "-i", "color=c=gray:s=64x48:d=3:r=10"]
    if audio is None:
        subprocess.run([ffmpeg, "-v", "error", "-y", *video, "-c:v", "libx264", str(path)],
                       check=True)
        return path
    raw = path.with_suffix(".raw")
    raw.write_bytes(audio.astype("<i2").tobytes())
    subprocess.run([ffmpeg, "-v", "error", "-y", *video, "-f", "s16le", "-ar", "16000", "-ac",
                    "1", "-i", str(raw), "-c:v", "libx264", "-c:a", "aac", "-shortest",
                    str(path)], check=True)
    return path


def test_audio_is_decoded_in_chunks(tmp_path: Path) -> None:
    rec = sounds.place(3000, [(1000, sounds.tone(500, 300))])
    chunks = list(audio_chunks(_media(tmp_path / "a.mp4", rec), chunk_s=0.5))
    assert len(chunks) >= 6 and all(len(c) <= 8000 for c in chunks)
    total = np.concatenate(chunks)
    assert abs(len(total) - len(rec)) <= 2048  # the codec's frame padding
    loud = np.flatnonzero(np.abs(total) > 3000)
    assert abs(loud[0] / 16 - 1000) < 60


def test_a_video_without_sound_says_so(tmp_path: Path) -> None:
    with pytest.raises(NoAudio, match="no sound"):
        list(audio_chunks(_media(tmp_path / "mute.mp4", None)))
