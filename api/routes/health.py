"""``GET /healthz``: open, for load balancers and the test harness."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import text

from api.deps import SessionDep

router = APIRouter(tags=["health"])

DATABASE_UNAVAILABLE = "Database unavailable"


@router.get("/healthz")
def healthz(session: SessionDep) -> dict[str, str]:
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, DATABASE_UNAVAILABLE) from exc
    return {"status": "ok"}
