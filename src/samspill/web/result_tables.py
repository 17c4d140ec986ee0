"""One way to show a result table in the browser (issue 22): pooled rows first, 50 rows a page
(``?page=``), the per-session rows collapsible (``?rows=pooled`` shows the pooled rows only),
and download links for CSV, XLSX and JSON of the same rows under the same options.

The lag-sequential and time-window tables, the outcome model's tables (both on the job page),
the agreement report and the cohort table use it, through the template macro
``_result_table.html``. Cells read as people read them (:mod:`samspill.core.numbers`); the
files keep the stored values (:mod:`samspill.interop.result_files`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from fastapi.responses import Response

from samspill.core import numbers
from samspill.interop.result_files import (
    MEDIA_TYPES,
    POOLED,
    RESULT_FORMATS,
    SESSION_COLUMNS,
    ResultFormat,
    pooled_first,
    write_result,
)
from samspill.web import i18n

PAGE_ROWS = 50


@dataclass(frozen=True)
class Options:
    """How a table is shown: its page and whether only the pooled rows are."""

    page: int = 1
    pooled_only: bool = False

    @classmethod
    def of(cls, page: int | None, rows: str | None) -> Options:
        return cls(max(1, page or 1), rows == "pooled")


@dataclass
class ResultTable:
    """A table as the macro shows it: this page's rows, formatted, and the links."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    total: int
    page: int
    pages: int
    first_row: int
    has_pooled: bool
    pooled_only: bool
    links: dict[str, str] = field(default_factory=dict)
    downloads: dict[str, str] = field(default_factory=dict)


def shown_rows(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    """The rows the page and the downloads hold: pooled first; only those when asked."""
    ordered = pooled_first(frame)
    if options.pooled_only and _has_pooled(ordered):
        return ordered[_session(ordered).astype(str) == POOLED].reset_index(drop=True)
    return ordered


def _session(frame: pd.DataFrame) -> pd.Series:
    return frame[next(c for c in SESSION_COLUMNS if c in frame.columns)]


def _has_pooled(frame: pd.DataFrame) -> bool:
    if not any(c in frame.columns for c in SESSION_COLUMNS):
        return False
    return bool((_session(frame).astype(str) == POOLED).any())


def link(base: str, params: Mapping[str, object]) -> str:
    """``base`` with the non-empty ``params`` as its query string."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{base}?{urlencode(kept)}" if kept else base


def table_view(
    frame: pd.DataFrame,
    *,
    key: str,
    title: str,
    options: Options,
    page_base: str,
    download_base: str,
    params: Mapping[str, object] | None = None,
) -> ResultTable:
    """``frame`` as one page of a result table. ``params`` are the page's own options (kept
    in every link). Text cells show as they are (a page that shows labels for ids passes a
    frame of labels, and its download route the stored frame), other cells as numbers."""
    rows = shown_rows(frame, options)
    pages = max(1, math.ceil(len(rows) / PAGE_ROWS))
    page = min(options.page, pages)
    start = (page - 1) * PAGE_ROWS
    part = rows.iloc[start:start + PAGE_ROWS]
    own = dict(params or {})
    rows_param = "pooled" if options.pooled_only else ""
    table = ResultTable(
        key=key,
        title=title,
        columns=[str(c) for c in rows.columns],
        rows=[[_format(v) for v in r] for r in part.itertuples(index=False)],
        total=len(rows),
        page=page,
        pages=pages,
        first_row=start + 1,
        has_pooled=_has_pooled(frame),
        pooled_only=options.pooled_only,
    )

    def at(page_no: int, rows_value: str) -> str:
        return link(page_base, {**own, "table": key, "page": page_no, "rows": rows_value}) + (
            f"#table-{key}")

    if page > 1:
        table.links["previous"] = at(page - 1, rows_param)
    if page < pages:
        table.links["next"] = at(page + 1, rows_param)
    table.links["pooled"] = at(1, "pooled")
    table.links["all"] = at(1, "")
    table.downloads = {
        fmt: link(download_base, {**own, "table": key, "rows": rows_param, "format": fmt})
        for fmt in RESULT_FORMATS
    }
    return table


def _format(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return i18n.gettext("yes") if bool(value) else i18n.gettext("no")
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA:
        return numbers.MISSING
    return numbers.number(value, i18n.current_language.get())


def file_name(title: str, fmt: ResultFormat) -> str:
    """A safe file name from a table's (English) title: ``lag-sequential-tables.csv``."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "result"
    return f"{slug[:60]}.{fmt}"


def download(frame: pd.DataFrame, fmt: ResultFormat, *, name: str, options: Options) -> Response:
    """The file of the rows the page shows under ``options`` (every page, not only one)."""
    body = write_result(shown_rows(frame, options), fmt)
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{file_name(name, fmt)}"'},
    )

