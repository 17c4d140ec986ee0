"""The demo session end to end: the effort a coder needs to reach the vignette's six flags with
the assist's suggestions, against coding it from scratch (``core.assist.effort`` is the model).

The inputs are the demo's own: the vignette's master coding (``core.vignette``), its rendered
video (``services.demo_video``, with the photographed people when the models are fetched) and
the assist's real pass over that video (:func:`demo_suggestions`). Both resulting codings are
scored by the one scoring entry point (``core.scoring.score_coding``) under the demo study's
settings (the defaults), segments and length, and compared with the master coding's flags.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from samspill.core.assist.effort import Effort, EffortSettings, from_scratch, with_assist
from samspill.core.assist.proposals import Proposal
from samspill.core.assist.silence import silences_after_bids
from samspill.core.events import Event, events_frame, segments_frame
from samspill.core.indicators import INDICATORS
from samspill.core.scheme import Scheme
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.scoring import score_coding
from samspill.core.study_settings import study_settings
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments

DEMO_SCHEME = "withdrawal-open"
DETECTORS = ("speech", "cry", "pose")
# One indicator's verdict: its state ("present", "absent", ...) and its flag.
Verdict = tuple[str, bool]


@dataclass(frozen=True)
class Comparison:
    """Both ways of coding the demo, with each coding's verdict per indicator."""

    scratch: Effort
    assisted: Effort
    master: dict[str, Verdict]
    scratch_flags: dict[str, Verdict]
    assisted_flags: dict[str, Verdict]
    duration_ms: int
    silences: list[Proposal]  # the pointers the coding screen adds once the bids are keyed

    def same_flags(self) -> bool:
        return self.scratch_flags == self.master and self.assisted_flags == self.master


def demo_suggestions(models_dir: Path, folder: Path) -> list[Proposal]:
    """The assist's real pass (speech, crying, pose) over the demo video rendered in ``folder``
    as ``samspill demo`` renders it: with the photographed people (the models' fetch)."""
    from samspill.services import assist
    from samspill.services.demo_video import render_demo_video
    from samspill.services.people_clip import load_people

    video = render_demo_video(vignette_events(), VIGNETTE_DURATION_MS, folder / "vignette.webm",
                              people=load_people(models_dir))
    found = assist.compute(video, DETECTORS, models_dir=models_dir, progress=lambda _f: None)
    return found.proposals


def save_suggestions(proposals: Sequence[Proposal], path: Path) -> None:
    path.write_text(json.dumps([vars(p) for p in proposals], indent=1) + "\n", encoding="utf-8")


def load_suggestions(path: Path) -> list[Proposal]:
    return [Proposal(**row) for row in json.loads(path.read_text(encoding="utf-8"))]


def verdicts(events: Sequence[Event], scheme: Scheme, duration_ms: int) -> dict[str, Verdict]:
    """Each indicator's state and flag over the whole demo session, as the scoring gives them."""
    settings = study_settings(None)
    scores = score_coding(events_frame(events, scheme), segments_frame(vignette_segments()),
                          scheme=scheme, duration_ms=duration_ms,
                          settings=settings.indicator_settings(),
                          disrupted_cutoff=settings.disrupted_cutoff)
    table = scores.indicators
    row = table[table["scope"] == "session"].iloc[0]
    return {name: (str(row[spec.state]), bool(row[spec.flag])) for name, spec in INDICATORS.items()}


def compare(suggestions: Sequence[Proposal],
            settings: EffortSettings = EffortSettings()) -> Comparison:
    """The vignette coded from scratch and with ``suggestions``, each coding scored."""
    scheme = load_builtin_scheme(DEMO_SCHEME)
    master = vignette_events()
    scratch = from_scratch(master, scheme, VIGNETTE_DURATION_MS)
    assisted = with_assist(master, suggestions, scheme, VIGNETTE_DURATION_MS, settings)
    return Comparison(scratch, assisted, verdicts(master, scheme, VIGNETTE_DURATION_MS),
                      verdicts(scratch.events, scheme, VIGNETTE_DURATION_MS),
                      verdicts(assisted.events, scheme, VIGNETTE_DURATION_MS),
                      VIGNETTE_DURATION_MS, silences(master, suggestions))


def silences(events: Sequence[Event], suggestions: Sequence[Proposal]) -> list[Proposal]:
    """The silences after the bids (``services.assist_decisions.silences``, from the coded bids
    and the heard speech) under the demo study's settings."""
    study = study_settings(None)
    settings = study.indicator_settings()
    bids = [e.onset_ms for e in events if e.code == settings.bid_code
            and e.subject == settings.child]
    speech = [s for s in suggestions if s.detector == "speech"]
    heard = [(s.onset_ms, s.offset_ms if s.offset_ms is not None else s.onset_ms)
             for s in speech]
    if not speech:
        return []  # no speech pass: silence cannot be told from not having listened
    return silences_after_bids(bids, heard, settings.response_window_ms, VIGNETTE_DURATION_MS,
                               speech[0].version, grace_ms=study.assist.silence_grace_ms)
