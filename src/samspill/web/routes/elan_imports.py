"""The second step of an ELAN import whose file fits no stored scheme (issue 13): store the
scheme derived from it and import, or import through an uploaded mapping onto a stored
scheme. Runs as a job like every import (:mod:`samspill.web.routes.exchange`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.interop.elan_mapping import load_mapping
from samspill.services import audit, elan_imports, imports
from samspill.services.jobs import REGISTRY
from samspill.store.models import Study, User
from samspill.web.deps import ManageStudy
from samspill.web.i18n import marked as _  # for the extractor
from samspill.web.jobs import start_job

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


@router.post("/studies/{study}/import/elan/{upload_id}")
async def import_held_elan(
    request: Request,
    access: ManageStudy,
    upload_id: str,
    session: Text,
    dyad: Text = "",
    procedure: Text = "",
    scheme: Text = "",
    use: Text = "derived",
    mapping: UploadFile | None = None,
) -> Response:
    """Import the held file: under the derived scheme (``use=derived``), or through the
    uploaded mapping (``use=mapping``)."""
    held = REGISTRY.held(upload_id, user_id=access.user.id, study=access.the_study.name)
    if procedure not in ("", *imports.PROCEDURES):
        raise InputError(N_("unknown procedure '{procedure}'"), fix=N_("choose free-play or ssp"),
                         params={"procedure": procedure})
    text = await mapping.read() if mapping is not None else b""
    if use == "mapping" and not text:
        raise InputError(N_("no mapping file was chosen"),
                         fix=N_("choose the mapping file (.yaml), or import with the derived "
                                "scheme"))
    options: dict[str, Any] = {"session": imports.session_name(session), "source": held.name}
    call: Callable[..., imports.ImportResult] = elan_imports.import_elan_derived
    if use == "mapping":
        options["mapping"] = load_mapping(text.decode("utf-8", errors="replace"),
                                          source=mapping.filename or "mapping.yaml")  # type: ignore[union-attr]
        options["scheme_id"] = scheme or None
        call = elan_imports.import_elan_mapped
    REGISTRY.release(upload_id)
    data = held.body

    def work(db: Session, study: Study, user: User, progress: Callable[[float], None]) -> Any:
        target = imports.Target(study=study, default_coder=user, coder=user, dyad=dyad or None,
                                procedure=procedure or None)
        result = call(db, target, data, progress=progress, **options)
        audit.record(db, action="import", user=user, target="elan", study=study.name,
                     detail=result.summary())
        return result

    return start_job(request, access, _("Import"), work, detail="elan")
