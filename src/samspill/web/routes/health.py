from fastapi import APIRouter

from samspill import __version__
from samspill.web.deps import allow

router = APIRouter()


@router.get("/api/health", dependencies=[allow("public")])
def health() -> dict[str, str]:
    """Answers without a login, for monitors and load balancers."""
    return {"status": "ok", "version": __version__}
