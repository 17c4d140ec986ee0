"""Small hand-made codings for the indicator tests: events in seconds, scored in one call."""

from __future__ import annotations

from typing import Any

import pandas as pd

from samspill.core.events import Event, Segment, events_frame, segments_frame
from samspill.core.indicators import IndicatorSettings
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import Scores, score_coding

SCHEME = load_builtin_scheme("withdrawal-open")
_COUNTER = iter(range(10**9))


def ev(subject: str, code: str, onset_s: float, offset_s: float | None = None,
       **modifiers: str) -> Event:
    """An event with times in seconds; modifier names with ``_`` become ``-``."""
    return Event(id=f"e{next(_COUNTER):06d}", subject=subject, code=code,
                 onset_ms=round(onset_s * 1000),
                 offset_ms=None if offset_s is None else round(offset_s * 1000),
                 modifiers={k.replace("_", "-"): v for k, v in modifiers.items()})


def bid(t: float, kind: str = "show") -> Event:
    return ev("child", "bid", t, kind=kind)


def cg(code: str, t: float, end: float | None = None, **modifiers: str) -> Event:
    return ev("caregiver", code, t, end, **modifiers)


def seg(name: str, start_s: float, end_s: float, role: str = "plain") -> Segment:
    return Segment(id=f"seg-{name}", name=name, role=role, start_ms=round(start_s * 1000),
                   end_ms=round(end_s * 1000))


def score(events: list[Event], *, duration_s: float = 600, segments: list[Segment] | None = None,
          **settings: Any) -> Scores:
    return score_coding(events_frame(events, SCHEME), segments_frame(segments or []),
                        scheme=SCHEME, duration_ms=round(duration_s * 1000),
                        settings=IndicatorSettings(**settings))


def session(scores: Scores) -> pd.Series:
    """The whole-session row of the indicator table."""
    table = scores.indicators
    return table[table["scope"] == "session"].iloc[0]


def segment_row(scores: Scores, name: str) -> pd.Series:
    table = scores.indicators
    return table[(table["scope"] == "segment") & (table["name"] == name)].iloc[0]


def evidence(scores: Scores, indicator: str) -> pd.DataFrame:
    ev_table = scores.evidence
    return ev_table[ev_table["indicator"] == indicator].reset_index(drop=True)
