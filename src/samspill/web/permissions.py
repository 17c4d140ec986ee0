"""The permission table as the web reads it: every route declares one of these names, and a test
enforces it. The table itself is the access policy's (``services/access.py``); this module only
names it for the routes.

Study roles: owner (runs the study), coder (codes blind), trainee (codes training tapes blind),
viewer (reads results). Administrators act as owners everywhere. Course roles (issue 12):
teacher and learner, per course; administrators teach every course.
"""

from __future__ import annotations

from samspill.services.access import (
    ALL_ROLES,
    COURSE_ROLES,
    SEES_ALL_CODINGS,
    SEES_FINISHED_CODINGS,
    STUDY_ROLES,
    PermissionName,
)

__all__ = [
    "ALL_ROLES",
    "COURSE_ROLES",
    "SEES_ALL_CODINGS",
    "SEES_FINISHED_CODINGS",
    "STUDY_ROLES",
    "PermissionName",
]
