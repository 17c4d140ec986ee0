"""The researcher's guides name every column the analyses return, so they cannot drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from samspill.core.outcomes import COEFFICIENT_COLUMNS, EXCLUDED_COLUMNS, STEP_COLUMNS
from samspill.core.sequential import (
    HIT_COLUMNS,
    LAG_COLUMNS,
    LAG_TEST_COLUMNS,
    WINDOW_COLUMNS,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(("guide", "columns"), [
    ("sequential.md", LAG_COLUMNS + LAG_TEST_COLUMNS + WINDOW_COLUMNS + HIT_COLUMNS),
    ("outcomes.md", STEP_COLUMNS + COEFFICIENT_COLUMNS + EXCLUDED_COLUMNS),
])
def test_every_returned_column_is_documented(guide: str, columns: list[str]) -> None:
    text = (DOCS / guide).read_text(encoding="utf-8")
    missing = sorted({c for c in columns if f"`{c}`" not in text})
    assert missing == []
