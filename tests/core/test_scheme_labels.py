"""Built-in schemes' display labels in bokmål: complete, and never part of the scheme's hash."""

from __future__ import annotations

import pytest

from samspill.core.scheme import Scheme
from samspill.core.scheme_check import builtin_scheme_ids, load_builtin_scheme, parse_scheme
from samspill.core.scheme_labels import (
    SchemeTranslation,
    builtin_translation,
    localised,
    localised_template,
    missing_labels,
    option_labels,
    scheme_translation,
    segment_role_labels,
)


@pytest.mark.parametrize("scheme_id", builtin_scheme_ids())
def test_every_built_in_label_has_a_bokmaal_translation(scheme_id: str) -> None:
    translation = builtin_translation(scheme_id, "nb")
    assert translation is not None, f"no {scheme_id}.nb.yaml"
    assert missing_labels(load_builtin_scheme(scheme_id), translation) == []


def test_a_label_without_its_translation_is_reported() -> None:
    scheme = load_builtin_scheme("withdrawal-open")
    translation = builtin_translation("withdrawal-open", "nb")
    assert translation is not None
    kind = translation.modifier_sets["kind"]
    fewer = {o: w for o, w in kind.options.items() if o != "call"}
    thinner = translation.model_copy(
        update={
            "modifier_sets": {
                **translation.modifier_sets,
                "kind": kind.model_copy(update={"options": fewer}),
            },
            "subjects": {"child": "barn"},
        }
    )
    assert missing_labels(scheme, thinner) == [
        "subjects.caregiver",
        "modifier_sets.kind.options.call",
    ]


def test_translation_files_are_not_schemes_and_leave_the_hash_alone() -> None:
    assert builtin_scheme_ids() == ["ambiance", "ssp", "withdrawal-open"]
    scheme = load_builtin_scheme("withdrawal-open")
    shown = localised(scheme, builtin_translation("withdrawal-open", "nb"))
    # The display copy differs (so it must never be registered); the scheme itself is untouched.
    assert shown.content_hash() != scheme.content_hash()
    assert load_builtin_scheme("withdrawal-open").content_hash() == scheme.content_hash()


def test_bokmaal_labels_keep_the_stored_ids() -> None:
    scheme = load_builtin_scheme("withdrawal-open")
    translation = builtin_translation("withdrawal-open", "nb")
    shown = localised(scheme, translation)
    assert [c.id for c in shown.codes] == [c.id for c in scheme.codes]
    bid = shown.code("bid")
    assert bid is not None and bid.name == "Signal"
    kind = shown.modifier_set("kind")
    assert kind is not None and kind.label == "Type signal"
    assert kind.options == scheme.modifier_set("kind").options  # type: ignore[union-attr]
    level = shown.rating_item("level")
    assert level is not None and level.anchors[1] == "Høyt normalt"
    labels = option_labels(scheme, translation)
    assert labels["subjects"] == {"caregiver": "omsorgsperson", "child": "barn"}
    assert labels["modifiers"]["kind"]["look"] == "blikk"  # type: ignore[index]


def test_english_shows_the_scheme_as_written() -> None:
    scheme = load_builtin_scheme("withdrawal-open")
    assert builtin_translation("withdrawal-open", "en") is None
    assert localised(scheme, None) is scheme
    assert option_labels(scheme, None)["modifiers"]["kind"]["look"] == "look"  # type: ignore[index]


def test_a_licensed_scheme_keeps_its_own_wording() -> None:
    licensed = load_builtin_scheme("ambiance").model_copy(update={"licensed": True})
    assert scheme_translation(licensed, "nb") is None


def test_segment_names_in_bokmaal() -> None:
    template = load_builtin_scheme("ssp").segment_template("ssp")
    assert template is not None
    shown = localised_template(template, "nb")
    assert shown.segments[4].name == "5 Første gjenforening"
    assert [s.id for s in shown.segments] == [s.id for s in template.segments]
    assert localised_template(template, "en") == template


def test_a_missing_entry_falls_back_to_the_scheme() -> None:
    scheme: Scheme = parse_scheme(
        "id: tiny\nname: Tiny\ncodes:\n  - {id: x, name: Ex, kind: point, subject: child}\n"
    )
    shown = localised(scheme, SchemeTranslation(codes={}))
    assert shown.codes[0].name == "Ex"


def test_segment_roles_in_bokmaal_and_as_stored_in_english() -> None:
    assert segment_role_labels("nb")["reunion"] == "gjenforening"
    assert segment_role_labels("en")["reunion"] == "reunion"
