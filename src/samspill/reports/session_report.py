"""The session report: what a clinician reads and shares about one coding of one session.

Header (pseudonymous), segments, a timeline of the coding, counts per dimension and segment,
the coder's level and the classification, the six withdrawal signs against the study's
thresholds, the evidence with times, and the statement that the thresholds are settings, not
norms, and that this is no diagnosis.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from samspill import __version__
from samspill.core.indicators import INDICATORS
from samspill.reports.data import ReportData
from samspill.reports.document import Document, Facts, Paragraph, Plot, Section, Table
from samspill.reports.i18n import (
    DISCLAIMER_TEXT,
    SIGN_TITLES,
    Translator,
    clock,
    note_text,
    scheme_label,
    seconds,
    translator,
    word,
)
from samspill.reports.plots import signs_figure, timeline_figure
from samspill.reports.signs import measure_rows


def session_document(data: ReportData, language: str = "en",
                     today: dt.date | None = None) -> Document:
    _ = translator(language)
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
        _evidence(data, _),
    ]
    return Document(
        language=language,
        title=_("Session report"),
        subtitle=f"{h.study} · {h.dyad} · {h.session}",
        sections=sections,
        disclaimer=_(DISCLAIMER_TEXT),
        footer=_("Samspill %(version)s · made %(date)s", version=__version__,
                 date=_.date(today or dt.date.today())),
    )


def label_of(data: ReportData, _: Translator) -> str:
    h = data.header
    return scheme_label(h.scheme_name, h.instrument, h.licensed, _)


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
    ])


def _segments(data: ReportData, _: Translator) -> Section:
    segs = data.segments.sort_values("start_ms")
    if segs.empty:
        return Section(_("Segments"), [Paragraph(
            _("No segments are marked: the whole session is scored as one."), "note")],
            "segments")
    rows = [[s.name, word(s.role, _), clock(s.start_ms), clock(s.end_ms),
             clock(s.end_ms - s.start_ms), s.note or ""] for s in segs.itertuples()]
    table = Table([_("Segment"), _("Role"), _("Start"), _("End"), _("Length"), _("Note")],
                  rows, numeric=frozenset({2, 3, 4}), widths=(3, 2, 2, 2, 2, 4))
    return Section(_("Segments"), [table], "segments")


def _scopes(data: ReportData, _: Translator) -> list[tuple[int, str]]:
    """(row of the indicator table, its name) for the session, each segment, the reunions."""
    return [(i, word(name, _) if scope != "segment" else name)
            for i, (scope, name) in enumerate(zip(data.indicators["scope"],
                                                  data.indicators["name"], strict=True))]


def _counts(data: ReportData, _: Translator) -> Section:
    amb = data.ambiance[data.ambiance["item_type"] == "dimension"]
    scopes = _scopes(data, _)
    title = _("%(label)s: counts per dimension and segment", label=label_of(data, _))
    if not data.scheme.dimensions:
        return Section(title, [Paragraph(_("The scheme has no dimensions."), "note")], "counts")
    rows = []
    for dim in data.scheme.dimensions:
        mine = amb[amb["item"] == dim.id].set_index("scope_row")
        cells = [str(int(mine["count"].get(i, 0))) for i, _name in scopes]
        rate = mine["rate_per_10min"].get(0)
        rows.append([f"{dim.id} – {word(dim.name, _)}", *cells, _.number(rate, 1)])
    columns = [_("Dimension"), *[name for _i, name in scopes], _("per 10 min present")]
    numeric = frozenset(range(1, len(columns)))
    note = Paragraph(_("Counts of coded events (points, and states by their onsets). The rate "
                       "is for the whole session, per 10 minutes with the caregiver present."),
                     "note")
    return Section(title, [Table(columns, rows, numeric=numeric,
                                 widths=(5, *[2] * (len(columns) - 1))), note], "counts")


def _level(data: ReportData, _: Translator) -> Section:
    r = data.rating
    level = r.get("level")
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
    session = data.indicators.iloc[0]
    rows = measure_rows(session, data.settings, _)
    flagged = sum(bool(session[f"{sign}_flag"]) for sign in INDICATORS)
    table = Table(
        [_("Sign"), _("Measure"), _("Value"), _("Study threshold"), _("Sign flagged")],
        [[r.sign_title, r.label, r.value_text, r.rule_text, _("yes") if r.flagged else _("no")]
         for r in rows],
        marked=frozenset(i for i, r in enumerate(rows) if r.flagged),
        numeric=frozenset({2}), widths=(5, 4, 2, 3, 1.6))
    return Section(_("The six withdrawal signs"), [
        Paragraph(_("Whole session: %(flagged)s of 6 signs flagged.", flagged=flagged)),
        Plot(signs_figure(rows, _), _("Each measure as a bar against the study's threshold "
                                      "(dashed line); the shaded side is where it is flagged."),
             "signs"),
        table, _per_scope_flags(data, _), Paragraph(_(DISCLAIMER_TEXT), "notice")], "signs")


def _per_scope_flags(data: ReportData, _: Translator) -> Table:
    scopes = _scopes(data, _)
    rows = [[_(SIGN_TITLES[sign]), *[_("flagged") if data.indicators.loc[i, f"{sign}_flag"]
                                     else "–" for i, _name in scopes]] for sign in INDICATORS]
    return Table([_("Sign"), *[name for _i, name in scopes]], rows,
                 caption=_("Flags per scope"), widths=(5, *[2] * len(scopes)))


def _evidence(data: ReportData, _: Translator) -> Section:
    ev = data.evidence
    if ev.empty:
        return Section(_("Evidence"), [Paragraph(_("No evidence: nothing behind any sign was "
                                                   "coded."), "note")], "evidence")
    names = dict(zip(data.segments["segment_id"], data.segments["name"], strict=True))
    rows = [[clock(e.time_ms), _(SIGN_TITLES.get(e.indicator, e.indicator)),
             names.get(e.segment_id, "–"), note_text(e.note, _), seconds(e.value_ms, _),
             clock(e.related_time_ms)] for e in ev.itertuples()]
    table = Table([_("Time"), _("Sign"), _("Segment"), _("What"), _("Latency or length"),
                   _("Answer at")], rows, numeric=frozenset({0, 4, 5}),
                  widths=(2, 4.2, 2.2, 4.6, 1.8, 1.8))
    note = Paragraph(_("Times are mm:ss.mmm on the session's clock; seek the video there."),
                     "note")
    return Section(_("Evidence"), [note, table], "evidence")
