"""Operations routes: /healthz, /readyz, /metrics (api/routes/health.py, api/metrics.py)."""

from __future__ import annotations

from pathlib import Path

from api_helpers import solved
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.db import make_engine, session_factory
from api.readiness import DATABASE_UNAVAILABLE, RUNNER_STOPPED


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def test_healthz_and_readyz_need_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readyz_is_503_when_the_job_runner_stopped(client: TestClient) -> None:
    client.app.state.jobs.shutdown()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": RUNNER_STOPPED}
    assert client.get("/healthz").status_code == 200  # the process still serves


def test_readyz_is_503_when_the_store_is_away(client: TestClient, tmp_path: Path) -> None:
    away = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'store.db'}")
    client.app.state.sessions = session_factory(away)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": DATABASE_UNAVAILABLE}
    assert client.get("/healthz").status_code == 200


def test_metrics_need_a_token_and_count_jobs(client: TestClient, auth: dict,
                                             tiny: Path) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    before = _samples(client.get("/metrics", headers=auth["viewer"]).text)
    assert before[("penata_jobs", (("state", "done"),))] == 0
    assert before[("penata_ready", ())] == 1
    solved(client, auth["planner"], tiny)
    response = client.get("/metrics", headers=auth["viewer"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = _samples(response.text)
    assert after[("penata_jobs", (("state", "done"),))] == 1
    assert after[("penata_jobs", (("state", "queued"),))] == 0
    assert after[("penata_job_claims_total", ())] == 1
    assert after[("penata_solve_seconds_count", (("outcome", "done"),))] == 1
    assert after[("penata_solve_seconds_sum", (("outcome", "done"),))] > 0
    assert after[("penata_queue_wait_seconds_count", ())] == 1
    assert "198001012005011001" not in response.text  # counts only, no NIP
