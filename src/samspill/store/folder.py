"""The data folder on disk: private modes, zip entries that stay inside it, and the lock a
running server holds.

Issue 21, items 9 and 12: the folder holds children's video and codings, so it is created
0700 and its files 0600; a backup or study archive is a file anyone could have written, so
every entry is checked before anything is written; and a restore refuses while a server
holds the folder, since replacing a live database under a running server corrupts both.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from samspill.core.errors import N_, ConflictError, InputError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
LOCK_NAME = "server.lock"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its missing parents) readable by this account only."""
    if not path.exists():
        path.mkdir(parents=True, mode=PRIVATE_DIR, exist_ok=True)
        path.chmod(PRIVATE_DIR)  # mkdir's mode is cut by the umask; chmod is not
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists and is 0600, before anything sensitive goes into it."""
    if not path.exists():
        path.touch(mode=PRIVATE_FILE)
    path.chmod(PRIVATE_FILE)
    return path


ARCHIVE_MEDIA = re.compile(r"^media/[0-9a-f]{64}$")  # a study archive's media entries
BACKUP_MEDIA = re.compile(r"^media/([0-9a-f]{2})/\1[0-9a-f]{62}$")  # a backup's (as on disk)


def check_entries(
    zf: zipfile.ZipFile, source: Path | str, allowed: Iterable[str], media: re.Pattern[str]
) -> None:
    """Refuse the whole zip if any entry could land outside the folder it is unpacked into
    (``../``, an absolute path, a drive letter, a symbolic link) or is not one the format
    has (``allowed``: exact names; ``media``: the pattern of its media entries)."""
    names = set(allowed)
    for info in zf.infolist():
        problem = _entry_problem(info, names, media)
        if problem:
            raise InputError(
                N_("{source}: the entry '{entry}' {problem}; nothing was changed"),
                fix=N_("use a file Samspill wrote, unchanged"),
                params={"source": str(source), "entry": info.filename[:120], "problem": problem},
            )


# What is wrong with an entry of a zip, said as the {problem} of check_entries' refusal.
ENTRY_PROBLEMS = (N_("points outside the data folder"), N_("is a symbolic link"),
                  N_("is not part of the format"))


def _entry_problem(info: zipfile.ZipInfo, names: set[str], media: re.Pattern[str]) -> str:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
        return ENTRY_PROBLEMS[0]
    if stat.S_ISLNK(info.external_attr >> 16):
        return ENTRY_PROBLEMS[1]
    if name in names or media.match(name):
        return ""
    return ENTRY_PROBLEMS[2]


def media_entry(rel: str) -> bool:
    """``ab/ab…`` (64 hex digits, filed under their first two): the only media names."""
    return bool(BACKUP_MEDIA.match(f"media/{rel}"))


def inside(folder: Path, rel: str) -> Path:
    """``folder / rel``, refused unless it resolves inside ``folder``."""
    target = (folder / rel).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise InputError(N_("'{entry}' points outside {folder}"), fix=N_("use an unchanged file"),
                         params={"entry": rel[:120], "folder": str(folder)})
    return folder / rel


REFUSALS = {
    "serve": ("another Samspill server or a restore is using {folder}",
              "stop it first, or give another --data-dir"),
    "restore": ("a Samspill server is running on {folder}; a restore would replace its "
                "database under it", "stop the server (samspill serve), then restore again"),
}


@contextmanager
def hold_folder(data_dir: Path, purpose: str) -> Iterator[None]:
    """Hold the data folder for ``purpose`` ("serve" or "restore"): a server holds it for as
    long as it runs, a restore while it replaces the data, so neither starts under the other.
    The kernel releases the lock when the process ends, even on kill -9."""
    private_dir(data_dir)
    handle = private_file(data_dir / LOCK_NAME).open("r+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            message, fix = REFUSALS[purpose]
            raise ConflictError(message.format(folder=data_dir), fix=fix) from exc
        handle.truncate(0)
        handle.write(f"{purpose} {os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()
