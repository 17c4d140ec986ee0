"""`samspill import boris|elan|datavyu|csv FILE-or-FOLDER`: coding files into a study.

Thin commands over :mod:`samspill.services.imports`; the converters themselves live in
:mod:`samspill.interop`. A folder imports each of its files as that file alone would be, each
all or nothing, with one summary. See ``docs/interop.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from samspill.cli.common import DataDir, Study, console, error_text, open_database
from samspill.cli.exchange import progress_bar
from samspill.core.errors import InputError

if TYPE_CHECKING:
    from samspill.services import imports
    from samspill.store.db import Database

import_app = typer.Typer(help="Import BORIS, ELAN, Datavyu or CSV codings into a study.",
                         no_args_is_help=True)
MAX_IMPORT_BYTES = 512 * 2**20


class TimeUnit(StrEnum):
    ms = "ms"
    s = "s"


class Procedure(StrEnum):
    free_play = "free-play"
    ssp = "ssp"


InFile = Annotated[Path, typer.Argument(
    help="The file to import, or a folder: each of its files of this kind, imported as that "
         "file alone would be, each all or nothing.")]
Recursive = Annotated[bool, typer.Option(
    "--recursive", help="With a folder: its subfolders' files too.")]
ImportCoder = Annotated[str | None, typer.Option(
    "--coder", help="Who coded it (default: the file's coder if a member, else 'admin').")]
SchemeOpt = Annotated[str | None, typer.Option(
    "--scheme", help="Stored scheme the events use (its newest version).")]
DyadOpt = Annotated[str | None, typer.Option(
    "--dyad", help="Dyad code for a session that does not exist yet.")]
ProcedureOpt = Annotated[Procedure | None, typer.Option(
    "--procedure", help="Procedure of new sessions whose file does not say it (a BORIS "
                        "'procedure' variable); without it such an import is refused.")]


def _read(file: Path) -> bytes:
    try:
        size = file.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise InputError(f"{file.name} is larger than {MAX_IMPORT_BYTES // 2**20} MB",
                             fix="split the project into smaller files")
        return file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror}", fix="check the path") from None


def _run_import(kind: str, file: Path, study: str, coder: str | None, dyad: str | None,
                data_dir: Path | None, call: Callable[..., imports.ImportResult],
                procedure: Procedure | None = None, recursive: bool = False,
                session_of: Callable[[Path], str] | None = None, **options: object) -> None:
    """One file in one transaction, or each file of a folder in its own (:func:`_run_folder`).
    ``session_of`` names the session of a file (ELAN and CSV: after the file's name)."""
    if file.is_dir():
        _run_folder(kind, file, study, coder, dyad, data_dir, call, procedure, recursive,
                    session_of, **options)
        return
    database = open_database(data_dir)
    try:
        with progress_bar(f"import {kind}") as report:
            result = _import_one(database, kind, file, file.name, study, coder, dyad, call,
                                 procedure, session_of, report, **options)
    finally:
        database.dispose()
    for warning in result.warnings:
        console.print(f"warning: {warning}")
    console.print(f"imported {result.summary()}")


# ---------------------------------------------------------------- a folder of files

EXTENSIONS = {"boris": (".boris", ".boris.gz"), "elan": (".eaf",), "csv": (".csv",),
              "datavyu": (".opf",)}


def folder_files(kind: str, folder: Path, recursive: bool) -> list[Path]:
    """The files of this kind in the folder (its subfolders too if ``recursive``), sorted by
    their path in it. Hidden files are left out: macOS writes ``._name.eaf`` beside every
    file on a shared drive, and those are no coding files."""
    endings = EXTENSIONS[kind]
    found = folder.rglob("*") if recursive else folder.iterdir()
    files = sorted((f for f in found if f.name.lower().endswith(endings)
                    and not f.name.startswith(".") and f.is_file()),
                   key=lambda f: f.relative_to(folder).as_posix())
    if not files:
        where = "in it or its subfolders" if recursive else "in it"
        raise InputError(f"{folder} holds no {' or '.join(endings)} file {where}",
                         fix="check the folder" + ("" if recursive else
                                                   ", or give --recursive to look in its "
                                                   "subfolders"))
    return files


@dataclass
class FolderSummary:
    """What a folder import did: the results of the files imported, the files refused."""

    imported: list[imports.ImportResult] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # a line per file: name, reason, fix

    def lines(self) -> list[str]:
        results = self.imported
        schemes = sorted({r.scheme for r in results})
        said = (f"imported {len(results)} file(s): {sum(len(r.codings) for r in results)} "
                f"coding(s), {sum(r.events for r in results)} event(s), "
                f"{sum(len(r.sessions_created) for r in results)} new session(s)")
        lines = [said + (f"; scheme {', '.join(schemes)}" if schemes else "")]
        if self.refused:
            lines.append(f"refused {len(self.refused)} file(s), nothing of them stored:")
            lines += [f"  {line}".replace("\n", "\n    ") for line in self.refused]
        return lines


def _run_folder(kind: str, folder: Path, study: str, coder: str | None, dyad: str | None,
                data_dir: Path | None, call: Callable[..., imports.ImportResult],
                procedure: Procedure | None, recursive: bool,
                session_of: Callable[[Path], str] | None, **options: object) -> None:
    """Each file in its own transaction: a refused file stores nothing and the others still
    import. One summary at the end; exit status 2 when any file was refused."""
    from samspill.core.errors import SamspillError
    from samspill.services import studies
    from samspill.services.accounts import get_user
    from samspill.services.setup import ensure_admin
    files = folder_files(kind, folder, recursive)
    database = open_database(data_dir)
    summary = FolderSummary()
    try:
        with database.session() as db:  # a wrong study or coder refuses the whole folder
            studies.get_study(db, study)
            ensure_admin(db)
            if coder:
                get_user(db, coder)
        with progress_bar(f"import {len(files)} {kind} files") as report:
            for number, file in enumerate(files):
                name = file.relative_to(folder).as_posix()
                def step(fraction: float, done: int = number) -> None:
                    report((done + fraction) / len(files))
                try:
                    result = _import_one(database, kind, file, name, study, coder, dyad, call,
                                         procedure, session_of, step, **options)
                except SamspillError as error:
                    summary.refused.append(_refusal(name, file.name, error_text(error)))
                    continue
                summary.imported.append(result)
                for warning in result.warnings:
                    console.print(f"warning: {name}: {warning}")
    finally:
        database.dispose()
    for line in summary.lines():
        typer.echo(line)
    if summary.refused:
        raise typer.Exit(2)


def _refusal(name: str, file_name: str, text: str) -> str:
    """The refusal of a file, named once: the readers' messages begin with the file's name
    (``a.csv: row 3: …``), which becomes its path in the folder."""
    if text.startswith(file_name):
        return name + text[len(file_name):]
    return f"{name}: {text}"


def _import_one(database: Database, kind: str, file: Path, name: str, study: str,
                coder: str | None, dyad: str | None, call: Callable[..., imports.ImportResult],
                procedure: Procedure | None, session_of: Callable[[Path], str] | None,
                report: Callable[[float], None], **options: object) -> imports.ImportResult:
    """One file of a folder, in its own transaction (rolled back when it is refused)."""
    from samspill.services import audit, imports, studies
    from samspill.services.accounts import get_user
    from samspill.services.setup import ensure_admin
    data = _read(file)
    if session_of is not None:
        options["session"] = session_of(file)
    with database.session() as db:
        target = imports.Target(
            study=studies.get_study(db, study), default_coder=ensure_admin(db),
            coder=get_user(db, coder) if coder else None, dyad=dyad,
            procedure=procedure.value if procedure else None)
        result = call(db, target, data, source=file.name, progress=report, **options)
        audit.record(db, action="import", target=f"{kind} {name}"[:300], study=study,
                     detail=result.summary())
    return result


def _base(file: Path, ending: str) -> str:
    """The file's name without its ending, in any case (``Home 1.EAF`` → ``Home 1``)."""
    name = file.name
    return name[:-len(ending)] if name.lower().endswith(ending) else name


def _one_session(session: str | None, file: Path) -> None:
    """--session names one session: a folder gives one session per file."""
    if session is not None and file.is_dir():
        raise InputError(f"--session {session} names one session, but {file} is a folder "
                         "(one session per file, named after the file)",
                         fix="leave out --session, or import one file at a time")


@import_app.command("boris")
def import_boris(file: InFile, study: Study, coder: ImportCoder = None,
                 scheme: SchemeOpt = None, dyad: DyadOpt = None,
                 procedure: ProcedureOpt = None, recursive: Recursive = False,
                 data_dir: DataDir = None) -> None:
    """A BORIS project (.boris or .boris.gz): one coding per observation, all or nothing.

    Sessions come from the observations' 'session' variable or names, dyads from their 'dyad'
    variable; without --scheme the project's own ethogram becomes a stored scheme.

    A folder imports each of its files of this kind (sorted by name; with --recursive its
    subfolders' too), each all or nothing, and prints one summary of the files imported and
    of those refused with the reason and the fix. Exit status 2 when any file was refused.
    """
    from samspill.services import imports
    _run_import("boris", file, study, coder, dyad, data_dir, imports.import_boris,
                procedure, recursive, scheme_id=scheme)


@import_app.command("elan")
def import_elan(file: InFile, study: Study,
                session: Annotated[str | None, typer.Option(
                    "--session", help="Session to store it in (default: the file's name; "
                                     "not with a folder).")]
                = None,
                coder: ImportCoder = None, scheme: SchemeOpt = None, dyad: DyadOpt = None,
                procedure: ProcedureOpt = None, recursive: Recursive = False,
                derive_scheme: Annotated[bool, typer.Option(
                    "--derive-scheme", help="Derive a scheme from the file's tiers (a folder: "
                                            "from all its files), show it and, once "
                                            "confirmed, store it and import with it.")]
                = False,
                mapping: Annotated[Path | None, typer.Option(
                    "--mapping", help="A mapping file (YAML) of tiers and values onto a "
                                      "stored scheme's subjects and codes; reused for every "
                                      "file of a folder.")] = None,
                write_mapping: Annotated[Path | None, typer.Option(
                    "--write-mapping", help="Write a starter mapping of the file's tiers to "
                                            "edit (onto --scheme, else onto a derived scheme "
                                            "written beside it); imports nothing unless "
                                            "with --derive-scheme.")] = None,
                yes: Annotated[bool, typer.Option(
                    "--yes", help="With --derive-scheme: import without asking.")] = False,
                data_dir: DataDir = None) -> None:
    """An ELAN file (.eaf) as one coding of a session. Without --scheme: the scheme Samspill's
    export names in the file, else withdrawal-open. A file coded under another scheme: derive
    one from its tiers (--derive-scheme), or map its tiers onto a stored scheme (--mapping).

    A folder imports each of its files of this kind (sorted by name; with --recursive its
    subfolders' too), each all or nothing, and prints one summary of the files imported and
    of those refused with the reason and the fix. Exit status 2 when any file was refused.
    """
    from samspill.cli.imports_elan import ElanChoice, prepare
    from samspill.services import imports
    _one_session(session, file)
    choice = ElanChoice(derive_scheme, mapping, write_mapping, yes)
    options: dict[str, object] = {"scheme_id": scheme}
    call = imports.import_elan
    if not choice.plain:
        from samspill.services import elan_imports
        prepared = prepare(choice, file, recursive, scheme, data_dir)
        if prepared is None:
            return
        options, call = prepared, elan_imports.import_elan_mapped
    _run_import("elan", file, study, coder, dyad, data_dir, call, procedure,
                recursive, lambda f: imports.session_name(session or _base(f, ".eaf")),
                **options)


@import_app.command("datavyu")
def import_datavyu(file: InFile, study: Study,
                   session: Annotated[str | None, typer.Option(
                       "--session", help="Session to store it in (default: the file's name; "
                                         "not with a folder).")]
                   = None,
                   derive_scheme: Annotated[bool, typer.Option(
                       "--derive-scheme", help="Build a scheme from the files' columns (each "
                       "column a code group, its values the codes), show it, and import with "
                       "it once confirmed; --scheme then names it.")] = False,
                   yes: Annotated[bool, typer.Option(
                       "--yes", help="With --derive-scheme: import without asking.")] = False,
                   coder: ImportCoder = None, scheme: SchemeOpt = None, dyad: DyadOpt = None,
                   procedure: ProcedureOpt = None, recursive: Recursive = False,
                   data_dir: DataDir = None) -> None:
    """A Datavyu file (.opf, or its bare db text) as one coding of a session: columns named
    after the scheme's subjects or code groups, cell values as codes and modifiers. Without
    --scheme: the scheme Samspill's export names in the file, else withdrawal-open.

    A folder imports each of its files of this kind (sorted by name; with --recursive its
    subfolders' too), each all or nothing, and prints one summary of the files imported and
    of those refused with the reason and the fix. Exit status 2 when any file was refused.
    With --derive-scheme one scheme is built from all of the folder's files.
    """
    from samspill.services import imports
    _one_session(session, file)
    options: dict[str, object] = {"scheme_id": scheme}
    if derive_scheme:
        options = {"derived": _derived(file, recursive, scheme, yes)}
    _run_import("datavyu", file, study, coder, dyad, data_dir, imports.import_datavyu,
                procedure, recursive, lambda f: imports.session_name(session or _base(f, ".opf")),
                **options)


def _derived(file: Path, recursive: bool, scheme: str | None, yes: bool) -> object:
    """The scheme the file's (or folder's) columns describe, shown and agreed to. A file that
    cannot be read is left out here; its import then says why."""
    from samspill.core.errors import SamspillError
    from samspill.interop.boris_ethogram import to_identifier
    from samspill.interop.datavyu_derive import derive_scheme, describe
    from samspill.interop.datavyu_opf import read_opf
    files = folder_files("datavyu", file, recursive) if file.is_dir() else [file]
    read = []
    for one in files:
        try:
            read.append(read_opf(_read(one), one.name))
        except SamspillError:
            continue
    base = file.name if file.is_dir() else _base(file, ".opf")
    scheme_id = scheme or to_identifier(f"datavyu-{base}", "datavyu")
    derived = derive_scheme(read, scheme_id=scheme_id, name=f"Datavyu columns of {base}")
    for line in describe(derived):
        typer.echo(line)
    if not yes:
        typer.confirm("Store this scheme and import with it?", abort=True)
    return derived


@import_app.command("csv")
def import_csv(file: InFile, study: Study,
               session: Annotated[str | None, typer.Option(
                   "--session", help="Session to store it in (default: the file's name; "
                                     "not with a folder).")]
               = None,
               mapping: Annotated[str | None, typer.Option(
                   "--mapping", help="File columns for Samspill's fields: "
                                     "'Behavior=code,Start (s)=onset_ms'.")] = None,
               time_unit: Annotated[TimeUnit, typer.Option(
                   "--time-unit", help="Unit of onset and offset: ms or s.")] = TimeUnit.ms,
               coder: ImportCoder = None, scheme: SchemeOpt = None, dyad: DyadOpt = None,
               procedure: ProcedureOpt = None, recursive: Recursive = False,
               data_dir: DataDir = None) -> None:
    """An events CSV (subject, code, onset_ms, offset_ms, modifiers, comment, or mapped
    columns) as one coding of a session, all or nothing.

    A folder imports each of its files of this kind (sorted by name; with --recursive its
    subfolders' too), each all or nothing, and prints one summary of the files imported and
    of those refused with the reason and the fix. Exit status 2 when any file was refused.
    """
    from samspill.services import imports
    _one_session(session, file)
    _run_import("csv", file, study, coder, dyad, data_dir, imports.import_csv, procedure,
                recursive, lambda f: imports.session_name(session or _base(f, ".csv")),
                mapping=imports.parse_mapping(mapping), time_unit=time_unit.value,
                scheme_id=scheme)
