"""``python -m benchmarks.whatif``: what-if re-solves after one lock, warm vs cold.

The issue 7 target: at M, a what-if re-solve after one lock in <= 2 s. A what-if
caller talks to a running server that already solved the base scenario, so this
runs in one process like the API's job runner: solve the base once keeping its
LP (:class:`solver.model.lp.LpState`), then for each of ``--locks`` seeded random
locks (a move pair not in base plan 1):

- *warm 1 plan*: ``solve(derived, plans=1, warm=state)``, state at the previous scenario;
- *warm 3 plans*: the same lock again after the state went back to the base;
- *cold 1 plan*: ``solve(derived, plans=1)`` from scratch, the reference: its
  objective must equal the warm one (column ``agree``).

Times are in-process ``solve()`` wall times (eligibility, rows, LP, CP-SAT);
``load_s`` is what reading and validating the scenario's tables costs on top
(the API spends it when it validates the edited files). Results go to
``benchmarks/results/whatif.csv`` and ``whatif.md``.

``--api`` measures the same locks through the HTTP API instead (an in-process
server with a temporary SQLite store): upload, solve the base as a job, then
``POST /what-if`` with ``warm_start: true`` per lock, timed from the request to
the job being done (polled every 50 ms), to ``whatif_api.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.instances import instances
from benchmarks.runner import DEFAULT_OUT, DEFAULT_WORK, machine
from solver.eligibility import build_problem
from solver.io import load_scenario
from solver.model.lp import LpState
from solver.result import Result, SolveParams
from solver.scenario import Pair, Scenario
from solver.solve import solve

TARGET_S = 2.0
COLUMNS = ["instance", "measured_at", "lock", "pairs", "load_s", "base_s", "status",
           "warm1_s", "warm1_lp_s", "warm1_eligibility_s", "warm1_rows_s", "warm1_cpsat_s",
           "warm1_proof", "warm3_s", "warm3_status", "cold1_s", "objective", "cold_objective",
           "agree"]


def _timed(scenario: Scenario, plans: int, state: LpState | None,
           time_limit: float) -> tuple[Result, float]:
    started = time.perf_counter()
    result = solve(scenario, SolveParams(plans=plans, time_limit=time_limit), warm=state)
    return result, time.perf_counter() - started


def measure(path: Path, name: str, locks: int, seed: int, time_limit: float,
            log: Any = print) -> list[dict[str, Any]]:
    started = time.perf_counter()
    base_scenario = load_scenario(path)
    load_s = time.perf_counter() - started
    state = LpState()
    base, base_s = _timed(base_scenario, 1, state, time_limit)
    log(f"{name}: base solved in {base_s:.2f} s ({base.status}); load {load_s:.2f} s",
        flush=True)
    problem = build_problem(base_scenario)
    pairs = problem.pairs
    chosen = {(a.nip, a.position) for a in base.plans[0].assignments} if base.plans else set()
    moves = np.flatnonzero(~pairs.stay & ~pairs.lock)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for j in rng.permutation(moves):
        if len(rows) == locks:
            break
        lock = Pair(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[pairs.pos[j]]))
        if (lock.nip, lock.position) in chosen:
            continue
        derived = base_scenario.replace(locks=(*base_scenario.locks, lock))
        warm1, warm1_s = _timed(derived, 1, state, time_limit)
        warm3: Result | None = None
        warm3_s = float("nan")
        if warm1.plans:  # ranked plans of an infeasible lock: nothing to time
            _timed(base_scenario, 1, state, time_limit)  # back to the base
            warm3, warm3_s = _timed(derived, 3, state, time_limit)
        cold1, cold1_s = _timed(derived, 1, None, time_limit)
        objective = warm1.plans[0].objective if warm1.plans else None
        cold_objective = cold1.plans[0].objective if cold1.plans else None
        row = {
            "instance": name, "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
            "lock": len(rows) + 1, "pairs": len(pairs), "load_s": round(load_s, 3),
            "base_s": round(base_s, 3), "status": warm1.status,
            "warm1_s": round(warm1_s, 3), "warm1_lp_s": warm1.stats.get("lp_s", ""),
            "warm1_eligibility_s": warm1.stats.get("eligibility_s", ""),
            "warm1_rows_s": warm1.stats.get("rows_s", ""),
            "warm1_cpsat_s": warm1.stats.get("cpsat_s", ""),
            "warm1_proof": warm1.stats.get("plan1_proof", ""),
            "warm3_s": round(warm3_s, 3), "warm3_status": warm3.status if warm3 else "",
            "cold1_s": round(cold1_s, 3), "objective": objective,
            "cold_objective": cold_objective,
            "agree": warm1.status == cold1.status and objective == cold_objective,
        }
        log(f"{name} lock {row['lock']}: {row['status']} warm 1 plan {warm1_s:.2f} s, "
            f"3 plans {warm3_s:.2f} s, cold {cold1_s:.2f} s, agree {row['agree']}",
            flush=True)
        rows.append(row)
    return rows


def _median(rows: list[dict[str, Any]], key: str) -> float:
    values = [float(r[key]) for r in rows if str(r[key]) not in ("", "nan")]
    return statistics.median(values) if values else float("nan")


def _f(value: Any) -> str:
    return "—" if str(value) in ("", "nan") else f"{float(value):.2f}"


def _write(path: Path, lines: list[str], note: str) -> None:
    path.write_text("\n".join([*lines, "", note, ""]))


def _header(title: str, command: str) -> list[str]:
    info = machine()
    return [
        f"# {title} (issue 7)",
        "",
        f"Written by `{command}` (module docstring of `benchmarks/whatif.py` says what is "
        f"timed). Machine: {info['nproc']} cores, {info['cpu']}, {info['ram']}; "
        f"OR-Tools {info['ortools']}, highspy {info['highspy']}.",
        "",
    ]


def write_markdown(path: Path, rows: list[dict[str, Any]], command: str) -> None:
    lines = [
        *_header("What-if re-solves after one lock", command),
        "| instance | lock | status | warm 1 plan s | LP s | eligibility s | rows s | "
        "CP-SAT s | plan 1 proof | warm 3 plans s | cold 1 plan s | objective | "
        "warm = cold |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['lock']} | {r['status']} | {float(r['warm1_s']):.2f} | "
            f"{r['warm1_lp_s']} | {r['warm1_eligibility_s']} | {r['warm1_rows_s']} | "
            f"{r['warm1_cpsat_s']} | {r['warm1_proof'] or '—'} | {_f(r['warm3_s'])} | "
            f"{float(r['cold1_s']):.2f} | {r['objective']} | {r['agree']} |")
    infeasible = [r for r in rows if r["status"] == "INFEASIBLE"]
    if infeasible:
        lines += ["", f"{len(infeasible)} of the {len(rows)} random locks make the round "
                  "infeasible (e.g. the post's holder can go nowhere else, or the unit has "
                  "no turnover left). Their time is proving infeasibility (LP) and naming "
                  "the conflicting rules; they are left out of the medians below."]
    lines += ["", "Per instance, locks that leave a feasible round (medians):", "",
              "| instance | pairs | load s | base solve s | warm 1 plan s | warm 3 plans s | "
              "cold 1 plan s | warm 1 plan <= 2 s | all agree |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name in dict.fromkeys(r["instance"] for r in rows):
        mine = [r for r in rows if r["instance"] == name and r["status"] != "INFEASIBLE"]
        if not mine:
            continue
        met = sum(float(r["warm1_s"]) <= TARGET_S for r in mine)
        agree = all(str(r["agree"]) == "True" for r in mine)
        lines.append(
            f"| {name} | {int(mine[0]['pairs']):,} | {float(mine[0]['load_s']):.2f} | "
            f"{float(mine[0]['base_s']):.2f} | {_median(mine, 'warm1_s'):.2f} | "
            f"{_median(mine, 'warm3_s'):.2f} | {_median(mine, 'cold1_s'):.2f} | "
            f"{met} of {len(mine)} | {agree} |")
    _write(path, lines, "*load s* is not in the solve times: reading and validating the "
           "tables, which the API does once per what-if request when it validates the "
           "edited files.")


def measure_api(path: Path, name: str, locks: int, seed: int, time_limit: float,
                log: Any = print) -> list[dict[str, Any]]:
    import tempfile

    from fastapi.testclient import TestClient

    from api.config import Settings
    from api.main import create_app
    from api.security import create_token

    folder = path.parent
    scenario = load_scenario(path)
    problem = build_problem(scenario)
    pairs = problem.pairs
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as store:
        settings = Settings(database_url=f"sqlite:///{store}/penata.db", rate_limit_per_minute=0,
                            max_request_bytes=1024 * 1024 * 1024, max_time_limit=time_limit)
        app = create_app(settings)
        with TestClient(app) as client:
            with app.state.sessions() as session:
                _, token = create_token(session, "planner")
            auth = {"Authorization": f"Bearer {token}"}

            def wait(job: str) -> dict[str, Any]:
                while True:
                    body: dict[str, Any] = client.get(f"/api/v1/jobs/{job}", headers=auth).json()
                    if body["status"] in ("done", "failed", "cancelled"):
                        return body
                    time.sleep(0.05)

            files = {role: (f"{role}.{'yaml' if role == 'scenario' else 'csv'}",
                            (folder / f"{role}.{'yaml' if role == 'scenario' else 'csv'}")
                            .read_bytes())
                     for role in ("scenario", "employees", "positions")}
            started = time.perf_counter()
            scenario_id = client.post("/api/v1/scenarios", headers=auth, files=files).json()["id"]
            upload_s = time.perf_counter() - started
            started = time.perf_counter()
            base_job = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=auth,
                                   json={"plans": 1, "time_limit": time_limit}).json()["id"]
            wait(base_job)
            base_s = time.perf_counter() - started
            log(f"{name} (API): upload {upload_s:.2f} s, base job {base_s:.2f} s", flush=True)
            document = client.get(f"/api/v1/jobs/{base_job}/plans", headers=auth).json()
            chosen = {(a["nip"], a["position"]) for a in document["plans"][0]["assignments"]}
            moves = np.flatnonzero(~pairs.stay & ~pairs.lock)
            for j in np.random.default_rng(seed).permutation(moves):
                if len(rows) == locks:
                    break
                nip = str(problem.nips[pairs.emp[j]])
                post = str(problem.position_ids[pairs.pos[j]])
                if (nip, post) in chosen:
                    continue
                load = os.getloadavg()[0]
                started = time.perf_counter()
                response = client.post(
                    f"/api/v1/scenarios/{scenario_id}/what-if", headers=auth,
                    json={"edits": [{"op": "lock", "nip": nip, "position": post}], "plans": 1,
                          "time_limit": time_limit, "warm_start": True})
                accepted_s = time.perf_counter() - started
                job = response.json()["id"]
                wait(job)
                done_s = time.perf_counter() - started
                run = client.get(f"/api/v1/jobs/{job}/plans", headers=auth).json()
                row = {"instance": name, "lock": len(rows) + 1, "status": run["status"],
                       "accepted_s": round(accepted_s, 3), "done_s": round(done_s, 3),
                       "solve_s": run["run"]["runtime_s"],
                       "lp_warm": run["run"].get("lp_warm", 0),
                       "reused": run["run"].get("reused", ""),
                       "load": round(load, 2), "load_after": round(os.getloadavg()[0], 2),
                       "upload_s": round(upload_s, 3), "base_job_s": round(base_s, 3)}
                log(f"{name} (API) lock {row['lock']}: {row['status']}, 202 after "
                    f"{accepted_s:.2f} s, done after {done_s:.2f} s", flush=True)
                rows.append(row)
    return rows


def write_api_markdown(path: Path, rows: list[dict[str, Any]], command: str) -> None:
    lines = [
        *_header("What-if after one lock through the HTTP API", command),
        "| instance | lock | status | 202 after s | job done after s | solve s | warm LP | "
        "kept base | upload s | base job s | load before / after |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['instance']} | {r['lock']} | {r['status']} | {r['accepted_s']:.2f} | "
                     f"{r['done_s']:.2f} | {r['solve_s']} | {'yes' if r['lp_warm'] else 'no'} | "
                     f"{'yes' if r['reused'] == 'problem' else 'no'} | "
                     f"{r['upload_s']:.2f} | {r['base_job_s']:.2f} | "
                     f"{r['load']:.2f} / {r['load_after']:.2f} |")
    _write(path, lines, "*202 after*: reading, editing and validating the tables in the "
           "request. *job done after*: from the request to the job's status `done` (solve, "
           "plans document with explanations and diff, store). *kept base*: the solver "
           "process started from the base's kept problem and core plan (solver/reuse.py, "
           "`run.reused`). *load*: 1-minute load average on the 2 cores before the request "
           "and after the job.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.whatif",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="M", help="comma-separated sizes (default: M)")
    parser.add_argument("--locks", type=int, default=5, help="locks per size (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="per solve, as the API's default (60 s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--api", action="store_true",
                        help="through the HTTP API instead (whatif_api.md)")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.whatif " + " ".join(argv if argv is not None else
                                                         __import__("sys").argv[1:])
    rows: list[dict[str, Any]] = []
    if args.api:
        for inst in instances(args.sizes.split(","), args.work):
            rows += measure_api(inst.scenario, inst.name, args.locks, args.seed, args.time_limit)
        args.out.mkdir(parents=True, exist_ok=True)
        write_api_markdown(args.out / "whatif_api.md", rows, command.strip())
        print((args.out / "whatif_api.md").read_text())
        return 0
    for inst in instances(args.sizes.split(","), args.work):
        rows += measure(inst.scenario, inst.name, args.locks, args.seed, args.time_limit)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "whatif.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    write_markdown(args.out / "whatif.md", rows, command.strip())
    print((args.out / "whatif.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
