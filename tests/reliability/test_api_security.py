"""API access and limits: 413/422 limits, per-token rate limits, hashed revocable
tokens, no NIP or name in the logs, CORS closed by default."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from api.security import create_token, hash_token
from reliability.common import EMPLOYEES, NAMES, NIPS, csv_bytes, multipart, write_tiny


def _client(tmp_path: Path, **changes: object) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                        default_time_limit=20, progress_interval=0)
    return TestClient(create_app(settings.model_copy(update=changes)),
                      raise_server_exceptions=False)


def _token(client: TestClient, role: str = "planner") -> dict[str, str]:
    with client.app.state.sessions() as session:
        _, token = create_token(session, role)
    return {"Authorization": f"Bearer {token}"}


def test_a_body_over_the_limit_gets_413(tmp_path: Path) -> None:
    with _client(tmp_path, max_request_bytes=64 * 1024) as client:
        headers = _token(client)
        write_tiny(tmp_path / "s", files={"employees.csv": b"x" * (100 * 1024)})
        response = client.post("/api/v1/scenarios", headers=headers,
                               files=multipart(tmp_path / "s"))
        assert response.status_code == 413
        assert "limit of 65536 bytes" in response.json()["detail"]

        def chunks():  # no Content-Length: the limit applies as the body streams in
            for _ in range(200):
                yield b"{" + b" " * 1023

        response = client.post("/api/v1/scenarios", headers={
            **headers, "Content-Type": "application/json"}, content=chunks())
        assert response.status_code == 413


def test_too_many_rows_get_422_naming_the_file(tmp_path: Path) -> None:
    with _client(tmp_path, max_rows=2) as client:
        write_tiny(tmp_path / "s")
        response = client.post("/api/v1/scenarios", headers=_token(client),
                               files=multipart(tmp_path / "s"))
        assert response.status_code == 422
        assert response.json()["detail"] == [
            "positions.csv: has more than 2 data rows; the limit is 2 per table"]


def test_oversized_job_parameters_get_422(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        headers = _token(client)
        write_tiny(tmp_path / "s")
        scenario = client.post("/api/v1/scenarios", headers=headers,
                               files=multipart(tmp_path / "s")).json()["id"]
        for body in ({"time_limit": 10**9}, {"plans": 10**6}, {"plans": 0},
                     {"seed": -1}, {"time_limit": "soon"}, {"extra": 1}):
            response = client.post(f"/api/v1/scenarios/{scenario}/jobs", headers=headers,
                                   json=body)
            assert response.status_code == 422, (body, response.text)


def test_per_token_rate_limit_gives_429_with_retry_after(tmp_path: Path) -> None:
    with _client(tmp_path, rate_limit_per_minute=6, rate_limit_burst=3) as client:
        first, second = _token(client), _token(client)
        codes = [client.post("/api/v1/scenarios/none/jobs", headers=first).status_code
                 for _ in range(5)]
        assert codes == [404, 404, 404, 429, 429]
        refused = client.post("/api/v1/scenarios/none/jobs", headers=first)
        assert int(refused.headers["Retry-After"]) >= 1
        assert "Too many requests for this token" in refused.json()["detail"]
        # Another token has its own bucket, and reads are not limited.
        assert client.post("/api/v1/scenarios/none/jobs", headers=second).status_code == 404
        assert all(client.get("/api/v1/scenarios", headers=first).status_code == 200
                   for _ in range(20))


def test_tokens_are_stored_hashed_and_revocable(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        headers = _token(client)
        token = headers["Authorization"].removeprefix("Bearer ")
        assert client.get("/api/v1/scenarios", headers=headers).status_code == 200
        with sqlite3.connect(tmp_path / "store.db") as db:
            stored = [row[0] for row in db.execute("SELECT token_hash FROM tokens")]
            dump = "\n".join(db.iterdump())
        assert hash_token(token) in stored
        assert token not in dump and token.removeprefix("pnt_") not in dump
        from api.security import revoke_token
        with client.app.state.sessions() as session:
            assert revoke_token(session, token=token)
        response = client.get("/api/v1/scenarios", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"] == "Invalid, expired or revoked token"


def test_roles_are_enforced(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        write_tiny(tmp_path / "s")
        assert client.post("/api/v1/scenarios", files=multipart(tmp_path / "s")).status_code == 401
        for role in ("viewer", "committee"):
            response = client.post("/api/v1/scenarios", headers=_token(client, role),
                                   files=multipart(tmp_path / "s"))
            assert response.status_code == 403


def test_cors_is_closed_by_default(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        headers = _token(client)
        preflight = client.options("/api/v1/scenarios", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization"})
        assert "access-control-allow-origin" not in preflight.headers
        response = client.get("/api/v1/scenarios",
                              headers={**headers, "Origin": "https://evil.example"})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
    with _client(tmp_path, cors_origins=["https://bkd.example"]) as client:
        allowed = client.options("/api/v1/scenarios", headers={
            "Origin": "https://bkd.example", "Access-Control-Request-Method": "POST"})
        assert allowed.headers["access-control-allow-origin"] == "https://bkd.example"
        refused = client.options("/api/v1/scenarios", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in refused.headers


REASON = '=HYPERLINK("http://evil.example/","alasan komite")'
DECIDER = "@Ketua Komite [red]X[/]"


def test_nips_and_names_never_reach_the_log(tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with _client(tmp_path) as client:
        headers = _token(client)
        write_tiny(tmp_path / "s")
        scenario = client.post("/api/v1/scenarios", headers=headers,
                               files=multipart(tmp_path / "s")).json()["id"]
        job = client.post(f"/api/v1/scenarios/{scenario}/jobs", headers=headers).json()["id"]
        for _ in range(400):
            if client.get(f"/api/v1/jobs/{job}", headers=headers).json()["status"] == "done":
                break
        client.post(f"/api/v1/scenarios/{scenario}/what-if", headers=headers,
                    json={"edits": [{"op": "remove_employee", "nip": NIPS[0]}]})
        decided = client.post(f"/api/v1/scenarios/{scenario}/decisions", headers=headers,
                              json={"action": "approve", "nip": NIPS[1], "position": "002",
                                    "reason": REASON, "by": DECIDER})
        assert decided.status_code == 201, decided.text
        bad = [list(r) for r in EMPLOYEES]
        bad[1][2] = "X/z"
        write_tiny(tmp_path / "bad", files={"employees.csv": csv_bytes(bad)})
        assert client.post("/api/v1/scenarios", headers=headers,
                           files=multipart(tmp_path / "bad")).status_code == 422
    text = caplog.text
    assert "job" in text  # the service did log
    for secret in (*NIPS, *NAMES, REASON, DECIDER):
        assert secret not in text
