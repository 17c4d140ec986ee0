"""The Datavyu ``.opf`` container: a zip of a ``db`` text (:mod:`datavyu_db`) and a ``project``
YAML document (the project's name and the videos it plays); a bare ``db`` file is read too.

Older Datavyu (OpenSHAPA) put both inside a folder named like the file; both places are read.
The YAML carries Datavyu's own tags (``!project``, ``!vs``, ``!ts``), read as plain mappings
by a safe loader; only the video paths (``feed``) are kept.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import yaml

from samspill.core.errors import N_, InputError
from samspill.interop.datavyu_db import Column, parse_db, write_db
from samspill.interop.safety import MAX_INPUT_BYTES, as_bytes, decode_utf8

PROJECT_VERSION = 5  # the project format Datavyu 1.3 and later write
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class OpfFile:
    """What an ``.opf`` holds for Samspill: its columns and the videos the project plays."""

    columns: list[Column]
    name: str = ""
    media: list[str] = field(default_factory=list)


class _TagLoader(yaml.SafeLoader):  # type: ignore[misc]  # yaml has no type information
    """A safe loader that reads Datavyu's tagged nodes as plain mappings and lists."""


def _plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)


_TagLoader.add_multi_constructor("!", _plain)


def is_opf(raw: bytes) -> bool:
    return raw.startswith(_ZIP_MAGIC)


def read_opf(data: bytes | str, source: str) -> OpfFile:
    """An ``.opf`` (zip) or a bare ``db`` text, parsed; :class:`InputError` naming the file."""
    raw = as_bytes(data, source)
    if not is_opf(raw):
        return OpfFile(columns=parse_db(decode_utf8(raw, source), source))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            db = _member(archive, "db", source)
            project = _member(archive, "project", source, required=False)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(N_("not a readable .opf (zip) file ({reason})"),
                         fix=N_("open it in Datavyu and save it again"), where=source,
                         params={"reason": str(exc)}) from exc
    opf = OpfFile(columns=parse_db(decode_utf8(db, source), source))
    if project:
        opf.name, opf.media = _project(project, source)
    return opf


def _member(archive: zipfile.ZipFile, name: str, source: str, *,
            required: bool = True) -> bytes:
    """The ``db`` or ``project`` entry, at the top or in the one folder of older files."""
    entries = [i for i in archive.infolist() if not i.is_dir()
               and not i.filename.startswith("__MACOSX/")
               and i.filename.rsplit("/", 1)[-1] == name and i.filename.count("/") <= 1]
    entries.sort(key=lambda i: i.filename.count("/"))
    if not entries:
        if required:
            raise InputError(N_("the .opf holds no '{name}' entry"),
                             fix=N_("open it in Datavyu and save it again"), where=source,
                             params={"name": name})
        return b""
    info = entries[0]
    if info.file_size > MAX_INPUT_BYTES:
        raise InputError(N_("the .opf's '{name}' is larger than {size} MB"),
                         fix=N_("split the coding into smaller files"), where=source,
                         params={"name": name, "size": MAX_INPUT_BYTES // 2**20})
    with archive.open(info) as member:
        body: bytes = member.read(MAX_INPUT_BYTES + 1)
    if len(body) > MAX_INPUT_BYTES:  # the size in the directory can lie
        raise InputError(N_("the .opf's '{name}' unpacks past {size} MB"),
                         fix=N_("split the coding into smaller files"), where=source,
                         params={"name": name, "size": MAX_INPUT_BYTES // 2**20})
    return body


def _project(raw: bytes, source: str) -> tuple[str, list[str]]:
    """The project's name and its videos' paths; an unreadable project is no refusal (the
    codes are in ``db``), so this gives nothing then."""
    try:
        doc = yaml.load(decode_utf8(raw, source), Loader=_TagLoader)
    except (yaml.YAMLError, InputError):
        return "", []
    if not isinstance(doc, dict):
        return "", []
    settings = doc.get("viewerSettings") or []
    feeds = [str(s["feed"]) for s in settings if isinstance(s, dict) and s.get("feed")]
    return str(doc.get("name") or ""), feeds[:8]


def write_opf(columns: list[Column], name: str) -> bytes:
    """An ``.opf`` Datavyu opens: ``project`` (no videos; Datavyu asks for them) and ``db``."""
    project = "\n".join([
        "!project", "dbFile: null", f"name: {json.dumps(name, ensure_ascii=True)}",
        "origpath: ''", f"version: {PROJECT_VERSION}", "viewerSettings: []", ""])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry("project"), project.encode("utf-8"))
        archive.writestr(_entry("db"), write_db(columns).encode("utf-8"))
    return out.getvalue()


def _entry(name: str) -> zipfile.ZipInfo:
    """An entry with a fixed date, so the same coding gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info
