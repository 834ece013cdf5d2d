"""Open selection rounds (issue 8): the assessments table, ``applicants_only``, fit from
panel scores, the committed Kota Medan round from the CLI (three names per post) and the
API upload with an assessments file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from solver.check import check_plan
from solver.document import plans_document
from solver.eligibility import build_problem
from solver.io import InputError, load_scenario
from solver.result import SolveParams
from solver.review.explain import explain_plans
from solver.solve import solve
from tests.api.api_helpers import tokens_for, wait_job
from tests.builders import make, nip, person, post, write_scenario

ROOT = Path(__file__).resolve().parents[1]
MEDAN = ROOT / "scenarios" / "seleksi_terbuka_medan.yaml"
PENATA = Path(sys.executable).with_name("penata")

# --------------------------------------------------------------------------- validation

EMPLOYEES = [person(1, current_level=3), person(2, current_level=3)]
POSITIONS = [post("A"), post("B")]
GOOD = {"nip": nip(1), "position": "A", "score": 8000}


def assessment_errors(tmp_path: Path, rows: list[dict], xlsx: bool = False) -> list[str]:
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS, rows)
    if xlsx:
        frame = pd.read_csv(tmp_path / "assessments.csv", dtype=str, keep_default_na=False)
        frame.to_excel(tmp_path / "assessments.xlsx", index=False)
        path.write_text(path.read_text().replace("assessments.csv", "assessments.xlsx"))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value.errors


@pytest.mark.parametrize(("bad", "expected"), [
    ({"nip": nip(9), "position": "A", "score": 7000},
     f"assessments.csv row 3, column nip: NIP '{nip(9)}' is not in the employees table"),
    ({"nip": nip(2), "position": "Z", "score": 7000},
     "assessments.csv row 3, column position: position 'Z' is not in the positions table"),
    ({"nip": nip(1), "position": "A", "score": 6000},
     f"assessments.csv row 3, column position: pair ({nip(1)}, A) was already assessed on row 2"),
    ({"nip": nip(2), "position": "A", "score": 10001},
     "assessments.csv row 3, column score: '10001' is not valid; expected a whole number 0-10000"),
    ({"nip": nip(2), "position": "A", "score": -1},
     "assessments.csv row 3, column score: '-1' is not valid; expected a whole number 0-10000"),
    ({"nip": nip(2), "position": "A", "score": "85.5"},
     "assessments.csv row 3, column score: '85.5' is not valid; expected a whole number 0-10000"),
    ({"nip": nip(2), "position": "A", "score": ""},
     "assessments.csv row 3, column score: is blank; expected a whole number 0-10000"),
])
def test_assessment_errors_name_file_row_and_column(tmp_path, bad, expected):
    assert assessment_errors(tmp_path, [GOOD, bad]) == [expected]


def test_assessment_errors_all_reported_and_xlsx(tmp_path):
    rows = [GOOD, {"nip": nip(9), "position": "Z", "score": 20000},
            {"nip": nip(1), "position": "A", "score": 0}]
    errors = assessment_errors(tmp_path, rows, xlsx=True)
    assert sorted(errors) == sorted([
        "assessments.xlsx row 3, column score: '20000' is not valid; expected a whole number "
        "0-10000",
        f"assessments.xlsx row 3, column nip: NIP '{nip(9)}' is not in the employees table",
        "assessments.xlsx row 3, column position: position 'Z' is not in the positions table",
        f"assessments.xlsx row 4, column position: pair ({nip(1)}, A) was already assessed "
        "on row 2",
    ])


def test_scores_at_the_bounds_are_valid(tmp_path):
    rows = [{"nip": nip(1), "position": "A", "score": 0},
            {"nip": nip(2), "position": "A", "score": 10000}]
    sc = load_scenario(write_scenario(tmp_path, EMPLOYEES, POSITIONS, rows))
    assert list(sc.assessments["score"]) == [0, 10000]


# --------------------------------------------------------------------------- applicants_only


def applicants_scenario(tmp_path: Path):
    employees = [
        person(1, current_position="A", position_since="2023-01-01"),  # incumbent, not assessed
        person(2, current_level=3),  # unplaced, did not apply
        person(3, current_level=3),  # unplaced, applied for A
        person(4, current_position="C", position_since="2023-01-01"),  # incumbent elsewhere
    ]
    positions = [post("A", headcount=2, applicants_only="true", priority=3), post("B"),
                 post("C", unit="Dinas B")]
    assessments = [{"nip": nip(3), "position": "A", "score": 7000}]
    return make(tmp_path, employees, positions, assessments)


def test_applicants_only_blocks_non_applicants_keeps_stay(tmp_path):
    sc = applicants_scenario(tmp_path)
    problem = build_problem(sc)
    pairs = {(str(problem.nips[e]), str(problem.position_ids[p]))
             for e, p in zip(problem.pairs.emp, problem.pairs.pos, strict=True)}
    assert (nip(1), "A") in pairs  # the incumbent's stay pair survives applicants_only
    assert (nip(3), "A") in pairs  # an applicant may move in
    assert (nip(2), "A") not in pairs  # a non-applicant may not
    assert (nip(4), "A") not in pairs  # nor an incumbent of another post
    assert {(nip(2), "B"), (nip(4), "B"), (nip(2), "C")} <= pairs  # other posts are open

    result = solve(sc, SolveParams(plans=1, time_limit=30))
    chosen = {(a.nip, a.position) for a in result.plans[0].assignments}
    # A's second seat (priority 3) goes to the applicant, never to person 2
    assert chosen == {(nip(1), "A"), (nip(3), "A"), (nip(2), "B"), (nip(4), "C")}
    report = check_plan(sc, [(nip(1), "A"), (nip(2), "A"), (nip(3), "B"), (nip(4), "C")])
    assert any(nip(2) in v and "A" in v for v in report.violations), report.violations


# --------------------------------------------------------------------------- fit


def test_fit_is_the_assessment_score_not_jpm(tmp_path):
    # F and G require integritas 4 + komunikasi 4; person 5 has 3 + 2: jpm = 10000·5/8 = 6250
    req = {"c.integritas": 4, "c.komunikasi": 4}
    positions = [post("F", **req), post("G", **req)]
    employees = [person(5, current_level=3, **{"c.integritas": 3, "c.komunikasi": 2})]
    sc = make(tmp_path, employees, positions, [{"nip": nip(5), "position": "F", "score": 9100}],
              rules={"min_fit_for_move": 7000})
    problem = build_problem(sc)
    got = {str(problem.position_ids[p]): (int(f), int(j), bool(a)) for p, f, j, a in zip(
        problem.pairs.pos, problem.pairs.fit, problem.pairs.jpm, problem.pairs.assessed,
        strict=True)}
    # G (jpm 6250 < 7000) is not a pair; F is, because its fit is the panel's 9100
    assert got == {"F": (9100, 6250, True)}

    result = solve(sc, SolveParams(plans=1, time_limit=30))
    plan = result.plans[0]
    # score = 9100 - 300 + 5000·1; objective = score - 5000·(1 + 1) seats
    assert plan.objective == 9100 - 300 + 5000 - 2 * 5000 == 3800
    assert check_plan(sc, [(nip(5), "F")]).objective == 3800
    doc = explain_plans(plans_document(result, sc), sc, problem)
    a = doc["plans"][0]["assignments"][0]
    assert (a["position"], a["fit"], a["jpm"], a["fit_source"]) == ("F", 9100, 6250, "assessment")


def test_without_assessment_fit_is_jpm(tmp_path):
    positions = [post("G", **{"c.integritas": 4, "c.komunikasi": 4})]
    employees = [person(5, current_level=3, **{"c.integritas": 3, "c.komunikasi": 2})]
    sc = make(tmp_path, employees, positions)
    result = solve(sc, SolveParams(plans=1, time_limit=30))
    assert result.plans[0].objective == 6250 - 300 + 5000 - 5000
    doc = explain_plans(plans_document(result, sc), sc, build_problem(sc))
    assert doc["plans"][0]["assignments"][0]["fit_source"] == "competency"


# --------------------------------------------------------------------------- the Medan round


def read_assessments() -> dict[tuple[str, str], int]:
    with (MEDAN.parent / "seleksi_terbuka" / "assessments.csv").open(encoding="utf-8") as fh:
        return {(r["nip"], r["position"]): int(r["score"]) for r in csv.DictReader(fh)}


def test_committed_scenario_is_rebuilt_byte_for_byte(tmp_path):
    from solver.generate.selection import build_selection

    path = build_selection(tmp_path)
    assert path.read_bytes() == MEDAN.read_bytes()
    for name in ("employees.csv", "positions.csv", "assessments.csv"):
        fresh = (tmp_path / "seleksi_terbuka" / name).read_bytes()
        assert fresh == (MEDAN.parent / "seleksi_terbuka" / name).read_bytes(), name


def test_medan_round_cli_optimal_with_three_names_per_post(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([str(PENATA), "solve", str(MEDAN), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "plans.json").read_text(encoding="utf-8"))
    assert doc["status"] == "OPTIMAL"
    assert [p["rank"] for p in doc["plans"]] == [1, 2, 3]
    scores = read_assessments()
    sc = load_scenario(MEDAN)
    open_posts = set(sc.positions.loc[sc.positions["applicants_only"], "id"])
    assert len(open_posts) == 6
    for plan in doc["plans"]:
        assert plan["optimal"] and plan["objective"] == plan["bound"]
        pairs = [(a["nip"], a["position"]) for a in plan["assignments"]]
        assert {p for _, p in pairs} == open_posts  # every post filled, once
        assert all(scores.get(pair, -1) >= 7000 for pair in pairs)  # applicant who passed
        # objective = Σ fit - 300 per move (the vacancy terms cancel when all are filled)
        assert plan["objective"] == sum(scores[pair] - 300 for pair in pairs)
        assert check_plan(sc, pairs).objective == plan["objective"]
    assert doc["plans"][0]["objective"] == 50381  # measured; see docs/selection.md

    proc = subprocess.run([str(PENATA), "review", str(MEDAN), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "plans.json").read_text(encoding="utf-8"))
    for plan in doc["plans"]:
        assert plan["shortlists_complete"] is True
        holders = {a["position"]: a["nip"] for a in plan["assignments"]}
        assert {s["position"] for s in plan["shortlists"]} == open_posts
        for entry in plan["shortlists"]:
            names = entry["names"]
            assert 1 <= len(names) <= 3 and entry["complete"]
            assert names[0] == {"nip": holders[entry["position"]], "objective_loss": 0,
                                "chosen": True, "objective": plan["objective"]}
            losses = [n["objective_loss"] for n in names]
            assert losses == sorted(losses) and all(x >= 0 for x in losses)  # ties may share 0
            assert all(n["objective"] == plan["objective"] - n["objective_loss"] for n in names)
            # only applicants of this post who passed, and the rules excluded nobody wrongly
            assert all(scores.get((n["nip"], entry["position"]), -1) >= 7000 for n in names)
        for a in plan["assignments"]:
            assert a["fit_source"] == "assessment"
            assert a["fit"] == scores[(a["nip"], a["position"])]
    # the two applicants the rules exclude (grade IV/a; under 24 months) never appear
    problem = build_problem(sc)
    kept = {(str(problem.nips[e]), str(problem.position_ids[p]))
            for e, p in zip(problem.pairs.emp, problem.pairs.pos, strict=True)}
    passed = {pair for pair, s in scores.items() if s >= 7000}
    assert len(passed - kept) == 2


# --------------------------------------------------------------------------- API


def test_api_upload_with_assessments_returns_201(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'penata-test.db'}",
                        default_time_limit=20, progress_interval=0)
    data = MEDAN.parent / "seleksi_terbuka"
    files = {"scenario": (MEDAN.name, MEDAN.read_bytes())}
    for role in ("employees", "positions", "assessments"):
        files[role] = (f"{role}.csv", (data / f"{role}.csv").read_bytes())
    with TestClient(create_app(settings)) as client:
        auth = tokens_for(client)
        response = client.post("/api/v1/scenarios", headers=auth["planner"], files=files)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["counts"] == {"employees": 560, "positions": 328, "assessments": 33}
        # solved through a job: the same plans as the CLI
        response = client.post(f"/api/v1/scenarios/{body['id']}/jobs", headers=auth["planner"],
                               json={"plans": 3, "time_limit": 60})
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        assert wait_job(client, auth["viewer"], job_id)["status"] == "done"
        document = client.get(f"/api/v1/jobs/{job_id}/plans", headers=auth["viewer"]).json()
        assert document["status"] == "OPTIMAL"
        assert [p["objective"] for p in document["plans"]][0] == 50381
        # without the assessments file the upload is refused: the YAML names one
        del files["assessments"]
        response = client.post("/api/v1/scenarios", headers=auth["planner"], files=files)
        assert response.status_code == 422, response.text
