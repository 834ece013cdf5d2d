"""Load benchmark: N concurrent what-if requests at a real ``penata serve``.

    python -m benchmarks.load [--requests 50] [--rounds 3]

Starts a server on loopback with a temporary store, uploads and solves a tiny
scenario, then fires the what-if requests at once (one thread each) and prints
the status codes and the p50/p95 latency of the requests and of the jobs
(request to job done).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

TINY_YAML = """\
name: tiny
as_of: 2027-01-02
employees: employees.csv
positions: positions.csv
plans:
  count: 2
  min_difference: 1
"""
TINY_POSITIONS = """\
id,title,unit,level,grade_min,grade_max,headcount,must_fill,priority,c.integritas
001,Kepala Seksi A,Dinas A,3,III/c,III/d,1,true,2,3
002,Kepala Seksi B,Dinas A,3,III/c,III/d,1,,1,4
003,Kabid,Dinas A,4,III/d,IV/a,1,,3,4
"""
TINY_EMPLOYEES = """\
nip,name,grade,current_position,position_since,current_level,performance,potential,c.integritas
198001012005011001,Andi,III/d,001,2020-01-01,,sangat_baik,tinggi,4
198101012005011002,Budi,III/c,002,2024-01-01,,baik,menengah,3
198201012005011003,Citra,III/d,,,3,baik,tinggi,4
"""


@dataclass
class Outcome:
    status: int
    seconds: float
    job_id: str | None
    retry_after: str | None


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def prepare(url: str, headers: dict[str, str], directory: Path) -> str:
    """Upload and solve the tiny scenario; return its id (what-ifs need a done job)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {"scenario": ("scenario.yaml", TINY_YAML.encode()),
             "employees": ("employees.csv", TINY_EMPLOYEES.encode()),
             "positions": ("positions.csv", TINY_POSITIONS.encode())}
    response = httpx.post(f"{url}/api/v1/scenarios", headers=headers, files=files, timeout=60)
    response.raise_for_status()
    scenario_id = response.json()["id"]
    job = httpx.post(f"{url}/api/v1/scenarios/{scenario_id}/jobs", headers=headers,
                     json={"time_limit": 30}, timeout=60).json()["id"]
    deadline = time.monotonic() + 120
    while httpx.get(f"{url}/api/v1/jobs/{job}", headers=headers,
                    timeout=30).json()["status"] != "done":
        if time.monotonic() > deadline:
            raise RuntimeError("the base solve did not finish")
        time.sleep(0.1)
    return scenario_id


def fire_what_ifs(url: str, headers: dict[str, str], scenario_id: str,
                  count: int = 50) -> list[Outcome]:
    """``count`` what-if requests released at the same instant, one thread each."""
    outcomes: list[Outcome | None] = [None] * count
    gate = threading.Barrier(count)

    def one(index: int) -> None:
        body = {"edits": [{"op": "set_headcount", "position": "002",
                           "headcount": index % 3}], "time_limit": 10}
        with httpx.Client(timeout=120) as client:
            gate.wait()
            started = time.perf_counter()
            try:
                response = client.post(f"{url}/api/v1/scenarios/{scenario_id}/what-if",
                                       headers=headers, json=body)
                status = response.status_code
                job_id = response.json().get("id") if status == 202 else None
                retry = response.headers.get("Retry-After")
            except httpx.HTTPError:
                status, job_id, retry = 0, None, None
            outcomes[index] = Outcome(status, time.perf_counter() - started, job_id, retry)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [o for o in outcomes if o is not None]


def job_latencies(url: str, headers: dict[str, str], outcomes: list[Outcome],
                  fired: float) -> list[float]:
    """Seconds from firing to each accepted job being done."""
    pending = {o.job_id for o in outcomes if o.job_id}
    done: list[float] = []
    deadline = time.monotonic() + 300
    while pending and time.monotonic() < deadline:
        for job_id in list(pending):
            status = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers=headers,
                               timeout=30).json()["status"]
            if status in ("done", "failed", "cancelled"):
                pending.discard(job_id)
                done.append(time.perf_counter() - fired)
        time.sleep(0.05)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=20, help="PENATA_RATE_LIMIT_BURST")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from reliability.common import Server, cli_token, server_env

    with tempfile.TemporaryDirectory(prefix="penata-load-") as tmp:
        directory = Path(tmp)
        env = server_env(directory, rate_limit_per_minute=60, rate_limit_burst=args.burst,
                         max_workers=1)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()),
                                                          env.get("PYTHONPATH")]))
        server = Server(env, directory, log_level="warning")
        try:
            print(f"penata serve on {server.url}; {os.cpu_count()} CPU(s); "
                  f"{args.requests} concurrent what-ifs x {args.rounds} round(s), "
                  f"rate limit burst {args.burst}, 1 solve at a time")
            print(f"{'round':>5} {'202':>4} {'429':>4} {'other':>5} {'req p50':>8} "
                  f"{'req p95':>8} {'job p50':>8} {'job p95':>8}")
            for round_ in range(1, args.rounds + 1):
                # A fresh token per round: each round starts with a full bucket.
                headers = {"Authorization": f"Bearer {cli_token(env, directory)}"}
                scenario_id = prepare(server.url, headers, directory / f"tiny{round_}")
                fired = time.perf_counter()
                outcomes = fire_what_ifs(server.url, headers, scenario_id, args.requests)
                jobs = job_latencies(server.url, headers, outcomes, fired)
                codes = [o.status for o in outcomes]
                seconds = [o.seconds for o in outcomes]
                print(f"{round_:>5} {codes.count(202):>4} {codes.count(429):>4} "
                      f"{len(codes) - codes.count(202) - codes.count(429):>5} "
                      f"{percentile(seconds, 50):>7.3f}s {percentile(seconds, 95):>7.3f}s "
                      f"{percentile(jobs, 50):>7.3f}s {percentile(jobs, 95):>7.3f}s")
            print(f"median of all request latencies: {statistics.median(seconds):.3f} s")
        finally:
            server.stop()
        if subprocess.run(["grep", "-c", "Traceback", str(server.log_path)],
                          capture_output=True, text=True).stdout.strip() not in ("", "0"):
            print("server log has a traceback:", server.log_path)


if __name__ == "__main__":
    main()
