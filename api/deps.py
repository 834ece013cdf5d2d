"""Request dependencies: settings, store session, job manager and role checks."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.config import Settings
from api.jobs import JobManager
from api.ratelimit import LIMITED_METHODS, too_many_requests
from api.security import DECIDE_ROLES, PLAN_ROLES, READ_ROLES, Principal, authenticate

NOT_AUTHENTICATED = "Not authenticated"
INVALID_TOKEN = "Invalid, expired or revoked token"

bearer = HTTPBearer(auto_error=False, description="A token from `penata token create`")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]


def get_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 when absent or unknown.

    Requests that change something count against the token's rate limit (429)."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or not credentials.credentials:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, NOT_AUTHENTICATED, challenge)
    principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, INVALID_TOKEN, challenge)
    if request.method in LIMITED_METHODS:
        retry = request.app.state.rate_limiter.hit(principal.token_id)
        if retry is not None:
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, too_many_requests(retry),
                                {"Retry-After": str(max(1, math.ceil(retry)))})
    return principal


def forbidden_detail(role: str, allowed: tuple[str, ...]) -> str:
    return f"The {role} role may not do this; it needs the {' or '.join(allowed)} role"


def require_roles(*allowed: str) -> Callable[[Principal], Principal]:
    """A dependency admitting only tokens of ``allowed`` roles (403 for the others)."""

    def check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                forbidden_detail(principal.role, allowed))
        return principal

    return check


# viewer: read only; committee: read and decide; planner: everything.
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Committee = Annotated[Principal, Depends(require_roles(*DECIDE_ROLES))]
Planner = Annotated[Principal, Depends(require_roles(*PLAN_ROLES))]
