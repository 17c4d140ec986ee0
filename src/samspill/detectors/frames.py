"""A media file's picture as small square frames for the pose model, decoded by the ffmpeg that
imageio-ffmpeg ships, in chunks, so that a 60-minute video never sits in memory whole.

ffmpeg samples the picture at ``fps`` frames a second (frame ``i`` shows the moment
``i / fps`` s), scales it to fit ``size`` x ``size`` without changing its shape, and pads the
rest with black (letterboxing): distances in a frame are then the same in both directions, as
the pose model expects. One chunk holds at most ``chunk_frames`` frames (64 frames of 256 x 256
are 12 MB).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from samspill.core.errors import N_, InputError

FPS = 5.0
SIZE = 256


class NoPicture(InputError):
    """The media file has no video stream (or none ffmpeg can decode)."""


def has_video(media_file: Path) -> bool:
    """Whether ffmpeg finds a video stream that is not a cover picture (reads the header only)."""
    import imageio_ffmpeg  # late: only the assist needs ffmpeg here

    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-i", str(media_file)],
        capture_output=True, timeout=60, check=False,
    )
    return any(b"Video:" in line and b"attached pic" not in line
               for line in probe.stderr.splitlines())


def frame_chunks(media_file: Path, fps: float = FPS, size: int = SIZE,
                 chunk_frames: int = 64) -> Iterator[np.ndarray]:
    """Consecutive uint8 arrays of shape (n, size, size, 3), RGB; raises :class:`NoPicture`, or
    :class:`InputError` when ffmpeg cannot decode the picture."""
    import imageio_ffmpeg

    if not has_video(media_file):
        raise NoPicture(N_("The video {name} has no picture the assist can see"),
                        fix=N_("the proximity and holding suggestions need a picture; the "
                               "sound suggestions still work"),
                        params={"name": media_file.name})
    scale = (f"fps={fps},scale={size}:{size}:force_original_aspect_ratio=decrease:flags=area,"
             f"pad={size}:{size}:(ow-iw)/2:(oh-ih)/2:color=black")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i",
               str(media_file), "-map", "0:v:0", "-an", "-vf", scale, "-pix_fmt", "rgb24",
               "-f", "rawvideo", "-"]
    frame_bytes = size * size * 3
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        while block := process.stdout.read(frame_bytes * chunk_frames):
            whole = len(block) // frame_bytes
            if whole:
                yield np.frombuffer(block[: whole * frame_bytes], dtype=np.uint8).reshape(
                    whole, size, size, 3)
        errors = process.stderr.read() if process.stderr else b""
        if process.wait() != 0:
            lines = errors.decode("utf-8", "replace").strip().splitlines()
            raise InputError(N_("ffmpeg could not decode the picture of {name}"),
                             fix=N_("check that the file plays; convert it to MP4 (H.264, AAC) "
                                    "and upload it again"),
                             params={"name": media_file.name}, where=lines[-1] if lines else "")


def read_png(path: Path) -> np.ndarray:
    """A still picture (PNG, JPEG) as an RGB uint8 array, decoded by ffmpeg."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path), pix_fmt="rgb24")
    meta = next(reader)
    width, height = meta["size"]
    data = next(reader)
    reader.close()
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3).copy()


def letterbox(picture: np.ndarray, size: int = SIZE) -> np.ndarray:
    """``picture`` scaled (nearest pixel) to fit ``size`` x ``size``, centred on black, as the
    frame decoder does with ffmpeg."""
    height, width = picture.shape[:2]
    scale = size / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    rows = np.minimum((np.arange(new_h) + 0.5) / scale, height - 1).astype(int)
    cols = np.minimum((np.arange(new_w) + 0.5) / scale, width - 1).astype(int)
    out = np.zeros((size, size, 3), dtype=np.uint8)
    top, left = (size - new_h) // 2, (size - new_w) // 2
    out[top:top + new_h, left:left + new_w] = picture[rows][:, cols]
    return out
