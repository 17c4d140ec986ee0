"""The waveform of a media file's audio: decoded with the ffmpeg that imageio-ffmpeg ships,
reduced to peaks (core.waveform), cached beside the media file as ``<sha>.peaks.json`` so that
it is computed once per file; a file without audio answers ``{"audio": false}``."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from samspill.core.waveform import NO_AUDIO, SAMPLE_RATE, peaks

SUFFIX = ".peaks.json"
TIMEOUT_S = 600


def cache_path(media_file: Path) -> Path:
    return media_file.with_name(media_file.name + SUFFIX)


def waveform(media_file: Path) -> dict[str, object]:
    """The peaks of ``media_file``'s first audio stream (from the cache when there)."""
    cached = cache_path(media_file)
    if cached.exists():
        return json.loads(cached.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    samples = decode_audio(media_file)
    found = NO_AUDIO if samples is None else peaks(samples).as_json()
    _write_atomically(cached, json.dumps(found, separators=(",", ":")))
    return found


def decode_audio(
    media_file: Path, rate: int = SAMPLE_RATE, *, limit_s: int | None = None
) -> np.ndarray | None:
    """Mono signed 16-bit samples at ``rate`` Hz (the first ``limit_s`` seconds when given), or
    None when the file has no audio."""
    import imageio_ffmpeg  # imported late: ffmpeg is only needed when a waveform is asked for

    limit = ["-t", str(limit_s)] if limit_s else []
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(media_file),
               *limit, "-map", "0:a:0?", "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"]
    done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    if done.returncode != 0 or not done.stdout:
        return None  # no audio stream (ffmpeg maps nothing) or nothing to decode
    return np.frombuffer(done.stdout[: len(done.stdout) // 2 * 2], dtype="<i2")


def forget(media_file: Path) -> None:
    """Remove the cached waveform with its media file (a deleted dyad leaves nothing)."""
    cache_path(media_file).unlink(missing_ok=True)


def _write_atomically(path: Path, text: str) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".peaks-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(name, path)
