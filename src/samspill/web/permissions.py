"""The one permission table. Every route declares one of these names; a test enforces it.

Study roles: owner (runs the study), coder (codes blind), trainee (codes training tapes blind),
viewer (reads results). Administrators act as owners everywhere.
"""

from __future__ import annotations

from typing import Literal

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
    "media.read",
    # Issue 7: identifying data, data rights and the audit log are for owners only.
    "identity.manage",
    "dyad.manage",
    "audit.read",
    # Issue 5: agreement reports across coders (owners, and viewers who read finished work).
    "agreement.read",
]

ALL_ROLES = frozenset({"owner", "coder", "trainee", "viewer"})

# Which study roles hold each study-scoped permission. Coding permissions add an ownership
# rule on top (see deps.py): coders and trainees reach only their own codings.
STUDY_ROLES: dict[str, frozenset[str]] = {
    "study.read": ALL_ROLES,
    "study.manage": frozenset({"owner"}),
    "study.code": frozenset({"owner", "coder", "trainee"}),
    "coding.read": ALL_ROLES,
    "coding.write": frozenset({"owner", "coder", "trainee"}),
    "coding.manage": frozenset({"owner"}),
    "media.read": frozenset({"owner", "coder", "trainee", "viewer"}),
    "identity.manage": frozenset({"owner"}),
    "dyad.manage": frozenset({"owner"}),
    "audit.read": frozenset({"owner"}),
    "agreement.read": frozenset({"owner", "viewer"}),
}

# Roles that see other people's codings of a session (blind coding holds for the rest).
SEES_ALL_CODINGS = frozenset({"owner"})
SEES_FINISHED_CODINGS = frozenset({"viewer"})
