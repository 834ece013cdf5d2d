"""Load benchmarks of a real ``penata serve``.

    python -m benchmarks.load [--requests 50] [--rounds 3]
    python -m benchmarks.load --during-solve M [--designs process,thread]

The first starts a server on loopback with a temporary store, uploads and solves a
tiny scenario, then fires the what-if requests at once (one thread each) and prints
the status codes and the p50/p95 latency of the requests and of the jobs (request
to job done).

``--during-solve SIZE`` measures how the API answers while a big round solves: for
each design (``PENATA_JOB_ISOLATION``: ``process``, the solve in a solver process;
``thread``, the solve in a thread of the server process, as every solve ran before
issue 18) it starts a server, uploads the benchmark instance ``SIZE``
(:mod:`benchmarks.instances`, default M = Kota Medan), starts its solve and sends
``GET /api/v1/jobs/{id}`` back to back (``--interval`` apart) until the job is done;
the latencies of the answers that said ``running`` give p50/p99/max. The table,
with the 1-minute load average before and after each design, is printed and, with
``--out``, written as Markdown.
"""

from __future__ import annotations

import argparse
import datetime as dt
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


@dataclass
class SolveLatency:
    design: str
    polls: list[float]  # seconds of each GET answered while the job ran
    solve_s: float  # job started to done, as the job reports it
    status: str
    load_before: float
    load_after: float


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


def poll_during_solve(url: str, headers: dict[str, str], job_id: str, interval: float,
                      timeout: float = 3600) -> tuple[list[float], dict]:
    """GET the job until it is finished; the latencies of the answers while it ran."""
    latencies: list[float] = []
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=120) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.get(f"{url}/api/v1/jobs/{job_id}", headers=headers)
            seconds = time.perf_counter() - started
            body = response.json()
            if body["status"] == "running":
                latencies.append(seconds)
            elif body["status"] != "queued":
                return latencies, body
            time.sleep(interval)
    raise RuntimeError(f"job {job_id} not finished within {timeout} s")


def measure_during_solve(design: str, scenario_dir: Path, interval: float,
                         time_limit: float) -> SolveLatency:
    from reliability.common import Server, cli_token, server_env

    with tempfile.TemporaryDirectory(prefix=f"penata-latency-{design}-") as tmp:
        directory = Path(tmp)
        env = server_env(directory, rate_limit_per_minute=0, max_workers=1,
                         job_isolation=design, max_rows=1_000_000)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()),
                                                          env.get("PYTHONPATH")]))
        headers = {"Authorization": f"Bearer {cli_token(env, directory)}"}
        server = Server(env, directory, log_level="warning")
        try:
            files = {role: (path.name, path.read_bytes()) for role, path in
                     _scenario_files(scenario_dir).items()}
            response = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                                  files=files, timeout=600)
            response.raise_for_status()
            scenario_id = response.json()["id"]
            load_before = _load_average()
            job = httpx.post(f"{server.url}/api/v1/scenarios/{scenario_id}/jobs",
                             headers=headers, json={"time_limit": time_limit, "plans": 1},
                             timeout=120).json()["id"]
            polls, body = poll_during_solve(server.url, headers, job, interval)
            load_after = _load_average()
        finally:
            server.stop()
    started = dt.datetime.fromisoformat(body["started_at"])
    finished = dt.datetime.fromisoformat(body["finished_at"])
    return SolveLatency(design, polls, (finished - started).total_seconds(), body["status"],
                        load_before, load_after)


def _scenario_files(scenario_dir: Path) -> dict[str, Path]:
    """The upload's parts: the YAML and the tables it names."""
    import yaml

    spec = yaml.safe_load((scenario_dir / "scenario.yaml").read_text(encoding="utf-8"))
    files = {"scenario": scenario_dir / "scenario.yaml"}
    for role in ("employees", "positions", "assessments"):
        if spec.get(role):
            files[role] = scenario_dir / spec[role]
    return files


def latency_table(size: str, rows: list[SolveLatency], interval: float) -> str:
    lines = ["| design | instance | GETs while running | p50 ms | p99 ms | max ms | "
             "solve s (job) | job status | load before / after |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row.design} | {size} | {len(row.polls)} | "
            f"{1000 * percentile(row.polls, 50):.1f} | {1000 * percentile(row.polls, 99):.1f} | "
            f"{1000 * max(row.polls, default=float('nan')):.1f} | {row.solve_s:.1f} | "
            f"{row.status} | {row.load_before} / {row.load_after} |")
    return "\n".join(lines) + f"\n\nOne client, a GET every {interval * 1000:.0f} ms " \
        "after the previous answer; 1 plan, 1 solve at a time (PENATA_MAX_WORKERS=1).\n"


def during_solve_main(args: argparse.Namespace) -> None:
    from benchmarks.instances import instances
    from benchmarks.runner import DEFAULT_WORK

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    (instance,) = instances([args.during_solve], DEFAULT_WORK)
    print(f"{instance.name}: {instance.description}; {os.cpu_count()} CPU(s)")
    rows = []
    for design in args.designs.split(","):
        row = measure_during_solve(design, instance.scenario.parent, args.interval,
                                   args.time_limit)
        print(f"{design}: {len(row.polls)} GETs while running, p50 "
              f"{1000 * percentile(row.polls, 50):.1f} ms, p99 "
              f"{1000 * percentile(row.polls, 99):.1f} ms, solve {row.solve_s:.1f} s "
              f"({row.status}), load {row.load_before} -> {row.load_after}")
        rows.append(row)
    table = latency_table(instance.name, rows, args.interval)
    print(table)
    if args.out:
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        Path(args.out).write_text(
            f"# API latency during a {instance.name} solve (issue 18)\n\n"
            f"`python -m benchmarks.load --during-solve {args.during_solve} --designs "
            f"{args.designs}`, measured {stamp} on {os.cpu_count()} CPU(s) shared with "
            f"other sessions (load averages below).\n\n{instance.description}.\n\n"
            + table, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=20, help="PENATA_RATE_LIMIT_BURST")
    parser.add_argument("--during-solve", metavar="SIZE",
                        help="measure GET /jobs/{id} latency while instance SIZE solves")
    parser.add_argument("--designs", default="process,thread",
                        help="PENATA_JOB_ISOLATION values to compare (--during-solve)")
    parser.add_argument("--interval", type=float, default=0.05,
                        help="seconds between GETs (--during-solve)")
    parser.add_argument("--time-limit", type=float, default=600,
                        help="the solve's time limit (--during-solve)")
    parser.add_argument("--out", help="Markdown file for the --during-solve table")
    args = parser.parse_args()
    if args.during_solve:
        during_solve_main(args)
        return

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
