"""Every .eaf Samspill writes is valid under ELAN's EAF 3.0 schema (schemas/EAFv3.0.xsd)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from interop_factories import coded_events, open_scheme, rich_project, vignette_project

from samspill.core.errors import InputError
from samspill.core.events import Event, Segment, event_problems
from samspill.core.scheme import Scheme
from samspill.core.scheme_check import builtin_scheme_ids, load_builtin_scheme
from samspill.interop import elan
from samspill.interop.eaf_schema import check_eaf, eaf_problems
from samspill.interop.elan import read_elan, write_elan
from samspill.interop.model import MediaFile, Observation

LAYOUTS = ["subject", "subject-dimension"]


def one_of_each_code(scheme: Scheme) -> list[Event]:
    """Every code of the scheme once, one after another, with its required modifiers set."""
    sets = {m.id: m for m in scheme.modifier_sets}
    events, t = [], 1000
    for code in scheme.codes:
        modifiers: dict[str, str | list[str]] = {}
        for set_id in code.modifiers:
            chosen = sets[set_id].options[0]
            modifiers[set_id] = [chosen] if sets[set_id].choice == "multiple" else chosen
        event = Event(subject=code.subjects[0], code=code.id, onset_ms=t, modifiers=modifiers,
                      offset_ms=t + 1500 if code.kind == "state" else None,
                      comment="Åse sa «nei» – Ærlig talt, Øystein! <&> \"ok\"")
        if not event_problems([event], scheme, complete=True):
            events.append(event)
        t += 2000
    return events


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("scheme_id", builtin_scheme_ids())
def test_every_builtin_scheme_exports_a_valid_eaf(scheme_id: str, layout: str):
    scheme = load_builtin_scheme(scheme_id)
    events = one_of_each_code(scheme)
    assert len(events) >= len(scheme.codes) // 2  # the coding is not trivially small
    observation = Observation(name=f"økt-{scheme_id}", events=events, duration_ms=10**6,
                              media=[MediaFile(path="/data/barnehage/Ærø økt 1.mp4",
                                               duration_ms=10**6, fps=25.0, offset_ms=-400)],
                              variables={"procedure": "fri lek"})
    data = write_elan(observation, scheme, tiers=layout)  # type: ignore[arg-type]
    assert eaf_problems(data) == []
    assert len(read_elan(data, scheme=scheme).project.observations[0].events) == len(events)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_an_empty_coding_exports_a_valid_eaf(layout: str):
    data = write_elan(Observation(name="tom"), open_scheme(), tiers=layout)  # type: ignore[arg-type]
    assert eaf_problems(data) == []


@pytest.mark.parametrize("layout", LAYOUTS)
def test_vignette_with_segments_ratings_and_rich_project_export_valid_eafs(layout: str):
    for project in (vignette_project(), rich_project()):
        for observation in project.observations:
            observation = observation.model_copy(update={
                "segments": [Segment(name="Episode 1 – Åpning", start_ms=0, end_ms=5000)],
                "ratings": {"varme": "3"}})
            data = write_elan(observation, project.scheme, tiers=layout)  # type: ignore[arg-type]
            assert eaf_problems(data) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(coded_events())
def test_any_valid_coding_exports_a_valid_eaf(events: list[Event]):
    data = write_elan(Observation(name="o", events=events), open_scheme())
    assert eaf_problems(data) == []


def test_a_document_that_breaks_the_schema_is_refused_naming_the_place():
    good = write_elan(vignette_project().observations[0], open_scheme())
    bad = good.replace(b"<TIME_ORDER>", b"<TIME_ORDER><SURPRISE/>", 1)
    assert eaf_problems(bad)
    with pytest.raises(InputError, match=r"EAF 3\.0 schema") as refused:
        check_eaf(bad, "økt 1")
    assert "SURPRISE" in refused.value.message and refused.value.where == "økt 1"
    assert "nothing was written" in (refused.value.fix or "")
    assert check_eaf(good, "økt 1") is good


def test_the_exporter_refuses_instead_of_writing_an_invalid_file(monkeypatch: pytest.MonkeyPatch):
    real = elan.Elan.to_string

    def broken(eaf: object) -> str:
        return real(eaf).replace("<TIME_ORDER", "<TIME_ORDER_BROKEN", 1).replace(
            "</TIME_ORDER>", "</TIME_ORDER_BROKEN>", 1)

    monkeypatch.setattr(elan.Elan, "to_string", broken)
    with pytest.raises(InputError, match=r"breaks the EAF 3\.0 schema"):
        write_elan(vignette_project().observations[0], open_scheme())


def test_the_schema_ships_inside_the_package():
    from importlib import resources

    shipped = resources.files("samspill.interop").joinpath("schemas", "EAFv3.0.xsd")
    assert shipped.is_file() and b"VERSION 3.0" in shipped.read_bytes()[:200]


def test_a_coding_larger_than_the_export_check_is_still_valid():
    size = elan.CHECKED_EXPORT_EVENTS + 1
    events = [Event(subject="child", code="bid", onset_ms=1000 * i, modifiers={"kind": "look"},
                    comment=f"bud nr. {i} – «blikk»") for i in range(size)]
    data = write_elan(Observation(name="lang økt", events=events), open_scheme())
    assert eaf_problems(data) == []
