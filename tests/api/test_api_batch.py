"""What-if batches: POST /scenarios/{id}/what-if-batch and GET /what-if-batches/{id}."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import NIPS, solved, tokens_for, upload, wait_job
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.db import Job, ScenarioRecord, WhatIfBatch
from api.errors import batch_base_changed, plans_not_ready
from tests.reliability.common import gone

TURNOVER = {"op": "set_rules", "rules": {"max_unit_turnover": 1}}
VARIANTS: list[list[dict[str, Any]]] = [
    [{"op": "abolish_position", "position": "002"}, TURNOVER],
    [{"op": "abolish_position", "position": "003"}],
    [TURNOVER, {"op": "remove_employee", "nip": NIPS[2]}],
]


def _batch(client: TestClient, headers: dict, scenario_id: str, variants: list,
           **extra: Any) -> dict[str, Any]:
    response = client.post(f"/api/v1/scenarios/{scenario_id}/what-if-batch", headers=headers,
                           json={"variants": variants, **extra})
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/api/v1/what-if-batches/{response.json()['id']}"
    return response.json()


def wait_batch(client: TestClient, headers: dict, batch_id: str,
               timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/v1/what-if-batches/{batch_id}", headers=headers)
        assert response.status_code == 200, response.text
        if response.json()["status"] == "done":
            return response.json()
        if time.monotonic() > deadline:
            raise AssertionError(f"batch {batch_id} not done after {timeout} s")
        time.sleep(0.05)


def _counts(client: TestClient) -> tuple[int, int, int]:
    with client.app.state.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                     for model in (ScenarioRecord, Job, WhatIfBatch))


def _single_what_if_plan(client: TestClient, headers: dict, scenario_id: str,
                         edits: list) -> dict[str, Any]:
    response = client.post(f"/api/v1/scenarios/{scenario_id}/what-if", headers=headers,
                           json={"edits": edits})
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert wait_job(client, headers, job_id)["status"] == "done"
    return client.get(f"/api/v1/jobs/{job_id}/plans", headers=headers).json()


def test_a_batch_gives_one_job_per_variant_and_a_summary(make_client, tiny: Path) -> None:
    client = make_client(fanout_workers=1)
    auth = tokens_for(client)
    scenario_id, base_job = solved(client, auth["planner"], tiny)
    base_plan = client.get(f"/api/v1/jobs/{base_job}/plans",
                           headers=auth["viewer"]).json()["plans"][0]
    accepted = _batch(client, auth["planner"], scenario_id, VARIANTS, plans=1)
    assert accepted["status"] == "queued"
    assert accepted["scenario_id"] == scenario_id and accepted["base_job_id"] == base_job
    assert [j["index"] for j in accepted["jobs"]] == [0, 1, 2]
    summary = wait_batch(client, auth["viewer"], accepted["id"])
    assert summary["scenario_id"] == scenario_id and summary["base_job_id"] == base_job
    assert [v["job_id"] for v in summary["variants"]] == [j["id"] for j in accepted["jobs"]]
    for job, variant, edits in zip(accepted["jobs"], summary["variants"], VARIANTS,
                                   strict=True):
        assert variant["status"] == "done" and variant["error"] is None
        info = client.get(f"/api/v1/jobs/{job['id']}", headers=auth["viewer"]).json()
        assert info["status"] == "done" and info["base_job_id"] == base_job
        scenario = client.get(f"/api/v1/scenarios/{job['scenario_id']}",
                              headers=auth["viewer"]).json()
        assert scenario["base_id"] == scenario_id and scenario["edits"][0]["op"] == edits[0]["op"]
        plan = client.get(f"/api/v1/jobs/{job['id']}/plans",
                          headers=auth["viewer"]).json()["plans"][0]
        # The summary row is the plan's own diff against the base plan 1.
        assert variant["objective"] == plan["objective"]
        assert variant["objective_delta"] == plan["objective"] - base_plan["objective"]
        assert variant["objective_delta"] == plan["diff"]["objective_delta"]
        assert variant["moves_added"] == len(plan["diff"]["moves_added"])
        assert variant["moves_dropped"] == len(plan["diff"]["moves_dropped"])
        changed = {m["nip"] for m in plan["diff"]["moves_added"] + plan["diff"]["moves_dropped"]}
        assert variant["moves_changed"] == len(changed)
        # The same edits as one what-if give the same plan.
        single = _single_what_if_plan(client, auth["planner"], scenario_id, edits)
        assert single["plans"][0]["assignments"] == plan["assignments"]
        assert single["plans"][0]["diff"] == plan["diff"]
    # Budi's post 002 is abolished in variant 0: he must move.
    assert summary["variants"][0]["moves_changed"] >= 1


def test_a_pool_batch_stores_the_same_plans_as_a_serial_one(make_client, tiny: Path,
                                                            store_url: str) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("the executor does not depend on the store; one run is enough")
    plans = []
    for workers in (1, 2):
        client = make_client(fanout_workers=workers)
        auth = tokens_for(client)
        scenario_id, _ = solved(client, auth["planner"], tiny)
        accepted = _batch(client, auth["planner"], scenario_id, VARIANTS)
        summary = wait_batch(client, auth["viewer"], accepted["id"])
        assert [v["status"] for v in summary["variants"]] == ["done"] * 3
        documents = [client.get(f"/api/v1/jobs/{j['id']}/plans", headers=auth["viewer"]).json()
                     for j in accepted["jobs"]]
        plans.append(([d["plans"] for d in documents],
                      [{k: v for k, v in row.items() if k not in ("job_id", "scenario_id")}
                       for row in summary["variants"]]))
    assert plans[0] == plans[1]


def test_an_invalid_variant_names_its_index_and_nothing_is_stored(client: TestClient,
                                                                  auth: dict,
                                                                  tiny: Path) -> None:
    scenario_id, _ = solved(client, auth["planner"], tiny)
    url = f"/api/v1/scenarios/{scenario_id}/what-if-batch"
    before = _counts(client)
    response = client.post(url, headers=auth["planner"], json={"variants": [
        [{"op": "abolish_position", "position": "002"}],
        [{"op": "abolish_position", "position": "XYZ"}],
        [{"op": "set_rules", "rules": {"max_unit_turnover": 3}}],
    ]})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "variants[1]: edits[0] (abolish_position): position 'XYZ' is not in the "
        "positions table",
        "variants[2]: scenario.yaml line 9, key rules.max_unit_turnover: 3 is out of range; "
        "expected a number between 0 and 1",
    ]}
    assert _counts(client) == before
    # A malformed edit: FastAPI's 422 locates the variant, the edit and the field.
    response = client.post(url, headers=auth["planner"], json={"variants": [
        [{"op": "abolish_position", "position": "002"}],
        [{"op": "set_headcount", "position": "001"}]]})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "variants", 1, 0, "set_headcount", "headcount"]
    for body in ({"variants": []}, {"variants": [[]]}, {"variants": [[{"op": "explode"}]]},
                 {"variants": [[{"op": "abolish_position", "position": "002"}]],
                  "time_limit": 0}):
        assert client.post(url, headers=auth["planner"], json=body).status_code == 422, body
    assert _counts(client) == before


def test_batch_limits_and_errors(make_client, tiny: Path) -> None:
    client = make_client(max_queued=2, max_batch_variants=3)
    auth = tokens_for(client)
    unsolved = upload(client, auth["planner"], tiny)
    one = [[{"op": "abolish_position", "position": "002"}]]
    response = client.post(f"/api/v1/scenarios/{unsolved}/what-if-batch",
                           headers=auth["planner"], json={"variants": one})
    assert response.status_code == 409
    assert response.json() == {"detail": (
        f"Scenario '{unsolved}' has no finished plan to compare with; solve it first "
        f"(POST /api/v1/scenarios/{unsolved}/jobs)")}
    response = client.post("/api/v1/scenarios/nope/what-if-batch", headers=auth["planner"],
                           json={"variants": one})
    assert response.status_code == 404
    assert response.json() == {"detail": "Scenario 'nope' not found"}
    scenario_id, _ = solved(client, auth["planner"], tiny)
    url = f"/api/v1/scenarios/{scenario_id}/what-if-batch"
    before = _counts(client)
    response = client.post(url, headers=auth["planner"], json={"variants": one * 3})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert response.json() == {"detail": (
        "The job queue cannot take 3 more jobs (2 may wait); try again later or send "
        "fewer variants")}
    response = client.post(url, headers=auth["planner"], json={"variants": one * 4})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "variants: at most 3 variants in one batch (PENATA_MAX_BATCH_VARIANTS)"]}
    response = client.post(url, headers=auth["planner"],
                           json={"variants": one, "time_limit": 10_000})
    assert response.status_code == 422
    assert _counts(client) == before
    # Readers may look, only planners may start a batch; a token is needed.
    response = client.post(url, headers=auth["viewer"], json={"variants": one})
    assert response.status_code == 403
    assert client.post(url, json={"variants": one}).status_code == 401
    response = client.get("/api/v1/what-if-batches/nope", headers=auth["viewer"])
    assert response.status_code == 404
    assert response.json() == {"detail": "What-if batch 'nope' not found"}
    assert client.get("/api/v1/what-if-batches/nope").status_code == 401


def test_a_variant_that_cannot_be_solved_is_reported_in_its_row(make_client,
                                                                tiny: Path) -> None:
    client = make_client(fanout_workers=1)
    auth = tokens_for(client)
    scenario_id, _ = solved(client, auth["planner"], tiny)
    # Post 001 must be filled: abolishing it leaves no feasible plan.
    accepted = _batch(client, auth["planner"], scenario_id, [
        [{"op": "abolish_position", "position": "001"}],
        [{"op": "abolish_position", "position": "003"}]])
    summary = wait_batch(client, auth["viewer"], accepted["id"])
    infeasible, fine = summary["variants"]
    assert infeasible["status"] == "done" and infeasible["objective"] is None
    assert infeasible["objective_delta"] is None and infeasible["moves_changed"] is None
    document = client.get(f"/api/v1/jobs/{infeasible['job_id']}/plans",
                          headers=auth["viewer"]).json()
    assert document["status"] == "INFEASIBLE" and document["infeasibility"]
    assert fine["status"] == "done" and fine["objective_delta"] is not None


@pytest.fixture
def slow_variants(store_url: str, monkeypatch) -> Iterator[tuple[int, Path]]:
    """Variants that wait for ``folder/release`` (the batch's seed says where), each
    marking ``folder/started-<variant>`` with its process id: ``(seed, folder)``."""
    if not store_url.startswith("sqlite"):
        pytest.skip("the executor does not depend on the store; one run is enough")
    import fake_solvers

    import api.batch

    seed = uuid.uuid4().int % 1_000_000
    folder = fake_solvers.slow_variant_folder(seed)
    folder.mkdir()
    monkeypatch.setattr(api.batch, "solve_variant", fake_solvers.slow_variant)
    try:
        yield seed, folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _started(folder: Path, variants: list, count: int) -> list[Path]:
    """The variants' start marks, once the first ``count`` of them exist."""
    import fake_solvers

    marks = [folder / f"started-{fake_solvers.variant_key(v)}" for v in variants]
    deadline = time.monotonic() + 120
    while not all(mark.exists() for mark in marks[:count]):
        assert time.monotonic() < deadline, "the variants did not start"
        time.sleep(0.05)
    return marks


@pytest.mark.parametrize("workers", [1, 2])
def test_cancel_ends_a_variant_that_is_solving(make_client, tiny: Path, slow_variants,
                                               workers: int) -> None:
    # In a pool process (2 workers) or in this process (1: one variant after the other).
    seed, folder = slow_variants
    client = make_client(fanout_workers=workers)
    auth = tokens_for(client)
    scenario_id, _ = solved(client, auth["planner"], tiny)
    accepted = _batch(client, auth["planner"], scenario_id, VARIANTS[:2], seed=seed)
    marks = _started(folder, VARIANTS[:2], workers)
    stopped, going = accepted["jobs"]
    response = client.delete(f"/api/v1/jobs/{stopped['id']}", headers=auth["planner"])
    assert response.status_code == 202, response.text
    assert wait_job(client, auth["viewer"], stopped["id"])["status"] == "cancelled"
    pid = int(marks[0].read_text())
    if workers > 1:
        assert pid != os.getpid() and gone(pid), f"pool process {pid} still solves"
    else:  # its stop event ended it here; the next variant starts
        assert pid == os.getpid()
    plans = client.get(f"/api/v1/jobs/{stopped['id']}/plans", headers=auth["viewer"])
    assert plans.status_code == 409
    assert plans.json()["detail"] == plans_not_ready(stopped["id"], "cancelled")
    assert client.get(f"/api/v1/jobs/{going['id']}",
                      headers=auth["viewer"]).json()["status"] == "running"
    (folder / "release").write_text("go on")
    summary = wait_batch(client, auth["viewer"], accepted["id"])
    first, second = summary["variants"]
    assert first["status"] == "cancelled" and first["objective"] is None
    assert second["status"] == "done" and second["objective"] is not None


def test_a_variant_whose_base_changed_after_it_was_queued_fails_with_the_reason(
        make_client, tiny: Path) -> None:
    runner = make_client(fanout_workers=1)
    auth = tokens_for(runner)
    scenario_id, base_job = solved(runner, auth["planner"], tiny)
    move = runner.get(f"/api/v1/jobs/{base_job}/plans",
                      headers=auth["viewer"]).json()["plans"][0]["assignments"][0]
    runner.__exit__(None, None, None)  # nobody claims the batch until the next runner
    queue_only = make_client(embedded_worker=False)
    accepted = _batch(queue_only, auth["planner"], scenario_id, VARIANTS[:1])
    # A committee decision on the base between the request and the solve.
    decided = queue_only.post(f"/api/v1/scenarios/{scenario_id}/decisions",
                              headers=auth["committee"],
                              json={"action": "reject", "nip": move["nip"],
                                    "position": move["position"], "reason": "rapat"})
    assert decided.status_code == 201, decided.text
    again = make_client(fanout_workers=1)
    (row,) = wait_batch(again, auth["viewer"], accepted["id"])["variants"]
    assert (row["status"], row["error"]) == ("failed", batch_base_changed())
    assert row["objective"] is None


def test_a_stopping_server_ends_its_solving_variants_and_queues_them_again(
        make_client, tiny: Path, slow_variants) -> None:
    seed, folder = slow_variants
    client = make_client(fanout_workers=2)
    auth = tokens_for(client)
    scenario_id, _ = solved(client, auth["planner"], tiny)
    accepted = _batch(client, auth["planner"], scenario_id, VARIANTS[:2], seed=seed)
    marks = _started(folder, VARIANTS[:2], 2)
    client.__exit__(None, None, None)  # SIGTERM's path: the runner stops
    for mark in marks:  # the pool processes were ended, not waited for
        assert gone(int(mark.read_text())), mark
    with client.app.state.sessions() as session:
        jobs = [session.get(Job, job["id"]) for job in accepted["jobs"]]
        assert [(job.status, job.attempts) for job in jobs] == [("queued", 0)] * 2
    (folder / "release").write_text("go on")
    again = make_client(fanout_workers=2)
    summary = wait_batch(again, auth["viewer"], accepted["id"])
    assert [v["status"] for v in summary["variants"]] == ["done", "done"]
