"""The session report: what a clinician reads and shares about one coding of one session.

Header (pseudonymous), segments, a timeline of the coding, counts per dimension and segment,
the coder's level and the classification, the five signs of withdrawal (state, why, stability,
the criteria against the study's thresholds) and the profile's hostility qualifier for the
whole session, then for each segment and the reunions together, the evidence with times, and
the statement that the thresholds are settings, not norms, and that this is no diagnosis.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pandas as pd

from samspill import __version__
from samspill.core import numbers
from samspill.core.scheme_labels import display_words, template_segment_name
from samspill.reports.data import ReportData
from samspill.reports.document import (
    Block,
    Document,
    Facts,
    Heading,
    Paragraph,
    Plot,
    Section,
    Table,
)
from samspill.reports.i18n import (
    DISCLAIMER_TEXT,
    INDICATOR_TITLES,
    N_,
    SIGN_TITLES,
    Translator,
    clock,
    note_text,
    outside_text,
    scheme_label,
    scope_name,
    seconds,
    state_text,
    translator,
    word,
)
from samspill.reports.plots import signs_figure, timeline_figure
from samspill.reports.signs import (
    NOT_OBSERVABLE,
    PRESENT,
    QUALIFIER,
    SIGNS,
    MeasureRow,
    count_states,
    measure_rows,
    pivotal_of,
    qualifier_measure_text,
    qualifier_text,
    show_value,
    stability_text,
    summary_text,
    why_text,
    withdrawn,
)


def session_document(data: ReportData, language: str = "en",
                     today: dt.date | None = None) -> Document:
    _ = translator(language, display_words(data.scheme, language))
    data = _shown_segment_names(data, language)
    h = data.header
    sections = [
        Section(_("Session"), [_header_facts(data, _)], "header"),
        _segments(data, _),
        Section(_("Timeline of the coding"), [Plot(
            timeline_figure(data, _), _("Coded events over the session, one lane per subject "
                                        "and code; segments as shaded bands."), "timeline")],
                "timeline"),
        _counts(data, _),
        _level(data, _),
        _signs(data, _),
        _per_scope(data, _),
        _evidence(data, _),
    ]
    return Document(
        language=language,
        title=_("Session report"),
        subtitle=f"{h.study} · {h.dyad} · {h.session}",
        sections=[section for section in sections if section is not None],
        disclaimer=_(DISCLAIMER_TEXT),
        footer=_("Samspill %(version)s · made %(date)s", version=__version__,
                 date=_.date(today or dt.date.today())),
    )


def _shown_segment_names(data: ReportData, language: str) -> ReportData:
    """A template's segment is stored with its name as marked (in English): shown in the
    report's language, as the coding screen shows it; a name the coder typed stays as written."""
    if data.segments.empty:
        return data
    names = {s.segment_id: template_segment_name(s.spec_id, s.name, language)
             for s in data.segments.itertuples()}
    indicators = data.indicators.assign(name=[
        names.get(i, n) if scope == "segment" else n for scope, i, n in
        zip(data.indicators["scope"], data.indicators["segment_id"], data.indicators["name"],
            strict=True)])
    return replace(data, segments=data.segments.assign(name=data.segments["segment_id"].map(names)),
                   indicators=indicators)


def label_of(data: ReportData, _: Translator) -> str:
    h = data.header
    return scheme_label(word(h.scheme_name, _), h.instrument, h.licensed, _)


def _header_facts(data: ReportData, _: Translator) -> Facts:
    h = data.header
    age = _("%(months)s months", months=h.age_months) if h.age_months is not None else "–"
    return Facts([
        (_("Study"), h.study), (_("Dyad"), h.dyad), (_("Session"), h.session),
        (_("Date"), _.date(h.date)), (_("Child's age"), age),
        (_("Procedure"), word(h.procedure, _)), (_("Length"), clock(h.duration_ms)),
        (_("Coder"), f"{h.coder} ({word(h.status, _)})"),
        (_("Scheme"), _("%(id)s, version %(version)s", id=h.scheme_id, version=h.scheme_version)),
        (_("Scores labelled"), label_of(data, _)),
        *_provisional_fact(data, _),
    ])


def _provisional_fact(data: ReportData, _: Translator) -> list[tuple[str, str]]:
    """A coding with a state still running is scored with that state ended at the end of the
    recording: the report says so, as the session page does."""
    if not data.header.provisional:
        return []
    return [(_("Scores"), _("Provisional: a state was still running; for this report it ends "
                           "at the end of the recording"))]


def _segments(data: ReportData, _: Translator) -> Section:
    segs = data.segments.sort_values("start_ms")
    if segs.empty:
        return Section(_("Segments"), [Paragraph(
            _("No segments are marked: the whole session is scored as one."), "note")],
            "segments")
    numbers = data.segment_numbers()
    rows = [[str(numbers[s.segment_id]), s.name, word(s.role, _), clock(s.start_ms),
             clock(s.end_ms), clock(s.end_ms - s.start_ms), s.note or ""]
            for s in segs.itertuples()]
    table = Table(["#", _("Segment"), _("Role"), _("Start"), _("End"), _("Length"), _("Note")],
                  rows, numeric=frozenset({0, 3, 4, 5}), widths=(0.7, 3, 2, 2, 2, 2, 4))
    return Section(_("Segments"), [table], "segments")


def _scopes(data: ReportData, _: Translator) -> list[tuple[int, str, str]]:
    """(row of the indicator table, short name, long name) for each scope: the whole session,
    each segment (short: its number), the reunions together."""
    numbers = data.segment_numbers()
    out = []
    for i, row in enumerate(data.indicators.itertuples()):
        if row.scope == "segment":
            number = numbers.get(row.segment_id, i)
            named = row.name if row.name.startswith(f"{number} ") else f"{number} {row.name}"
            out.append((i, str(number), named))
        else:
            name = scope_name(row._asdict(), _)
            out.append((i, name, name))
    return out


def _counts(data: ReportData, _: Translator) -> Section:
    """One row per scope, one column per dimension: narrow however many segments there are."""
    amb = data.ambiance[data.ambiance["item_type"] == "dimension"]
    title = _("%(label)s: counts per dimension and segment", label=label_of(data, _))
    dims = data.scheme.dimensions
    if not dims:
        return Section(title, [Paragraph(_("The scheme has no dimensions."), "note")], "counts")
    counts = amb.pivot_table(index="scope_row", columns="item", values="count", aggfunc="sum")
    rows = []
    for i, _short, name in _scopes(data, _):
        cells = [str(int(counts.at[i, d.id])) if i in counts.index else "0" for d in dims]
        present = data.indicators.at[i, "present_ms"] / 60_000
        rows.append([name, *cells, numbers.number(present, _.language, digits=1)])
    columns = [_("Scope"), *[d.id for d in dims], _("minutes present")]
    legend = "; ".join(f"{d.id}: {word(d.name, _)}" for d in dims)
    note = Paragraph(_("Counts of coded events (points, and states by their onsets), per "
                       "dimension: %(legend)s.", legend=legend), "note")
    table = Table(columns, rows, numeric=frozenset(range(1, len(columns))),
                  widths=(5, *[1.2] * len(dims), 2))
    return Section(title, [table, note], "counts")


def _level(data: ReportData, _: Translator) -> Section:
    r = data.rating
    level: Any = r.get("level")
    rated = level is not None and not pd.isna(level)
    cutoff = _.number(r.get("cutoff"), 0)
    facts = Facts([
        (_("Level (coder's rating)"), _("%(level)s of 7", level=int(level)) if rated
         else _("not rated")),
        (_("Classification"), _("%(class)s (cut-off: level %(cutoff)s)",
                                **{"class": word(r.get("classification"), _), "cutoff": cutoff})
         if rated else _("none without a level")),
        (_("Profile"), word(r.get("profile"), _)),
    ])
    note = Paragraph(_("The level and the profile are the coder's judgement, not computed; the "
                       "classification follows from the level and the cut-off."), "note")
    return Section(_("Level and classification"), [facts, note], "level")


def _signs(data: ReportData, _: Translator) -> Section:
    """The whole session: the summary, each sign's state, why, and stability, the chart and
    the criteria against the study's thresholds, then the profile's qualifier."""
    session = data.indicators.iloc[0]
    rows = measure_rows(session, data.settings, _)
    name = scope_name(session, _)
    outside = outside_text(session, _)
    blocks: list[Block] = [
        Paragraph(_("Each sign is present, absent, or not observable. Not observable means the "
                    "coding holds too little to judge the sign, for the reason given; it never "
                    "means absent. Hostility is no sign: it qualifies the profile. Stable: the "
                    "state stays the same in at least %(share)s of replicates with every time "
                    "moved by up to %(jitter)s, and leaving out any one event does not change "
                    "it; fragile: it does change, and the times say where to look.",
                    share=show_value("share", data.settings.stable_at, _),
                    jitter=seconds(data.settings.stability_jitter_ms, _)), "note"),
        Paragraph(_("%(scope)s: %(summary)s.", scope=name, summary=summary_text(session, _)),
                  "summary"),
        *([Paragraph(f"{outside}.", "note")] if outside else []),
        _states_table(data, session, _),
        Plot(signs_figure(rows, _), _("Each criterion's measure as a bar against the study's "
                                      "threshold (dashed line); the shaded side is where the "
                                      "criterion is met. Each sign's state is written beside "
                                      "it; a hatched bar belongs to a sign that is not "
                                      "observable."), "signs"),
        _measures_table(rows, _),
        _qualifier(data, session, _),
        Paragraph(_(DISCLAIMER_TEXT), "notice"),
    ]
    title = (_("The five signs of withdrawal: %(scope)s", scope=name) if outside
             else _("The five signs of withdrawal: whole session"))
    return Section(title, blocks, "signs")


def _states_table(data: ReportData, scope: pd.Series, _: Translator) -> Table:
    """One row per sign: its state in words, why, and how stable the state is."""
    rows, marked = [], set()
    for i, sign in enumerate(SIGNS):
        state = str(scope[f"{sign}_state"])
        rows.append([_(SIGN_TITLES[sign]), state_text(state, _),
                     why_text(state, scope[f"{sign}_reason"], _),
                     _stability(data, scope, sign, _)])
        if state == PRESENT:
            marked.add(i)
    return Table([_("Sign"), _("State"), _("Why"), _("Stability")], rows,
                 marked=frozenset(marked), widths=(4, 2, 5, 5))


def _measures_table(rows: list[MeasureRow], _: Translator) -> Table:
    """Each criterion: the measure's value beside the study's threshold, and whether met."""
    cells, seen = [], set()
    for r in rows:
        cells.append([r.sign_title if r.measure.sign not in seen else "", r.label,
                      r.value_text, r.rule_text, r.met_text])
        seen.add(r.measure.sign)
    return Table([_("Sign"), _("Criterion: measure"), _("Value"), _("Study threshold"),
                  _("Criterion met")], cells,
                 marked=frozenset(i for i, r in enumerate(rows) if r.met),
                 caption=_("The criteria against the study's thresholds: a sign is present when "
                           "any of its criteria is met."),
                 widths=(3.4, 4.2, 2.8, 3.6, 2.6))


def _stability(data: ReportData, scope: pd.Series, spec_id: str, _: Translator) -> str:
    return stability_text(scope, spec_id, pivotal_of(data.pivotal, spec_id, scope),
                          data.settings, _)


def _qualifier(data: ReportData, scope: pd.Series, _: Translator) -> Paragraph:
    text = qualifier_text(scope[f"{QUALIFIER}_qualifier"], scope[f"{QUALIFIER}_reason"],
                          withdrawn(scope), _)
    return Paragraph(_("The profile's qualifier (not a sign): %(qualifier)s. Measured: "
                       "%(measure)s. Stability: %(stability)s.", qualifier=text,
                       measure=qualifier_measure_text(scope, data.settings, _),
                       stability=_stability(data, scope, QUALIFIER, _)))


def _per_scope(data: ReportData, _: Translator) -> Section | None:
    """Every segment and the reunions together: an overview of the states, then each
    scope's summary, states, criteria and qualifier, as for the whole session."""
    scopes = _scopes(data, _)
    if len(scopes) <= 1:
        return None
    table = data.indicators
    rows = [[_(SIGN_TITLES[sign]), *[state_text(table.loc[i, f"{sign}_state"], _)
                                     for i, _short, _name in scopes]] for sign in SIGNS]
    rows.append([_("Signs present"), *[
        _("%(present)s of %(total)s", present=count_states(table.loc[i])[PRESENT],
          total=len(SIGNS)) for i, _short, _name in scopes]])
    overview = Table([_("Sign"), *[short for _i, short, _name in scopes]], rows,
                     caption=_("States per scope (segments by number, as in Segments)"),
                     widths=(4.2, *[2.0] * len(scopes)))
    blocks: list[Block] = [overview]
    for i, _short, name in scopes[1:]:
        scope = table.loc[i]
        measures = measure_rows(scope, data.settings, _)
        title = (_("%(name)s: all reunion segments together", name=name)
                 if scope["scope"] == "reunions" else
                 f"{name} ({word(scope['role'], _)}, {clock(scope['start_ms'])}–"
                 f"{clock(scope['end_ms'])})")
        blocks += [Heading(title), Paragraph(summary_text(scope, _) + ".", "summary"),
                   _states_table(data, scope, _)]
        if count_states(scope)[NOT_OBSERVABLE] < len(SIGNS):  # else no criterion is judged
            blocks.append(_measures_table(measures, _))
        blocks.append(_qualifier(data, scope, _))
    return Section(_("The signs per segment and in the reunions"), blocks, "scopes")


# What the evidence's related event is, for each sign that has one.
RELATED_KINDS = {"initiative": N_("initiative"), "responsiveness": N_("answer"),
                 "cursory_contact": N_("protest"), "redirection": N_("reaction")}


def _related(indicator: str, time_ms: float | None, _: Translator) -> str:
    """``answer 00:12.345``, ``protest 04:06.000``: the related event named by its kind, so
    that a protest is never read as an answer; an en dash when there is none."""
    time = clock(time_ms)
    kind = RELATED_KINDS.get(str(indicator))
    if time == "–" or kind is None:
        return time
    return _("%(kind)s %(time)s", kind=_(kind), time=time)


def _evidence(data: ReportData, _: Translator) -> Section:
    ev = data.evidence
    if ev.empty:
        return Section(_("Evidence"), [Paragraph(_("No evidence: nothing behind any sign was "
                                                   "coded."), "note")], "evidence")
    names = dict(zip(data.segments["segment_id"], data.segments["name"], strict=True))
    rows = [[clock(e.time_ms), _(INDICATOR_TITLES.get(e.indicator, e.indicator)),
             names.get(e.segment_id, "–"), note_text(e.note, _), seconds(e.value_ms, _),
             _related(e.indicator, e.related_time_ms, _)] for e in ev.itertuples()]
    table = Table([_("Time"), _("Sign or qualifier"), _("Segment"), _("What"),
                   _("Latency or length"), _("Related event at")], rows,
                  numeric=frozenset({0, 4}), widths=(2, 4.2, 2.2, 4.2, 1.8, 2.2))
    note = Paragraph(_("Times are mm:ss.mmm on the session's clock; seek the video there. "
                       "Related event: the answer to a bid, the initiative in an episode of "
                       "need, the protest at a put-down, the reaction to the child seeking the "
                       "caregiver."), "note")
    return Section(_("Evidence"), [note, table], "evidence")
