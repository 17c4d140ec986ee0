"""The cohort report: a researcher's overview of a study's codings.

Distributions of the indicators (against the study's thresholds) and of the levels, counts of
flags and classifications, one row per coding, and an agreement summary when agreement
statistics are passed in (``CohortData.agreement``; the section is left out otherwise).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from samspill import __version__
from samspill.core.ambiance import DEFAULT_DISRUPTED_CUTOFF
from samspill.reports.data import CohortData
from samspill.reports.document import Document, Facts, Paragraph, Plot, Section, Table
from samspill.reports.i18n import DISCLAIMER_TEXT, SIGN_TITLES, Translator, translator, word
from samspill.reports.plots import distributions_figure, flags_figure, levels_figure
from samspill.reports.signs import MEASURES, SIGNS, rule_text, show_value, threshold_of


def cohort_document(data: CohortData, language: str = "en",
                    today: dt.date | None = None) -> Document:
    _ = translator(language)
    table = data.table
    sections = [Section(_("Study"), [_facts(data, _)], "header")]
    if table.empty:
        sections.append(Section(_("Codings"), [Paragraph(
            _("The study has no scored codings yet."), "note")], "codings"))
    else:
        sections += [_indicators(data, _), _flags(data, _), _levels(data, _)]
        if data.agreement is not None:
            sections.append(_agreement(data.agreement, _))
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
    cutoffs = pd.to_numeric(data.table.get("cutoff"), errors="coerce").dropna()
    return float(cutoffs.iloc[0]) if len(cutoffs) else DEFAULT_DISRUPTED_CUTOFF


def _facts(data: CohortData, _: Translator) -> Facts:
    t = data.table
    items = [(_("Study"), data.study), (_("Title"), data.title),
             (_("Dyads"), str(t["dyad"].nunique() if len(t) else 0)),
             (_("Sessions"), str(t["session"].nunique() if len(t) else 0)),
             (_("Codings"), str(len(t))),
             (_("Scores labelled"), "; ".join(data.labels) or "–")]
    if data.excluded:
        items.append((_("Left out (cannot be scored)"), "; ".join(data.excluded)))
    return Facts(items)


def _indicators(data: CohortData, _: Translator) -> Section:
    rows = []
    for m in MEASURES:
        values = pd.to_numeric(data.table.get(m.column), errors="coerce").dropna()
        stats = [values.median(), values.min(), values.max()] if len(values) else [math.nan] * 3
        rows.append([_(SIGN_TITLES[m.sign]), _(m.label), str(len(values)),
                     *[show_value(m, v, _) for v in stats],
                     rule_text(m, threshold_of(m, data.settings), _)])
    table = Table([_("Sign"), _("Measure"), _("n"), _("Median"), _("Min"), _("Max"),
                   _("Study threshold")], rows, numeric=frozenset({2, 3, 4, 5}),
                  widths=(4, 4, 1, 1.6, 1.6, 1.6, 3))
    plot = Plot(distributions_figure(data.table, data.settings, _),
                _("Each measure across the codings; dashed: the study's threshold; shaded: "
                  "where a coding is flagged."), "distributions")
    return Section(_("Distributions of the indicators"), [plot, table], "indicators")


def _flags(data: CohortData, _: Translator) -> Section:
    n = len(data.table)
    rows = []
    for sign in SIGNS:
        flagged = int(data.table[f"{sign}_flag"].fillna(False).astype(bool).sum())
        rows.append([_(SIGN_TITLES[sign]), str(flagged), f"{_.number(100 * flagged / n, 0)} %"])
    plot = Plot(flags_figure(data.table, _), _("The share of codings flagged on each sign."),
                "flags")
    return Section(_("Flags per sign"), [plot, Table(
        [_("Sign"), _("Codings flagged"), _("Share")], rows, numeric=frozenset({1, 2}),
        widths=(6, 2, 2))], "flags")


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
    for r in data.table.itertuples():
        flags = sum(bool(getattr(r, f"{s}_flag")) for s in SIGNS)
        level = r.level if r.level is not None and not pd.isna(r.level) else None
        rows.append([r.dyad, r.session, r.coder, word(r.status, _),
                     str(int(level)) if level is not None else "–",
                     word(r.classification, _), f"{flags} / 6"])
    return Section(_("Codings"), [Table(
        [_("Dyad"), _("Session"), _("Coder"), _("Status"), _("Level"), _("Classification"),
         _("Signs flagged")], rows, numeric=frozenset({4, 6}),
        widths=(2, 3, 2.4, 2, 1.2, 2.6, 1.6))], "codings")
