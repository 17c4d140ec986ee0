"""The agreement report's tables (issue 22): unit and tolerance from the query (a form, the
study's settings as defaults), labels instead of ids in English and bokmål, notes on few
sessions' ICC intervals and on the cohort report's κ, and downloads of the same rows."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import openpyxl

from samspill.services import agreement, studies
from samspill.services.accounts import get_user
from tests.agreement.conftest import Lab
from tests.agreement.tapes import TAPE_MS, add_coding, add_tape, noisy

REPORT = "/studies/s1/agreement"


def _double_coded(lab: Lab, rng: np.random.Generator, tapes: int = 3) -> None:
    """``tapes`` sessions coded by ann and bob (t0 and new ones)."""
    with lab.database.session() as db:
        study = studies.get_study(db, "s1")
        ann, bob = get_user(db, "ann"), get_user(db, "bob")
        sessions = [(studies.get_session(db, study=study, name="t0"), lab.events)]
        sessions += [add_tape(db, study, f"t{n}", seed=n) for n in range(1, tapes)]
        for n, (session, events) in enumerate(sessions):
            add_coding(db, session, ann, events, level=3 + n % 3)
            moved = [e for e in noisy(events, rng, jitter_ms=3000, drop=0.2)
                     if e.onset_ms < TAPE_MS]
            add_coding(db, session, bob, moved, level=2 + n % 4)


def _rows(html: str, key: str) -> list[list[str]]:
    section = html.split(f'id="table-{key}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def _download(lab: Lab, html: str, key: str, fmt: str) -> bytes:
    section = html.split(f'id="table-{key}"', 1)[1].split("</section>", 1)[0]
    href = re.search(rf'href="([^"]+)" download data-format="{fmt}"', section).group(1)
    got = lab.get("own", href.replace("&amp;", "&"))
    assert got.status_code == 200, got.text[:300]
    return got.content


def test_unit_and_tolerance_come_from_the_query_with_the_settings_as_defaults(
        lab: Lab, rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    page = lab.get("own", REPORT)
    assert 'name="unit_ms" type="number" min="1" max="3600000" value="1000"' in page.text
    assert 'name="tolerance_ms" type="number" min="0" max="600000" value="2000"' in page.text
    finer = lab.get("own", REPORT + "?unit_ms=500&tolerance_ms=1000")
    assert finer.status_code == 200
    assert 'value="500"' in finer.text and 'value="1000"' in finer.text
    coarse_units = [r[3] for r in _rows(page.text, "pairs")]
    fine_units = [r[3] for r in _rows(finer.text, "pairs")]
    assert [int(u.replace(",", "")) * 2 for u in coarse_units] == [
        int(u.replace(",", "")) for u in fine_units]
    # The downloads keep the options: the file's units are the page's.
    records = json.loads(_download(lab, finer.text, "pairs", "json"))
    assert [str(r["units"]) for r in records] == [u.replace(",", "") for u in fine_units]
    assert lab.get("own", REPORT + "?unit_ms=0").status_code == 422


def test_codes_and_statistics_read_as_labels_in_english_and_bokmaal(
        lab: Lab, rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    page = lab.get("own", REPORT)
    codes = {r[3] for r in _rows(page.text, "per_code")}
    assert "Far (out of reach)" in codes and "far" not in codes and "bid" not in codes
    assert "<td>percent</td>" not in page.text and "agreement in percent" in page.text
    assert "cursory_contact" not in page.text.replace('data-indicator="cursory_contact"', "")
    assert ">nil<" not in page.text and "nothing coded" in page.text
    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("own", REPORT)
    codes = {r[3] for r in _rows(page.text, "per_code")}
    assert "Langt unna (utenfor rekkevidde)" in codes and "Signal" in codes
    assert "samsvar i prosent" in page.text and "Last ned" in page.text
    # The files keep the ids, for R and SPSS.
    records = json.loads(_download(lab, page.text, "per_code", "json"))
    assert {"far", "bid"} <= {r["code"] for r in records}


def test_few_sessions_warn_that_the_icc_interval_is_too_wide(lab: Lab,
                                                              rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    page = lab.get("own", REPORT)
    note = re.search(r'<p class="notice icc-note" role="note">(.*?)</p>', page.text, re.S)
    assert note and "3 sessions" in note.group(1) and "too wide to read" in note.group(1)
    report_icc = json.loads(_download(lab, page.text, "ratings", "json"))
    widest = max((r for r in report_icc if r["ci95_low"] is not None),
                 key=lambda r: r["ci95_high"] - r["ci95_low"])
    assert f"{widest['ci95_low']:.2f} to {widest['ci95_high']:.2f}" in note.group(1)
    lab.client.cookies.set("samspill_lang", "nb")
    nb = lab.get("own", REPORT).text
    assert "3 økter" in nb and "for bredt" in nb


def test_the_note_on_kappa_states_the_cohort_reports_mean_of_pairs(
        lab: Lab, rng: np.random.Generator) -> None:
    from samspill.services.reporting import agreement_summary

    _double_coded(lab, rng)
    with lab.database.session() as db:
        summary = agreement_summary(db, study="s1")
    mean = summary[summary["statistic"] == "time-unit kappa (mean of pairs)"]["value"].iloc[0]
    page = lab.get("own", REPORT).text
    assert f"mean of the per-session kappas in the table Pairs below ({mean:.2f})" in page
    assert "summed over the sessions both coded" in page
    # The pooled matrix is the kappa of the summed tables, not the mean.
    with lab.database.session() as db:
        report = agreement.study_agreement(db, studies.get_study(db, "s1"))
    assert not np.isclose(report.pairwise.loc["ann", "bob"], mean)


def test_every_table_downloads_the_rows_the_page_shows(lab: Lab, rng: np.random.Generator,
                                                       monkeypatch) -> None:
    from samspill.web import result_tables

    monkeypatch.setattr(result_tables, "PAGE_ROWS", 5)
    _double_coded(lab, rng)
    page = lab.get("own", REPORT)
    shown = _rows(page.text, "per_code")
    assert len(shown) == 5 and 'rel="next"' in page.text
    from_csv = list(csv.DictReader(io.StringIO(_download(lab, page.text, "per_code",
                                                         "csv").decode())))
    from_json = json.loads(_download(lab, page.text, "per_code", "json"))
    sheet = openpyxl.load_workbook(io.BytesIO(_download(lab, page.text, "per_code",
                                                        "xlsx"))).active
    assert sheet.freeze_panes == "A2"
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(from_csv) == len(from_json) == len(body) > 5
    assert [r["session"] for r in from_csv] == [r["session"] for r in from_json] == [
        r[header.index("session")] for r in body]
    assert [(r[0], r[1], r[2]) for r in shown] == [
        (r["session"], r["coder_a"], r["coder_b"]) for r in from_json[:5]]
    second = lab.get("own", REPORT + "?table=per_code&page=2")
    assert [(r[0], r[2]) for r in _rows(second.text, "per_code")] == [
        (r["session"], r["coder_b"]) for r in from_json[5:10]]
    assert len(json.loads(_download(lab, page.text, "pairs", "json"))) == len(
        _rows(page.text, "pairs")) == 3
    ratings = json.loads(_download(lab, page.text, "ratings", "json"))
    assert f"Rows 1–5 of {len(ratings)}" in page.text
    matrix = json.loads(lab.get("own", REPORT + "/download?table=matrix&format=json").text)
    assert [r["coder"] for r in matrix] == ["ann", "bob"]
    assert lab.get("own", REPORT + "/download?table=nope").status_code == 404
    assert lab.get("ann", REPORT + "/download?table=pairs").status_code == 403
