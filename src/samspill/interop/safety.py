"""Guards every importer shares: size caps, capped decompression, safe XML and JSON, times.

A hostile or broken file must end in one :class:`InputError` naming the problem and the fix,
never in a hang, a memory blow-up or a half-imported study.
"""

from __future__ import annotations

import gc
import json
import math
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from pydantic_core import from_json

from samspill.core.errors import N_, InputError, Note, NotedInputError

MAX_INPUT_BYTES = 256 * 1024 * 1024
MAX_MS = 10 * 24 * 3600 * 1000  # ten days, the bound of core.events.Millis
_GZIP_MAGIC = b"\x1f\x8b"


def as_bytes(data: bytes | str, source: str) -> bytes:
    """The input as bytes, refused when larger than :data:`MAX_INPUT_BYTES`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not isinstance(raw, bytes | bytearray):
        raise InputError(
            N_("expected file content as bytes, got {name}"),
            fix=N_("pass the file's bytes"),
            where=source,
            params={"name": str(type(data).__name__)},
        )
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(
            N_("the file is larger than {size} MB"),
            fix=N_("split the project into smaller files"),
            where=source,
            params={"size": str(MAX_INPUT_BYTES // 2 ** 20)},
        )
    return bytes(raw)


def is_gzip(raw: bytes) -> bool:
    return raw[:2] == _GZIP_MAGIC


def gunzip_capped(raw: bytes, source: str, limit: int | None = None) -> bytes:
    """Decompress gzip data, stopping (with an error) once the output passes ``limit`` bytes."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    chunk = raw
    try:
        while chunk:
            out += inflater.decompress(chunk, 1024 * 1024)
            if len(out) > limit:
                raise InputError(
                    N_("the compressed file expands beyond {size} MB (a zip bomb?)"),
                    fix=N_("check the file's origin; split a genuine project into smaller files"),
                    where=source,
                    params={"size": str(limit // 2 ** 20)},
                )
            chunk = inflater.unconsumed_tail
        out += inflater.flush()
    except zlib.error as exc:
        raise InputError(
            N_("the gzip data is corrupt ({reason})"),
            fix=N_("export or compress the file again"),
            where=source,
            params={"reason": str(exc)},
        ) from exc
    if not inflater.eof:
        raise InputError(
            N_("the gzip data is truncated"),
            fix=N_("copy the complete file again"),
            where=source,
        )
    return bytes(out)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a converter builds many small objects.

    Reading 300,000 events otherwise triggers collections that rescan the whole heap again and
    again; the objects made here hold no reference cycles, so nothing is lost by waiting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_json(raw: bytes, source: str) -> Any:
    """Parse JSON; NaN/Infinity literals, bad UTF-8, deep nesting and huge integers are errors.

    pydantic-core's parser (jiter, already installed with pydantic) reads a 17.6 MB BORIS
    project in half the time of the standard library's, and hands out one string object per
    repeated short text (subjects, behaviours), which the column checks then hash once. Whatever
    it accepts, the standard library reads to the same values (tests/interop/test_safety_json.py);
    what it refuses (also some JSON the standard library reads: lone surrogates in escapes,
    nesting deeper than 200) goes to the standard library, which reads it or names the fault.
    """
    text = decode_utf8(raw, source)
    try:
        return from_json(text, allow_inf_nan=False, cache_strings="all")
    except ValueError:
        pass
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            N_("malformed JSON at line {lineno}, column {colno} ({reason})"),
            fix=N_("open the file in the program that wrote it and save it again"),
            where=source,
            params={"lineno": str(exc.lineno), "colno": str(exc.colno), "reason": str(exc.msg)},
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(
            N_("unreadable JSON value ({reason})"),
            fix=N_("remove the out-of-range or too deeply nested value"),
            where=source,
            params={"reason": str(exc)},
        ) from exc


NOT_UTF8 = ("line {line} is not UTF-8 text: byte {byte} at character {column} (perhaps "
            "'{guess}' saved as Latin-1 or Windows-1252)")
NOT_UTF8_FIX = "open the file in a text editor or spreadsheet and save it as UTF-8"


def decode_utf8(raw: bytes, source: str) -> str:
    """UTF-8 text (a BOM is dropped); anything else is refused naming the line, the byte and
    the fix, since a Latin-1 file from an old lab computer is the usual cause."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line_start = raw.rfind(b"\n", 0, start) + 1
        bad = raw[start:start + 1]
        raise NotedInputError(Note(NOT_UTF8, fix=NOT_UTF8_FIX, where=source, params={
            "line": raw.count(b"\n", 0, start) + 1,
            "column": len(raw[line_start:start].decode("utf-8", errors="replace")) + 1,
            "byte": f"0x{bad.hex().upper()}", "guess": bad.decode("cp1252", errors="replace")},
        )) from None


_XML_ENCODING = re.compile(
    rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")


def _utf8_xml(raw: bytes) -> bool:
    """XML meant as UTF-8: no UTF-16 byte-order mark, and no other encoding declared."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    declared = _XML_ENCODING.match(raw[:300])
    return declared is None or declared.group(1).lower().replace(b"_", b"-") in (b"utf-8",
                                                                                  b"utf8")


def check_xml(raw: bytes, source: str) -> None:
    """Refuse XML with a DTD, entities or external references before any other parser sees it.
    XML that declares no encoding (or UTF-8) must be UTF-8: a bad byte is named by its line."""
    if _utf8_xml(raw):
        decode_utf8(raw, source)
    try:
        SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(
            N_("the XML declares a DTD or entities ({name})"),
            fix=N_("remove the <!DOCTYPE ...> block; ELAN files never need one"),
            where=source,
            params={"name": str(type(exc).__name__)},
        ) from exc
    except SafeET.ParseError as exc:
        raise InputError(
            N_("malformed XML ({reason})"),
            fix=N_("open the file in ELAN and save it again"),
            where=source,
            params={"reason": str(exc)},
        ) from exc
    except LookupError as exc:  # an <?xml encoding="..."?> Python does not know
        raise InputError(
            N_("the XML declares an unknown encoding ({reason})"),
            fix=N_("save the file as UTF-8"),
            where=source,
            params={"reason": str(exc)},
        ) from exc


def seconds_to_ms(value: object, where: str, *, allow_negative: bool = False) -> int:
    """Seconds (float, int, Decimal or numeric string) as whole ms, rounded half up.

    A float written from whole ms (``27.04``) comes back exactly: the error of ``x * 1000`` is
    far below half a millisecond for any time up to ten days.
    """
    if isinstance(value, float | int) and not isinstance(value, bool):
        if abs(value) > MAX_MS or not math.isfinite(value):
            raise InputError(
                N_("time {value} s is out of range or not finite"),
                fix=N_("correct the time; sessions longer than ten days are refused"),
                where=where,
                params={"value": repr(value)},
            )
        return check_ms(math.floor(value * 1000 + 0.5), where, allow_negative=allow_negative)
    if isinstance(value, bool) or not isinstance(value, Decimal | str):
        raise InputError(
            N_("time {value} is not a number"),
            fix=N_("give the time in seconds"),
            where=where,
            params={"value": repr(value)},
        )
    try:
        seconds = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not seconds.is_finite():
            raise InvalidOperation
        if abs(seconds) > MAX_MS:
            raise InputError(
                N_("time {value} s is out of range"),
                fix=N_("correct the time; sessions longer than ten days are refused"),
                where=where,
                params={"value": str(value)},
            )
        ms = int((seconds * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError) as exc:
        raise InputError(
            N_("time {value} is not a finite number"),
            fix=N_("give the time in seconds"),
            where=where,
            params={"value": repr(value)},
        ) from exc
    return check_ms(ms, where, allow_negative=allow_negative)


def check_ms(ms: int, where: str, *, allow_negative: bool = False) -> int:
    low = -MAX_MS if allow_negative else 0
    if not low <= ms <= MAX_MS:
        fix = ("remove the negative time offset or shift the times to start at 0"
               if ms < 0 else "correct the time; sessions longer than ten days are refused")
        raise InputError(
            N_("time {ms} ms is out of range"),
            fix=fix,
            where=where,
            params={"ms": str(ms)},
        )
    return ms


def ms_to_seconds(ms: int) -> float:
    """Whole ms as float seconds whose shortest repr has at most three decimals (exact back)."""
    return ms / 1000
