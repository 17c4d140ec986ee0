"""`samspill import elan` for files coded under a lab's own scheme: ``--derive-scheme``
(a scheme proposed from the tiers, shown, imported after confirmation), ``--mapping`` (tiers
onto a stored scheme, reused for a folder) and ``--write-mapping`` (a starter mapping to edit).

Helpers of :mod:`samspill.cli.imports`; the services are imported inside the functions so
that the command line starts without the database layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from samspill.cli.common import console
from samspill.core.errors import InputError

if TYPE_CHECKING:
    from samspill.interop.elan_mapping import ElanMapping


@dataclass
class ElanChoice:
    """What the user asked of an ELAN import beyond the plain one."""

    derive: bool = False
    mapping: Path | None = None
    write_mapping: Path | None = None
    yes: bool = False

    @property
    def plain(self) -> bool:
        return not (self.derive or self.mapping or self.write_mapping)


def _files(path: Path, recursive: bool) -> list[Path]:
    from samspill.cli.imports import folder_files  # here: cli.imports imports this module
    return folder_files("elan", path, recursive) if path.is_dir() else [path]


def _tiers(path: Path, recursive: bool) -> list[Any]:
    """Every file's tiers (a folder's files all read before anything is stored)."""
    from samspill.cli.imports import _read
    from samspill.interop.elan_tiers import read_tiers
    return [read_tiers(_read(f), source=f.name) for f in _files(path, recursive)]


def read_mapping(path: Path) -> ElanMapping:
    from samspill.cli.imports import _read
    from samspill.interop.elan_mapping import load_mapping
    return load_mapping(_read(path).decode("utf-8", errors="replace"), source=path.name)


def prepare(choice: ElanChoice, path: Path, recursive: bool, scheme_id: str | None,
            data_dir: Path | None) -> dict[str, object] | None:
    """The options for the import call (mapping, derived scheme), after writing a starter
    mapping or showing and confirming a derived scheme; None when nothing is to import."""
    from samspill.services import elan_imports
    if choice.mapping is not None:
        if choice.derive:
            raise InputError("--mapping and --derive-scheme exclude each other",
                             fix="map onto a stored scheme, or derive one, not both")
        return {"mapping": read_mapping(choice.mapping), "scheme_id": scheme_id}
    files = _tiers(path, recursive)
    if choice.write_mapping is not None and not choice.derive:
        _write_starter(choice.write_mapping, files, path, scheme_id, data_dir)
        return None
    if scheme_id is not None:
        raise InputError("--derive-scheme makes a new scheme, --scheme names a stored one",
                         fix="leave out --scheme, or map onto it with --write-mapping and "
                             "--mapping")
    proposal = elan_imports.propose(files, str(path))
    typer.echo(elan_imports.scheme_yaml(proposal.scheme))
    for line in elan_imports.summary_lines(proposal):
        typer.echo(line)
    if choice.write_mapping is not None:
        from samspill.interop.elan_mapping import mapping_yaml
        _write(choice.write_mapping, mapping_yaml(proposal.mapping))
    if not choice.yes and not typer.confirm(
            f"Store scheme {proposal.scheme.id} and import {len(files)} file(s) with it?"):
        raise typer.Exit(1)
    return {"mapping": proposal.mapping, "scheme": proposal.scheme}


def _write_starter(out: Path, files: list[Any], path: Path, scheme_id: str | None,
                   data_dir: Path | None) -> None:
    """Without --scheme: the derived mapping (and the derived scheme beside it, to load);
    with it: a starter mapping onto that stored scheme."""
    from samspill.services import elan_imports
    if scheme_id is None:
        from samspill.interop.elan_mapping import mapping_yaml
        proposal = elan_imports.propose(files, str(path))
        scheme_file = out.with_name(out.stem + ".scheme.yaml")
        _write(out, mapping_yaml(proposal.mapping, note=(
            f"Scheme {proposal.scheme.id} is derived from the file: load {scheme_file.name}\n"
            "(samspill scheme load) or import with --derive-scheme first.")))
        _write(scheme_file, elan_imports.scheme_yaml(proposal.scheme))
        return
    from samspill.cli.common import open_database
    from samspill.services.schemes import latest_version, scheme_of
    database = open_database(data_dir)
    try:
        with database.session() as db:
            scheme = scheme_of(latest_version(db, scheme_id))
    finally:
        database.dispose()
    _write(out, elan_imports.starter_mapping(files, scheme))


def _write(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}", fix="check the path") from None
    console.print(f"wrote {out}")
