"""Bearer tokens: created by ``penata token create``, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import Token, now

ROLES = ("planner", "committee", "viewer")
# What each role may do (issue 4): viewer reads; committee reads and decides;
# planner does everything.
READ_ROLES = ("viewer", "committee", "planner")
DECIDE_ROLES = ("committee", "planner")
PLAN_ROLES = ("planner",)
TOKEN_PREFIX = "pnt_"


@dataclass(frozen=True)
class Principal:
    token_id: int
    role: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, role: str) -> tuple[int, str]:
    """Store a new token of ``role``; return (id, token). The token is not stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = Token(token_hash=hash_token(token), role=role)
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


def authenticate(session: Session, token: str) -> Principal | None:
    record = session.scalars(
        select(Token).where(Token.token_hash == hash_token(token), Token.revoked_at.is_(None))
    ).first()
    return None if record is None else Principal(record.id, record.role)
