"""A coding's ratings: the items rated once for the session and those rated per segment, each
value checked against its item's scale or options first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError, NotFoundError
from samspill.core.forms import scheme_rating_problems, segment_column
from samspill.core.scheme import RatingForm, Scheme
from samspill.services.codings import coding_scheme, ensure_open
from samspill.store.models import Coding, Rating, SegmentRow
from samspill.store.models_ratings import SegmentRating


def ratings_of(db: Session, coding: Coding) -> dict[str, str]:
    rows = db.scalars(select(Rating).where(Rating.coding_id == coding.id)).all()
    return {r.item_id: r.value for r in rows}


def rating_problems(db: Session, coding: Coding) -> list[str]:
    """What to check in the coding's ratings on its scheme's rating forms (a CARE-Index
    partner's scales not adding up to 14, a value off its scale), as sentences; never a
    refusal (see ``core.forms.form_rating_problems``)."""
    scheme = coding_scheme(coding)
    if not scheme.rating_forms:
        return []
    ratings = {**ratings_of(db, coding), **keyed_segment_ratings(db, [coding.id])[coding.id]}
    # The message names the items itself: shown without the problem's path.
    return [f"{p.message}. Fix: {p.fix}" for p in scheme_rating_problems(ratings, scheme)]


def segment_ratings_of(db: Session, coding: Coding) -> dict[str, dict[str, str]]:
    """The coding's per-segment ratings: segment id → item → value."""
    rows = db.scalars(select(SegmentRating).where(SegmentRating.coding_id == coding.id)).all()
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        out.setdefault(r.segment_id, {})[r.item_id] = r.value
    return out


def keyed_segment_ratings(db: Session, coding_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Per coding, its per-segment ratings named as the cohort's columns (``<item>_<segment>``,
    the segment's template id): how the core scores them. A segment without a template id
    has no column; the first of two segments with one id counts."""
    rows = db.execute(
        select(SegmentRating.coding_id, SegmentRating.item_id, SegmentRating.value,
               SegmentRow.spec_id)
        .join(SegmentRow, SegmentRow.id == SegmentRating.segment_id)
        .where(SegmentRating.coding_id.in_(coding_ids), SegmentRow.spec_id.is_not(None))
        .order_by(SegmentRow.start_ms)).all()
    out: dict[int, dict[str, str]] = {i: {} for i in coding_ids}
    for coding_id, item_id, value, spec_id in rows:
        out[coding_id].setdefault(segment_column(item_id, str(spec_id)), value)
    return out


def set_segment_ratings(db: Session, *, coding: Coding, segment_id: str,
                        ratings: Mapping[str, str | int | None]) -> None:
    """Rate items of a per-segment form in one of the session's segments (None unsets)."""
    ensure_open(coding)
    scheme = coding_scheme(coding)
    segment = db.get(SegmentRow, segment_id)
    if segment is None or segment.session_id != coding.session_id:
        raise NotFoundError(N_("no segment '{segment}' in this session"),
                            fix=N_("mark the segment first, or reload the page"),
                            params={"segment": segment_id})
    for item_id, value in ratings.items():
        _check_rating(scheme, item_id, value)
        _check_segment_item(scheme, item_id, segment)
        row = db.scalar(select(SegmentRating).where(
            SegmentRating.coding_id == coding.id, SegmentRating.segment_id == segment_id,
            SegmentRating.item_id == item_id))
        if value is None:
            if row is not None:
                db.delete(row)
            continue
        row = row or SegmentRating(coding_id=coding.id, segment_id=segment_id, item_id=item_id)
        row.value = str(value)
        db.add(row)
    db.flush()


def _check_segment_item(scheme: Scheme, item_id: str, segment: SegmentRow) -> None:
    """The item belongs to a per-segment form that is rated in this segment."""
    forms: list[RatingForm] = [f for f in scheme.rating_forms
                               if f.per == "segment" and item_id in f.items]
    if not forms:
        raise InputError(N_("'{item}' is not rated per segment"),
                         fix=N_("rate it once for the session, or declare its form "
                                "'per: segment'"), params={"item": item_id})
    if not any(segment.spec_id in f.segments for f in forms):
        raise InputError(N_("'{item}' is not rated in segment '{segment}'"),
                         fix=N_("rate it in one of the segments {choices}"),
                         params={"item": item_id, "segment": segment.name,
                                 "choices": ", ".join(s for f in forms for s in f.segments)})


def set_ratings(db: Session, *, coding: Coding, ratings: Mapping[str, str | int | None]) -> None:
    ensure_open(coding)
    scheme = coding_scheme(coding)
    per_segment = {i for f in scheme.rating_forms if f.per == "segment" for i in f.items}
    for item_id, value in ratings.items():
        _check_rating(scheme, item_id, value)
        if item_id in per_segment:
            raise InputError(N_("'{item}' is rated per segment"),
                             fix=N_("rate it in one of its segments (choose the segment above "
                                    "the form)"), params={"item": item_id})
        row = db.scalar(
            select(Rating).where(Rating.coding_id == coding.id, Rating.item_id == item_id)
        )
        if value is None:
            if row is not None:
                db.delete(row)
            continue
        row = row or Rating(coding_id=coding.id, item_id=item_id)
        row.value = str(value)
        db.add(row)
    db.flush()


def _check_rating(scheme: Scheme, item_id: str, value: str | int | None) -> None:
    item = scheme.rating_item(item_id)
    if item is None:
        raise InputError(
            N_("the scheme has no rating item '{item}'"), fix=N_("use one of {choices}"),
            params={"item": item_id, "choices": ", ".join(r.id for r in scheme.rating_items)},
        )
    if value is None:
        return
    if item.kind == "scale":
        number = int(value) if str(value).lstrip("-").isdigit() else None
        # A scale has min and max (RatingItem's validator), which its `int | None` cannot say.
        if number is None or not item.min <= number <= item.max:  # type: ignore[operator]
            raise InputError(
                N_("'{value}' is not on the scale of '{item}'"),
                fix=N_("give a whole number from {min} to {max}"),
                params={"value": str(value), "item": item_id, "min": str(item.min),
                        "max": str(item.max)},
            )
    elif str(value) not in item.options:
        raise InputError(
            N_("'{value}' is not an option of '{item}'"), fix=N_("use one of {choices}"),
            params={"value": str(value), "item": item_id, "choices": ", ".join(item.options)},
        )
