"""One coding per session: which coding stands for a session in a pooled result.

A double-coded session holds several codings (two coders, their consensus, a master). Pooled
results (the cohort table and report, the predictors, pooled sequential analysis, outcome
models) count a session once, so they take one coding per session by one rule:

1. the session's **master** coding;
2. else its **reconciled** (consensus) coding;
3. else, with ``coder:NAME``, that coder's coding;
4. else the coding **submitted first**;
5. else (nobody has submitted) the coding **started first**.

Ties within a step go to the earlier time, then the lower coding id, so the choice never
depends on the order the codings come in. ``off`` keeps every coding (each counts once, as
before this rule). The rule is pure: the shell describes each coding as a
:class:`CodingFacts` and gets the chosen ones back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from samspill.core.errors import N_, InputError

AUTO, OFF, CODER_PREFIX = "auto", "off", "coder:"
CHOICES_TEXT = "auto, coder:NAME or off"
# Why a coding was chosen, by rule step (the words of the docs and pages).
BASES = ("master", "reconciled", "preferred coder", "submitted first", "started first")


@dataclass(frozen=True)
class Pooling:
    """Which codings of a session a pooled result takes: one by the rule (``one``), with an
    optional preferred coder (``prefer``), or every coding (``one=False``)."""

    one: bool = True
    prefer: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> Pooling:
        """``auto`` (or empty), ``coder:NAME`` or ``off``; anything else is refused."""
        value = (text or AUTO).strip()
        if value.lower() == AUTO:
            return cls()
        if value.lower() == OFF:
            return cls(one=False)
        if value.lower().startswith(CODER_PREFIX) and value[len(CODER_PREFIX):].strip():
            return cls(prefer=value[len(CODER_PREFIX):].strip())
        raise InputError(
            N_("unknown choice of codings per session '{value}'"),
            fix=N_("use {choices_text} (e.g. coder:ann)"),
            params={"value": str(value), "choices_text": str(CHOICES_TEXT)},
        )

    def __str__(self) -> str:
        if not self.one:
            return OFF
        return f"{CODER_PREFIX}{self.prefer}" if self.prefer else AUTO


ONE_PER_SESSION = Pooling()
EVERY_CODING = Pooling(one=False)


@dataclass(frozen=True)
class CodingFacts:
    """What the rule needs to know of one coding. ``session`` is any key that tells sessions
    apart; ``reconciled``: the coding is its session's consensus coding."""

    id: int
    session: Hashable
    coder: str
    status: str
    reconciled: bool = False
    submitted_at: dt.datetime | None = None
    created_at: dt.datetime | None = None


def step_of(coding: CodingFacts, prefer: str | None = None) -> int:
    """The rule's step that would choose this coding (0 = master … 4 = started first)."""
    if coding.status == "master":
        return 0
    if coding.reconciled:
        return 1
    if prefer is not None and coding.coder == prefer:
        return 2
    return 3 if coding.status == "submitted" else 4


def basis(coding: CodingFacts, prefer: str | None = None) -> str:
    """Why the rule chooses this coding when it does, in words (:data:`BASES`)."""
    return BASES[step_of(coding, prefer)]


def _key(coding: CodingFacts, prefer: str | None) -> tuple[int, int, tuple[int, dt.datetime | int],
                                                           tuple[int, dt.datetime | int], int]:
    done = 0 if coding.status in ("master", "submitted") else 1
    submitted = (0, coding.submitted_at) if coding.submitted_at is not None else (1, 0)
    created = (0, coding.created_at) if coding.created_at is not None else (1, 0)
    return (step_of(coding, prefer), done, submitted, created, coding.id)


def one_per_session(codings: Sequence[CodingFacts], pooling: Pooling = ONE_PER_SESSION,
                    ) -> list[CodingFacts]:
    """The codings a pooled result takes, in the order given: every coding with ``off``,
    else the one the rule chooses for each session (see the module)."""
    if not pooling.one:
        return list(codings)
    best: dict[Hashable, CodingFacts] = {}
    for coding in codings:
        held = best.get(coding.session)
        if held is None or _key(coding, pooling.prefer) < _key(held, pooling.prefer):
            best[coding.session] = coding
    chosen = {c.id for c in best.values()}
    return [c for c in codings if c.id in chosen]
