"""Guards every importer shares: size caps, capped decompression, safe XML and JSON, times.

A hostile or broken file must end in one :class:`InputError` naming the problem and the fix,
never in a hang, a memory blow-up or a half-imported study.
"""

from __future__ import annotations

import gc
import json
import math
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from samspill.core.errors import InputError

MAX_INPUT_BYTES = 256 * 1024 * 1024
MAX_MS = 10 * 24 * 3600 * 1000  # ten days, the bound of core.events.Millis
_GZIP_MAGIC = b"\x1f\x8b"


def as_bytes(data: bytes | str, source: str) -> bytes:
    """The input as bytes, refused when larger than :data:`MAX_INPUT_BYTES`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not isinstance(raw, bytes | bytearray):
        raise InputError(f"expected file content as bytes, got {type(data).__name__}",
                         fix="pass the file's bytes", where=source)
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(f"the file is larger than {MAX_INPUT_BYTES // 2**20} MB",
                         fix="split the project into smaller files", where=source)
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
                    f"the compressed file expands beyond {limit // 2**20} MB (a zip bomb?)",
                    fix="check the file's origin; split a genuine project into smaller files",
                    where=source)
            chunk = inflater.unconsumed_tail
        out += inflater.flush()
    except zlib.error as exc:
        raise InputError(f"the gzip data is corrupt ({exc})",
                         fix="export or compress the file again", where=source) from exc
    if not inflater.eof:
        raise InputError("the gzip data is truncated", fix="copy the complete file again",
                         where=source)
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
    """Parse JSON; NaN/Infinity literals, bad UTF-8, deep nesting and huge integers are errors."""
    try:
        text = raw.decode("utf-8-sig")
        return json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 text (byte {exc.start})",
                         fix="save the file as UTF-8 JSON", where=source) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})",
                         fix="open the file in the program that wrote it and save it again",
                         where=source) from exc
    except (ValueError, RecursionError) as exc:
        raise InputError(f"unreadable JSON value ({exc})",
                         fix="remove the out-of-range or too deeply nested value",
                         where=source) from exc


def check_xml(raw: bytes, source: str) -> None:
    """Refuse XML with a DTD, entities or external references before any other parser sees it."""
    try:
        SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputError(f"the XML declares a DTD or entities ({type(exc).__name__})",
                         fix="remove the <!DOCTYPE ...> block; ELAN files never need one",
                         where=source) from exc
    except SafeET.ParseError as exc:
        raise InputError(f"malformed XML ({exc})",
                         fix="open the file in ELAN and save it again", where=source) from exc
    except LookupError as exc:  # an <?xml encoding="..."?> Python does not know
        raise InputError(f"the XML declares an unknown encoding ({exc})",
                         fix="save the file as UTF-8", where=source) from exc


def seconds_to_ms(value: object, where: str, *, allow_negative: bool = False) -> int:
    """Seconds (float, int, Decimal or numeric string) as whole ms, rounded half up.

    A float written from whole ms (``27.04``) comes back exactly: the error of ``x * 1000`` is
    far below half a millisecond for any time up to ten days.
    """
    if isinstance(value, float | int) and not isinstance(value, bool):
        if abs(value) > MAX_MS or not math.isfinite(value):
            raise InputError(f"time {value!r} s is out of range or not finite",
                             fix="correct the time; sessions longer than ten days are refused",
                             where=where)
        return check_ms(math.floor(value * 1000 + 0.5), where, allow_negative=allow_negative)
    if isinstance(value, bool) or not isinstance(value, Decimal | str):
        raise InputError(f"time {value!r} is not a number", fix="give the time in seconds",
                         where=where)
    try:
        seconds = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not seconds.is_finite():
            raise InvalidOperation
        if abs(seconds) > MAX_MS:
            raise InputError(f"time {value} s is out of range",
                             fix="correct the time; sessions longer than ten days are refused",
                             where=where)
        ms = int((seconds * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError) as exc:
        raise InputError(f"time {value!r} is not a finite number", fix="give the time in seconds",
                         where=where) from exc
    return check_ms(ms, where, allow_negative=allow_negative)


def check_ms(ms: int, where: str, *, allow_negative: bool = False) -> int:
    low = -MAX_MS if allow_negative else 0
    if not low <= ms <= MAX_MS:
        fix = ("remove the negative time offset or shift the times to start at 0"
               if ms < 0 else "correct the time; sessions longer than ten days are refused")
        raise InputError(f"time {ms} ms is out of range", fix=fix, where=where)
    return ms


def ms_to_seconds(ms: int) -> float:
    """Whole ms as float seconds whose shortest repr has at most three decimals (exact back)."""
    return ms / 1000
