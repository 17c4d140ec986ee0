"""The one access policy: who may do what in a study, and who may read which coding and scores.

The web's dependencies and the CLI ask here; no route decides access by itself. Two layers:

- **The permission table** (:data:`STUDY_ROLES`): which study roles hold each permission a route
  or command declares. Administrators act as owners everywhere (``studies.role_of``).
- **The coding rules** on top, for codings and their scores: blind coding (coders and trainees
  reach only their own codings), its two read-only openings (reconciliation, a trainee's submitted
  tape), viewers reading finished work, and studies that hide the scores while coding.

Every refusal to read a coding answers "no such coding": a coder must not learn that a
colleague's coding exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import object_session

from samspill.core.errors import N_, NotFoundError, PermissionDeniedError
from samspill.core.study_settings import study_settings
from samspill.services import assignments, training
from samspill.store.models import Coding, Study, User

PermissionName = Literal[
    "public",
    "authenticated",
    "admin",
    "study.read",
    "study.manage",
    "study.code",
    "coding.read",
    "coding.write",
    "coding.manage",
    # Reopening a submitted coding and marking a master: the owner's, even on a coder's coding.
    "coding.review",
    "media.read",
    # Issue 7: identifying data, data rights and the audit log are for owners only.
    "identity.manage",
    "dyad.manage",
    "audit.read",
    # Issue 5: agreement reports across coders (owners, and viewers who read finished work).
    "agreement.read",
    # Another trainee's certification report (a trainee reads their own with study.read).
    "certification.read_others",
    # Issue 21: who is in a study, and with which role (add, change, remove).
    "members.manage",
    # Issue 11: start or cancel an assist pass over a session's video.
    "assist.run",
    # Issue 23: choose, trim and caption moments to show a parent, write guidance notes, play
    # the reel; and export the reel as an MP4. For the study's *clinicians*: Samspill has no
    # such role, so they are the roles that work with the families' material, owners and
    # coders (not trainees, who practise on tapes; not viewers, who read results).
    "moments.manage",
    "reel.export",
    # Issue 12: course mode. Making a course from a study's sessions is the study owner's;
    # taking and teaching a course are course roles (``COURSE_ROLES``), no study role needed.
    "course.create",
    "course.take",
    "course.teach",
]

ALL_ROLES = frozenset({"owner", "coder", "trainee", "viewer"})

# Which study roles hold each study-scoped permission. Coding permissions add the coding rules
# below on top: coders and trainees reach only their own codings.
STUDY_ROLES: dict[str, frozenset[str]] = {
    "study.read": ALL_ROLES,
    "study.manage": frozenset({"owner"}),
    "study.code": frozenset({"owner", "coder", "trainee"}),
    "coding.read": ALL_ROLES,
    "coding.write": frozenset({"owner", "coder", "trainee"}),
    "coding.manage": frozenset({"owner"}),
    "coding.review": frozenset({"owner"}),
    "media.read": frozenset({"owner", "coder", "trainee", "viewer"}),
    "identity.manage": frozenset({"owner"}),
    "dyad.manage": frozenset({"owner"}),
    "audit.read": frozenset({"owner"}),
    "agreement.read": frozenset({"owner", "viewer"}),
    "certification.read_others": frozenset({"owner", "viewer"}),
    "members.manage": frozenset({"owner"}),
    "assist.run": frozenset({"owner", "coder"}),
    "moments.manage": frozenset({"owner", "coder"}),
    "reel.export": frozenset({"owner", "coder"}),
    "course.create": frozenset({"owner"}),
}

# Course-scoped permissions: which course roles hold them (administrators teach every
# course). A learner holds no study role by being a learner: study pages stay closed to them.
COURSE_ROLES: dict[str, frozenset[str]] = {
    "course.take": frozenset({"teacher", "learner"}),
    "course.teach": frozenset({"teacher"}),
}
# The study roles that count as its clinicians (issue 23: "owners and clinicians").
CLINICIANS = frozenset({"owner", "coder"})

# What a member whose role lacks the permission is told, where a plain "your role does not
# allow this" would not say who can (English; the web says it in the reader's language).
REFUSALS: dict[str, tuple[str, str]] = {
    "coding.review": ("only the study's owner marks a master, unmarks it or reopens a coding",
                      "ask the study's owner"),
}

# Roles that see other people's codings of a session (blind coding holds for the rest).
SEES_ALL_CODINGS = frozenset({"owner"})
SEES_FINISHED_CODINGS = frozenset({"viewer"})
FINISHED = ("submitted", "master")
# Roles whose own coding is "theirs" by default (reports, exports pick it for them).
CODES_BLIND = frozenset({"coder", "trainee"})


@dataclass(frozen=True)
class Member:
    """Who asks, with their role in the study in question (None: not a member)."""

    user: User
    role: str | None


def holds(role: str | None, permission: str) -> bool:
    """Does this study role hold this study-scoped permission?"""
    return role is not None and role in STUDY_ROLES.get(permission, frozenset())


def holds_in_course(role: str | None, permission: str) -> bool:
    """Does this course role hold this course-scoped permission?"""
    return role is not None and role in COURSE_ROLES.get(permission, frozenset())


def refusal(role: str, permission: str) -> PermissionDeniedError:
    """The refusal for a member whose role lacks ``permission``."""
    why, fix = REFUSALS.get(
        permission, (N_("your role ({role}) does not allow this"), N_("ask the study's owner"))
    )
    return PermissionDeniedError(why, fix=fix, params={"role": role})


def require(member: Member, permission: str, *, why: str, fix: str) -> None:
    """Refuse with ``why`` unless the member's role holds ``permission``."""
    if not holds(member.role, permission):
        raise PermissionDeniedError(why, fix=fix)


# --- Codings: the blind rule and its openings ------------------------------------------------


def may_read_coding(member: Member, coding: Coding) -> bool:
    """Own codings, everything for owners, finished work for viewers; and, read only, a
    reconciled session's codings for its assigned coders and a submitted tape's master for the
    trainee who coded it (issue 5)."""
    if coding.coder_id == member.user.id or member.role in SEES_ALL_CODINGS:
        return True
    if coding.status not in FINISHED:
        return False
    return member.role in SEES_FINISHED_CODINGS or _unblinded(member, coding)


def may_write_coding(member: Member, coding: Coding) -> bool:
    """Only one's own coding, or any as the owner (the table decides the role first)."""
    return coding.coder_id == member.user.id or member.role in SEES_ALL_CODINGS


def check_coding(member: Member, coding: Coding, *, write: bool) -> None:
    """Raise "no such coding" unless the member may read (or, with ``write``, change) it."""
    allowed = may_write_coding(member, coding) if write else may_read_coding(member, coding)
    if not allowed:
        raise NotFoundError(N_("no such coding"), fix=N_("check the coding id"))


def readable(member: Member) -> Callable[[Coding], bool]:
    """The blind rule as a filter: the codings this member may read."""
    return lambda coding: may_read_coding(member, coding)


def readable_codings(member: Member, codings: Iterable[Coding]) -> list[Coding]:
    return [coding for coding in codings if may_read_coding(member, coding)]


def _unblinded(member: Member, coding: Coding) -> bool:
    db = object_session(coding)
    if db is None:
        return False
    if member.role == "coder":
        return assignments.unblinded(db, coding=coding, user=member.user)
    if member.role == "trainee":
        return training.may_see_master(db, coding=coding, user=member.user)
    return False


def check_feedback(member: Member, coding: Coding) -> None:
    """Feedback shows the master's events: only to whom the blind rule shows the master (a
    trainee after submitting the tape, the owner; not a coder on a reliability session)."""
    db = object_session(coding)
    if db is None or coding.status != "submitted":
        return  # nothing to show yet: feedback itself says to submit first
    master = training.master_of(db, coding.session)
    if master is not None and master.id != coding.id and not may_read_coding(member, master):
        raise NotFoundError(
            N_("no feedback for this coding"),
            fix=N_("feedback compares a submitted training tape with its master; "
                   "ask the study's owner"),
        )


def check_status_change(member: Member, status: str) -> None:
    """Coders submit their own coding; only the owner reopens one or marks a master."""
    if status != "submitted":
        require(
            member,
            "coding.review",
            why=N_("only the study's owner can reopen or mark a master"),
            fix=N_("ask the study's owner"),
        )


# --- Accounts (issue 21) ----------------------------------------------------------------------


def may_manage_account(actor: User, owner: User) -> bool:
    """One's own tokens and password; administrators manage everybody's."""
    return actor.id == owner.id or actor.is_admin


def check_token(actor: User, owner: User) -> None:
    """Refuse another user's token as if it did not exist, so ids do not leak."""
    if not may_manage_account(actor, owner):
        raise NotFoundError(N_("no such token"), fix=N_("list your tokens on your account page"))


# --- Scores -----------------------------------------------------------------------------------


def scores_visible(study: Study, role: str | None) -> bool:
    """Blind and trainee modes hide the signs while coding when the study says so."""
    settings = study_settings(study.settings)
    if role == "coder":
        return not settings.hide_scores_from_coders
    if role == "trainee":
        return not settings.hide_scores_from_trainees
    return role is not None


def check_scores(study: Study, role: str | None, *, fix: str) -> None:
    """Refuse scores (and what is made of them: reports, cohort tables) to a role the study
    hides them from."""
    if not scores_visible(study, role):
        raise PermissionDeniedError(N_("this study hides the scores from your role"), fix=fix)


def check_certification_reader(member: Member, trainee: str) -> None:
    """A certification report is its trainee's own, and the owners' and viewers'."""
    if trainee != member.user.username:
        require(
            member,
            "certification.read_others",
            why=N_("a certification report is its trainee's own"),
            fix=N_("leave out ?trainee= to see your own report"),
        )


def default_coder(member: Member, coder: str | None) -> str | None:
    """Coders and trainees get their own coding unless they name one (the blind rule then
    decides whether they may read it)."""
    if coder is None and member.role in CODES_BLIND:
        return member.user.username
    return coder
