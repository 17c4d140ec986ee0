"""The choice "codings per session" on the pages where a study's codings are pooled (the
analyses, the exports, the cohort report): the options of a select, and the value read back
by the one rule (:mod:`samspill.core.selection`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from samspill.core.selection import AUTO, CODER_PREFIX, OFF, Pooling
from samspill.services import access as policy
from samspill.services import studies
from samspill.services.assignments import CODING_ROLES
from samspill.store.models import Study
from samspill.web import i18n
from samspill.web.i18n import marked as _

DEFAULT = ""  # the export's own default: one per session for pooled tables, else every coding


def pooling_choices(db: Session, study: Study, role: str, *,
                    with_default: bool = False) -> list[tuple[str, str]]:
    """``(value, label)`` of each option, the recommended one first. Owners may prefer any
    coder of the study; other roles get the rule and "every coding" (their own codings are
    all they see, or the coders' names are not theirs to list)."""
    gettext = i18n.gettext
    out = []
    if with_default:
        out.append((DEFAULT, gettext(_("As the file needs: one per session for the cohort and "
                                       "predictors, every coding for events and coding files"))))
    out.append((AUTO, gettext(_("One per session: the master, else the reconciled coding, "
                                "else the first submitted (recommended)"))))
    if policy.holds(role, "study.manage"):
        for member in studies.members(db, study):
            if member.role in CODING_ROLES:
                name = member.user.username
                out.append((f"{CODER_PREFIX}{name}",
                            gettext(_("One per session, preferring %(coder)s's coding"))
                            % {"coder": name}))
    out.append((OFF, gettext(_("Every coding (a double-coded session counts once per "
                               "coding)"))))
    return out


def read_pooling(value: str) -> Pooling | None:
    """The form's value as the rule reads it; None for the export's own default (empty)."""
    return Pooling.parse(value) if value != DEFAULT else None
