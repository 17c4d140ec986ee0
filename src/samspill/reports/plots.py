"""The reports' plots (matplotlib, no pyplot state): a coding's timeline, the five signs'
criteria against the study's thresholds, and the cohort's distributions and states.

A sign's three states are told apart without colour alone (patterns and words); the hostility
qualifier is never drawn as a sign.

Figures are built for an A4 page (6.8 inches wide); :mod:`render` saves them as SVG for HTML
and as PDF (vector) for the PDF report. All text on them is in the report's language.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from samspill.core.indicators import IndicatorSettings
from samspill.reports.data import ReportData
from samspill.reports.i18n import SIGN_TITLES, Translator, clock, state_text, word
from samspill.reports.signs import (
    MEASURES,
    QUALIFIER,
    QUALIFIER_MEASURE,
    SIGNS,
    Measure,
    MeasureRow,
    compare,
    in_use,
    show_value,
    threshold_of,
)

WIDTH_IN = 6.8
INK, MUTED, FLAG, FLAG_ZONE = "#1d2430", "#7d8794", "#a32020", "#f6dede"
SUBJECT_COLOURS = {"caregiver": "#2f5d9a", "child": "#c46a1b"}
BANDS = ("#f3f1ea", "#e4ecf5")
STYLE = {"font.family": "DejaVu Sans", "font.size": 7.5, "axes.titlesize": 8,
         "axes.edgecolor": MUTED, "axes.linewidth": 0.6, "xtick.color": INK,
         "ytick.color": INK, "svg.fonttype": "none", "pdf.fonttype": 3,
         "svg.hashsalt": "samspill"}


@contextmanager
def style() -> Iterator[None]:
    """The report style, also while saving (fonts and SVG/PDF options are read then)."""
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def nice_step(span: float, ticks: int = 4, steps: tuple[float, ...] = (1, 2, 5)) -> float:
    """The smallest of 1, 2, 5 × 10^k that splits ``span`` into at most ``ticks`` parts."""
    if not span > 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(span / ticks))
    return next((k * power for k in (*steps, 10) if span / (k * power) <= ticks), 10 * power)


CLOCK_STEPS_S = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


def _clock_axis(ax: Axes, duration_ms: int) -> None:
    """Ticks at round minutes or seconds (mm:ss), about eight across."""
    step = next((s for s in CLOCK_STEPS_S if duration_ms / (s * 1000) <= 9), CLOCK_STEPS_S[-1])
    ax.xaxis.set_major_locator(MultipleLocator(step * 1000))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: clock(x)[:5]))
    ax.set_xlim(0, duration_ms)


def timeline_figure(data: ReportData, _: Translator) -> Figure:
    """Lanes per subject and code (states as bars, points as ticks), segments as bands."""
    lanes = _lanes(data)
    with style():
        fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.24 * max(len(lanes), 1)), layout="constrained")
        ax = fig.add_subplot()
        _segment_bands(ax, data)
        for y, (subject, code, rows) in enumerate(lanes):
            colour = _colour(data, subject, code)
            states = rows[rows["kind"] == "state"]
            spans = [(s, max(e - s, 1)) for s, e in zip(
                states["onset_ms"], states["offset_ms"].fillna(states["onset_ms"]), strict=True)]
            ax.broken_barh(spans, (y - 0.3, 0.6), facecolors=colour)
            points = rows[rows["kind"] == "point"]["onset_ms"]
            ax.plot(points, np.full(len(points), y), linestyle="none", marker="|",
                    markersize=8, markeredgewidth=1.3, color=colour)
        labels = [f"{word(s, _)} · {word(_code_name(data, c), _)}" for s, c, _rows in lanes]
        ax.set_yticks(range(len(lanes)), labels)
        ax.set_ylim(len(lanes) - 0.5, -0.5)
        _clock_axis(ax, data.header.duration_ms)
        ax.set_xlabel(_("time on the session (mm:ss)"))
        ax.tick_params(axis="y", length=0)
    return fig


def _lanes(data: ReportData) -> list[tuple[str, str, pd.DataFrame]]:
    events = data.events
    order = {c.id: i for i, c in enumerate(data.scheme.codes)}
    subjects = list(dict.fromkeys([*data.scheme.subjects, *events["subject"]]))
    lanes = []
    for subject in subjects:
        mine = events[events["subject"] == subject]
        for code in sorted(mine["code"].unique(), key=lambda c: (order.get(c, 1 << 20), c)):
            lanes.append((subject, code, mine[mine["code"] == code]))
    return lanes


def _code_name(data: ReportData, code: str) -> str:
    found = data.scheme.code(code)
    return found.name if found else code


def _colour(data: ReportData, subject: str, code: str) -> str:
    found = data.scheme.code(code)
    if found is not None and found.dimension in data.settings.hostile_dimensions:
        return FLAG
    return SUBJECT_COLOURS.get(subject, INK)


def _segment_bands(ax: Axes, data: ReportData) -> None:
    """Bands with the segment's name above, or its number where the name does not fit."""
    numbers = data.segment_numbers()
    axis_pt = WIDTH_IN * 72 * 0.7  # about the plotting area's width
    for i, seg in enumerate(data.segments.sort_values("start_ms").itertuples()):
        ax.axvspan(seg.start_ms, seg.end_ms, color=BANDS[i % 2], zorder=0, linewidth=0)
        room = axis_pt * (seg.end_ms - seg.start_ms) / data.header.duration_ms
        label = seg.name if len(seg.name) * 4.2 < room else str(numbers[seg.segment_id])
        ax.text((seg.start_ms + seg.end_ms) / 2, 1.01, label, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7, color=INK, clip_on=False)


def signs_figure(rows: list[MeasureRow], _: Translator) -> Figure:
    """Each criterion's measure as a bar against its threshold (dashed), the side where the
    criterion is met shaded, and each sign's state written beside its title."""
    with style():
        fig = Figure(figsize=(WIDTH_IN, 0.3 + 0.62 * len(rows)))
        axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
        seen: set[str] = set()
        for ax, row in zip(axes, rows, strict=True):
            _measure_bar(ax, row, first=row.measure.sign not in seen, _=_)
            seen.add(row.measure.sign)
        fig.subplots_adjust(left=0.5, right=0.8, top=0.97, bottom=0.03, hspace=1.25)
    return fig


# How a bar looks in each state, told apart without colour: solid dark for a criterion met,
# solid light for one not met, hatched outline for a sign that is not observable.
def _bar_style(row: MeasureRow) -> dict[str, Any]:
    if row.met is None:
        return {"color": "white", "edgecolor": MUTED, "hatch": "////", "linewidth": 0.6}
    return {"color": FLAG if row.met else MUTED}


def _measure_bar(ax: Axes, row: MeasureRow, *, first: bool, _: Translator) -> None:
    m = row.measure
    top = _axis_top(m, [row.value], row.threshold)
    _flag_zone(ax, m, row.threshold, top)
    if not math.isnan(row.value):
        ax.barh([0], [row.value], height=0.7, **_bar_style(row))
    ax.axvline(row.threshold, color=INK, linestyle="--", linewidth=0.9)
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, 0.6)
    ax.set_yticks([])
    ax.tick_params(axis="x", labelsize=6, length=2, pad=1)
    _measure_axis(ax, m, top, _)
    if first:  # the sign's title and state once, above its first criterion
        present = row.state == "present"
        title = f"{row.sign_title}: {state_text(row.state, _)}"
        ax.text(-0.02, 0.62, textwrap.fill(title, 52), transform=ax.transAxes, ha="right",
                va="bottom", fontsize=7, fontweight="bold" if present else "normal",
                fontstyle="italic" if row.met is None else "normal",
                color=FLAG if present else INK)
    ax.text(-0.02, 0.45, textwrap.fill(row.label, 62), transform=ax.transAxes, ha="right",
            va="top", fontsize=6.5, color=MUTED)
    verdict = {True: _("criterion met"), False: _("not met"),
               None: _("not observable")}[row.met]
    value = show_value(m.unit, row.value, _)
    ax.text(1.03, 0.5, f"{value}\n{verdict}", transform=ax.transAxes, ha="left", va="center",
            color=FLAG if row.met else INK, fontweight="bold" if row.met else "normal",
            fontstyle="italic" if row.met is None else "normal")


def _measure_axis(ax: Axes, m: Measure, top: float, _: Translator) -> None:
    """Ticks in the measure's unit: percent, whole seconds, whole counts, rates."""
    if m.unit == "share":
        step = 0.25
    elif m.unit == "ms":
        step = 1000 * max(nice_step(top / 1000), 1)
    elif m.unit == "count":
        step = max(nice_step(top), 1)
    else:
        step = nice_step(top)
    ax.xaxis.set_major_locator(MultipleLocator(step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _tick(m, x, _)))


def _tick(m: Measure, x: float, _: Translator) -> str:
    if m.unit == "share":
        return f"{_.number(100 * x, 0)} %"
    if m.unit == "ms":
        return f"{_.number(x / 1000, 0)} s"
    return _.number(x, 0 if m.unit == "count" else 1)


def _axis_top(m: Measure, values: list[float], threshold: float) -> float:
    if m.unit == "share":
        return 1.0
    finite = [v for v in values if not math.isnan(v)]
    return max([threshold * 2, *[v * 1.1 for v in finite], 1.0])


def _flag_zone(ax: Axes, m: Measure, threshold: float, top: float) -> None:
    left, right = (0, threshold) if m.rule == "below" else (threshold, top)
    ax.axvspan(left, right, color=FLAG_ZONE, zorder=0, linewidth=0)


def distribution_measures(settings: IndicatorSettings) -> list[tuple[Measure, str]]:
    """The measures shown as cohort distributions, with the column of the state that says
    whether a coding's value can be judged: the signs' criteria the study uses, then the
    qualifier."""
    found = [(m, f"{m.sign}_state") for m in MEASURES if m.histogram and in_use(m, settings)]
    return [*found, (QUALIFIER_MEASURE, f"{QUALIFIER}_qualifier")]


def assessable_values(table: pd.DataFrame, m: Measure, state_column: str) -> np.ndarray:
    """A measure's values over the codings in which its sign (or the qualifier) is
    observable: a value from a coding too thin to judge is no part of the distribution."""
    if m.column not in table:
        return np.array([], dtype=float)
    values = pd.to_numeric(table[m.column], errors="coerce")
    if state_column in table:
        values = values[table[state_column].astype(str) != "not_observable"]
    return values.dropna().to_numpy(float)


def distributions_figure(table: pd.DataFrame, settings: IndicatorSettings,
                         _: Translator) -> Figure:
    """A histogram per measure over the codings where it can be judged, the threshold dashed,
    the side where the criterion is met shaded (for the qualifier: where it is hostile)."""
    measures = distribution_measures(settings)
    n_rows = math.ceil(len(measures) / 2)
    with style():
        fig = Figure(figsize=(WIDTH_IN, 1.45 * n_rows), layout="constrained")
        axes = fig.subplots(n_rows, 2).ravel()
        for ax, (m, state) in zip(axes, measures, strict=False):
            _histogram(ax, m, assessable_values(table, m, state), threshold_of(m, settings),
                       qualifier=m.sign == QUALIFIER, _=_)
        for ax in axes[len(measures):]:
            ax.set_visible(False)
    return fig


def _histogram(ax: Axes, m: Measure, values: np.ndarray, threshold: float, *,
               qualifier: bool, _: Translator) -> None:
    top = _axis_top(m, list(values), threshold)
    _flag_zone(ax, m, threshold, top)
    bins = np.linspace(0, top, 11)
    counts, edges = np.histogram(np.clip(values, 0, top), bins=bins)
    on_side = [compare(m.rule, (a + b) / 2, threshold) for a, b in itertools.pairwise(edges)]
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge",
           color=[FLAG if hit else MUTED for hit in on_side], edgecolor="white", linewidth=0.5)
    ax.axvline(threshold, color=INK, linestyle="--", linewidth=0.9)
    ax.set_xlim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    _measure_axis(ax, m, top, _)
    label = _(m.label)
    if qualifier:
        label = _("qualifier, not a sign: %(label)s", label=label)
    ax.set_title(textwrap.fill(f"{label} (n = {len(values)})", 50), fontsize=7)


def levels_figure(table: pd.DataFrame, cutoff: float, _: Translator) -> Figure:
    """Codings per level 1–7; the levels at or above the cut-off (disrupted) in red."""
    levels = pd.to_numeric(table.get("level"), errors="coerce").dropna().astype(int)
    scale = np.arange(1, 8)
    counts = [int((levels == k).sum()) for k in scale]
    with style():
        fig = Figure(figsize=(WIDTH_IN * 0.6, 2.0), layout="constrained")
        ax = fig.add_subplot()
        ax.bar(scale, counts, color=[FLAG if k >= cutoff else MUTED for k in scale], width=0.7)
        ax.axvline(cutoff - 0.5, color=INK, linestyle="--", linewidth=0.9)
        ax.set_xticks(scale)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.set_xlabel(_("level (1–7); dashed: the disrupted cut-off"))
        ax.set_ylabel(_("codings"))
    return fig


STATE_ORDER = ("present", "absent", "not_observable")
# Told apart without colour: solid dark, solid light with dots, white hatched.
STATE_STYLE = {
    "present": {"color": FLAG, "edgecolor": INK},
    "absent": {"color": "#d9dde3", "edgecolor": INK, "hatch": ".."},
    "not_observable": {"color": "white", "edgecolor": INK, "hatch": "////"},
}


def state_counts(table: pd.DataFrame, sign: str) -> dict[str, int]:
    """How many codings have the sign in each state (from ``<sign>_state``)."""
    column = table.get(f"{sign}_state")
    states = column.astype(str) if column is not None else pd.Series([], dtype=str)
    return {state: int((states == state).sum()) for state in STATE_ORDER}


def states_figure(table: pd.DataFrame, _: Translator) -> Figure:
    """Per sign, the codings with it present, absent and not observable, as stacked bars
    (patterns and a legend tell the states apart, and each part carries its count)."""
    with style():
        fig = Figure(figsize=(WIDTH_IN, 2.5), layout="constrained")
        ax = fig.add_subplot()
        y = np.arange(len(SIGNS))
        left = np.zeros(len(SIGNS))
        for state in STATE_ORDER:
            counts = np.array([state_counts(table, s)[state] for s in SIGNS], dtype=float)
            ax.barh(y, counts, left=left, height=0.6, linewidth=0.5,
                    label=state_text(state, _), **STATE_STYLE[state])
            for yi, (x, n) in enumerate(zip(left, counts, strict=True)):
                if n:
                    ax.text(x + n / 2, yi, str(int(n)), ha="center", va="center", fontsize=7,
                            color="white" if state == "present" else INK,
                            bbox=None if state == "present" else
                            {"boxstyle": "square,pad=0.1", "facecolor": "white",
                             "edgecolor": "none"})
            left += counts
        ax.set_yticks(y, [textwrap.fill(_(SIGN_TITLES[s]), 44) for s in SIGNS])
        ax.set_ylim(len(SIGNS) - 0.5, -0.5)
        ax.set_xlim(0, max(len(table), 1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
        ax.set_xlabel(_("codings"))
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False,
                  fontsize=7)
    return fig
