"""The cohort report: a researcher's overview of a study's codings.

Per sign, how many codings have it present, absent or not observable (and why), and how many
are fragile; the profile's qualifier apart; distributions of the measures over the codings
where each can be judged (against the study's thresholds); the levels and classifications;
one row per coding with its signs present counted from the states; and an agreement summary
when agreement statistics are passed in (``CohortData.agreement``; left out otherwise).
Codings that could not be scored are named with the reason.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from samspill import __version__
from samspill.core.ambiance import DEFAULT_DISRUPTED_CUTOFF
from samspill.core.relations import default_pairs, instrument_correlations
from samspill.reports.data import CohortData
from samspill.reports.document import Document, Facts, Paragraph, Plot, Section, Table
from samspill.reports.i18n import (
    DISCLAIMER_TEXT,
    SIGN_TITLES,
    Translator,
    percent,
    reason_text,
    seconds,
    state_text,
    translator,
    word,
)
from samspill.reports.plots import (
    STATE_ORDER,
    assessable_values,
    distribution_measures,
    distributions_figure,
    levels_figure,
    state_counts,
    states_figure,
)
from samspill.reports.signs import (
    HOSTILE,
    LOW,
    NOT_OBSERVABLE,
    PRESENT,
    QUALIFIER,
    QUALIFIER_WORDS,
    SIGNS,
    count_states,
    rule_text,
    show_value,
    threshold_of,
)


def cohort_document(data: CohortData, language: str = "en",
                    today: dt.date | None = None) -> Document:
    _ = translator(language)
    table = data.table
    sections = [Section(_("Study"), [_facts(data, _)], "header")]
    if table.empty:
        sections.append(Section(_("Codings"), [Paragraph(
            _("The study has no scored codings yet."), "note")], "codings"))
    else:
        sections += [_states(data, _), _indicators(data, _), _levels(data, _)]
        if data.agreement is not None:
            sections.append(_agreement(data.agreement, _))
        relations = _relations(table, data.segments, _)
        sections += [relations] if relations is not None else []
        sections.append(_codings(data, _))
    return Document(
        language=language, title=_("Cohort report"), subtitle=f"{data.study} · {data.title}",
        sections=sections, disclaimer=_(DISCLAIMER_TEXT),
        footer=_("Samspill %(version)s · made %(date)s", version=__version__,
                 date=_.date(today or dt.date.today())),
        kind="cohort")


def _cutoff(data: CohortData) -> float:
    if data.cutoff is not None:
        return float(data.cutoff)
    column = data.table.get("cutoff")
    cutoffs = (pd.to_numeric(column, errors="coerce").dropna() if column is not None
               else pd.Series([], dtype=float))
    return float(cutoffs.iloc[0]) if len(cutoffs) else DEFAULT_DISRUPTED_CUTOFF


def _facts(data: CohortData, _: Translator) -> Facts:
    t = data.table
    items = [(_("Study"), data.study), (_("Title"), data.title),
             (_("Dyads"), str(t["dyad"].nunique() if len(t) else 0)),
             (_("Sessions"), str(t["session"].nunique() if len(t) else 0)),
             (_("Codings"), str(len(t))),
             (_("Codings per session"), _pooling_text(data.pooling, _)),
             (_("Scores labelled"), "; ".join(data.labels) or "–")]
    if data.excluded:
        items.append((_("Left out (cannot be scored)"), "; ".join(data.excluded)))
    return Facts(items)


def _pooling_text(pooling: str, _: Translator) -> str:
    """Which codings of a session the report holds, in words (core/selection.py's rule)."""
    if pooling == "off":
        return _("every coding (a double-coded session counts once per coding)")
    if pooling.startswith("coder:"):
        return _("one: the master, else the reconciled coding, else %(coder)s's, else the "
                 "first submitted (or started)", coder=pooling.removeprefix("coder:"))
    return _("one: the master, else the reconciled coding, else the first submitted (or started)")


def _indicators(data: CohortData, _: Translator) -> Section:
    rows = []
    for m, state_column in distribution_measures(data.settings):
        values = assessable_values(data.table, m, state_column)
        stats = [float(np.median(values)), float(values.min()), float(values.max())] \
            if len(values) else [math.nan] * 3
        title = (_("Qualifier (not a sign): hostility") if m.sign == QUALIFIER
                 else _(SIGN_TITLES[m.sign]))
        threshold = threshold_of(m, data.settings)
        rule = (_("hostile at %(threshold)s or more", threshold=show_value(m.unit, threshold, _))
                if m.sign == QUALIFIER else rule_text(m, threshold, _, data.settings))
        rows.append([title, _(m.label), str(len(values)),
                     *[show_value(m.unit, v, _) if not math.isnan(v) else "–" for v in stats],
                     rule])
    table = Table([_("Sign"), _("Measure"), _("n judged"), _("Median"), _("Min"), _("Max"),
                   _("Study threshold")], rows, numeric=frozenset({2, 3, 4, 5}),
                  widths=(3.4, 4, 1.2, 1.5, 1.5, 1.5, 3.4),
                  caption=_("n judged: the codings in which the sign (or the qualifier) is "
                            "observable; a value from a coding too thin to judge is left out."))
    plot = Plot(distributions_figure(data.table, data.settings, _),
                _("Each measure across the codings where it can be judged; dashed: the study's "
                  "threshold; shaded: the side where the criterion is met (for the qualifier: "
                  "hostile)."), "distributions")
    return Section(_("Distributions of the measures"), [plot, table], "indicators")


def _states(data: CohortData, _: Translator) -> Section:
    """Per sign: codings with it present, absent, not observable (and why), and fragile."""
    t = data.table
    n = len(t)
    rows = []
    for sign in SIGNS:
        counts = state_counts(t, sign)
        rows.append([_(SIGN_TITLES[sign]),
                     *[_count_share(counts[state], n, _) for state in STATE_ORDER],
                     _unobservable_reasons(t, sign, _), _fragile_count(t, sign, _)])
    table = Table([_("Sign"), state_text("present", _), state_text("absent", _),
                   state_text("not_observable", _), _("Why not observable"), _("Fragile")],
                  rows, numeric=frozenset({1, 2, 3, 5}), widths=(3.6, 1.6, 1.6, 1.8, 5, 1.4),
                  caption=_("Codings per sign and state (whole session); fragile: codings whose "
                            "state changes in more than %(share)s of replicates with every time "
                            "moved by up to %(jitter)s, or when one event is left out.",
                            share=show_value("share", 1 - data.settings.stable_at, _),
                            jitter=seconds(data.settings.stability_jitter_ms, _)))
    plot = Plot(states_figure(t, _), _("For each sign, the codings with it present (solid), "
                                       "absent (dotted) and not observable (hatched)."),
                "states")
    per_coding = pd.Series([count_states(r)["present"] for r in t.to_dict("records")])
    present_rows = [[_("%(present)s of %(total)s", present=k, total=len(SIGNS)),
                     str(int((per_coding == k).sum()))] for k in range(len(SIGNS) + 1)]
    qualifier = t.get(f"{QUALIFIER}_qualifier", pd.Series([], dtype=object)).astype(str)
    qualifier_rows = [[_(QUALIFIER_WORDS[k]), _count_share(int((qualifier == k).sum()), n, _)]
                      for k in (LOW, HOSTILE, NOT_OBSERVABLE)]
    return Section(_("Signs across the codings"), [
        plot, table,
        Table([_("Signs present"), _("Codings")], present_rows, numeric=frozenset({1}),
              caption=_("Signs present per coding (counted from the states)"), widths=(4, 2)),
        Table([_("Qualifier"), _("Codings")], qualifier_rows, numeric=frozenset({1}),
              caption=_("The profile's qualifier (hostility), not a sign"), widths=(4, 2)),
    ], "states")


def _count_share(k: int, n: int, _: Translator) -> str:
    return f"{k} ({percent(k / n, _)})" if n else str(k)


def _unobservable_reasons(table: pd.DataFrame, sign: str, _: Translator) -> str:
    state, reason = table.get(f"{sign}_state"), table.get(f"{sign}_reason")
    if state is None or reason is None:
        return "–"
    found = reason[state.astype(str) == NOT_OBSERVABLE].astype(str).value_counts()
    return "; ".join(f"{reason_text(k, _)} ({int(v)})" for k, v in found.items()) or "–"


def _fragile_count(table: pd.DataFrame, sign: str, _: Translator) -> str:
    stable = table.get(f"{sign}_stable")
    if stable is None:
        return _("not computed")
    known = stable.dropna()
    return str(int((~known.astype(bool)).sum())) if len(known) else _("not computed")


def _levels(data: CohortData, _: Translator) -> Section:
    t = data.table
    cutoff = _cutoff(data)
    classes = t["classification"].fillna("not rated").value_counts()
    class_rows = [[_("not rated") if k == "not rated" else word(k, _), str(int(v))]
                  for k, v in classes.items()]
    profiles = t["profile"].fillna("not rated").value_counts()
    profile_rows = [[_("not rated") if k == "not rated" else word(k, _), str(int(v))]
                    for k, v in profiles.items()]
    return Section(_("Levels and classifications"), [
        Plot(levels_figure(t, cutoff, _), _("Codings per level; red: at or above the "
                                            "disrupted cut-off (level %(cutoff)s).",
                                            cutoff=_.number(cutoff, 0)), "levels"),
        Table([_("Classification"), _("Codings")], class_rows, numeric=frozenset({1}),
              caption=_("Classification counts"), widths=(4, 2)),
        Table([_("Profile"), _("Codings")], profile_rows, numeric=frozenset({1}),
              caption=_("Profiles"), widths=(4, 2)),
    ], "levels")


COUNT_COLUMNS = ("n", "targets", "units", "sessions", "pairs")


def _agreement(agreement: pd.DataFrame, _: Translator) -> Section:
    """Any table of agreement statistics, numbers to three decimals."""
    counts = {i for i, c in enumerate(agreement.columns) if c in COUNT_COLUMNS}
    rows = [[_.number(v, 0) if i in counts else _cell(v, _) for i, v in enumerate(row)]
            for row in agreement.itertuples(index=False)]
    table = Table([word(c, _) for c in agreement.columns], rows,
                  numeric=frozenset(i for i, c in enumerate(agreement.columns)
                                    if pd.api.types.is_numeric_dtype(agreement[c])))
    return Section(_("Agreement between coders"), [table], "agreement")


def _relations(table: pd.DataFrame, segments: tuple[str, ...], _: Translator
               ) -> Section | None:
    """Each rating form's scales against the signs they speak to (docs/schemes.md), per
    session and per segment rated, when the cohort holds a form; None otherwise."""
    pairs = default_pairs([str(c) for c in table.columns], segments)
    if not pairs:
        return None
    found = instrument_correlations(table, pairs)
    rows = []
    for r in found.to_dict("records"):
        if math.isnan(r["pearson_r"]):
            rows.append([f"{r['x']} × {r['y']}", str(r["n"]), "–", "–"])
            continue
        rows.append([f"{r['x']} × {r['y']}", str(r["n"]),
                     _interval(r["pearson_r"], r["pearson_ci_low"], r["pearson_ci_high"], _),
                     _interval(r["spearman_rho"], r["spearman_ci_low"], r["spearman_ci_high"],
                               _)])
    head = [_("Pair"), _("Codings"), _("Pearson's r (95% CI)"), _("Spearman's rho (95% CI)")]
    note = Paragraph(_("Over the codings with both values; Fisher-z intervals. A dash: fewer "
                       "than 4 codings with both values, or a value that does not vary."),
                     "note")
    return Section(_("Relations between instruments"),
                   [Table(head, rows, numeric=frozenset({1})), note], "relations")


def _interval(value: float, low: float, high: float, _: Translator) -> str:
    return f"{_.number(value, 2)} ({_.number(low, 2)} – {_.number(high, 2)})"


def _cell(value: object, _: Translator) -> str:
    if isinstance(value, bool) or value is None:
        return word(value, _) if value is None else (_("yes") if value else _("no"))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _.number(value, 3)
    return word(value, _)


def _codings(data: CohortData, _: Translator) -> Section:
    rows = []
    for r in data.table.to_dict("records"):
        counts = count_states(r)
        level = r.get("level")
        level = level if level is not None and not pd.isna(level) else None
        qualifier = str(r.get(f"{QUALIFIER}_qualifier"))
        fragile = [s for s in SIGNS if f"{s}_stable" in r and r[f"{s}_stable"] is not None
                   and not pd.isna(r[f"{s}_stable"]) and not bool(r[f"{s}_stable"])]
        has_stability = any(f"{s}_stable" in r for s in SIGNS)
        rows.append([r["dyad"], r["session"], r["coder"], word(r["status"], _),
                     str(int(level)) if level is not None else "–",
                     word(r.get("classification"), _),
                     _("%(present)s of %(total)s", present=counts[PRESENT], total=len(SIGNS)),
                     str(counts[NOT_OBSERVABLE]),
                     _(QUALIFIER_WORDS[qualifier]) if qualifier in QUALIFIER_WORDS else qualifier,
                     str(len(fragile)) if has_stability else "–"])
    return Section(_("Codings"), [Table(
        [_("Dyad"), _("Session"), _("Coder"), _("Status"), _("Level"), _("Classification"),
         _("Signs present"), _("Not observable"), _("Qualifier"), _("Fragile signs")], rows,
        numeric=frozenset({4, 7, 9}), widths=(1.4, 1.8, 2.6, 1.8, 1.1, 2.2, 1.6, 1.8, 2.6, 1.5),
        caption=_("Whole-session states of each coding, counted from the states; the "
                  "qualifier is no sign."))], "codings")
