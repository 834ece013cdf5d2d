"""Helpers for the API tests: a tiny scenario, tokens, polling."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.security import create_token

SCENARIO_YAML = """\
name: tiny
as_of: 2027-01-02
employees: employees.csv
positions: positions.csv
plans:
  count: 2
  min_difference: 1
"""

POSITIONS_CSV = """\
id,title,unit,level,grade_min,grade_max,headcount,must_fill,priority,c.integritas,c.komunikasi
001,Kepala Seksi A,Dinas A,3,III/c,III/d,1,true,2,3,4
002,Kepala Seksi B,Dinas A,3,III/c,III/d,1,,1,4,4
003,Kabid,Dinas A,4,III/d,IV/a,1,,3,4,4
"""

EMPLOYEES_CSV = """\
nip,name,grade,current_position,position_since,current_level,performance,potential,c.integritas,c.komunikasi
198001012005011001,Andi,III/d,001,2020-01-01,,sangat_baik,tinggi,4,4
198101012005011002,Budi,III/c,002,2024-01-01,,baik,menengah,3,3
198201012005011003,Citra,III/d,,,3,baik,tinggi,4,
"""

NIPS = ("198001012005011001", "198101012005011002", "198201012005011003")
NAMES = ("Andi", "Budi", "Citra")
ROLES = ("planner", "committee", "viewer")


def write_tiny(directory: Path, *, yaml_text: str = SCENARIO_YAML,
               employees: str = EMPLOYEES_CSV, positions: str = POSITIONS_CSV) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scenario.yaml").write_text(yaml_text, encoding="utf-8")
    (directory / "employees.csv").write_text(employees, encoding="utf-8")
    (directory / "positions.csv").write_text(positions, encoding="utf-8")
    return directory / "scenario.yaml"


def multipart(directory: Path, names: tuple[str, ...] = ("scenario", "employees", "positions"),
              ) -> dict[str, tuple[str, bytes]]:
    files = {"scenario": "scenario.yaml", "employees": "employees.csv",
             "positions": "positions.csv", "assessments": "assessments.csv"}
    return {name: (files[name], (directory / files[name]).read_bytes()) for name in names}


def tokens_for(client: TestClient) -> dict[str, dict[str, str]]:
    """Authorization headers for one fresh token of each role."""
    headers = {}
    with client.app.state.sessions() as session:
        for role in ROLES:
            _, token = create_token(session, role)
            headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


def wait_job(client: TestClient, headers: dict[str, str], job_id: str,
             timeout: float = 60.0, until: tuple[str, ...] = ("done", "failed", "cancelled"),
             ) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {body['status']} after {timeout} s")
        time.sleep(0.05)


def upload(client: TestClient, headers: dict[str, str], directory: Path) -> str:
    response = client.post("/api/v1/scenarios", headers=headers, files=multipart(directory))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def solved(client: TestClient, headers: dict[str, str], directory: Path,
           body: dict[str, Any] | None = None) -> tuple[str, str]:
    """Upload and solve; return (scenario id, job id) of a done job."""
    scenario_id = upload(client, headers, directory)
    response = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=headers,
                           json=body)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert wait_job(client, headers, job_id)["status"] == "done"
    return scenario_id, job_id
