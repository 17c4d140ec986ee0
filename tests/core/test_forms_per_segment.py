"""Rating forms rated per segment (issue 14): the scheme file's `per: segment`, its checks, the
cohort's columns per segment (`<item>_<segment>`), scores and problems per segment."""

from __future__ import annotations

import math

import pandas as pd

from samspill.core.events import events_frame, segments_frame
from samspill.core.forms import (
    form_columns,
    form_table,
    scheme_rating_problems,
    segment_column,
)
from samspill.core.scheme_check import parse_scheme, scheme_file_problems
from samspill.core.scoring import cohort_table, score_codings
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.interop.tabular import write_table
from samspill.interop.variables import REGISTRY, segment_form_variables
from tests.core.indicators.helpers import SCHEME

PER_SEGMENT = """
id: s
name: S
forms: [ainsworth, {id: eas, per: segment, segments: [ep5, ep8]}]
"""
SCHEME_FILE = parse_scheme(PER_SEGMENT)
EAS = ("eas_sensitivity", "eas_structuring", "eas_nonintrusiveness", "eas_nonhostility")


def test_a_built_in_form_taken_per_segment_has_one_column_set_per_segment() -> None:
    eas = SCHEME_FILE.rating_form("eas")
    assert eas is not None and eas.per == "segment" and eas.segments == ["ep5", "ep8"]
    columns = form_columns(SCHEME_FILE)
    assert "eas_sensitivity" not in columns and "eas_adult" not in columns
    assert columns.index("eas_sensitivity_ep5") < columns.index("eas_adult_ep5") \
        < columns.index("eas_sensitivity_ep8") < columns.index("eas_child_ep8")
    assert "ainsworth_total" in columns  # the other form stays one per coding
    assert segment_column("eas_adult", "ep8") == "eas_adult_ep8"


def test_scores_per_segment_are_each_segments_own() -> None:
    # ep5: 2, 3, 4, 5 → mean 3.5; ep8: 6, 6, 7, 7 → 6.5; ep8's child scales unrated → empty.
    rated = {segment_column(i, "ep5"): str(v) for i, v in zip(EAS, (2, 3, 4, 5), strict=True)}
    rated |= {segment_column(i, "ep8"): str(v) for i, v in zip(EAS, (6, 6, 7, 7), strict=True)}
    rated |= {"eas_responsiveness_ep5": "4", "eas_involvement_ep5": "5"}
    row = form_table({"a": rated}, ["a"], scheme=SCHEME_FILE).iloc[0]
    assert row["eas_adult_ep5"] == 3.5 and row["eas_adult_ep8"] == 6.5
    assert row["eas_child_ep5"] == 4.5 and math.isnan(row["eas_child_ep8"])
    assert row["eas_sensitivity_ep8"] == 6


def test_the_cohort_and_its_exports_hold_the_segment_columns_labelled() -> None:
    scheme = SCHEME.model_copy(update={"rating_items": SCHEME.rating_items
                                       + SCHEME_FILE.rating_items,
                                       "rating_forms": SCHEME_FILE.rating_forms})
    events = events_frame(vignette_events(), SCHEME).assign(coding="a")
    segments = segments_frame(vignette_segments()).assign(coding="a")
    scores = score_codings(events, segments, scheme=scheme,
                           durations={"a": VIGNETTE_DURATION_MS},
                           ratings={"a": {"level": "3", "eas_sensitivity_ep5": "6"}})
    table = cohort_table(scores)
    assert table.loc[0, "eas_sensitivity_ep5"] == 6 and table.loc[0, "level"] == 3
    assert pd.isna(table.loc[0, "eas_sensitivity_ep8"])
    registry = {**REGISTRY, **{v.name: v for v in segment_form_variables(scheme)}}
    assert registry["eas_adult_ep8"].label == "EAS adult scales (mean), segment ep8"
    forms = table[[c for c in table.columns if c.startswith("eas_")]]
    assert all(c in registry for c in forms.columns)
    assert b"eas_sensitivity_ep5" in write_table(forms, "csv", registry=registry)


def test_problems_of_a_rating_set_name_the_segment() -> None:
    text = PER_SEGMENT.replace("eas, per", "care, per")
    scheme = parse_scheme(text)
    rated = {segment_column(i, "ep8"): "5" for i in
             ("care_sensitivity", "care_control", "care_unresponsiveness")}
    messages = [p.message for p in scheme_rating_problems(rated, scheme)]
    assert messages == ["in segment ep8: care_sensitivity + care_control + "
                        "care_unresponsiveness add up to 15, not 14"]


def test_scheme_check_names_a_per_segment_form_without_segments_and_the_reverse() -> None:
    none = scheme_file_problems("id: s\nname: S\nforms: [{id: eas, per: segment}]\n")
    assert any("names no segments" in p.message for p in none)
    reverse = scheme_file_problems("id: s\nname: S\nforms: [{id: eas, segments: [ep5]}]\n")
    assert any("names segments but is rated per session" in p.message for p in reverse)
    odd = scheme_file_problems("id: s\nname: S\nforms: [{id: eas, when: ep5}]\n")
    assert any("forms must be a list" in p.message for p in odd)


def test_a_per_session_form_keeps_its_content_hash() -> None:
    # Schemes stored before forms could be rated per segment hash as they did.
    plain = parse_scheme("id: s\nname: S\nforms: [eas]\n")
    dumped = plain.model_dump(mode="json")
    assert "per" in dumped["rating_forms"][0]
    import hashlib
    import json
    body = plain.model_dump(mode="json", exclude={"version"})
    for form in body["rating_forms"]:
        del form["per"], form["segments"]
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert plain.content_hash() == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert parse_scheme(PER_SEGMENT).content_hash() != parse_scheme(
        PER_SEGMENT.replace("ep8]", "ep2]")).content_hash()
