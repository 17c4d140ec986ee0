"""The ELAN import's dialog for a file that fits no stored scheme (issue 13): the scheme
derived from its tiers (subjects, codes and their counts, what each tier becomes), a button
that stores it and imports, and an upload for a mapping onto a stored scheme instead.

Shared by the upload route (:mod:`samspill.web.routes.exchange`), which holds the file and
shows this page, and :mod:`samspill.web.routes.elan_imports`, which imports it.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from samspill.core.errors import SamspillError
from samspill.services import elan_imports
from samspill.services.jobs import REGISTRY
from samspill.services.schemes import scheme_versions
from samspill.web.deps import Access
from samspill.web.templating import page


def fits_no_scheme(db: Session, data: bytes, source: str, scheme: str) -> bool:
    """No scheme chosen, and the one the import would take does not fit the file. A file
    that cannot be read at all (an unknown version, overlapping annotations) goes on to the
    import job, whose page names the file, the tier and the fix."""
    if scheme:
        return False
    try:
        return elan_imports.needs_scheme(db, data, source)
    except SamspillError:
        return False


def elan_dialog(request: Request, access: Access, db: Session, data: bytes, source: str, *,
                session: str, dyad: str, procedure: str) -> Response:
    """Hold the file and show the derived scheme with its confirm button and mapping upload."""
    proposal, counts = elan_imports.preview(data, source)
    held = REGISTRY.hold(user_id=access.user.id, study=access.the_study.name, name=source,
                         body=data)
    return page(
        request,
        access,
        "exchange_elan.html",
        upload_id=held.id,
        file_name=source,
        scheme=proposal.scheme,
        scheme_text=elan_imports.scheme_yaml(proposal.scheme),
        plan=proposal.plan,
        counts=counts,
        events=proposal.events,
        session=session,
        dyad=dyad,
        procedure=procedure,
        schemes=sorted({v.scheme_id for v in scheme_versions(db)}),
    )
