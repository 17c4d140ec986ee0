"""Relations between instruments in a study's cohort (``samspill relations``).

The cohort table (:func:`~samspill.services.scoring.cohort_for_study`) holds each coding's signs,
level and rating forms' items and scores; :func:`~samspill.core.relations.instrument_correlations`
relates pairs of its columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.relations import default_pairs, instrument_correlations, rated_segments
from samspill.services.schemes import scheme_of
from samspill.services.scoring import cohort_for_study
from samspill.store.models import Coding, SchemeVersion, Study


def study_relations(db: Session, study: Study, pairs: Sequence[tuple[str, str]] = (), *,
                    confidence: float = 0.95) -> pd.DataFrame:
    """Correlations of ``pairs`` of cohort columns (default: the form scales against the signs
    they speak to, :data:`~samspill.core.relations.DEFAULT_PAIRS`, whole-session and per
    segment) over the study's cohort."""
    table = cohort_for_study(db, study, stability=False).table
    chosen = list(pairs) or default_pairs([str(c) for c in table.columns],
                                          cohort_segments(db, table["coding_id"]))
    if not chosen:
        raise InputError(
            N_("the cohort has no rating form to relate to the signs"),
            fix=N_("add a rating form to the scheme (docs/schemes.md, 'Rating forms') or name "
                   "the columns with --pair X:Y"))
    return instrument_correlations(table, chosen, confidence=confidence)


def cohort_segments(db: Session, coding_ids: Iterable[int]) -> list[str]:
    """The segments the cohort's schemes rate forms in (their template ids)."""
    versions = db.scalars(select(SchemeVersion).where(SchemeVersion.id.in_(
        select(Coding.scheme_version_id).where(Coding.id.in_([int(i) for i in coding_ids]))
    ))).all()
    return rated_segments(scheme_of(v) for v in versions)
