"""The ``db`` text inside a Datavyu ``.opf``: columns and their cells, read and written.

The grammar, as Datavyu (1.3 and later) writes it::

    #4
    caregiver (MATRIX,true,)-code|NOMINAL,kind|NOMINAL,comment|NOMINAL
    00:00:01:000,00:00:02:500,(bid,verbal,)
    notes (TEXT,false,)
    00:00:00:000,00:00:00:000,a note

* the first line names the version: ``#4`` (with a column comment), ``#3`` (no comment) and
  ``#2`` (no visibility) are read; any other is refused;
* a column line is ``name (TYPE,visible,comment)``; a MATRIX column adds ``-`` and its
  arguments ``name|TYPE`` separated by commas. ``visible`` false is a column hidden in the
  spreadsheet. TEXT and NOMINAL columns hold one value per cell;
* a cell line is ``onset,offset,value`` with times ``HH:MM:SS:mmm``; a MATRIX value is its
  arguments in parentheses, separated by commas. An empty argument, or Datavyu's placeholder
  ``<name>``, is no value;
* in names and values a backslash escapes the next character (``\\,`` ``\\(`` ``\\-`` ``\\|``
  ``\\\\``); a backslash at the end of a line continues the value on the next line (a newline).

Datavyu writes every new column as MATRIX (also a one-argument one), so the export does too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from samspill.core.errors import N_, InputError
from samspill.core.problems import Problem, summarise
from samspill.interop.safety import MAX_MS

VERSIONS = ("#4", "#3", "#2")
TYPES = ("MATRIX", "TEXT", "NOMINAL", "INTEGER", "FLOAT")  # the last two: old files' numbers
_TIME = re.compile(r"^(\d{1,3}):(\d{1,2}):(\d{1,2}):(\d{1,3})$")
_CELL = re.compile(r"^\d{2}:")
_HEADER = re.compile(r"^(?P<name>(?:[^\\(]|\\.)+?) \((?P<inside>[^)]*)\)(?:-(?P<args>.*))?$")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_ESCAPE_ARGUMENT = set("\\()-,|\n\r")
_ESCAPE_NAME = set("\\,-()|\n\r")
READ_FIX = N_("open the file in Datavyu, check this cell and save it again")


@dataclass(frozen=True)
class Cell:
    """One cell: its times (ms), its argument values in order, where it was in the file."""

    onset_ms: int
    offset_ms: int
    values: tuple[str, ...]
    line: int = 0
    number: int = 0  # 1-based within its column, as Datavyu numbers the cells


@dataclass
class Column:
    """One column (Datavyu also says variable): a name, a type, its arguments and cells."""

    name: str
    type: str = "MATRIX"
    visible: bool = True
    arguments: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    line: int = 0


# ---------------------------------------------------------------- times and escapes

def to_timestamp(ms: int) -> str:
    """Whole ms as Datavyu's ``HH:MM:SS:mmm`` (``2500`` → ``00:00:02:500``)."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{millis:03d}"


def parse_timestamp(text: str) -> int | None:
    """``HH:MM:SS:mmm`` (or plain ms, as Datavyu also reads) as whole ms; None if neither."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        ms = int(text)
    else:
        match = _TIME.match(text)
        if match is None:
            return None
        hours, minutes, seconds, millis = (int(g) for g in match.groups())
        if minutes > 59 or seconds > 59:
            return None
        ms = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis
    return ms if ms <= MAX_MS else None


def escape(text: str, chars: set[str] = _ESCAPE_ARGUMENT) -> str:
    """A value with Datavyu's escapes: a backslash before each special character."""
    return "".join("\\" + c if c in chars else c for c in text)


def unescape(text: str) -> str:
    """A value without its escapes (``a\\,b`` → ``a,b``)."""
    return _ESCAPED.sub(r"\1", text) if "\\" in text else text


def split_unescaped(text: str, sep: str) -> list[str]:
    """``text`` split at each ``sep`` that no backslash escapes; the parts keep their escapes."""
    if "\\" not in text:
        return text.split(sep)
    parts, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


# ---------------------------------------------------------------- reading

def parse_db(text: str, source: str) -> list[Column]:
    """The columns of a ``db`` text, each cell checked; every problem named at once (file,
    line, column and cell), else :class:`InputError`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    version = lines[0].strip().lstrip("\ufeff") if lines else ""
    if version not in VERSIONS:
        shown = version[:20] or "an empty first line"
        raise InputError(N_("unknown Datavyu db version '{shown}' (read: {versions})"),
                         fix=N_("open the file in a current Datavyu and save it again"),
                         where=source,
                         params={"shown": shown, "versions": ", ".join(VERSIONS)})
    return _Parser(lines, version, source).columns()


class _Parser:
    def __init__(self, lines: list[str], version: str, source: str) -> None:
        self.lines, self.version, self.source = lines, version, source
        self.problems: list[Problem] = []

    def columns(self) -> list[Column]:
        out: list[Column] = []
        n = 1
        while n < len(self.lines):
            line, number = self.lines[n], n + 1
            n += 1
            if not line.strip():
                continue
            if _CELL.match(line):
                text, n = self._continued(line, n)
                if not out:
                    self._problem(number, "a cell before any column line", "")
                else:
                    self._cell(out[-1], text, number)
            else:
                column = self._header(line, number)
                if column is not None:
                    out.append(column)
        if self.problems:
            raise InputError(N_("{count} problem(s) in the Datavyu file:\n{value}"),
                             fix=READ_FIX, where=self.source,
                             params={"count": len(self.problems),
                                     "value": str(summarise(self.problems))})
        return out

    def _continued(self, line: str, n: int) -> tuple[str, int]:
        """A cell whose value ends in an unescaped backslash goes on on the next line."""
        while _ends_escaped(line) and n < len(self.lines):
            line = line[:-1] + "\n" + self.lines[n]
            n += 1
        return line, n

    def _problem(self, line: int, message: str, column: str, cell: int = 0) -> None:
        where = f"{self.source}: line {line}" + (f", column '{column}'" if column else "") + (
            f", cell {cell}" if cell else "")
        self.problems.append(Problem(message, "", (), where))

    def _header(self, line: str, number: int) -> Column | None:
        match = _HEADER.match(line.strip())
        if match is None:
            self._problem(number, "malformed line: neither a column "
                                  "('name (TYPE,true,)') nor a cell ('00:00:01:000,…')", "")
            return None
        name = unescape(match.group("name").strip())
        inside = match.group("inside").split(",")
        kind = inside[0].strip().upper()
        visible = self.version == "#2" or len(inside) < 2 or inside[1].strip().lower() != "false"
        if kind not in TYPES:
            self._problem(number, f"unknown column type '{inside[0][:20]}' (read: "
                                  f"{', '.join(TYPES[:3])})", name)
            return None
        column = Column(name=name, type=kind, visible=visible, line=number)
        if kind == "MATRIX":
            column.arguments = [unescape(a.split("|", 1)[0]).strip()
                                for a in split_unescaped(match.group("args") or "", ",")]
            if not any(column.arguments):
                self._problem(number, "a MATRIX column without arguments", name)
                return None
        else:
            column.arguments = [name]
        return column

    def _cell(self, column: Column, line: str, number: int) -> None:
        cell_no = len(column.cells) + 1
        parts = line.split(",", 2)
        if len(parts) < 2:
            self._problem(number, "a cell needs onset,offset,value", column.name, cell_no)
            return
        onset, offset = parse_timestamp(parts[0]), parse_timestamp(parts[1])
        if onset is None or offset is None:
            bad = parts[0] if onset is None else parts[1]
            self._problem(number, f"time '{bad[:20]}' is not HH:MM:SS:mmm", column.name, cell_no)
            return
        if onset > offset:
            self._problem(number, f"onset {to_timestamp(onset)} comes after offset "
                                  f"{to_timestamp(offset)}", column.name, cell_no)
            return
        values = self._values(column, parts[2] if len(parts) > 2 else "", number, cell_no)
        if values is not None:
            column.cells.append(Cell(onset, offset, values, number, cell_no))

    def _values(self, column: Column, raw: str, number: int,
                cell_no: int) -> tuple[str, ...] | None:
        if column.type != "MATRIX":
            return (unescape(raw).strip(),)
        raw = raw.strip()
        if not (raw.startswith("(") and raw.endswith(")") and not _ends_escaped(raw[:-1])):
            self._problem(number, "a MATRIX cell's value must be in parentheses: (a,b)",
                          column.name, cell_no)
            return None
        parts = split_unescaped(raw[1:-1], ",")
        if len(parts) != len(column.arguments):
            self._problem(number, f"{len(parts)} value(s) for {len(column.arguments)} "
                                  f"argument(s) ({', '.join(column.arguments)}); a comma in a "
                                  "value must be written \\,", column.name, cell_no)
            return None
        values = [unescape(p).strip() for p in parts]
        return tuple("" if v == f"<{a}>" else v for v, a in zip(values, column.arguments,
                                                               strict=True))


def _ends_escaped(text: str) -> bool:
    """Whether ``text`` ends in an odd number of backslashes (the last one escapes what
    follows)."""
    return (len(text) - len(text.rstrip("\\"))) % 2 == 1


# ---------------------------------------------------------------- writing

def column_name(text: str) -> str:
    """A name Datavyu takes for a column or argument: letters, digits and ``_``, starting with
    a letter (Datavyu warns of any other)."""
    name = re.sub(r"[^\w]+", "_", text.strip()).strip("_")
    return name if name and name[0].isalpha() else f"c_{name}".rstrip("_")


def write_db(columns: list[Column]) -> str:
    """The columns as a version 4 ``db`` text; every column written as MATRIX."""
    out = ["#4"]
    for column in columns:
        arguments = ",".join(f"{escape(a, _ESCAPE_NAME)}|NOMINAL" for a in column.arguments)
        visible = "true" if column.visible else "false"
        out.append(f"{escape(column.name, _ESCAPE_NAME)} (MATRIX,{visible},)-{arguments}")
        for cell in column.cells:
            values = ",".join(escape(v) for v in cell.values)
            out.append(f"{to_timestamp(cell.onset_ms)},{to_timestamp(cell.offset_ms)},"
                       f"({values})")
    return "\n".join(out) + "\n"
