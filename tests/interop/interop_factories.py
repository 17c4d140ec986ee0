"""Synthetic projects and hypothesis strategies for the interop tests (no real person's data)."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from samspill.core.events import Event
from samspill.core.scheme import Scheme
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.interop.model import IndependentVariable, MediaFile, Observation, Project


@cache
def open_scheme() -> Scheme:
    return load_builtin_scheme("withdrawal-open")


def vignette_project(**observation: object) -> Project:
    """The vignette as a one-observation project with media, an offset and variables."""
    obs = Observation(
        name="Dyad 07 / free play", date="2026-01-05T10:00:00", description="synthetic",
        time_offset_ms=0,
        media=[MediaFile(path="/mnt/old-lab-disk/dyad07.mp4", player=1, offset_ms=0,
                         duration_ms=VIGNETTE_DURATION_MS, fps=25.0, has_video=True,
                         has_audio=True),
               MediaFile(path="C:\\video\\dyad07-side.mp4", player=2, offset_ms=-1_250,
                         duration_ms=VIGNETTE_DURATION_MS, fps=30.0)],
        variables={"procedure": "free-play", "age_months": "14"},
        events=vignette_events(), segments=vignette_segments(), **observation)
    return Project(
        name="Synthetic study", description="made-up dyads", date="2026-01-05T09:00:00",
        scheme=open_scheme(),
        variables=[IndependentVariable(label="procedure", type="set",
                                       options=["free-play", "ssp"], default="free-play"),
                   IndependentVariable(label="age_months", type="numeric")],
        observations=[obs])


def comparable(events: list[Event]) -> list[dict]:
    """Events without their ids, in a canonical order."""
    rows = [e.model_dump(exclude={"id"}) for e in events]
    return sorted(rows, key=lambda r: (r["onset_ms"], r["subject"], r["code"],
                                       r["offset_ms"] or -1, str(r["modifiers"]), r["comment"]))


_OPTIONS = {"kind": ["look", "show", "reach", "approach", "call", "climb-or-lift-arms",
                     "protest-put-down"],
            "channel": ["verbal", "nonverbal", "physical"], "intensity": ["full", "muted"],
            "prepared": ["yes", "no"]}
_comments = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@st.composite
def _point(draw: st.DrawFn, scheme: Scheme, limit: int) -> Event:
    code = draw(st.sampled_from([c for c in scheme.codes if c.kind == "point"]))
    modifiers = {}
    for set_id in code.modifiers:
        if draw(st.booleans()):
            modifiers[set_id] = draw(st.sampled_from(_OPTIONS[set_id]))
    return Event(subject=code.subjects[0], code=code.id, onset_ms=draw(st.integers(0, limit)),
                 modifiers=modifiers, comment=draw(_comments),
                 frame=draw(st.none() | st.integers(0, 10**6)))


@st.composite
def _lane(draw: st.DrawFn, codes: list[str], subject: str, limit: int) -> list[Event]:
    """Non-overlapping states (one exclusive lane), touching or with gaps, some zero-length."""
    cuts = sorted(draw(st.lists(st.integers(0, limit), max_size=8)))
    out = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        out.append(Event(subject=subject, code=draw(st.sampled_from(codes)), onset_ms=start,
                         offset_ms=end, comment=draw(_comments)))
    return out


@st.composite
def coded_events(draw: st.DrawFn, limit: int = 10**8) -> list[Event]:
    """Valid, complete events of the open withdrawal scheme, times anywhere up to ``limit`` ms."""
    scheme = open_scheme()
    events = draw(st.lists(_point(scheme, limit), max_size=15))
    events += draw(_lane(["near", "far", "absent"], "caregiver", limit))
    events += draw(_lane(["hold"], "caregiver", limit))
    events += draw(_lane(["distress"], "child", limit))
    return events


def rich_project() -> Project:
    """The vignette plus a live observation with a multiple-choice modifier, a subject-less
    zero-length state and a state that restarts the instant it stops."""
    from samspill.core.scheme import Code, ModifierSet
    from samspill.interop.model import NO_FOCAL_SUBJECT

    base = open_scheme()
    scheme = base.model_copy(update={
        "subjects": [*base.subjects, NO_FOCAL_SUBJECT],
        "modifier_sets": [*base.modifier_sets, ModifierSet(
            id="with", label="With", options=["toy", "book", "cup"], choice="multiple")],
        "codes": [*base.codes, Code(id="offer", name="Offer", kind="state",
                                    subjects=["caregiver", NO_FOCAL_SUBJECT],
                                    modifiers=["with", "channel"])]})
    offer = {"with": ["toy", "cup"], "channel": "verbal"}
    live = Observation(name="live one", kind="live", variables={"procedure": "ssp"}, events=[
        Event(subject="caregiver", code="offer", onset_ms=1000, offset_ms=5000, modifiers=offer),
        Event(subject=NO_FOCAL_SUBJECT, code="offer", onset_ms=2000, offset_ms=2000),
        Event(subject="caregiver", code="offer", onset_ms=5000, offset_ms=9000, modifiers=offer,
              comment="again")])
    project = vignette_project()
    return project.model_copy(update={"scheme": scheme,
                                      "observations": [*project.observations, live]})
