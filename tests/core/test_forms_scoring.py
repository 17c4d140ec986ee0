"""A scheme with the EAS form rates, scores and exports: form columns in the cohort table."""

from __future__ import annotations

import io
import math

import pandas as pd
import pyreadstat

from samspill.core.events import events_frame, segments_frame
from samspill.core.forms import load_builtin_form
from samspill.core.scheme import Scheme
from samspill.core.scoring import cohort_row, cohort_table, score_codings
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.interop.tabular import undocumented, write_table
from tests.core.indicators.helpers import SCHEME


def with_forms(scheme: Scheme, *form_ids: str) -> Scheme:
    items, forms = list(scheme.rating_items), list(scheme.rating_forms)
    for form_id in form_ids:
        its, form = load_builtin_form(form_id)
        items, forms = items + its, [*forms, form]
    return scheme.model_copy(update={"rating_items": items, "rating_forms": forms})


EAS_SCHEME = with_forms(SCHEME, "eas", "ainsworth")
RATED = {"eas_sensitivity": "5", "eas_structuring": "6", "eas_nonintrusiveness": "4",
         "eas_nonhostility": "7", "eas_responsiveness": "3", "ains_sensitivity": "8",
         "ains_acceptance": "6", "ains_cooperation": "7", "ains_accessibility": "9",
         "level": "2"}


def _scores():  # type: ignore[no-untyped-def]
    events = events_frame(vignette_events(), SCHEME)
    segments = segments_frame(vignette_segments())
    both = pd.concat([events.assign(coding="a"), events.assign(coding="b")])
    return score_codings(both, pd.concat([segments.assign(coding="a"),
                                          segments.assign(coding="b")]),
                         scheme=EAS_SCHEME, durations={"a": VIGNETTE_DURATION_MS,
                                                       "b": VIGNETTE_DURATION_MS},
                         ratings={"a": RATED, "b": {"eas_sensitivity": "2"}})


def test_form_items_and_scores_are_cohort_columns() -> None:
    table = cohort_table(_scores()).set_index("coding")
    # (5+6+4+7)/4 = 5.5; the child mean lacks involvement; Ainsworth (8+6+7+9)/4 = 7.5.
    assert table.loc["a", "eas_adult"] == 5.5
    assert math.isnan(table.loc["a", "eas_child"])
    assert table.loc["a", "ainsworth_total"] == 7.5
    assert table.loc["a", "eas_nonhostility"] == 7
    assert table.loc["a", "level"] == 2
    assert math.isnan(table.loc["b", "eas_adult"]) and table.loc["b", "eas_sensitivity"] == 2
    assert list(table.columns[-3:]) == ["ains_cooperation", "ains_accessibility",
                                        "ainsworth_total"]


def test_a_scheme_without_forms_keeps_its_columns() -> None:
    scores = score_codings(events_frame(vignette_events(), SCHEME).assign(coding=0),
                           segments_frame(vignette_segments()).assign(coding=0), scheme=SCHEME,
                           durations={0: VIGNETTE_DURATION_MS}, ratings={0: {"level": 3}})
    assert not any(c.startswith("eas_") for c in cohort_row(scores))


def test_form_columns_export_with_labels() -> None:
    table = cohort_table(_scores())
    forms = table[[c for c in table.columns if c.startswith(("eas_", "ains"))]]
    assert undocumented(forms) == []
    data = write_table(forms, "sav")
    path = io.BytesIO(data)
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".sav") as f:
        f.write(path.getvalue())
        f.flush()
        back, meta = pyreadstat.read_sav(f.name)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["eas_adult"] == "EAS adult scales (mean)"
    assert labels["eas_nonhostility"] == "EAS adult non-hostility (1-7)"
    assert back["eas_adult"].iloc[0] == 5.5


def test_score_json_and_text_carry_the_forms() -> None:
    from samspill.cli.scores_text import forms_text
    from samspill.services.scores_json import scores_to_json

    result = scores_to_json(_scores(), coding=0)
    assert result["forms"]["eas_adult"] == 5.5 and result["forms"]["eas_child"] is None
    text = forms_text(result)
    assert text.startswith("rating forms: eas_sensitivity 5 ·")
    assert "eas_adult 5.5 · eas_child –" in text and "ainsworth_total 7.5" in text
    assert forms_text({"level": 3}) == ""
