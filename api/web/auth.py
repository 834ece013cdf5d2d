"""Signing in to the workspace: an API token, posted once, becomes a browser session.

The token is checked like a bearer token (:func:`api.security.authenticate`) and then
forgotten; the browser keeps only a random session id in an HttpOnly, SameSite=Strict
cookie, and the store keeps only that id's SHA-256 (:class:`api.db.WebSession`), the
token's id and role, the session's CSRF token and its expiry (never after the token's
own). Every request re-checks that the session has not expired and that its token is
neither revoked nor expired.

CSRF: every form posts the session's ``csrf`` field, compared in constant time. The
sign-in form, which has no session yet, uses a double-submit cookie instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.db import Token, WebSession, now
from api.jobs import utc
from api.security import DECIDE_ROLES, PLAN_ROLES, Principal, authenticate, is_expired

SESSION_COOKIE = "penata_sesi"
LOGIN_CSRF_COOKIE = "penata_masuk"
CSRF_FIELD = "csrf"


class NotSignedIn(Exception):
    """No valid session: the browser is sent to the sign-in page (``reason`` says why)."""

    def __init__(self, reason: str = ""):
        self.reason = reason
        super().__init__(reason)


class Forbidden(Exception):
    """The signed-in role may not do this."""

    def __init__(self, role: str, needed: tuple[str, ...]):
        self.role = role
        self.needed = needed
        super().__init__(role)


class BadCsrf(Exception):
    """A form without the session's CSRF token."""


@dataclass(frozen=True)
class WebUser:
    principal: Principal
    csrf: str
    expires_at: dt.datetime

    @property
    def role(self) -> str:
        return self.principal.role

    @property
    def can_plan(self) -> bool:
        return self.role in PLAN_ROLES

    @property
    def can_decide(self) -> bool:
        return self.role in DECIDE_ROLES


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def sign_in(session: Session, token: str, minutes: int) -> tuple[str, WebUser] | None:
    """A new session for a live ``token``: (cookie value, user); None for a bad token."""
    principal = authenticate(session, token.strip()) if token.strip() else None
    if principal is None:
        return None
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now() + dt.timedelta(minutes=minutes)
    token_record = session.get(Token, principal.token_id)
    token_expires = utc(token_record.expires_at) if token_record is not None else None
    if token_expires is not None:  # a session never outlives its token
        expires = min(expires, token_expires)
    session.add(WebSession(id_hash=_hash(cookie), token_id=principal.token_id,
                           role=principal.role, csrf=csrf, expires_at=expires))
    session.execute(delete(WebSession).where(WebSession.expires_at < now()))
    session.commit()
    return cookie, WebUser(principal, csrf, expires)


def sign_out(session: Session, cookie: str | None) -> None:
    if cookie:
        session.execute(delete(WebSession).where(WebSession.id_hash == _hash(cookie)))
        session.commit()


def current_user(request: Request, session: Session) -> WebUser:
    """The signed-in user of this request; :class:`NotSignedIn` when there is none, the
    session expired, or its token was revoked (the session is then deleted)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotSignedIn()
    record = session.get(WebSession, _hash(cookie))
    if record is None:
        raise NotSignedIn("unknown")
    expires = utc(record.expires_at)
    assert expires is not None
    token = session.scalars(select(Token).where(Token.id == record.token_id)).first()
    if expires <= now() or token is None or token.revoked_at is not None or \
            is_expired(token):
        session.delete(record)
        session.commit()
        raise NotSignedIn("revoked" if token is None or token.revoked_at is not None
                          else "expired")
    return WebUser(Principal(record.token_id, record.role), record.csrf, expires)


def require(user: WebUser, allowed: tuple[str, ...]) -> None:
    if user.role not in allowed:
        raise Forbidden(user.role, allowed)


def check_csrf(expected: str, given: object) -> None:
    if not isinstance(given, str) or not given or not secrets.compare_digest(expected, given):
        raise BadCsrf()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)
