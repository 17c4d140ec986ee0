"""The study settings page (owners) and ``GET/PUT /api/studies/S/settings``: every setting,
through the one service function (``services.study_settings.change_settings``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from samspill.core.setting_fields import FIELDS, GROUPS, Change, SettingsProblems
from samspill.services import study_settings as service
from samspill.web.deps import Access, DbSession, ManageStudy
from samspill.web.setting_words import (
    GROUP_TITLES,
    for_people,
    help_text,
    label,
    problem_text,
    typed_text,
)
from samspill.web.settings_schemas import (
    SettingChangeOut,
    SettingFieldOut,
    StudySettingsChangedOut,
    StudySettingsIn,
    StudySettingsOut,
)
from samspill.web.templating import page

router = APIRouter()
PAGE = "/studies/{study}/settings"


@router.get(PAGE, include_in_schema=False)
def settings_page(
    request: Request,
    access: ManageStudy,
    saved: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> Response:
    values = service.current_values(access.the_study)
    return _form(request, access, {k: typed_text(FIELDS[k], v) for k, v in values.items()},
                 values, {}, saved)


@router.post(PAGE, include_in_schema=False)
async def save_settings(request: Request, access: ManageStudy, db: DbSession) -> Response:
    """Fields absent from the form stay as they are; a checkbox sends a hidden "false" first
    and "true" after it when ticked, so the last value counts."""
    form = await request.form()
    typed = {key: str(form.getlist(key)[-1]) for key in FIELDS if form.getlist(key)}
    try:
        changed = service.change_settings(db, study=access.the_study, changes=typed,
                                          by=access.user)
    except SettingsProblems as found:
        if "application/json" in request.headers.get("accept", ""):
            raise  # a script asked: the app's one error shape
        values = service.current_values(access.the_study)
        shown = {k: typed_text(FIELDS[k], v) for k, v in values.items()} | typed
        errors = {p.key: problem_text(p) for p in found.problems}
        return _form(request, access, shown, values, errors, None, status=400)
    return RedirectResponse(
        f"/studies/{access.the_study.name}/settings?saved={len(changed)}", status_code=303
    )


def _form(request: Request, access: Access, shown: dict[str, str], values: dict[str, object],
          errors: dict[str, str], saved: int | None, status: int = 200) -> Response:
    groups = [
        (group, GROUP_TITLES[group], [
            {"spec": spec, "label": label(spec), "help": help_text(spec),
             "text": shown.get(spec.key, ""),
             "hint": for_people(spec, values.get(spec.key)), "error": errors.get(spec.key)}
            for spec in FIELDS.values() if spec.group == group
        ])
        for group in GROUPS
    ]
    unknown = [message for key, message in errors.items() if key not in FIELDS]
    response = page(request, access, "study_settings.html", groups=groups, saved=saved,
                    errors=errors, unknown=unknown)
    response.status_code = status
    return response


@router.get("/api/studies/{study}/settings", tags=["studies"])
def get_settings(access: ManageStudy) -> StudySettingsOut:
    return _out(access)


@router.put("/api/studies/{study}/settings", tags=["studies"])
def put_settings(body: StudySettingsIn, access: ManageStudy, db: DbSession
                 ) -> StudySettingsChangedOut:
    """Change the settings named; all are checked first (400 naming each bad one)."""
    changed = service.change_settings(db, study=access.the_study, changes=body.settings,
                                      by=access.user)
    return StudySettingsChangedOut(**_out(access).model_dump(),
                                   changed=[_change(c) for c in changed])


def _out(access: Access) -> StudySettingsOut:
    values = service.current_values(access.the_study)
    return StudySettingsOut(
        study=access.the_study.name,
        settings={k: _json(v) for k, v in values.items()},
        fields=[SettingFieldOut(key=f.key, group=f.group, kind=f.kind, optional=f.optional,
                                choices=list(f.choices), minimum=f.minimum, maximum=f.maximum,
                                unit=f.unit, description=f.description)
                for f in FIELDS.values()],
    )


def _change(change: Change) -> SettingChangeOut:
    return SettingChangeOut(key=change.key, old=_json(change.old), new=_json(change.new))


def _json(value: object) -> Any:
    return list(value) if isinstance(value, tuple) else value
