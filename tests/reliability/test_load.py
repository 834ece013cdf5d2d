"""50 concurrent what-if requests at a real server on loopback.

Promise: under load every request completes (202) or is refused with 429 and a
Retry-After (per-token rate limit); none fails, nothing answers 5xx, and every
accepted job finishes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.load import fire_what_ifs, prepare
from reliability.common import Server, cli_token, server_env, wait_job

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_fifty_concurrent_what_ifs(tmp_path: Path) -> None:
    env = server_env(tmp_path, rate_limit_per_minute=60, rate_limit_burst=20, max_workers=1)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    server = Server(env, tmp_path, log_level="warning")
    try:
        scenario_id = prepare(server.url, headers, tmp_path / "tiny")
        outcomes = fire_what_ifs(server.url, headers, scenario_id, count=50)
        codes = sorted(o.status for o in outcomes)
        assert len(outcomes) == 50
        assert set(codes) <= {202, 429}, codes
        assert codes.count(202) >= 15 and codes.count(429) >= 1, codes
        assert all(o.retry_after for o in outcomes if o.status == 429)
        for outcome in outcomes:
            if outcome.status == 202:
                job = wait_job(server.url, headers, outcome.job_id, timeout=180)
                assert job["status"] == "done", job
        assert "Traceback" not in server.log()
    finally:
        server.stop()
