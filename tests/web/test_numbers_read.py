"""Numbers as people read them (issue 20): one formatter (samspill.core.numbers) for the pages,
the CLI and the reports; no page, score output or report shows ``7.5e+03``, a raw share such as
``0.8`` or a column's internal name such as ``hold_median_ms``."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.cli.tables import Format, print_table
from samspill.core import numbers
from samspill.core.vignette import vignette_segments
from samspill.services import studies
from samspill.store.db import Database
from samspill.web import i18n, templating
from tests.factories import PASSWORD, make_coded_session

runner = CliRunner()
NBSP = "\u00a0"
SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE][+-]?\d+\b")
# A share written as a fraction (0.8, 0,67) where people read a percent.
RAW_SHARE = re.compile(r"(?<![\d.,:])0[.,]\d+(?!\d|[.,]\d|\s*(?:s\b|%))")
INTERNAL = re.compile(r"\b\w+_(?:share|ms|per_10min|coverage)\b")


def readable_problems(text: str) -> list[str]:
    """Scientific notation, raw shares and internal column names in ``text`` (visible words)."""
    return [m.group(0) for pattern in (SCIENTIFIC, RAW_SHARE, INTERNAL)
            for m in pattern.finditer(text)]


def visible(page: str) -> str:
    """The words of an HTML page a person sees: no scripts, styles, tags or attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


# --- the formatter ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "unit", "lang", "shown"), [
    (7500, "seconds", "en", f"7.5{NBSP}s"), (7500, "seconds", "nb", f"7,5{NBSP}s"),
    (8000.0, "seconds", "en", f"8{NBSP}s"), (254_000, "duration", "en", f"4{NBSP}min 14{NBSP}s"),
    (45_000, "duration", "nb", f"45{NBSP}s"), (0.8, "share", "en", f"80{NBSP}%"),
    (0.004, "share", "nb", f"0,4{NBSP}%"), (0.998, "share", "en", f"99.8{NBSP}%"),
    (7499.6, "count", "en", "7,500"), (7500, "count", "nb", f"7{NBSP}500"),
    (6.0, "rate", "en", f"6 per 10{NBSP}min"), (None, "share", "en", "–"),
    (float("nan"), "seconds", "nb", "–"), (7500.25, "number", "en", "7,500.25"),
])
def test_one_formatter_reads_every_unit(value: object, unit: numbers.Unit, lang: str,
                                         shown: str) -> None:
    assert numbers.show(value, unit, lang) == shown


def test_a_columns_unit_is_read_from_its_name() -> None:
    assert [numbers.unit_of(k) for k in ("unanswered_share", "hold_median_ms", "far_ms",
                                         "redirects_per_10min", "proximity_coverage", "bids")] \
        == ["share", "seconds", "duration", "rate", "share", "count"]
    assert numbers.value_text("hold_median_ms", 8000, "en") == f"8{NBSP}s"
    assert numbers.value_text("unanswered_share", 0.8, "nb") == f"80{NBSP}%"


def test_the_pages_number_filter_and_the_cli_tables_never_write_scientific_notation(
        capsys: pytest.CaptureFixture[str]) -> None:
    token = i18n.current_language.set("nb")
    try:
        assert templating.templates.env.filters["number"](7500.0) == f"7{NBSP}500"
        assert templating.templates.env.filters["number"](0.8537) == "0,854"
    finally:
        i18n.current_language.reset(token)
    assert templating.templates.env.filters["number"](123456.5) == "123,456.5"
    print_table(pd.DataFrame({"n": [7500.0], "kappa": [0.000012]}), Format.table)
    assert readable_problems(capsys.readouterr().out.replace("0.000012", "")) == []
    assert numbers.number(1.2e-05) == "0"


def test_float_noise_around_zero_reads_as_zero_not_minus_zero() -> None:
    """Issue 22: a κ of exactly chance came out as -1.67e-16 and read "-0.00"."""
    assert numbers.fixed(-1.67e-16) == "0.00" and numbers.number(-1.67e-16) == "0"
    assert numbers.fixed(-0.004, "nb") == "0,00" and numbers.fixed(-0.006) == "-0.01"


def test_a_negative_number_takes_the_languages_minus_sign() -> None:
    """Bokmål writes U+2212, as the browser's Intl.NumberFormat does on the screen (the CLI's
    reliable change printed "RC -3,6"); English keeps the hyphen; a zero never gets one."""
    from babel.numbers import get_minus_sign_symbol

    minus = get_minus_sign_symbol("nb")
    assert minus == "\u2212"
    assert numbers.fixed(-3.6, "nb", 1) == f"{minus}3,6" and numbers.fixed(-3.6, "en", 1) == "-3.6"
    assert numbers.number(-1234.5, "nb") == f"{minus}1\u00a0234,5"
    assert numbers.number(-7, "nb") == f"{minus}7" and numbers.number(-7) == "-7"
    assert numbers.decimal(-0.3, "#,##0", "nb") == "0"
    assert numbers.seconds(-2500, "nb").startswith(minus)


# --- every screen, the CLI and the report ---------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("numbers") / "data"
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", str(folder)]).exit_code == 0
    return folder


def test_samspill_score_prints_numbers_as_people_read_them(demo: Path) -> None:
    result = runner.invoke(app, ["score", "--study", "demo", "--session", "vignette",
                                 "--data-dir", str(demo)], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    assert "7.5\u00a0s" in result.output and "67\u00a0%" in result.output
    assert readable_problems(result.output) == []


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_session_report_prints_numbers_as_people_read_them(demo: Path, tmp_path: Path,
                                                               lang: str) -> None:
    out = tmp_path / "vignette.html"
    result = runner.invoke(app, ["report", "--study", "demo", "--session", "vignette", "--out",
                                 str(out), "--lang", lang, "--data-dir", str(demo)])
    assert result.exit_code == 0, result.output
    text = visible(out.read_text(encoding="utf-8"))
    assert ("7,5\u00a0s" if lang == "nb" else "7.5\u00a0s") in text
    assert readable_problems(text) == []


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_session_page_prints_numbers_as_people_read_them(client, database: Database,
                                                             lang: str) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        for segment in vignette_segments():
            studies.put_segment(db, session=built.session, segment=segment)
    assert client.post("/login", data={"username": built.owner.username, "password": PASSWORD,
                                       "next": "/"}).status_code == 200
    page = client.get("/studies/s1/sessions/v1", headers={"Accept-Language": lang})
    assert page.status_code == 200
    text = visible(page.text)
    assert "%" in text and readable_problems(text) == []
