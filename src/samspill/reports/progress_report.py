"""The progress report: a family's course over time, for the family's file (issue 23).

Pseudonymous header (study, dyad code, the sessions), the sessions in order with their phase
and whether each could be scored (provisional and unscorable sessions said plainly), the six
signs per session as a chart and a table for the whole session and the reunions, every change
judged against coder disagreement (the reliable change index, with its formula, source and the
figures it used), then the limits and the statement that this is no diagnosis. Guidance notes
per moment are listed by :func:`guidance_notes_section` (filled in by the guidance notes).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from matplotlib.figure import Figure

from samspill import __version__
from samspill.core import numbers
from samspill.core.change import RC_CRITICAL
from samspill.core.indicators import INDICATORS, SIGNS, IndicatorSettings
from samspill.core.indicators.states import NOT_OBSERVABLE, PRESENT
from samspill.core.trajectory import MEASURES, Trajectory, better
from samspill.reports.document import Block, Document, Facts, Paragraph, Plot, Section, Table
from samspill.reports.i18n import (
    DISCLAIMER_TEXT,
    INDICATOR_TITLES,
    N_,
    Translator,
    state_text,
    translator,
)
from samspill.reports.plots import FLAG, INK, MUTED, WIDTH_IN, style
from samspill.reports.signs import QUALIFIER_WORDS


@dataclass(frozen=True)
class NoteRow:
    """One guidance note on a chosen moment (issue 23), as the report lists it."""

    session: str
    kind: str  # "good" or "missed"
    start_ms: int
    end_ms: int
    caption: str
    parent_did: str
    child_showed: str
    to_try: str


@dataclass(frozen=True)
class ProgressData:
    """What the progress report shows: codes only, never a name. ``notes`` is None when the
    reader may not see guidance notes (they are the clinicians': owners and coders)."""

    study: str
    dyad: str
    child_birth_month: str | None
    trajectory: Trajectory
    settings: IndicatorSettings
    notes: tuple[NoteRow, ...] | None = None


PHASE_WORDS = {"intake": N_("intake"), "guidance": N_("during guidance"),
               "follow-up": N_("follow-up"), None: N_("phase not set")}
VERDICT_WORDS = {
    "reliable": N_("reliable change"),
    "within": N_("within coder disagreement"),
    "no_agreement": N_("not enough agreement data to judge"),
    "no_spread": N_("too few sessions in the study to judge"),
    "not_comparable": N_("nothing to compare"),
}
SCOPE_TITLES = {"session": N_("whole session"), "reunions": N_("the reunions together")}
# Short names for the chart's rows (the tables give the full titles).
SHORT_TITLES = {"initiative": N_("Initiative lacking"), "responsiveness": N_("Delayed, muted"),
                "cursory_contact": N_("Cursory"), "redirection": N_("Directing away"),
                "distance": N_("At a distance"), "hostility": N_("Hostility")}
MEASURE_WORDS = {
    "initiative_share": N_("share of episodes of need met with initiative"),
    "response_latency_median_ms": N_("median latency"),
    "putdown_share": N_("share of holds put down despite need"),
    "redirect_share": N_("share of reactions that were redirects"),
    "far_share": N_("share of the time far"),
    "hostile_rate_per_10min": N_("hostile or intrusive acts per 10 min"),
}


def progress_document(data: ProgressData, language: str = "en",
                      today: dt.date | None = None) -> Document:
    _ = translator(language)
    t = data.trajectory
    sections = [
        Section(_("Family"), [_facts(data, _)], "header"),
        _sessions(data, _),
        *[_course(data, scope, _) for scope in t.scopes()],
        _method(data, _),
        guidance_notes_section(data, _),
    ]
    return Document(
        language=language, title=_("Progress report"),
        subtitle=f"{data.study} · {data.dyad}",
        sections=[s for s in sections if s is not None],
        disclaimer=_(DISCLAIMER_TEXT),
        footer=_("Samspill %(version)s · made %(date)s", version=__version__,
                 date=_.date(today or dt.date.today())), kind="progress")


def guidance_notes_section(data: ProgressData, _: Translator) -> Section | None:
    """The guidance notes per chosen moment (what the parent did, what the child showed, what
    to try), session by session in reel order; left out for readers who may not see them."""
    if data.notes is None:
        return None
    if not data.notes:
        return Section(_("Guidance notes"), [Paragraph(_("No guidance notes have been written "
                                                         "for this family's moments."))])
    kinds = {"good": _("good moment"), "missed": _("missed moment")}
    rows = [[n.session, f"{numbers.clock(n.start_ms)}–{numbers.clock(n.end_ms)}",
             kinds.get(n.kind, n.kind), n.caption, n.parent_did, n.child_showed, n.to_try]
            for n in data.notes]
    return Section(_("Guidance notes"), [Table(
        [_("Session"), _("Moment"), _("Kind"), _("Caption"), _("What the parent did"),
         _("What the child showed"), _("What to try")], rows,
        widths=(1.2, 1.2, 1.1, 2, 2.2, 2.2, 2.2))])


def _facts(data: ProgressData, _: Translator) -> Facts:
    points = data.trajectory.points
    dated = [p.date for p in points if p.date]
    span = (f"{_.date(min(dated))} – {_.date(max(dated))}" if dated else "–")
    return Facts([
        (_("Study"), data.study), (_("Dyad"), data.dyad),
        (_("Sessions"), numbers.count(len(points), _.language)), (_("Period"), span),
    ])


def _age(data: ProgressData, date: dt.date | None) -> str:
    if not data.child_birth_month or date is None:
        return "–"
    year, month = (int(x) for x in data.child_birth_month.split("-"))
    months = (date.year - year) * 12 + date.month - month
    return str(months) if months >= 0 else "–"


def _status(point_status: str, reason: str, _: Translator) -> str:
    if point_status == "provisional":
        return _("Provisional: a state was still running; for this report it ends at the end "
                 "of the recording")
    if point_status == "unscorable":
        return _("Cannot be scored: %(reason)s", reason=reason)
    if point_status == "no_coding":
        return _("No coding that you may read: left out")
    return ""


def _sessions(data: ProgressData, _: Translator) -> Section:
    t = data.trajectory
    rows = []
    for i, p in enumerate(t.points):
        states = t.table[(t.table["position"] == i) & (t.table["scope"] == "session")]
        present = (_("%(present)s of %(total)s", present=int((states["state"] == PRESENT).sum()),
                     total=len(SIGNS)) if p.has_scores else "–")
        rows.append([str(i + 1), p.name, _.date(p.date), _(PHASE_WORDS.get(p.phase,
                                                                           PHASE_WORDS[None])),
                     _age(data, p.date), p.coder or "–", present, _status(p.status, p.reason, _)])
    table = Table([_("#"), _("Session"), _("Date"), _("Phase"), _("Child's age (months)"),
                   _("Coder"), _("Signs present"), _("Note")], rows,
                  numeric=frozenset({0, 4}), widths=(0.6, 2.4, 2.6, 2.2, 1.6, 1.8, 1.6, 4.2))
    notes = [Paragraph(_("Sessions in date order. Each shows one coding: the master, else the "
                         "consensus, else the first submitted. Changes are measured from the "
                         "previous session and from intake (the first session marked intake, "
                         "else the first scored session)."), "note")]
    if t.intake is None:
        notes.append(Paragraph(_("No session could be scored: there is no course to show."),
                               "summary"))
    return Section(_("Sessions"), [table, *notes], "sessions")


def _course(data: ProgressData, scope: str, _: Translator) -> Section:
    t = data.trajectory
    title = _("The signs over time: %(scope)s", scope=_(SCOPE_TITLES[scope]))
    blocks: list[Block] = [
        Plot(course_figure(t, scope, _), _("Each sign's measure per session, sessions left to "
                                           "right; a filled point where the sign is present, "
                                           "an open point where absent, a grey ring where not "
                                           "observable."), f"course-{scope}"),
        _states_table(t, scope, _),
        _changes_table(t, scope, _),
    ]
    return Section(title, blocks, f"course-{scope}")


def _state_word(name: str, state: object, _: Translator) -> str:
    if state is None:
        return "–"
    if INDICATORS[name].kind == "qualifier":
        key = str(state)
        return _(QUALIFIER_WORDS[key]) if key in QUALIFIER_WORDS else key
    return state_text(state, _)


def value_text(name: str, value: float, _: Translator) -> str:
    if math.isnan(value):
        return _("nothing to measure")
    return numbers.value_text(MEASURES[name], value, _.language)


def _states_table(t: Trajectory, scope: str, _: Translator) -> Table:
    sessions = [p.name for p in t.points]
    rows, marked = [], set()
    for k, name in enumerate(INDICATORS):
        cells = []
        for i in range(len(sessions)):
            cell = t.cell(i, scope, name)
            if cell is None or cell["state"] is None:
                cells.append("–")
                continue
            stab = ("" if cell["stable"] is None else
                    _(", stable") if cell["stable"] else _(", fragile"))
            cells.append(f"{_state_word(name, cell['state'], _)}: "
                         f"{value_text(name, cell['value'], _)}{stab}")
        rows.append([_(INDICATOR_TITLES[name]), *cells])
        if any(t.cell(i, scope, name) and (t.cell(i, scope, name) or {}).get("state") == PRESENT
               for i in range(len(sessions))):
            marked.add(k)
    return Table([_("Sign"), *sessions], rows,
                 caption=_("State, measure and stability per session (stable: the state holds "
                           "when every time is moved a little and when any one event is left "
                           "out)."), widths=(4, *[3.2] * len(sessions)))


def _change_text(name: str, difference: float, rc: float, verdict: str | None,
                 _: Translator) -> str:
    if verdict is None:
        return "–"
    text = _(VERDICT_WORDS[verdict])
    if verdict in ("reliable", "within"):
        shown = ("+∞" if rc > 0 else "−∞") if math.isinf(rc) else _.number(rc, 1)
        text = f"{text} ({_difference(name, difference, _)}; RC {shown})"
        direction = better(name, difference) if verdict == "reliable" else None
        if direction is not None:
            text += ", " + (_("towards fewer signs") if direction else _("towards more signs"))
    return text


def _difference(name: str, difference: float, _: Translator) -> str:
    sign = "+" if difference > 0 else "−" if difference < 0 else "±"
    if numbers.unit_of(MEASURES[name]) == "share":
        return _("%(sign)s%(points)s percentage points", sign=sign,
                 points=numbers.number(round(100 * abs(difference)), _.language))
    return sign + numbers.value_text(MEASURES[name], abs(difference), _.language)


def _changes_table(t: Trajectory, scope: str, _: Translator) -> Table:
    rows, marked = [], set()
    for name in INDICATORS:
        for i, p in enumerate(t.points):
            cell = t.cell(i, scope, name)
            if cell is None or (cell["prev_verdict"] is None and cell["intake_verdict"] is None):
                continue
            if "reliable" in (cell["prev_verdict"], cell["intake_verdict"]):
                marked.add(len(rows))
            rows.append([_(INDICATOR_TITLES[name]), p.name,
                         _change_text(name, cell["prev_diff"], cell["prev_rc"],
                                      cell["prev_verdict"], _),
                         _change_text(name, cell["intake_diff"], cell["intake_rc"],
                                      cell["intake_verdict"], _)])
    return Table([_("Sign"), _("Session"), _("Change from the previous session"),
                  _("Change from intake")], rows, marked=frozenset(marked),
                 caption=_("A change is called reliable only when it exceeds what coder "
                           "disagreement alone explains (|RC| > %(cut)s).",
                           cut=_.number(RC_CRITICAL, 2)), widths=(4, 2.2, 5, 5))


def _method(data: ProgressData, _: Translator) -> Section:
    t = data.trajectory
    rows = []
    for r in t.measures.itertuples(index=False):
        if r.scope not in t.scopes():
            continue
        has = not math.isnan(r.r_xx)
        rows.append([_(INDICATOR_TITLES[r.indicator]), _(SCOPE_TITLES[r.scope]),
                     _(MEASURE_WORDS[r.measure]),
                     _.number(r.r_xx, 2) if has else _("not enough agreement data"),
                     numbers.count(r.agreement_sessions, _.language),
                     value_text(r.indicator, r.s1, _),
                     (_("%(n)s intake sessions", n=int(r.s1_sessions)) if r.s1_source == "intake"
                      else _("%(n)s sessions of the study", n=int(r.s1_sessions))),
                     value_text(r.indicator, r.smallest_change, _) if has else "–"])
    table = Table([_("Sign"), _("Scope"), _("Measure"), _("Agreement (ICC)"),
                   _("Double-coded sessions"), _("Spread (SD)"), _("Spread from"),
                   _("Smallest reliable change")], rows,
                  widths=(3.4, 2, 3.4, 1.8, 1.6, 1.6, 2.2, 1.8))
    blocks: list[Block] = [
        Paragraph(_("The reliable change index of Jacobson & Truax (1991): RC = (x2 − x1) / "
                    "S_diff, with S_diff = √(2·SE²) and SE = s1·√(1 − r_xx). x1 and x2 are the "
                    "measure at the two sessions, s1 its spread (standard deviation) among the "
                    "study's sessions, and r_xx the study's own agreement between coders on "
                    "that measure (ICC2, absolute agreement of a single coder, from sessions "
                    "coded independently by two or more coders). |RC| > 1.96 is a reliable "
                    "change: coder disagreement alone would give a difference that large in "
                    "fewer than 5 in 100 cases.")),
        table,
        Paragraph(_("Limits: the index covers disagreement between coders, not how a family "
                    "varies from day to day; a change within coder disagreement is no proof of "
                    "no change, and a reliable change is no proof that guidance caused it. "
                    "Without enough double-coded sessions (at least %(n)s) the change is not "
                    "judged. A sign that is not observable in a session is not compared.",
                    n=3), "note"),
        Paragraph(_("Source: Jacobson, N. S., & Truax, P. (1991). Clinical significance: A "
                    "statistical approach to defining meaningful change in psychotherapy "
                    "research. Journal of Consulting and Clinical Psychology, 59(1), 12–19."),
                  "note"),
        Paragraph(_(DISCLAIMER_TEXT), "notice"),
    ]
    return Section(_("How changes are judged"), blocks, "method")


def course_figure(t: Trajectory, scope: str, _: Translator) -> Figure:
    """Small multiples: one row per sign (then the qualifier), sessions left to right."""
    names = list(INDICATORS)
    n = len(t.points)
    with style():
        fig = Figure(figsize=(WIDTH_IN, 0.55 * len(names) + 0.8), layout="constrained")
        axes = fig.subplots(len(names), 1, sharex=True)
        for ax, name in zip(axes, names, strict=True):
            cells = [t.cell(i, scope, name) for i in range(n)]
            xs = [i for i, c in enumerate(cells) if c is not None and c["state"] is not None]
            ys = [float(cells[i]["value"]) for i in xs]  # type: ignore[index]
            ax.plot([x for x, y in zip(xs, ys, strict=True) if not math.isnan(y)],
                    [y for y in ys if not math.isnan(y)], color=MUTED, linewidth=0.8)
            for x, y in zip(xs, ys, strict=True):
                state = cells[x]["state"]  # type: ignore[index]
                shown = 0.0 if math.isnan(y) else y
                if state == NOT_OBSERVABLE or math.isnan(y):
                    ax.plot([x], [shown], marker="o", markersize=5, fillstyle="none",
                            color=MUTED, linestyle="none")
                else:
                    ax.plot([x], [shown], marker="o", markersize=5, color=FLAG if
                            state == PRESENT else INK,
                            fillstyle="full" if state == PRESENT else "none", linestyle="none")
            ax.set_ylabel(_(SHORT_TITLES[name]), rotation=0, ha="right", va="center",
                          fontsize=7)
            ax.yaxis.set_major_formatter(lambda v, _pos, m=MEASURES[name]:
                                         numbers.value_text(m, v, _.language))
            finite = [y for y in ys if not math.isnan(y)]
            top = 1.0 if numbers.unit_of(MEASURES[name]) == "share" else max([1.0, *finite])
            ax.set_ylim(-0.05 * top, 1.1 * top)
            ax.set_yticks([0, top])
        axes[-1].set_xticks(range(n), [p.name for p in t.points])
        axes[-1].set_xlim(-0.5, n - 0.5)
    return fig
