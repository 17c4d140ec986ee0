"""Media files: stored content-addressed under ``media/ab/abcdef…``, probed with ffmpeg.

The stored name is the SHA-256 of the bytes, so the user's file name never becomes a path: path
traversal has nothing to act on. The original name is kept, sanitised, for display only.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from samspill.core.errors import N_, InputError
from samspill.store.folder import private_dir

_CHUNK = 1 << 20
_CONTAINERS = {
    "mov,mp4,m4a,3gp,3g2,mj2": "video/mp4",
    "matroska,webm": "video/webm",
    "avi": "video/x-msvideo",
    "ogg": "video/ogg",
}

# The only types a media file is ever served as (issue 21, item 8): a stored type outside this
# list (an old row, a hand-edited database) is sent as a download, never shown inline.
PLAYABLE_TYPES = frozenset(
    {*_CONTAINERS.values(), "audio/mp4", "audio/mpeg", "audio/ogg", "audio/webm", "audio/wav"}
)


def is_playable(content_type: str) -> bool:
    return content_type.strip().lower() in PLAYABLE_TYPES


@dataclass(frozen=True)
class StoredMedia:
    sha256: str
    size_bytes: int
    path: Path


@dataclass(frozen=True)
class MediaInfo:
    duration_ms: int | None
    fps: float | None
    content_type: str


def safe_filename(name: str) -> str:
    """A display name with no folders, control characters or leading dots."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return base[:200] or "video"


def media_path(media_dir: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InputError(N_("not a media id"), fix=N_("use the id the upload returned"))
    return media_dir / sha256[:2] / sha256


def store_stream(media_dir: Path, chunks: Iterable[bytes], *, max_bytes: int) -> StoredMedia:
    """Write chunks to a temporary file, hash them, and move the file to its content address."""
    private_dir(media_dir)  # 0700; the temporary file below is 0600 and keeps that mode
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=media_dir, delete=False, prefix=".upload-") as tmp:
        try:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(
                        N_("the file is larger than {size} MB"),
                        fix=N_("compress the video or raise max_upload_mb"),
                        params={"size": max_bytes // 2**20},
                    )
                digest.update(chunk)
                tmp.write(chunk)
        except BaseException:
            Path(tmp.name).unlink(missing_ok=True)
            raise
    target = media_path(media_dir, digest.hexdigest())
    private_dir(target.parent)
    shutil.move(tmp.name, target)
    return StoredMedia(digest.hexdigest(), size, target)


def store_file(media_dir: Path, source: Path, *, max_bytes: int = 2**40) -> StoredMedia:
    with source.open("rb") as handle:
        return store_stream(media_dir, iter(lambda: handle.read(_CHUNK), b""), max_bytes=max_bytes)


def probe(path: Path) -> MediaInfo:
    """Duration, frame rate and container from ffmpeg itself, not from the file's name."""
    import imageio_ffmpeg  # imported late: ffmpeg is only needed when media arrive

    try:
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = next(reader)
        reader.close()
    except (RuntimeError, OSError, StopIteration) as exc:
        raise InputError(
            N_("the file is not a video ffmpeg can read"),
            fix=N_("upload an MP4, WebM, MOV or AVI video"),
        ) from exc
    duration = meta.get("duration")
    fps = meta.get("fps")
    return MediaInfo(
        duration_ms=round(duration * 1000) if duration else None,
        fps=float(fps) if fps else None,
        content_type=_content_type(path),
    )


def _content_type(path: Path) -> str:
    import subprocess

    import imageio_ffmpeg

    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Input #0, (.+?), from '", result.stderr)
    container = match.group(1) if match else ""
    return _CONTAINERS.get(container, "application/octet-stream")
