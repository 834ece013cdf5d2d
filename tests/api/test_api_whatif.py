"""What-if: edits, derived scenarios, warm start, diffs."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import yaml
from api_helpers import (
    EMPLOYEES_CSV,
    NIPS,
    SCENARIO_YAML,
    multipart,
    solved,
    tokens_for,
    upload,
    wait_job,
)
from fastapi.testclient import TestClient

from api.db import ScenarioRecord
from solver.result import SolveParams
from solver.solve import solve
from tests.reference import random_scenario


def _what_if(client: TestClient, headers: dict, scenario_id: str, edits: list,
             **extra) -> dict:
    response = client.post(f"/api/v1/scenarios/{scenario_id}/what-if", headers=headers,
                           json={"edits": edits, **extra})
    assert response.status_code == 202, response.text
    return response.json()


def _files(client: TestClient, scenario_id: str) -> dict[str, bytes]:
    with client.app.state.sessions() as session:
        record = session.get(ScenarioRecord, scenario_id)
        return {f.path: f.content for f in record.files}


def test_what_if_needs_a_solved_base(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id = upload(client, auth["planner"], tiny)
    response = client.post(f"/api/v1/scenarios/{scenario_id}/what-if", headers=auth["planner"],
                           json={"edits": [{"op": "abolish_position", "position": "002"}]})
    assert response.status_code == 409
    assert response.json() == {"detail": (
        f"Scenario '{scenario_id}' has no finished plan to compare with; solve it first "
        f"(POST /api/v1/scenarios/{scenario_id}/jobs)")}
    response = client.post("/api/v1/scenarios/nope/what-if", headers=auth["planner"],
                           json={"edits": [{"op": "abolish_position", "position": "002"}]})
    assert response.status_code == 404
    assert response.json() == {"detail": "Scenario 'nope' not found"}


def test_abolish_gives_a_diff_against_base_plan_1(client: TestClient, auth: dict,
                                                  tiny: Path) -> None:
    scenario_id, base_job = solved(client, auth["planner"], tiny)
    base = client.get(f"/api/v1/jobs/{base_job}/plans", headers=auth["viewer"]).json()
    accepted = _what_if(client, auth["planner"], scenario_id, [
        {"op": "abolish_position", "position": "002"},
        {"op": "set_rules", "rules": {"max_unit_turnover": 1}},
    ])
    assert accepted["base_scenario_id"] == scenario_id
    assert accepted["base_job_id"] == base_job
    assert accepted["scenario_id"] != scenario_id
    assert wait_job(client, auth["viewer"], accepted["id"])["status"] == "done"
    document = client.get(f"/api/v1/jobs/{accepted['id']}/plans", headers=auth["viewer"]).json()
    plan = document["plans"][0]
    base_plan = base["plans"][0]
    assert all(a["position"] != "002" for a in plan["assignments"])
    assert plan["diff"]["objective_delta"] == plan["objective"] - base_plan["objective"]
    moves = {(a["nip"], a["position"]) for a in plan["assignments"] if a["position"] != a["from"]}
    base_moves = {(a["nip"], a["position"]) for a in base_plan["assignments"]
                  if a["position"] != a["from"]}
    assert {(m["nip"], m["position"]) for m in plan["diff"]["moves_added"]} == moves - base_moves
    assert {(m["nip"], m["position"]) for m in plan["diff"]["moves_dropped"]} \
        == base_moves - moves
    # Budi's post 002 is abolished: he must move.
    assert any(m["nip"] == NIPS[1] for m in plan["diff"]["moves_added"])
    # The diff route gives the same diff between any two plans.
    response = client.get(f"/api/v1/plans/{accepted['id']}/1/diff/{base_job}/1",
                          headers=auth["viewer"])
    assert response.status_code == 200
    assert response.json() == {"job": accepted["id"], "rank": 1, "other_job": base_job,
                               "other_rank": 1, **plan["diff"]}
    # The derived scenario is stored with its base and edits.
    info = client.get(f"/api/v1/scenarios/{accepted['scenario_id']}",
                      headers=auth["viewer"]).json()
    assert info["base_id"] == scenario_id
    assert info["edits"][0] == {"op": "abolish_position", "position": "002"}
    files = _files(client, accepted["scenario_id"])
    assert yaml.safe_load(files["scenario.yaml"])["rules"] == {"max_unit_turnover": 1}
    positions = pd.read_csv(io.BytesIO(files["positions.csv"]), dtype=str)
    assert positions.set_index("id").loc["002", "headcount"] == "0"
    # The derived document equals a direct solve of the derived files (except run/diff).
    derived_dir = tiny.parent / "derived"
    derived_dir.mkdir()
    for name, content in files.items():
        (derived_dir / name).write_bytes(content)
    from solver.document import plans_document
    from solver.io import load_scenario

    scenario = load_scenario(derived_dir / "scenario.yaml")
    params = SolveParams(time_limit=20.0, workers=1)
    expected = plans_document(solve(scenario, params), scenario, params)
    for doc in (document, expected):
        doc.pop("run")
        for p in doc["plans"]:
            p.pop("diff", None)
    assert document == expected


def test_same_plan_diff_is_empty(client: TestClient, auth: dict, tiny: Path) -> None:
    _, job = solved(client, auth["planner"], tiny)
    response = client.get(f"/api/v1/plans/{job}/2/diff/{job}/2", headers=auth["viewer"])
    assert response.json() == {"job": job, "rank": 2, "other_job": job, "other_rank": 2,
                               "vs_rank": 2, "objective_delta": 0, "elsewhere": [],
                               "moves_added": [], "moves_dropped": [], "only_in_a": [],
                               "only_in_b": []}
    response = client.get(f"/api/v1/plans/{job}/1/diff/{job}/9", headers=auth["viewer"])
    assert response.status_code == 404
    assert response.json() == {"detail": f"Job '{job}' has no plan of rank 9"}
    response = client.get(f"/api/v1/plans/{job}/1/diff/nope/1", headers=auth["viewer"])
    assert response.status_code == 404
    assert response.json() == {"detail": "Job 'nope' not found"}


def test_every_edit_kind(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id, _ = solved(client, auth["planner"], tiny)
    accepted = _what_if(client, auth["planner"], scenario_id, [
        {"op": "set_headcount", "position": "003", "headcount": 2},
        {"op": "add_position", "row": {
            "id": "004", "title": "Kepala Seksi C", "unit": "Dinas A", "level": 3,
            "grade_min": "III/c", "grade_max": "III/d", "headcount": 1, "must_fill": False,
            "c.integritas": 3}},
        {"op": "add_employee", "row": {
            "nip": "198301012005011004", "name": "Dewi", "grade": "III/c",
            "current_level": 3, "performance": "baik", "potential": "tinggi",
            "c.integritas": 4, "c.komunikasi": 4}},
        {"op": "remove_employee", "nip": NIPS[2]},
        {"op": "set_weights", "weights": {"move": 100}},
        {"op": "lock", "nip": "198301012005011004", "position": "004"},
        {"op": "forbid", "nip": NIPS[0], "position": "003"},
    ], plans=1, time_limit=10)
    assert wait_job(client, auth["viewer"], accepted["id"])["status"] == "done"
    document = client.get(f"/api/v1/jobs/{accepted['id']}/plans", headers=auth["viewer"]).json()
    assignments = {(a["nip"], a["position"]) for a in document["plans"][0]["assignments"]}
    assert ("198301012005011004", "004") in assignments
    assert (NIPS[0], "003") not in assignments
    assert all(a["nip"] != NIPS[2] for a in document["plans"][0]["assignments"])
    assert document["provenance"]["params"]["plans"] == 1
    files = _files(client, accepted["scenario_id"])
    config = yaml.safe_load(files["scenario.yaml"])
    assert config["weights"] == {"move": 100}
    assert config["locks"] == [{"nip": "198301012005011004", "position": "004"}]
    assert config["forbid"] == [{"nip": NIPS[0], "position": "003"}]


def test_explained_what_if_plans_keep_the_diff_against_the_base(client: TestClient,
                                                               auth: dict, tiny: Path) -> None:
    """With shortlists (so explanations), every plan's diff is still against the base
    scenario's plan 1, not against the what-if's own plan 1."""
    scenario_id, base_job = solved(client, auth["planner"], tiny)
    base = client.get(f"/api/v1/jobs/{base_job}/plans", headers=auth["viewer"]).json()
    accepted = _what_if(client, auth["planner"], scenario_id, [
        {"op": "set_rules", "rules": {"max_unit_turnover": 1}}], plans=2, shortlist_time=5)
    assert wait_job(client, auth["viewer"], accepted["id"])["status"] == "done"
    document = client.get(f"/api/v1/jobs/{accepted['id']}/plans", headers=auth["viewer"]).json()
    assert len(document["plans"]) == 2 and "jpm" in document["plans"][1]["assignments"][0]
    base_moves = {(a["nip"], a["position"]) for a in base["plans"][0]["assignments"]
                  if a["position"] != a["from"]}
    for plan in document["plans"]:
        # One diff shape everywhere (solver/diff.py); here its "a" is the base plan 1.
        moves = {(a["nip"], a["position"]) for a in plan["assignments"]
                 if a["position"] != a["from"]}
        assert {(m["nip"], m["position"]) for m in plan["diff"]["moves_added"]} == \
            moves - base_moves
        assert plan["diff"]["objective_delta"] == \
            plan["objective"] - base["plans"][0]["objective"]


def test_set_scope_edit(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id, _ = solved(client, auth["planner"], tiny)
    accepted = _what_if(client, auth["planner"], scenario_id, [
        {"op": "set_scope", "levels": [3]}], plans=1, time_limit=10)
    assert wait_job(client, auth["viewer"], accepted["id"])["status"] == "done"
    document = client.get(f"/api/v1/jobs/{accepted['id']}/plans", headers=auth["viewer"]).json()
    assert all(a["position"] != "003" for a in document["plans"][0]["assignments"])
    config = yaml.safe_load(_files(client, accepted["scenario_id"])["scenario.yaml"])
    assert config["scope"] == {"levels": [3]}
    cleared = _what_if(client, auth["planner"], accepted["scenario_id"], [
        {"op": "set_scope"}], plans=1, time_limit=10)
    assert "scope" not in yaml.safe_load(_files(client, cleared["scenario_id"])["scenario.yaml"])


def test_what_if_warm_starts_from_base_plan_1(make_client, tiny: Path) -> None:
    seen: list[SolveParams] = []

    def spy(scenario, params):
        seen.append(params)
        return solve(scenario, params)

    client = make_client(solve_fn=spy)
    auth = tokens_for(client)
    scenario_id, base_job = solved(client, auth["planner"], tiny)
    base = client.get(f"/api/v1/jobs/{base_job}/plans", headers=auth["viewer"]).json()
    accepted = _what_if(client, auth["planner"], scenario_id,
                        [{"op": "set_weights", "weights": {"move": 0}}])
    wait_job(client, auth["viewer"], accepted["id"])
    assert seen[0].hint == ()
    assert seen[1].hint == tuple((a["nip"], a["position"])
                                 for a in base["plans"][0]["assignments"])


def test_edit_errors_are_exact(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id, _ = solved(client, auth["planner"], tiny)
    url = f"/api/v1/scenarios/{scenario_id}/what-if"
    response = client.post(url, headers=auth["planner"], json={"edits": [
        {"op": "set_headcount", "position": "XYZ", "headcount": 2},
        {"op": "remove_employee", "nip": "199901012020011999"},
        {"op": "abolish_position", "position": "001"},
    ]})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "edits[0] (set_headcount): position 'XYZ' is not in the positions table",
        "edits[1] (remove_employee): NIP '199901012020011999' is not in the employees table",
    ]}
    # Edits that make the scenario invalid: the loader's messages.
    response = client.post(url, headers=auth["planner"], json={"edits": [
        {"op": "add_employee", "row": {"nip": "198301012005011004", "name": "Dewi",
                                       "grade": "V/z", "current_level": 3,
                                       "performance": "baik", "potential": "tinggi"}},
        {"op": "set_rules", "rules": {"max_unit_turnover": 3}},
    ]})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "scenario.yaml line 9, key rules.max_unit_turnover: 3 is out of range; expected a "
        "number between 0 and 1"]}
    response = client.post(url, headers=auth["planner"], json={"edits": [
        {"op": "add_employee", "row": {"nip": "198301012005011004", "name": "Dewi",
                                       "grade": "V/z", "current_level": 3,
                                       "performance": "baik", "potential": "tinggi"}}]})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "employees.csv row 5, column grade: 'V/z' is not valid; expected a golongan "
        "I/a … IV/e"]}
    for body in ({"edits": []}, {"edits": [{"op": "explode"}]},
                 {"edits": [{"op": "set_headcount", "position": "001"}]}):
        assert client.post(url, headers=auth["planner"], json=body).status_code == 422


def test_xlsx_table_is_edited_as_csv(client: TestClient, auth: dict, tiny: Path) -> None:
    frame = pd.read_csv(io.StringIO(EMPLOYEES_CSV), dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    files = multipart(tiny)
    files["employees"] = ("employees.xlsx", buffer.getvalue())
    files["scenario"] = ("scenario.yaml",
                         SCENARIO_YAML.replace("employees.csv", "employees.xlsx").encode())
    response = client.post("/api/v1/scenarios", headers=auth["planner"], files=files)
    assert response.status_code == 201, response.text
    scenario_id = response.json()["id"]
    job = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=auth["planner"]).json()
    wait_job(client, auth["viewer"], job["id"])
    accepted = _what_if(client, auth["planner"], scenario_id,
                        [{"op": "remove_employee", "nip": NIPS[2]}])
    assert wait_job(client, auth["viewer"], accepted["id"])["status"] == "done"
    derived = _files(client, accepted["scenario_id"])
    assert "employees.csv" in derived
    assert yaml.safe_load(derived["scenario.yaml"])["employees"] == "employees.csv"
    table = pd.read_csv(io.BytesIO(derived["employees.csv"]), dtype=str)
    assert list(table["nip"]) == list(NIPS[:2])


def _run(client: TestClient, headers: dict, job_id: str) -> dict:
    assert wait_job(client, headers, job_id)["status"] == "done"
    return client.get(f"/api/v1/jobs/{job_id}/plans", headers=headers).json()


def test_warm_start_what_if_reuses_the_base_lp(make_client, tiny: Path, monkeypatch) -> None:
    import solver.solve as solve_module

    monkeypatch.setattr(solve_module, "FULL_MODEL_PAIRS", 0)  # tiny goes through the LP
    client = make_client()
    auth = tokens_for(client)
    scenario_id, base_job = solved(client, auth["planner"], tiny)
    assert "lp_warm" not in _run(client, auth["viewer"], base_job)["run"]
    edits = [{"op": "lock", "nip": NIPS[2], "position": "003"}]
    cold = _run(client, auth["viewer"], _what_if(client, auth["planner"], scenario_id,
                                                 edits)["id"])
    warm = _run(client, auth["viewer"], _what_if(client, auth["planner"], scenario_id, edits,
                                                 warm_start=True)["id"])
    assert "lp_warm" not in cold["run"]
    assert warm["run"].get("lp_warm") == 1, (str(warm["run"]), str(cold["run"]))
    assert warm["status"] == cold["status"] == "OPTIMAL"
    assert [p["objective"] for p in warm["plans"]] == [p["objective"] for p in cold["plans"]]
    assert all(p["optimal"] for p in warm["plans"])


def test_warm_start_off_when_the_cache_is(make_client, tiny: Path, monkeypatch) -> None:
    import solver.solve as solve_module

    monkeypatch.setattr(solve_module, "FULL_MODEL_PAIRS", 0)
    client = make_client(lp_cache_size=0)
    auth = tokens_for(client)
    scenario_id, _ = solved(client, auth["planner"], tiny)
    warm = _run(client, auth["viewer"], _what_if(
        client, auth["planner"], scenario_id,
        [{"op": "lock", "nip": NIPS[2], "position": "003"}], warm_start=True)["id"])
    assert "lp_warm" not in warm["run"]
    assert warm["status"] == "OPTIMAL"


def _core_round(tmp_path: Path) -> Path:
    """A 99-pair random round (tests/reference) whose plans the transportation core
    proves (no binding turnover cap), with its assessments."""
    path = random_scenario(5, tmp_path)
    config = yaml.safe_load(path.read_text())
    config.setdefault("rules", {})["max_unit_turnover"] = 1
    path.write_text(yaml.safe_dump(config))
    return path.parent


def test_a_what_if_from_a_kept_base_gives_the_bytes_of_a_fresh_server(
        settings, tmp_path: Path, monkeypatch) -> None:
    """The runner keeps its solves (solver.reuse): a lock's what-if re-solves from the
    base's problem and core plan. Its document is, byte for byte (outside "run"), the
    one a fresh server on the same store computes from nothing."""
    import json

    import solver.solve as solve_module
    from api.main import create_app

    monkeypatch.setattr(solve_module, "FULL_MODEL_PAIRS", 0)  # the core, at any size
    monkeypatch.setattr(solve_module, "CANONICAL_CORE_MIN_PAIRS", 0)
    folder = _core_round(tmp_path)
    files = multipart(folder, ("scenario", "employees", "positions", "assessments"))
    edits = [{"op": "lock", "nip": "198812242010082002", "position": "P04"}]
    documents = []
    with TestClient(create_app(settings)) as first:
        auth = tokens_for(first)
        response = first.post("/api/v1/scenarios", headers=auth["planner"], files=files)
        assert response.status_code == 201, response.text
        scenario_id = response.json()["id"]
        base_job = first.post(f"/api/v1/scenarios/{scenario_id}/jobs",
                              headers=auth["planner"], json={"plans": 2}).json()["id"]
        base = _run(first, auth["viewer"], base_job)
        assert base["run"]["strategy"] == "flow-core" and base["run"]["reused"] == "cold"
        for _ in range(2):  # once from the kept base, once more (the base stays kept)
            documents.append(_run(first, auth["viewer"], _what_if(
                first, auth["planner"], scenario_id, edits, plans=2)["id"]))
            assert documents[-1]["run"]["reused"] == "problem"
            assert documents[-1]["run"]["strategy"] == "flow-core"
    with TestClient(create_app(settings)) as fresh:  # nothing kept: built from the files
        documents.append(_run(fresh, auth["viewer"], _what_if(
            fresh, auth["planner"], scenario_id, edits, plans=2)["id"]))
        assert documents[-1]["run"]["reused"] == "cold"
    assert documents[0]["plans"][0]["assignments"] != base["plans"][0]["assignments"]
    texts = []
    for document in documents:
        document.pop("run")
        texts.append(json.dumps(document, indent=2, ensure_ascii=False))
    assert texts[0] == texts[1] == texts[2]
