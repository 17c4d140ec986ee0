"""Course mode: teaching people who will never code to see what is missing (issue 12).

Pure: a course (:mod:`.model`), each clip's answer key from the indicators
(:mod:`.clip_scores`), a learner's answer graded against it (:mod:`.grading`), and the whole
lesson in one call (:func:`grade_answer`). See ``docs/teaching.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samspill.core.course.clip_scores import ClipScores, clip_scores
from samspill.core.course.grading import (
    ChoiceGrade,
    MarkGrade,
    SignsGrade,
    Tally,
    clean_marks,
    grade_choice,
    grade_marks,
    grade_signs,
)
from samspill.core.course.model import Course, Lesson, parse_course, text_in
from samspill.core.errors import N_, InputError
from samspill.core.indicators import IndicatorSettings
from samspill.core.scheme import Scheme

__all__ = ["ClipScores", "Course", "Graded", "Lesson", "Tally", "clip_scores", "grade_answer",
           "lesson_scores", "parse_course", "tally", "text_in"]


def lesson_scores(lesson: Lesson, *, scheme: Scheme,
                  settings: IndicatorSettings) -> list[ClipScores]:
    """The answer key of each of the lesson's clips."""
    return [clip_scores(clip, scheme=scheme, settings=settings) for clip in lesson.clips]


@dataclass(frozen=True)
class Graded:
    """One answer graded: exactly one of ``marks``, ``choice`` and ``signs`` is set (for a
    choice, ``choice.why`` holds the signs named as why)."""

    kind: str
    answer: dict[str, Any]
    marks: MarkGrade | None = None
    choice: ChoiceGrade | None = None
    signs: SignsGrade | None = None


def grade_answer(lesson: Lesson, answer: Mapping[str, Any],
                 scores: list[ClipScores]) -> Graded:
    """Grade ``answer`` (``{"marks": [ms, ...]}``, ``{"choice": 0|1, "signs": [...]}`` or
    ``{"signs": [...]}``) against the lesson's key; returns the cleaned answer with it."""
    kind = lesson.task.kind
    if kind == "mark_unanswered":
        clip = lesson.clips[0]
        marks = clean_marks(_ints(answer.get("marks", [])), start_ms=clip.start_ms,
                            end_ms=clip.end_ms)
        return Graded(kind, {"marks": marks}, marks=grade_marks(marks, scores[0], lesson.task))
    signs = _strings(answer.get("signs", []))
    if kind == "which_clip":
        chosen = answer.get("choice")
        if not isinstance(chosen, int) or isinstance(chosen, bool):
            raise InputError(N_("choose one of the two clips"), fix=N_("answer A or B"))
        graded = grade_choice(chosen, signs, scores[0], scores[1])
        return Graded(kind, {"choice": chosen, "signs": sorted(set(signs))}, choice=graded)
    return Graded(kind, {"signs": sorted(set(signs))}, signs=grade_signs(signs, scores[0].states))


def tally(graded: list[Graded]) -> Tally:
    """Counts over graded answers (one learner's: their summary; a class's: its results)."""
    out = Tally()
    for one in graded:
        if one.marks is not None:
            out.add_marks(one.marks)
        if one.choice is not None:
            out.add_choice(one.choice)
        if one.signs is not None:
            out.add_signs(one.signs)
    return out


def _ints(values: object) -> list[int]:
    if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InputError(N_("marks must be a list of whole milliseconds"),
                         fix=N_("send the times of your marks in ms"))
    return values


def _strings(values: object) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InputError(N_("signs must be a list of sign names"),
                         fix=N_("choose among the six signs"))
    return values
