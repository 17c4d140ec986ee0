"""Form fields typed as text in the browser, read as numbers and dates with a clear 400.

HTML forms send every field as text; reading one with ``float()`` or ``date.fromisoformat``
answered 500 on ``disrupted_cutoff=abc`` or ``date=2020-13-45`` (issue 21, item 13).
"""

from __future__ import annotations

import datetime as dt
import math

from samspill.core.errors import N_, InputError


def optional_number(text: str, field: str) -> float | None:
    """``""`` → None; a finite number → it; anything else is refused naming the field."""
    if not text.strip():
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(N_("{field} is not a number"),
                         fix=N_("write a number such as 5 or 4.5"), where=field,
                         params={"field": field})
    return value


def optional_date(text: str, field: str) -> dt.date | None:
    """``""`` → None; ``YYYY-MM-DD`` naming a real day → that date; else refused."""
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(N_("{field} is not a date"),
                         fix=N_("write it as YYYY-MM-DD, e.g. 2024-03-15"), where=field,
                         params={"field": field}) from exc
