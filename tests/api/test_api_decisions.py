"""Committee decisions through the API: role checks, lock honoured by the next solve,
audit chain verifies."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from api.security import create_token
from tests.review.helpers import nip, rotation

URL = "/api/v1/scenarios"


@pytest.fixture
def client(tmp_path: Path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        default_time_limit=20, progress_interval=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _headers(client: TestClient) -> dict[str, dict[str, str]]:
    out = {}
    with client.app.state.sessions() as session:
        for role in ("planner", "committee", "viewer"):
            _, token = create_token(session, role)
            out[role] = {"Authorization": f"Bearer {token}"}
    return out


def _solve(client: TestClient, headers: dict[str, str], scenario_id: str) -> dict:
    response = client.post(f"{URL}/{scenario_id}/jobs", headers=headers, json={"plans": 1})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while True:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("done", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "done", job
    return client.get(f"/api/v1/plans/{job_id}/1", headers=headers).json() | {"job": job_id}


def test_decisions_round_trip(client: TestClient, tmp_path: Path):
    auth = _headers(client)
    folder = tmp_path / "s"
    rotation(folder, plans={"count": 1})
    files = {name: (f"{name}.csv" if name != "scenario" else "scenario.yaml",
                    (folder / (f"{name}.csv" if name != "scenario" else "scenario.yaml"))
                    .read_bytes()) for name in ("scenario", "employees", "positions")}
    created = client.post(URL, headers=auth["planner"], files=files)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]

    body = {"action": "approve", "nip": nip(7), "position": "D", "reason": "wawancara",
            "by": "Ketua"}
    # no plan yet: 409
    assert client.post(f"{URL}/{sid}/decisions", headers=auth["committee"],
                       json=body).status_code == 409
    plan = _solve(client, auth["planner"], sid)
    assert {a["nip"]: a["position"] for a in plan["assignments"]}.get(nip(7)) != "D"
    # a viewer may not decide
    assert client.post(f"{URL}/{sid}/decisions", headers=auth["viewer"],
                       json=body).status_code == 403
    response = client.post(f"{URL}/{sid}/decisions", headers=auth["committee"], json=body)
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["seq"] == 1 and entry["action"] == "approve" and entry["job_id"] == plan["job"]
    assert entry["by"].startswith("Ketua [token ") and "committee" in entry["by"]
    bad = client.post(f"{URL}/{sid}/decisions", headers=auth["committee"],
                      json={**body, "nip": "199901012020011999"})
    assert bad.status_code == 422 and "not in the employees table" in bad.json()["detail"]

    # the next solve honours the lock
    plan = _solve(client, auth["planner"], sid)
    assert {a["nip"]: a["position"] for a in plan["assignments"]}[nip(7)] == "D"
    reject = client.post(f"{URL}/{sid}/decisions", headers=auth["planner"],
                         json={**body, "action": "reject", "reason": "dibatalkan"})
    assert reject.status_code == 201

    log = client.get(f"{URL}/{sid}/decisions", headers=auth["committee"]).json()
    assert log["verified"] and log["problems"] == []
    assert [e["action"] for e in log["entries"]] == ["approve", "reject"]
    assert log["entries"][1]["prev"] == log["entries"][0]["hash"]
    assert client.get(f"{URL}/{sid}/decisions", headers=auth["viewer"]).status_code == 403
    plan = _solve(client, auth["planner"], sid)
    assert {a["nip"]: a["position"] for a in plan["assignments"]}.get(nip(7)) != "D"
