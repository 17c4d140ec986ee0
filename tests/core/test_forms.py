"""Rating forms: structure checks, hand-worked scores, the built-in structures."""

from __future__ import annotations

import pytest

from samspill.core.errors import SchemeError
from samspill.core.forms import (
    builtin_form_ids,
    expand_forms,
    form_rating_problems,
    form_score_names,
    form_scores,
    load_builtin_form,
)
from samspill.core.scheme import RatingForm, Scheme
from samspill.core.scheme_check import parse_scheme, scheme_file_problems, scheme_problems

FORM = RatingForm.model_validate({
    "id": "f", "name": "F", "items": ["a", "b", "c"],
    "subscales": [{"id": "ab", "name": "A+B", "items": ["a", "b"], "method": "sum"},
                  {"id": "bc", "name": "B, C", "items": ["b", "c"], "method": "mean"}],
    "total": {"method": "mean"}})


def _scheme(**form: object) -> Scheme:
    items = [{"id": i, "label": i, "min": 1, "max": 7} for i in ("a", "b", "c")]
    items.append({"id": "pick", "label": "pick", "kind": "choice", "options": ["x", "y"]})
    base = {"id": "f", "name": "F", "items": ["a", "b", "c"]}
    return Scheme.model_validate({"id": "s", "name": "S", "rating_items": items,
                                  "rating_forms": [{**base, **form}]})


def test_scores_hand_worked() -> None:
    # a=2, b=5, c=6: a+b = 7; (5+6)/2 = 5.5; (2+5+6)/3 = 13/3.
    scores = form_scores({"a": "2", "b": 5, "c": "6"}, FORM)
    assert scores == {"f_ab": 7.0, "f_bc": 5.5, "f_total": pytest.approx(13 / 3)}
    assert form_score_names(FORM) == ["f_ab", "f_bc", "f_total"]


def test_a_missing_item_makes_its_scores_missing_only() -> None:
    # c unrated: b+c and the total are missing; a+b (both rated) is 1+4 = 5.
    assert form_scores({"a": "1", "b": "4", "c": ""}, FORM) == {
        "f_ab": 5.0, "f_bc": None, "f_total": None}
    assert form_scores({}, FORM) == {"f_ab": None, "f_bc": None, "f_total": None}


def test_scheme_check_names_bad_form_references() -> None:
    assert scheme_problems(_scheme()) == []
    messages = " ".join(p.message for p in scheme_problems(_scheme(items=["a", "zz", "pick"])))
    assert "item 'zz', which is not defined" in messages
    assert "choice item 'pick'" in messages
    bad_sub = _scheme(subscales=[{"id": "s", "name": "S", "items": ["a", "pick"]}])
    assert "outside its items" in scheme_problems(bad_sub)[0].message
    clash = _scheme(subscales=[{"id": "total", "name": "T", "items": ["a"]}], total={})
    assert "already used" in scheme_problems(clash)[0].message


def test_fixed_sum_and_range_are_problems_of_a_rating_set() -> None:
    _, care = load_builtin_form("care")
    scheme = parse_scheme("id: t\nname: T\nforms: [care]\n")
    adult = {"care_sensitivity": "6", "care_control": "5", "care_unresponsiveness": "3"}
    assert form_rating_problems(adult, care, scheme) == []  # 14, infant side unrated
    off = {**adult, "care_control": "6", "care_cooperativeness": "15"}
    problems = form_rating_problems(off, care, scheme)
    assert [p.message for p in problems] == [
        "care_cooperativeness is 15, outside 0..14",
        "care_sensitivity + care_control + care_unresponsiveness add up to 15, not 14"]


def test_builtin_forms_structure() -> None:
    assert builtin_form_ids() == ["ainsworth", "care", "eas"]
    shape = {}
    for form_id in builtin_form_ids():
        items, form = load_builtin_form(form_id)
        assert "Structure only" in form.description
        assert all(not i.anchors for i in items)  # no licensed wording shipped
        shape[form_id] = [(i.min, i.max) for i in items]
    assert shape["eas"] == [(1, 7)] * 6
    assert shape["care"] == [(0, 14)] * 7
    assert shape["ainsworth"] == [(1, 9)] * 4


def test_forms_reference_expands_and_hashes_stably() -> None:
    scheme = parse_scheme("id: t\nname: T\nforms: [eas, ainsworth]\n")
    assert [f.id for f in scheme.rating_forms] == ["eas", "ainsworth"]
    assert len(scheme.rating_items) == 10
    again = Scheme.model_validate(scheme.model_dump(mode="json"))
    assert again.content_hash() == scheme.content_hash()
    # A scheme without forms keeps the hash it had before forms existed.
    plain = Scheme(id="p", name="P")
    assert "rating_forms" not in plain.model_dump_json(exclude={"rating_forms"})
    assert plain.content_hash() == parse_scheme("id: p\nname: P\n").content_hash()


def test_unknown_form_is_located() -> None:
    problems = scheme_file_problems("id: t\nname: T\nforms: [eas, nope]\n", "lab.yaml")
    assert len(problems) == 1 and problems[0].where == "lab.yaml:3"
    assert "no built-in rating form 'nope'" in problems[0].message
    with pytest.raises(SchemeError):
        parse_scheme("id: t\nname: T\nforms: eas\n")
    assert expand_forms({"id": "x"}) == ({"id": "x"}, [])


def test_builtin_forms_have_bokmal_labels() -> None:
    from samspill.core.scheme_labels import builtin_form_translation, localised, scheme_translation

    for form_id in builtin_form_ids():
        items, form = load_builtin_form(form_id)
        tr = builtin_form_translation(form_id, "nb")
        assert tr is not None and tr.description.startswith("Bare struktur")
        assert set(tr.rating_items) == {i.id for i in items}
        assert set(tr.subscales) == {s.id for s in form.subscales}
        assert bool(tr.total) == (form.total is not None)
    scheme = parse_scheme("id: t\nname: T\nforms: [eas, ainsworth]\n")
    shown = localised(scheme, scheme_translation(scheme, "nb"))
    assert shown.rating_item("eas_nonhostility").label == "EAS voksen ikke-fiendtlig"
    assert shown.rating_form("eas").subscales[0].name.startswith("EAS voksenskalaer")
    assert shown.rating_form("ainsworth").total.name == "Gjennomsnitt av de fire skalaene"
    assert scheme_translation(scheme, "en") is None
