"""Training and certification: master codings of tapes, trainee feedback, the pass rule.

A study marks one master coding per training or reliability tape. A trainee codes the tape
blind; after submitting it they see their agreement with the master and where they differed.
The certification report judges all their tapes against the study's rule
(:class:`~samspill.core.reliability.CertificationRule`, the setting ``certification``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, ConflictError, RefusedError
from samspill.core.indicators import INDICATORS
from samspill.core.reliability import (
    Certification,
    CertificationRule,
    certify,
    tape_verdicts,
    time_unit_kappa,
    timing_differences,
    timing_summary,
)
from samspill.services import agreement, audit, codings, studies
from samspill.services.scoring import settings_of
from samspill.store.models import Coding, ObservationSession, Study, User

TAPE_PURPOSES = ("training", "reliability")
TAPE_COLUMNS = ["tape", "trainee_coding", "master_coding", "trainee_level", "master_level",
                "trainee_disrupted", "master_disrupted", "time_unit_kappa", "later_codings",
                "submitted_on"]
# What the feedback's summary sentence may say, from the best to the worst (see `outcome`).
OUTCOMES = ("match", "kappa_low", "timing", "differ")


# Refusals of marking a master, in English with {names}; the web says them in the reader's
# language (``web.refusals``).
WRONG_PURPOSE = "a master is for training or reliability, not '{purpose}'"
WRONG_PURPOSE_FIX = "choose training or reliability"
NOT_SUBMITTED = "only a submitted coding can be the master (this one is {status})"
NOT_SUBMITTED_FIX = "let its coder submit it first, then mark it"
NOT_MASTER = "this coding is not the master of its session"
NOT_MASTER_FIX = "reload the page: someone may have unmarked it already"
STATUS_WORDS = {"in_progress": "in progress", "submitted": "submitted", "master": "master"}


def mark_master(db: Session, *, coding: Coding, purpose: str, by: User) -> Coding:
    """Make ``coding`` the master of its tape; an earlier master of the tape is demoted.

    Only a finished coding can be the master: a coding still in progress would change under
    the trainees who are compared with it."""
    if purpose not in TAPE_PURPOSES:
        raise RefusedError(WRONG_PURPOSE, fix=WRONG_PURPOSE_FIX, params={"purpose": purpose},
                           status_code=422)
    if coding.status not in ("submitted", "master"):
        raise RefusedError(NOT_SUBMITTED, fix=NOT_SUBMITTED_FIX,
                           params={"status": STATUS_WORDS.get(coding.status, coding.status)})
    for other in codings.codings_of(db, coding.session):
        if other.status == "master" and other.id != coding.id:
            _demote(db, other)
    coding.purpose = purpose
    codings.set_status(db, coding=coding, status="master")
    audit.record(db, action="write.master", user=by, target=f"coding {coding.id}",
                 study=coding.session.study.name, detail=f"marked ({purpose})")
    return coding


def unmark_master(db: Session, *, coding: Coding, by: User) -> Coding:
    """Set the master back to *submitted*: the tape has no master until one is marked again.
    The coding keeps its purpose and the time it was first submitted."""
    if coding.status != "master":
        raise RefusedError(NOT_MASTER, fix=NOT_MASTER_FIX)
    _demote(db, coding)
    audit.record(db, action="write.master", user=by, target=f"coding {coding.id}",
                 study=coding.session.study.name, detail=f"unmarked ({coding.purpose})")
    return coding


def _demote(db: Session, coding: Coding) -> None:
    # Not through set_status: that would stamp a new submission time, and a trainee's first
    # submitted coding of a tape is the one that counts.
    coding.status = "submitted"
    coding.submitted_at = coding.submitted_at or coding.created_at
    db.flush()


def master_of(db: Session, session: ObservationSession) -> Coding | None:
    """The tape's master coding (training or reliability), if the study marked one."""
    return db.scalar(
        select(Coding).where(Coding.session_id == session.id, Coding.status == "master",
                             Coding.purpose.in_(TAPE_PURPOSES)).order_by(Coding.id.desc())
    )


def submitted_coding(db: Session, session: ObservationSession, user: User) -> Coding | None:
    """The user's latest submitted coding of the session."""
    return db.scalar(
        select(Coding).where(Coding.session_id == session.id, Coding.coder_id == user.id,
                             Coding.status == "submitted").order_by(Coding.id.desc())
    )


def submitted_in_order(db: Session, session: ObservationSession, user: User) -> list[Coding]:
    """The user's submitted codings of the session, the first submitted first.

    Certification counts the first (issue 21, item 7): a trainee who submits, reads the
    feedback and the master, then codes the tape again (say, by copying the master) must not
    be certified on the copy. Later ones are listed with the tape for the trainer to see."""
    found = db.scalars(
        select(Coding).where(Coding.session_id == session.id, Coding.coder_id == user.id,
                             Coding.status == "submitted")
    ).all()
    return sorted(found, key=lambda c: (c.submitted_at or c.created_at, c.id))


def may_see_master(db: Session, *, coding: Coding, user: User) -> bool:
    """A trainee reads a tape's master only after submitting their own coding of that tape."""
    if coding.status != "master" or coding.purpose not in TAPE_PURPOSES:
        return False
    return submitted_coding(db, coding.session, user) is not None


@dataclass
class Feedback:
    """A trainee's submitted tape against its master.

    ``ratings``, ``states`` and ``flags``: one row per item with ``item``, ``trainee``,
    ``master``, ``same``. ``states`` compares each sign's state (present, absent,
    not_observable) and the hostility qualifier's (low, hostile, not_observable): a sign the
    trainee finds absent where the master cannot observe it differs there, while both flags
    are false. ``flags`` (True when present) is kept for old readers.
    """

    coding: Coding
    master: Coding
    pair: agreement.PairAgreement
    differences: pd.DataFrame
    ratings: pd.DataFrame
    flags: pd.DataFrame
    states: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["item", "trainee", "master", "same"]))
    timing: pd.DataFrame = field(default_factory=pd.DataFrame)
    timing_summary: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    unit_ms: int = 1000
    tolerance_ms: int = 2000
    rule: CertificationRule = field(default_factory=CertificationRule)

    @property
    def outcome(self) -> str:
        """One of :data:`OUTCOMES`: ``differ`` (events missing, extra or coded differently),
        ``timing`` (every event matched within the tolerance, some a unit or more off in
        time), ``kappa_low`` (all in time, yet the time-unit κ is below the rule's minimum),
        ``match`` (none of these). "Every event matches" must never stand next to a κ that
        says otherwise (issue 22: a respond 1 s late gave κ −0.01 and "matches")."""
        if len(self.differences):
            return "differ"
        summary = self.timing_summary
        if int(summary.get("late", 0) + summary.get("early", 0)
               + summary.get("ends_differ", 0)):
            return "timing"
        minimum = self.rule.min_time_unit_kappa
        kappa = float(self.pair.kappa["kappa"].iloc[-1])
        if minimum is not None and not kappa >= minimum:
            return "kappa_low"
        return "match"


def feedback(db: Session, coding: Coding) -> Feedback:
    """Agreement with the master and the events, ratings, sign states and flags that differ."""
    if coding.status != "submitted":
        raise ConflictError(N_("feedback comes after the tape is submitted"),
                            fix=N_("submit your coding of this tape first"))
    master = master_of(db, coding.session)
    if master is None or master.id == coding.id:
        raise ConflictError(N_("this tape has no master coding"),
                            fix=N_("ask the study's owner to mark the tape's master coding"))
    mine, theirs = agreement.coding_table(db, coding), agreement.coding_table(db, master)
    settings = settings_of(coding.session.study)
    pair = agreement.pair_agreement(
        mine, theirs, unit_ms=settings.agreement_unit_ms,
        tolerance_ms=settings.agreement_tolerance_ms,
        end_ms=agreement.end_of(coding.session, mine, theirs))
    differ = pair.matches[pair.matches["code_a"] != pair.matches["code_b"]]
    # The matches' rows are positions in the tables as pair_agreement got them.
    timing = timing_differences(pair.matches, mine.reset_index(drop=True),
                                theirs.reset_index(drop=True))
    rows = agreement.score_rows(db, coding.session.study, [coding, master]).set_index("coding_id")
    return Feedback(coding, master, pair, differ.reset_index(drop=True),
                    _side_by_side(rows, coding, master, ["level", "disrupted", "profile"]),
                    _side_by_side(rows, coding, master,
                                  [spec.flag for spec in INDICATORS.values()]),
                    _side_by_side(rows, coding, master,
                                  [spec.state for spec in INDICATORS.values()]),
                    timing=timing,
                    timing_summary=timing_summary(timing, unit_ms=settings.agreement_unit_ms),
                    unit_ms=settings.agreement_unit_ms,
                    tolerance_ms=max(settings.agreement_tolerance_ms,
                                     settings.agreement_unit_ms),
                    rule=settings.certification)


def _side_by_side(rows: pd.DataFrame, coding: Coding, master: Coding,
                  columns: list[str]) -> pd.DataFrame:
    """One row per item: ``item``, ``trainee``, ``master``, ``same``."""
    out = []
    for column in columns:
        mine: object = rows.at[coding.id, column]
        theirs: object = rows.at[master.id, column]
        same = (_missing(mine) and _missing(theirs)) or bool(mine == theirs)
        out.append((column, _plain(mine), _plain(theirs), same))
    return pd.DataFrame(out, columns=["item", "trainee", "master", "same"])


def _missing(value: object) -> bool:
    # pd.isna takes any object; the stubs' scalar overload leaves out some of what a cell can
    # hold (Period, Interval, np.bool_, all of which `.at` may return).
    return bool(pd.isna(value))  # type: ignore[call-overload]


def _plain(value: object) -> object:
    if _missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def tapes(db: Session, study: Study, trainee: User) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trainee's submitted tapes against their masters: one row per tape
    (:data:`TAPE_COLUMNS`; the first submitted coding of each, with the ids of any later
    re-codes in ``later_codings``), and per tape and dimension the trainee's and the
    master's count."""
    pairs, later = [], {}
    for session in studies.sessions_of(db, study):
        master, submitted = master_of(db, session), submitted_in_order(db, session, trainee)
        if master is not None and submitted and master.coder_id != trainee.id:
            pairs.append((session, submitted[0], master))
            later[session.name] = ", ".join(str(c.id) for c in submitted[1:])
    rows = agreement.score_rows(db, study, [c for _, m, ms in pairs for c in (m, ms)]) \
        .set_index("coding_id")
    settings = settings_of(study)
    table, dims = [], []
    for session, mine, master in pairs:
        a, b = agreement.coding_table(db, mine), agreement.coding_table(db, master)
        kappa = time_unit_kappa(a.drop(columns="event_id"), b.drop(columns="event_id"),
                                unit_ms=settings.agreement_unit_ms,
                                end_ms=agreement.end_of(session, a, b))["kappa"].iloc[-1]
        t, m = rows.loc[mine.id], rows.loc[master.id]
        table.append((session.name, mine.id, master.id, t["level"], m["level"],
                      t["disrupted"], m["disrupted"], float(kappa), later[session.name],
                      _day(mine)))
        dims += [(session.name, c[len("count_"):], t[c], m[c])
                 for c in rows.columns if c.startswith("count_")]
    return (pd.DataFrame(table, columns=TAPE_COLUMNS),
            pd.DataFrame(dims, columns=["tape", "dimension", "trainee", "master"]))


def _day(coding: Coding) -> str:
    """The day a coding was submitted (ISO, UTC): the trainee's list of tapes shows it."""
    when = coding.submitted_at or coding.created_at
    return when.date().isoformat() if when is not None else ""


@dataclass
class CertificationReport:
    """A trainee's tapes (:data:`TAPE_COLUMNS`), each tape's own verdict (``verdicts``, the
    core's :func:`~samspill.core.reliability.tape_verdicts`, in the same order), the tapes not
    counted, and the verdict across tapes."""

    trainee: str
    tapes: pd.DataFrame
    unrated: list[str]
    result: Certification | None  # None until one tape is rated on both sides
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame)


def certification(db: Session, study: Study, trainee: User) -> CertificationReport:
    """Judge the trainee's tapes against the study's rule; tapes without a level on either
    side cannot be compared on the level and are listed as unrated, not counted."""
    table, dims = tapes(db, study, trainee)
    rule = settings_of(study).certification
    verdicts = tape_verdicts(table, rule=rule, time_unit_kappa="time_unit_kappa")
    rated = table.dropna(subset=["trainee_level", "master_level", "trainee_disrupted",
                                 "master_disrupted"])
    unrated = sorted(set(table["tape"]) - set(rated["tape"]))
    if rated.empty:
        return CertificationReport(trainee.username, table, unrated, None, verdicts)
    rated = rated.astype({"trainee_level": float, "master_level": float,
                          "trainee_disrupted": bool, "master_disrupted": bool})
    result = certify(rated, rule=rule, time_unit_kappa="time_unit_kappa",
                     dimensions=dims[dims["tape"].isin(rated["tape"])] if len(dims) else None)
    return CertificationReport(trainee.username, table, unrated, result, verdicts)


def overview(db: Session, study: Study) -> list[CertificationReport]:
    """Every trainee's report, by name: the trainer's overview of the study's certification.
    Access is the caller's to check (``certification.read_others``)."""
    trainees = [m.user for m in studies.members(db, study) if m.role == "trainee"]
    return [certification(db, study, user)
            for user in sorted(trainees, key=lambda u: u.username)]


def trainees_of(db: Session, study: Study) -> list[str]:
    return sorted(m.user.username for m in studies.members(db, study) if m.role == "trainee")
