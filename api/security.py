"""Bearer tokens: created by ``penata token create``, stored only as SHA-256 hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Token, now

ROLES = ("admin", "planner", "committee", "viewer")
# What each role may do (issue 4): viewer reads; committee reads and decides;
# planner does everything with its own jobs; admin also cancels anyone's job.
READ_ROLES = ("viewer", "committee", "planner", "admin")
DECIDE_ROLES = ("committee", "planner", "admin")
PLAN_ROLES = ("planner", "admin")
ADMIN_ROLES = ("admin",)
TOKEN_PREFIX = "pnt_"
DEFAULT_LIFETIME = dt.timedelta(days=90)


@dataclass(frozen=True)
class Principal:
    token_id: int
    role: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, role: str,
                 lifetime: dt.timedelta | None = DEFAULT_LIFETIME) -> tuple[int, str]:
    """Store a new token of ``role``, valid for ``lifetime`` (None: until revoked);
    return (id, token). The token itself is not stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = now() + lifetime if lifetime is not None else None
    record = Token(token_hash=hash_token(token), role=role, expires_at=expires)
    session.add(record)
    session.commit()
    return record.id, token


def revoke_token(session: Session, *, token: str | None = None,
                 token_id: int | None = None) -> bool:
    """Revoke a token by its value or id; False when there is no such live token."""
    query = select(Token).where(Token.revoked_at.is_(None))
    if token is not None:
        query = query.where(Token.token_hash == hash_token(token))
    elif token_id is not None:
        query = query.where(Token.id == token_id)
    else:
        raise ValueError("give a token or a token id")
    record = session.scalars(query).first()
    if record is None:
        return False
    record.revoked_at = now()
    session.commit()
    return True


def is_expired(record: Token, at: dt.datetime | None = None) -> bool:
    if record.expires_at is None:
        return False
    expires = record.expires_at
    if expires.tzinfo is None:  # SQLite returns naive datetimes; they are UTC
        expires = expires.replace(tzinfo=dt.UTC)
    return expires <= (at or now())


def authenticate(session: Session, token: str) -> Principal | None:
    """The live (not revoked, not expired) token's principal, else None."""
    record = session.scalars(
        select(Token).where(Token.token_hash == hash_token(token), Token.revoked_at.is_(None))
    ).first()
    if record is None or is_expired(record):
        return None
    return Principal(record.id, record.role)


_UNITS = {"d": dt.timedelta(days=1), "h": dt.timedelta(hours=1),
          "m": dt.timedelta(minutes=1)}


def parse_lifetime(text: str) -> dt.timedelta | None:
    """``"90d"``, ``"12h"``, ``"30m"`` as a timedelta; ``"never"`` as None.

    Raises
    ------
    ValueError
        For anything else (or a lifetime of zero or over 10 years)."""
    text = text.strip().lower()
    if text == "never":
        return None
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isdigit():
        raise ValueError(f"expected a lifetime such as 90d, 12h or 30m (or never), "
                         f"not {text[:20]!r}")
    lifetime = int(text[:-1]) * _UNITS[text[-1]]
    if not dt.timedelta(0) < lifetime <= dt.timedelta(days=3660):
        raise ValueError("a lifetime must be more than 0 and at most 3660d")
    return lifetime
