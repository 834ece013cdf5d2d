"""Authentication, roles, request limits, CORS and docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_helpers import multipart, solved, tokens_for
from fastapi.testclient import TestClient

from api.deps import forbidden_detail
from api.security import revoke_token

PROTECTED = [
    ("GET", "/api/v1/scenarios"),
    ("POST", "/api/v1/scenarios"),
    ("GET", "/api/v1/scenarios/x"),
    ("GET", "/api/v1/scenarios/x/jobs"),
    ("POST", "/api/v1/scenarios/x/jobs"),
    ("POST", "/api/v1/scenarios/x/what-if"),
    ("GET", "/api/v1/jobs/x"),
    ("DELETE", "/api/v1/jobs/x"),
    ("GET", "/api/v1/jobs/x/plans"),
    ("GET", "/api/v1/plans/x/1"),
    ("GET", "/api/v1/plans/x/1/diff/y/1"),
]
PLANNER_ONLY = [(m, p) for m, p in PROTECTED if m in ("POST", "DELETE")]
READ = [(m, p) for m, p in PROTECTED if m == "GET" and p != "/api/v1/scenarios"]


def test_healthz_needs_no_token(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_no_token_is_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_unknown_token_is_401(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, headers={"Authorization": "Bearer pnt_nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid, expired or revoked token"}


def test_other_scheme_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/scenarios", headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}


def test_revoked_token_is_401(client: TestClient, auth: dict) -> None:
    token = auth["viewer"]["Authorization"].removeprefix("Bearer ")
    assert client.get("/api/v1/scenarios", headers=auth["viewer"]).status_code == 200
    with client.app.state.sessions() as session:
        assert revoke_token(session, token=token)
    response = client.get("/api/v1/scenarios", headers=auth["viewer"])
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid, expired or revoked token"}


@pytest.mark.parametrize("role", ["viewer", "committee"])
@pytest.mark.parametrize(("method", "path"), PLANNER_ONLY)
def test_planner_routes_refuse_other_roles(client: TestClient, auth: dict, role: str,
                                           method: str, path: str) -> None:
    response = client.request(method, path, headers=auth[role])
    assert response.status_code == 403
    assert response.json() == {
        "detail": f"The {role} role may not do this; it needs the planner or admin role"}
    assert forbidden_detail(role, ("planner", "admin")) == response.json()["detail"]


@pytest.mark.parametrize("role", ["viewer", "committee", "planner"])
def test_every_role_reads(client: TestClient, auth: dict, tiny: Path, role: str) -> None:
    scenario_id, job_id = solved(client, auth["planner"], tiny)
    for path in (
        "/api/v1/scenarios",
        f"/api/v1/scenarios/{scenario_id}",
        f"/api/v1/scenarios/{scenario_id}/jobs",
        f"/api/v1/jobs/{job_id}",
        f"/api/v1/jobs/{job_id}/plans",
        f"/api/v1/plans/{job_id}/1",
        f"/api/v1/plans/{job_id}/1/diff/{job_id}/1",
    ):
        response = client.get(path, headers=auth[role])
        assert response.status_code == 200, (path, response.text)


@pytest.mark.parametrize(("method", "path"), READ)
def test_read_routes_pass_auth_for_viewer(client: TestClient, auth: dict, method: str,
                                          path: str) -> None:
    # Past authentication an unknown id is 404, never 401/403.
    response = client.request(method, path, headers=auth["viewer"])
    assert response.status_code == 404


def test_request_size_limit_by_content_length(make_client, tiny: Path) -> None:
    client = make_client(max_request_bytes=2048)
    auth = tokens_for(client)
    files = multipart(tiny)
    files["employees"] = ("employees.csv", files["employees"][1] + b"x" * 4096)
    response = client.post("/api/v1/scenarios", headers=auth["planner"], files=files)
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is larger than the limit of 2048 bytes"}


def test_request_size_limit_when_streamed(make_client) -> None:

    client = make_client(max_request_bytes=2048)
    auth = tokens_for(client)

    def chunks():
        for _ in range(10):
            yield b"{" + b" " * 1000

    response = client.post("/api/v1/scenarios", content=chunks(),
                           headers={**auth["planner"], "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is larger than the limit of 2048 bytes"}


def test_cors_closed_by_default(client: TestClient) -> None:
    response = client.options("/api/v1/scenarios", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in response.headers
    response = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_cors_opens_for_configured_origins(make_client) -> None:
    client = make_client(cors_origins=["https://planner.example"])
    response = client.options("/api/v1/scenarios", headers={
        "Origin": "https://planner.example", "Access-Control-Request-Method": "GET"})
    assert response.headers["access-control-allow-origin"] == "https://planner.example"
    response = client.options("/api/v1/scenarios", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in response.headers


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/healthz", "/api/v1/scenarios", "/api/v1/scenarios/{scenario_id}/jobs",
        "/api/v1/scenarios/{scenario_id}/what-if", "/api/v1/jobs/{job_id}",
        "/api/v1/jobs/{job_id}/plans",
        "/api/v1/plans/{job_id}/{rank}/diff/{other_job}/{other_rank}",
    }
    body = paths["/api/v1/scenarios"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
