"""AMBIANCE scores: counts and rates per dimension and code, the 1–7 level, the classification.

Counts come from the coded events (points, and states by their onsets) per scope (whole
session, each segment, the reunions together); rates are per 10 minutes of time with the
caregiver present. The level and the profile stay the coder's judgement: they are read from
the coding's ratings, never computed. Outputs carry ``scheme.label()``: they are called
"AMBIANCE" only when the coding used a licensed AMBIANCE scheme, else they name the open scheme.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError
from samspill.core.indicators.common import Scopes, rate_per_10min
from samspill.core.scheme import Scheme
from samspill.core.timeline import Timeline

DEFAULT_DISRUPTED_CUTOFF = 5.0
COUNT_COLUMNS = ["coding", "scope_row", "scope", "segment_id", "item_type", "item", "dimension",
                 "count", "rate_per_10min"]
RATING_COLUMNS = ["coding", "level", "disrupted", "classification", "cutoff", "profile", "label"]
RatingValue = int | str


def ambiance_counts(timeline: Timeline, scopes: Scopes, *, scheme: Scheme) -> pd.DataFrame:
    """Counts and rates per scope for every dimension and every code of ``scheme``.

    Returns
    -------
    DataFrame
        One row per scope × item: ``coding``, ``scope_row`` (row of the indicator table),
        ``scope``, ``segment_id``, ``item_type`` (``dimension`` or ``code``), ``item`` (its id),
        ``dimension`` (a code's dimension, else the dimension itself; None when it has none),
        ``count``, ``rate_per_10min`` (NaN where no time was present).
    """
    codes = [c.id for c in scheme.codes]
    dims = [d.id for d in scheme.dimensions]
    code_dim = [scheme.code(c).dimension for c in codes]  # type: ignore[union-attr]
    events = pd.concat([
        timeline.points[["coding", "code", "segment", "time_ms"]],
        timeline.states[["coding", "code", "segment", "onset_ms"]].rename(
            columns={"onset_ms": "time_ms"})], ignore_index=True)
    item = pd.Categorical(events["code"], categories=codes).codes.astype("int64")
    known = item >= 0
    rows, scope = scopes.explode(events["coding"].to_numpy()[known],
                                 events["segment"].to_numpy()[known],
                                 events["time_ms"].to_numpy()[known])
    n_scopes, n_codes = len(scopes.table), len(codes)
    per_code = np.bincount(scope * n_codes + item[known][rows],
                           minlength=n_scopes * n_codes).reshape(n_scopes, n_codes)
    member = np.array([[d == cd for cd in code_dim] for d in dims], dtype="int64").reshape(
        len(dims), n_codes)
    per_dim = per_code @ member.T
    counts = np.concatenate([per_dim, per_code], axis=1)
    return _long(scopes, counts, dims, codes, code_dim)


def _long(scopes: Scopes, counts: np.ndarray, dims: list[str], codes: list[str],
          code_dim: Sequence[str | None]) -> pd.DataFrame:
    n_scopes, n_items = counts.shape
    table = scopes.table
    scope_row = np.repeat(np.arange(n_scopes), n_items)
    present = np.repeat(table["present_ms"].to_numpy(), n_items)
    flat = counts.reshape(-1)
    return pd.DataFrame({
        "coding": np.repeat(table["coding"].to_numpy(), n_items),
        "scope_row": scope_row,
        "scope": np.repeat(table["scope"].to_numpy(), n_items),
        "segment_id": np.repeat(table["segment_id"].to_numpy(), n_items),
        "item_type": np.tile(np.array(["dimension"] * len(dims) + ["code"] * len(codes),
                                      dtype=object), n_scopes),
        "item": np.tile(np.array(dims + codes, dtype=object), n_scopes),
        "dimension": np.tile(np.array(dims + list(code_dim), dtype=object), n_scopes),
        "count": flat,
        "rate_per_10min": rate_per_10min(flat, present),
    }, columns=COUNT_COLUMNS)


@dataclass(frozen=True)
class AmbianceRating:
    """The coder's overall judgement, as rated, and the classification it implies."""

    level: int | None
    disrupted: bool | None
    cutoff: float
    profile: str | None
    label: str

    @property
    def classification(self) -> str | None:
        if self.disrupted is None:
            return None
        return "disrupted" if self.disrupted else "not disrupted"


def disrupted_cutoff_of(scheme: Scheme, override: float | None = None) -> float:
    """The study's cut-off if given, else the scheme's ``disrupted_cutoff``, else 5."""
    if override is not None:
        return float(override)
    value = scheme.settings.get("disrupted_cutoff", DEFAULT_DISRUPTED_CUTOFF)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(
            N_("the scheme's disrupted_cutoff '{value}' is not a number"),
            fix=N_("set settings.disrupted_cutoff to a number on the level's scale"),
            params={"value": str(value)},
        )
    return float(value)


def ambiance_rating(ratings: Mapping[str, RatingValue] | None, *, scheme: Scheme,
                    disrupted_cutoff: float | None = None) -> AmbianceRating:
    """Level (1–7), disrupted (level ≥ cut-off) and profile from a coding's ratings."""
    ratings = ratings or {}
    cutoff = disrupted_cutoff_of(scheme, disrupted_cutoff)
    level = _level(ratings, scheme)
    profile = _profile(ratings, scheme)
    disrupted = None if level is None else level >= cutoff
    return AmbianceRating(level, disrupted, cutoff, profile, scheme.label())


def _level(ratings: Mapping[str, RatingValue], scheme: Scheme) -> int | None:
    item = scheme.rating_item(scheme.level_item) if scheme.level_item else None
    raw = ratings.get(item.id) if item else None
    if item is None or raw is None or raw == "":
        return None
    try:
        level = int(raw)
    except (TypeError, ValueError):
        level = None
    if level is None or str(raw).strip() != str(level) or not (
            (item.min or level) <= level <= (item.max or level)):
        raise InputError(
            N_("level rating '{raw}' is not a whole number on {min}..{max}"),
            fix=N_("rate '{id}' with a whole number from {min} to {max}"),
            params={
                "raw": str(raw),
                "min": str(item.min),
                "max": str(item.max),
                "id": str(item.id),
            },
        )
    return level


def _profile(ratings: Mapping[str, RatingValue], scheme: Scheme) -> str | None:
    item = scheme.rating_item(scheme.profile_item) if scheme.profile_item else None
    raw = ratings.get(item.id) if item else None
    if item is None or raw is None or raw == "":
        return None
    if item.kind == "choice" and str(raw) not in item.options:
        raise InputError(
            N_("profile rating '{raw}' is not one of the options"),
            fix=N_("rate '{id}' with one of: {options}"),
            params={"raw": str(raw), "id": str(item.id), "options": ', '.join(item.options)},
        )
    return str(raw)


def rating_table(ratings: Mapping[Hashable, Mapping[str, RatingValue] | None],
                 labels: Sequence[Hashable], *, scheme: Scheme,
                 disrupted_cutoff: float | None = None) -> pd.DataFrame:
    """One row per coding with the columns of :data:`RATING_COLUMNS`."""
    rows = []
    unrated: AmbianceRating | None = None  # the same for every coding with no ratings
    for i, label in enumerate(labels):
        given = ratings.get(label)
        if given:
            r = ambiance_rating(given, scheme=scheme, disrupted_cutoff=disrupted_cutoff)
        else:
            if unrated is None:
                unrated = ambiance_rating({}, scheme=scheme, disrupted_cutoff=disrupted_cutoff)
            r = unrated
        rows.append({"coding": i, "level": r.level, "disrupted": r.disrupted,
                     "classification": r.classification, "cutoff": r.cutoff,
                     "profile": r.profile, "label": r.label})
    # Nullable dtypes: a missing level stays missing instead of turning 6 into 6.0.
    return pd.DataFrame(rows, columns=RATING_COLUMNS).astype(
        {"level": "Int64", "disrupted": "boolean", "cutoff": "float64"})
