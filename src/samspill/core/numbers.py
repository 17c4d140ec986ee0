"""Numbers as people read them, in English or bokmål: the one formatter of the web pages, the
scores panel, the CLI and the reports (issue 20: pages printed ``7.5e+03`` and ``0.8``).

Lengths of time read in seconds (``7.5 s``) or minutes and seconds (``4 min 14 s``), never as
milliseconds; shares as whole percents (``85 %``); counts as integers; any other number with at
most three decimals and never in scientific notation. Bokmål writes a decimal comma and a space
between thousands (Babel's CLDR data); the units (s, min, %) are the same in both languages.
A missing value (None, NaN) reads as an en dash. Pure: no request, no catalog.
"""

from __future__ import annotations

import math
from typing import Literal

Unit = Literal["share", "seconds", "duration", "rate", "count", "number"]
MISSING = "–"
NBSP = "\u00a0"  # between a number and its unit, so that "85 %" never breaks in a table cell

# The units of the scores' value and count columns whose names do not say it (the rest are
# read from their suffix by unit_of).
_UNITS: dict[str, Unit] = {
    "far_ms": "duration", "proximity_coded_ms": "duration", "present_ms": "duration",
    "outside_ms": "duration",
}


def missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def decimal(value: float, pattern: str, language: str = "en") -> str:
    """Babel's decimal format (``#,##0.#``) for the language: never scientific notation. A
    negative number takes the language's minus sign (bokmål ``−3,6``, as the browser writes it
    on the screen; English ``-3.6``): Babel writes a hyphen for a pattern of our own."""
    from babel.numbers import format_decimal, get_minus_sign_symbol  # on use: --help is fast

    text = format_decimal(abs(value), format=pattern, locale=language)
    if value < 0 and text.strip("0,. \u00a0\u202f") != "":  # never a minus before a zero
        return get_minus_sign_symbol(language) + text
    return text


def number(value: object, language: str = "en", digits: int = 3) -> str:
    """Any number: integers as integers (``7 500``), others with up to ``digits`` decimals
    (``0.667``), booleans as they are stored (the caller words them)."""
    if missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return decimal(value, "#,##0", language)
    try:
        as_float = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(as_float):
        return "∞" if as_float > 0 else "−∞"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return decimal(_no_negative_zero(as_float, digits), pattern, language)


def fixed(value: object, language: str = "en", digits: int = 2) -> str:
    """A number with exactly ``digits`` decimals (``0.85``, κ in agreement tables)."""
    if missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return decimal(_no_negative_zero(float(value), digits), pattern, language)  # type: ignore[arg-type]


def _no_negative_zero(value: float, digits: int) -> float:
    """The value, or 0 where it rounds to zero at ``digits`` decimals: float noise such as
    -1.67e-16 (a κ of exactly chance) must read "0.00", not "-0.00"."""
    return 0.0 if round(value, digits) == 0 else value


def count(value: object, language: str = "en") -> str:
    """A count as an integer: ``3``, ``1,204`` (``1 204`` in bokmål)."""
    if missing(value):
        return MISSING
    return decimal(round(float(value)), "#,##0", language)  # type: ignore[arg-type]


def seconds(ms: object, language: str = "en") -> str:
    """A length in milliseconds as seconds with at most one decimal: ``7.5 s``, ``8 s``."""
    if missing(ms):
        return MISSING
    return f"{decimal(float(ms) / 1000, '#,##0.#', language)}{NBSP}s"  # type: ignore[arg-type]


def duration(ms: object, language: str = "en") -> str:
    """A length of time, never to be read as a time on the video: ``4 min 14 s``, ``45 s``."""
    if missing(ms):
        return MISSING
    minutes, rest = divmod(max(0, round(float(ms) / 1000)), 60)  # type: ignore[arg-type]
    if not minutes:
        return f"{rest}{NBSP}s"
    return f"{count(minutes, language)}{NBSP}min {rest}{NBSP}s"


def percent(share: object, language: str = "en") -> str:
    """A share (0–1) as a whole percent, ``67 %``; one decimal only where rounding would say
    0 % or 100 % of something that is neither none nor all (``0.4 %``, ``99.6 %``)."""
    if missing(share):
        return MISSING
    value = 100 * float(share)  # type: ignore[arg-type]
    if 0 < value < 0.95 or 99.5 <= value < 100:
        return f"{decimal(min(max(value, 0.1), 99.9), '#,##0.0', language)}{NBSP}%"
    return f"{decimal(value, '#,##0', language)}{NBSP}%"


def rate(value: object, language: str = "en") -> str:
    """Events per 10 minutes with at most one decimal: ``6 per 10 min``."""
    if missing(value):
        return MISSING
    return f"{decimal(float(value), '#,##0.#', language)} per 10{NBSP}min"  # type: ignore[arg-type]


def clock(ms: object, *, millis: bool = False) -> str:
    """A time on the session's clock: ``04:06``, or with milliseconds ``04:06.120`` (minutes
    may pass 59: a session is one running clock)."""
    if missing(ms):
        return MISSING
    whole = max(0, round(float(ms)))  # type: ignore[arg-type]
    if not millis:
        minutes, rest = divmod(round(whole / 1000), 60)
        return f"{minutes:02d}:{rest:02d}"
    minutes, rest = divmod(whole, 60_000)
    return f"{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def unit_of(key: str) -> Unit:
    """A scores column's unit from its name: ``*_share`` and ``*_coverage`` are shares,
    ``*_per_10min`` rates, ``*_ms`` seconds (or minutes and seconds for lengths of time in
    the room), ``far_ms`` and the like durations; other columns are counts."""
    if key in _UNITS:
        return _UNITS[key]
    if key.endswith(("_share", "_share_min", "_share_max", "_coverage")):
        return "share"
    if key.endswith("_per_10min"):
        return "rate"
    if key.endswith("_ms"):
        return "seconds"
    return "count"


def show(value: object, unit: Unit, language: str = "en") -> str:
    """A value in its unit as people read it."""
    shown = {"share": percent, "seconds": seconds, "duration": duration, "rate": rate,
             "count": count, "number": number}[unit]
    return shown(value, language)


def value_text(key: str, value: object, language: str = "en") -> str:
    """A scores column's value as people read it: ``85 %``, ``7.5 s``, ``4 min 14 s``, ``3``."""
    return show(value, unit_of(key), language)
