"""GET /api/v1/jobs/{id}/succession and /training: the same service functions as the CLI."""

from __future__ import annotations

from pathlib import Path

from api_helpers import EMPLOYEES_CSV, NIPS, POSITIONS_CSV, SCENARIO_YAML, solved, write_tiny
from fastapi.testclient import TestClient

from solver.io import load_scenario
from solver.talent.service import document_succession, document_training

# The tiny round with its Kabid post (003, level 4) marked critical.
CRITICAL_POSITIONS = POSITIONS_CSV.replace("c.integritas,c.komunikasi\n",
                                           "c.integritas,c.komunikasi,critical\n", 1) \
    .replace("1,,3,4,4\n", "1,,3,4,4,ya\n")


def test_succession_and_training_of_a_job(client: TestClient, auth: dict, tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    write_tiny(folder, yaml_text=SCENARIO_YAML, employees=EMPLOYEES_CSV,
               positions=CRITICAL_POSITIONS)
    _, job_id = solved(client, auth["planner"], folder)
    document = client.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"]).json()
    scenario = load_scenario(folder / "scenario.yaml")

    response = client.get(f"/api/v1/jobs/{job_id}/succession", headers=auth["viewer"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {"job": job_id, "succession": document["succession"]}
    assert body["succession"] == document_succession(scenario, document)
    [entry] = body["succession"]
    assert entry["position"] == "003" and entry["holders"] == []
    # Andi (box 9, III/d, level 3, integritas 4 komunikasi 4 -> fit 10000) unless plan 1
    # places him in 003
    placed = {a["nip"] for a in document["plans"][0]["assignments"] if a["position"] == "003"}
    assert (NIPS[0] in {n["nip"] for n in entry["names"]}) == (NIPS[0] not in placed)

    response = client.get(f"/api/v1/jobs/{job_id}/training", headers=auth["viewer"])
    assert response.status_code == 200, response.text
    assert response.json() == {"job": job_id, **document_training(scenario, document, 1)}
    second = client.get(f"/api/v1/jobs/{job_id}/training?rank=2", headers=auth["committee"])
    assert second.status_code == 200 and second.json()["rank"] == 2

    missing = client.get(f"/api/v1/jobs/{job_id}/training?rank=3", headers=auth["viewer"])
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"Job '{job_id}' has no plan of rank 3"}
    assert client.get(f"/api/v1/jobs/{job_id}/training?rank=0",
                      headers=auth["viewer"]).status_code == 422


def test_unknown_job_and_no_token(client: TestClient, auth: dict) -> None:
    for route in ("succession", "training"):
        response = client.get(f"/api/v1/jobs/nope/{route}", headers=auth["viewer"])
        assert response.status_code == 404
        assert response.json() == {"detail": "Job 'nope' not found"}
        assert client.get(f"/api/v1/jobs/nope/{route}").status_code == 401
