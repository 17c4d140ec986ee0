"""Spreadsheet cells that could run as formulas, made plain text (CSV/formula injection).

A spreadsheet opening a CSV or XLSX runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some programs, a tab or carriage return) as a formula: a coder's comment
``=cmd|' /C calc'!A0`` then starts a program on the researcher's computer (issue 21, item 10).
Every table and events export puts a single quote before such a text cell, as OWASP advises;
spreadsheets show the quote-prefixed text as it was typed. Numbers are never touched (``-3``
is a number, not a formula), nor is text that reads as a number. Researchers who load the
files into R or Python and want the text byte for byte ask for raw cells
(``--raw-cells``; the web export form's "raw cells" box).
"""

from __future__ import annotations

import math

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run; else unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _is_number(value):
        return value
    return "'" + value


def restore(text: str) -> str:
    """The inverse of :func:`neutralise` for text read back from a Samspill CSV."""
    if text.startswith("'") and neutralise(text[1:]) == text:
        return text[1:]
    return text


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised; numeric columns stay as they are."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or
                pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(neutralise)
    return out


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
