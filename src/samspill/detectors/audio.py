"""A media file's audio as 16 kHz mono chunks, decoded by the ffmpeg that imageio-ffmpeg ships,
so that a 60-minute video never sits in memory whole (one chunk is ``chunk_s`` seconds)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from samspill.core.errors import N_, InputError

RATE = 16_000


class NoAudio(InputError):
    """The media file has no audio stream (or none ffmpeg can decode)."""


def has_audio(media_file: Path) -> bool:
    """Whether ffmpeg finds an audio stream (reads the header only)."""
    import imageio_ffmpeg  # late: only the assist and the waveform need ffmpeg

    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(media_file)],
        capture_output=True, timeout=60, check=False,
    )
    return b"Audio:" in probe.stderr


def audio_chunks(media_file: Path, chunk_s: float = 30.0, rate: int = RATE,
                 ) -> Iterator[np.ndarray]:
    """Consecutive int16 chunks of the first audio stream; raises :class:`NoAudio`, or
    :class:`InputError` when ffmpeg cannot read the file."""
    import imageio_ffmpeg

    if not has_audio(media_file):
        raise NoAudio(N_("The video {name} has no sound track the assist can hear"),
                      fix=N_("the speech, crying and silence suggestions need sound; the "
                             "picture suggestions still work"),
                      params={"name": media_file.name})
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i",
               str(media_file), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", str(rate),
               "-f", "s16le", "-"]
    chunk_bytes = int(chunk_s * rate) * 2
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        while block := process.stdout.read(chunk_bytes):
            yield np.frombuffer(block[: len(block) // 2 * 2], dtype="<i2")
        errors = process.stderr.read() if process.stderr else b""
        if process.wait() != 0:
            raise InputError(N_("ffmpeg could not decode the sound of {name}"),
                             fix=N_("check that the file plays; convert it to MP4 (H.264, AAC) "
                                    "and upload it again"),
                             params={"name": media_file.name}, where=errors.decode(
                                 "utf-8", "replace").strip().splitlines()[-1:][0]
                             if errors.strip() else "")
