"""Rating forms: an instrument's rating items with their subscales and total, scored purely.

A form (EAS, CARE-Index, Ainsworth's maternal care scales) is part of a scheme
(:class:`~samspill.core.scheme.RatingForm`); its items are the scheme's scale rating items, one
rating per coding each. The built-in forms in ``core/schemes/forms/`` ship the structure only
(item ids, labels, ranges, subscales): anchors and wording come from the licensed manual, which a
lab loads with its own scheme file. A scheme file takes a built-in form with ``forms: [eas]``;
:func:`expand_forms` adds the form's items and the form itself before the scheme is checked, so
the stored scheme holds everything a coding needs.

A form declared ``per: segment`` is rated once per segment of the session whose template id is
in the form's ``segments`` (for example the Strange Situation's reunions, ``ep5`` and ``ep8``).
Its ratings reach the core as ratings named :func:`segment_column` (``<item>_<segment>``), the
names of the cohort's columns: one set of item and score columns per segment, so the cohort
keeps one row per coding and every export, agreement and relation takes them as they are.

Missing ratings: a subscale or total is missing (None) when any of its items is unrated or not
a number. A mean over the rated items only would silently change what the score means
(a mean of two scales is not the mean of four), so no score is made from part of its items.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from samspill.core.errors import N_, NotFoundError
from samspill.core.numbers import number
from samspill.core.problems import Problem
from samspill.core.scheme import RatingForm, RatingItem, Scheme

if TYPE_CHECKING:
    import pandas as pd

FORMS_FOLDER = "forms"


def _number(value: object) -> float | None:
    """A stored rating as a number (ratings are stored as text), or None when not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return None if math.isnan(number) else number


def _combine(values: list[float | None], method: str) -> float | None:
    if not values or any(v is None for v in values):
        return None  # see the module's note on missing ratings
    numbers = [v for v in values if v is not None]
    total = math.fsum(numbers)
    return total if method == "sum" else total / len(numbers)


def form_score_names(form: RatingForm) -> list[str]:
    """The scores a form adds, in order: ``<form>_<subscale>`` per subscale, ``<form>_total``."""
    names = [f"{form.id}_{s.id}" for s in form.subscales]
    return names + ([f"{form.id}_total"] if form.total is not None else [])


def segment_column(name: str, segment: str) -> str:
    """The column (and rating key) of a per-segment form's item or score in one segment."""
    return f"{name}_{segment}"


def in_segment(ratings: Mapping[str, object], form: RatingForm,
               segment: str) -> dict[str, object]:
    """One segment's ratings of a per-segment form as plain item ids (item → value)."""
    return {item: ratings.get(segment_column(item, segment)) for item in form.items}


def form_scores(ratings: Mapping[str, object], form: RatingForm) -> dict[str, float | None]:
    """Each subscale's and the total's value from one coding's ratings (item id → value).

    A sum or mean of the named items; None when any of them is missing (module note). The
    total's items default to all the form's items.
    """
    value = {item: _number(ratings.get(item)) for item in form.items}
    out = {f"{form.id}_{s.id}": _combine([value.get(i) for i in s.items], s.method)
           for s in form.subscales}
    if form.total is not None:
        items = form.total.items or form.items
        out[f"{form.id}_total"] = _combine([value.get(i) for i in items], form.total.method)
    return out


def scheme_form_scores(ratings: Mapping[str, object], scheme: Scheme) -> dict[str, float | None]:
    """:func:`form_scores` of every form in ``scheme``, in one mapping; a per-segment form's
    scores once per segment, named :func:`segment_column`."""
    out: dict[str, float | None] = {}
    for form in scheme.rating_forms:
        out.update(_scores_of(ratings, form))
    return out


def _scores_of(ratings: Mapping[str, object], form: RatingForm) -> dict[str, float | None]:
    if form.per == "session":
        return form_scores(ratings, form)
    out: dict[str, float | None] = {}
    for segment in form.segments:
        scores = form_scores(in_segment(ratings, form, segment), form)
        out.update({segment_column(k, segment): v for k, v in scores.items()})
    return out


def _items_of(ratings: Mapping[str, object], form: RatingForm) -> dict[str, float | None]:
    """The form's item columns with their ratings as numbers (per segment: each segment's)."""
    names = form.items if form.per == "session" else [
        segment_column(i, s) for s in form.segments for i in form.items]
    return {name: _number(ratings.get(name)) for name in names}


def form_rating_problems(ratings: Mapping[str, object], form: RatingForm,
                         scheme: Scheme) -> list[Problem]:
    """What is inconsistent in one coding's ratings on ``form``: a value off its item's scale,
    or a published sum not met (CARE-Index: each partner's scales add up to 14). Problems to
    show, not refusals: a fixed sum is checked only once all its items are rated."""
    out: list[Problem] = []
    for item_id in form.items:
        item, value = scheme.rating_item(item_id), _number(ratings.get(item_id))
        if item is None or value is None or item.min is None or item.max is None:
            continue
        if not item.min <= value <= item.max:
            out.append(Problem(f"{item_id} is {number(value)}, outside {item.min}..{item.max}",
                               f"rate {item_id} from {item.min} to {item.max}", (item_id,)))
    for fixed in form.fixed_sums:
        values = [_number(ratings.get(i)) for i in fixed.items]
        if any(v is None for v in values):
            continue
        got = math.fsum(v for v in values if v is not None)
        if got != fixed.sum:
            out.append(Problem(f"{' + '.join(fixed.items)} add up to {number(got)}, "
                               f"not {fixed.sum}",
                               f"the manual's scales add up to {fixed.sum}: check the ratings",
                               tuple(fixed.items)))
    return out


def scheme_rating_problems(ratings: Mapping[str, object], scheme: Scheme) -> list[Problem]:
    """:func:`form_rating_problems` of every form; a per-segment form's in each segment, the
    message saying which (``in segment ep5: ...``)."""
    out: list[Problem] = []
    for form in scheme.rating_forms:
        if form.per == "session":
            out += form_rating_problems(ratings, form, scheme)
            continue
        for segment in form.segments:
            out += [Problem(f"in segment {segment}: {p.message}", p.fix, p.path)
                    for p in form_rating_problems(in_segment(ratings, form, segment), form,
                                                  scheme)]
    return out


def builtin_form_ids() -> list[str]:
    folder = resources.files("samspill.core") / "schemes" / FORMS_FOLDER
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml") and p.name.count(".") == 1)


def builtin_form_data(form_id: str) -> dict[str, Any]:
    """A built-in form file as data: the form's fields, with ``items`` as full rating items."""
    if form_id not in builtin_form_ids():
        raise NotFoundError(N_("no built-in rating form '{form}'"),
                            fix=N_("use one of: {forms}"),
                            params={"form": form_id, "forms": ", ".join(builtin_form_ids())})
    path = resources.files("samspill.core") / "schemes" / FORMS_FOLDER / f"{form_id}.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def load_builtin_form(form_id: str) -> tuple[list[RatingItem], RatingForm]:
    """A built-in form's rating items and the form that groups them."""
    data = builtin_form_data(form_id)
    items = [RatingItem.model_validate(i) for i in data["items"]]
    form = RatingForm.model_validate({**data, "items": [i.id for i in items]})
    return items, form


def expand_forms(data: dict[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A scheme file's data with each ``forms: [id, …]`` entry replaced by the built-in form's
    rating items and form (appended after the scheme's own). An entry may be a mapping that
    also says how the form is rated (``{id: eas, per: segment, segments: [ep5, ep8]}``).
    Unknown ids are problems."""
    if "forms" not in data:
        return data, []
    refs = data["forms"]
    out = {k: v for k, v in data.items() if k != "forms"}
    if not isinstance(refs, list) or not all(_is_ref(r) for r in refs):
        return out, [Problem("forms must be a list of built-in form ids",
                             f"write e.g. 'forms: [{', '.join(builtin_form_ids())}]' or "
                             "'forms: [{id: eas, per: segment, segments: [ep5, ep8]}]'",
                             ("forms",))]
    problems: list[Problem] = []
    items, forms = list(out.get("rating_items") or []), list(out.get("rating_forms") or [])
    for j, ref in enumerate(refs):
        form_id, rated = (ref, {}) if isinstance(ref, str) else (
            ref["id"], {k: v for k, v in ref.items() if k != "id"})
        if form_id not in builtin_form_ids():
            problems.append(Problem(f"no built-in rating form '{form_id}'",
                                    f"use one of: {', '.join(builtin_form_ids())}",
                                    ("forms", j)))
            continue
        form = builtin_form_data(form_id)
        items += form["items"]
        forms.append({**form, **rated, "items": [i["id"] for i in form["items"]]})
    out["rating_items"], out["rating_forms"] = items, forms
    return out, problems


def _is_ref(ref: object) -> bool:
    """A built-in form's id, or ``{id: …, per: segment, segments: […]}`` (only those keys)."""
    if isinstance(ref, str):
        return True
    return (isinstance(ref, dict) and isinstance(ref.get("id"), str)
            and set(ref) <= {"id", "per", "segments"})


def form_columns(scheme: Scheme) -> list[str]:
    """The cohort columns of the scheme's forms: each form's items, then its scores; a
    per-segment form's items and scores once per segment (``<item>_<segment>``)."""
    out: list[str] = []
    for form in scheme.rating_forms:
        if form.per == "session":
            out += [i for i in form.items if i not in out] + form_score_names(form)
            continue
        for segment in form.segments:
            out += [segment_column(n, segment) for n in [*form.items, *form_score_names(form)]]
    return out


def form_table(ratings: Mapping[Hashable, Mapping[str, object] | None],
               labels: Sequence[Hashable], *, scheme: Scheme) -> pd.DataFrame:
    """One row per coding (``coding``: its position in ``labels``) with :func:`form_columns`:
    the items' ratings as numbers and the forms' scores, empty where missing. A per-segment
    form's ratings are given under their :func:`segment_column` names."""
    import pandas as pd  # here, not at the top: scheme checks and the CLI's help stay light

    rows = []
    for i, label in enumerate(labels):
        given = ratings.get(label) or {}
        row: dict[str, object] = {"coding": i}
        for form in scheme.rating_forms:
            row.update(_items_of(given, form))
            row.update(_scores_of(given, form))
        rows.append(row)
    return pd.DataFrame(rows, columns=["coding", *form_columns(scheme)]).astype(
        {c: "float64" for c in form_columns(scheme)})
