"""``penata token create|revoke|list``."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.db import init_db, make_engine, session_factory
from api.security import authenticate

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _principal(url: str, token: str):
    engine = make_engine(url)
    init_db(engine)
    with session_factory(engine)() as session:
        return authenticate(session, token)


@pytest.mark.parametrize("role", ["planner", "committee", "viewer"])
def test_token_create_prints_the_token_last(db: str, role: str) -> None:
    result = runner.invoke(app, ["token", "create", "--role", role])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("pnt_")
    principal = _principal(db, token)
    assert principal is not None and principal.role == role


def test_token_is_stored_hashed(db: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["token", "create", "--role", "viewer"])
    token = result.output.strip().splitlines()[-1]
    assert token.encode() not in (tmp_path / "tokens.db").read_bytes()


def test_token_create_unknown_role(db: str) -> None:
    result = runner.invoke(app, ["token", "create", "--role", "root"])
    assert result.exit_code == 2


def test_token_revoke(db: str) -> None:
    token = runner.invoke(app, ["token", "create", "--role", "planner"]).output.split()[-1]
    other = runner.invoke(app, ["token", "create", "--role", "viewer"]).output.split()[-1]
    result = runner.invoke(app, ["token", "revoke", token])
    assert result.exit_code == 0
    assert _principal(db, token) is None
    assert runner.invoke(app, ["token", "revoke", token]).exit_code == 1
    listing = runner.invoke(app, ["token", "list"]).output
    assert other not in listing and token not in listing
    second_id = listing.strip().splitlines()[1].split("\t")[0]
    assert runner.invoke(app, ["token", "revoke", "--id", second_id]).exit_code == 0
    assert _principal(db, other) is None
    assert runner.invoke(app, ["token", "revoke"]).exit_code == 2
