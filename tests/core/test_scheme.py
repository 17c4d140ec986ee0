"""Coding schemes: the built-ins, located errors, cross-references and content hashes."""

from __future__ import annotations

import pytest

from samspill.core.errors import NotFoundError, SchemeError
from samspill.core.scheme_check import (
    builtin_scheme_ids,
    load_builtin_scheme,
    parse_scheme,
    scheme_file_problems,
)

MINIMAL = """\
id: lab-scheme
name: Lab scheme
codes:
  - {id: bid, name: Bid, kind: point, subject: child, key: b, modifiers: [kind]}
  - {id: near, name: Near, kind: state, subject: caregiver, key: n}
  - {id: far, name: Far, kind: state, subject: caregiver, key: f}
modifier_sets:
  - {id: kind, label: Kind, options: [look, show]}
exclusive_groups:
  - {id: proximity, codes: [near, far]}
"""


def test_builtin_schemes_are_the_three_named_in_the_spec() -> None:
    assert builtin_scheme_ids() == ["ambiance", "ssp", "withdrawal-open"]


def test_withdrawal_open_has_every_code_of_the_spec_and_one_per_dimension() -> None:
    scheme = load_builtin_scheme("withdrawal-open")
    ids = {c.id for c in scheme.codes}
    assert {
        "distress",
        "bid",
        "initiate",
        "respond",
        "hold",
        "redirect",
        "leave",
        "return",
        "near",
        "far",
        "absent",
    } <= ids
    assert {c.dimension for c in scheme.codes if c.dimension} == {"AE", "RB", "FD", "NI", "WD"}
    assert scheme.modifier_set("kind").options == [
        "look",
        "show",
        "reach",
        "approach",
        "call",
        "climb-or-lift-arms",
        "protest-put-down",
    ]
    assert scheme.exclusive_group_of("far").codes == ["near", "far", "absent"]


def test_ambiance_structure_has_level_with_public_anchors_and_cutoff_five() -> None:
    scheme = load_builtin_scheme("ambiance")
    level = scheme.rating_item(scheme.level_item)
    assert (level.min, level.max, sorted(level.anchors)) == (1, 7, [1, 7])
    assert scheme.settings["disrupted_cutoff"] == 5
    assert [d.id for d in scheme.dimensions] == ["AE", "RB", "FD", "NI", "WD"]
    assert "not an official AMBIANCE score" in scheme.label()


def test_ssp_template_has_eight_episodes_with_reunions_five_and_eight() -> None:
    template = load_builtin_scheme("ssp").segment_template("ssp")
    assert len(template.segments) == 8
    assert [s.id for s in template.segments if s.role == "reunion"] == ["ep5", "ep8"]
    assert template.segments[0].nominal_ms == 30_000


def test_only_a_licensed_scheme_is_labelled_ambiance() -> None:
    scheme = load_builtin_scheme("ambiance").model_copy(update={"licensed": True})
    assert scheme.label() == "AMBIANCE"


def test_unknown_builtin_scheme_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="withdrawal-open"):
        load_builtin_scheme("nope")


def test_minimal_lab_scheme_parses() -> None:
    scheme = parse_scheme(MINIMAL, "lab.yaml")
    assert scheme.code("bid").subjects == ["child"]


def test_malformed_yaml_names_its_line() -> None:
    problems = scheme_file_problems("id: x\nname: [unclosed\ncodes: []\n", "bad.yaml")
    assert len(problems) == 1
    assert problems[0].where.startswith("bad.yaml:")
    assert "malformed YAML" in problems[0].message


def test_undefined_references_are_each_reported_with_line_and_fix() -> None:
    text = MINIMAL.replace("modifiers: [kind]", "modifiers: [colour]").replace(
        "codes: [near, far]", "codes: [near, gone]"
    )
    problems = scheme_file_problems(text, "lab.yaml")
    messages = [str(p) for p in problems]
    assert any("lab.yaml:4" in m and "'colour'" in m and "Fix:" in m for m in messages)
    assert any("lab.yaml:10" in m and "'gone'" in m for m in messages)
    assert len(problems) == 2


def test_structural_errors_name_the_field_and_line() -> None:
    text = MINIMAL.replace("kind: point, subject: child", "kind: sometimes, subject: child")
    problems = scheme_file_problems(text, "lab.yaml")
    assert problems and problems[0].where == "lab.yaml:4"
    assert "codes.0.kind" in problems[0].message


def test_duplicate_keys_for_one_subject_are_refused() -> None:
    text = MINIMAL.replace("key: f", "key: n")
    assert any("key 'n'" in p.message for p in scheme_file_problems(text))


def test_point_codes_cannot_be_mutually_exclusive() -> None:
    text = MINIMAL.replace("codes: [near, far]", "codes: [near, bid]")
    assert any("point code 'bid'" in p.message for p in scheme_file_problems(text))


def test_parse_raises_one_error_listing_every_problem() -> None:
    text = MINIMAL.replace("modifiers: [kind]", "modifiers: [a, b]")
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, "lab.yaml")
    assert "2 problem(s)" in str(info.value)


def test_content_hash_ignores_version_but_not_content() -> None:
    scheme = parse_scheme(MINIMAL)
    assert scheme.content_hash() == scheme.model_copy(update={"version": 9}).content_hash()
    changed = parse_scheme(MINIMAL.replace("Lab scheme", "Lab scheme 2"))
    assert changed.content_hash() != scheme.content_hash()
