"""Change a study's settings: the one function behind the settings page, the CLI and the API.

Every change is checked by ``core.setting_fields`` (all fields at once, nothing stored unless
all are valid) and audited, one row per setting with its old and new value. Settings hold
codes and numbers, never identifying data.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from samspill.core import setting_fields
from samspill.core.setting_fields import Change
from samspill.core.study_settings import StudySettings, study_settings
from samspill.services import audit
from samspill.store.models import Study, User


def settings_of(study: Study) -> StudySettings:
    return study_settings(study.settings)


def current_values(study: Study) -> dict[str, object]:
    """Each setting's key and value now (the default where the study sets none)."""
    return setting_fields.current_values(settings_of(study))


def change_settings(
    db: Session, *, study: Study, changes: Mapping[str, object], by: User | None
) -> list[Change]:
    """Make ``changes`` (key to value, typed or as text), audit each, return what changed.

    Raises :class:`~samspill.core.setting_fields.SettingsProblems` naming every field that
    cannot take its value."""
    updated, changed = setting_fields.apply(settings_of(study), changes)
    if changed:
        study.settings = updated.model_dump(mode="json")
        for change in changed:
            audit.record(
                db,
                action="settings",
                user=by,
                target=f"setting {change.key}",
                study=study.name,
                detail=f"{plain(change.old)} -> {plain(change.new)}",
            )
        db.flush()
    return changed


def plain(value: object) -> str:
    """A value as the log and ``show`` write it: lists comma-separated, None as empty."""
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 80, not 80.0
    return str(value)
