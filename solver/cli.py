"""``penata validate``, ``penata solve``, ``penata solve-many`` and ``penata generate``
(the engine's commands).

The whole ``penata`` command line is assembled in :mod:`api.cli` (the top of the
dependency graph), which registers these with :func:`register`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from solver.atomic import write_atomic
from solver.cli_common import EXIT_INVALID, console, exit_invalid, load_or_exit
from solver.result import Progress, Result, SolveParams
from solver.scenario import Scenario


def validate(scenario: Annotated[Path, typer.Argument(help="Scenario YAML file")]) -> None:
    """Check a scenario's input files without solving."""
    data = load_or_exit(scenario)
    console.print(f"[green]OK[/] {escape(data.name)}: {len(data.employees)} employees, "
                  f"{len(data.positions)} positions, {len(data.assessments)} assessments.")


def _summary_table(result: Result, scenario: Scenario) -> Table:
    table = Table(title=escape(f"{result.scenario}: {result.status}"))
    for column in ("plan", "objective", "bound", "proven", "assignments", "moves",
                   "promotions"):
        table.add_column(column, justify="right")
    levels = dict(zip(scenario.positions["id"], scenario.positions["level"], strict=True))
    for plan in result.plans:
        moves = [a for a in plan.assignments if a.position != a.origin]
        promotions = sum(1 for a in moves if a.origin and levels[a.position] > levels[a.origin])
        table.add_row(str(plan.rank), f"{plan.objective:,}", f"{plan.bound:,}",
                      "yes" if plan.optimal else "no", str(len(plan.assignments)),
                      str(len(moves)), str(promotions))
    return table


def solve(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file")],
    out: Annotated[Path, typer.Option("--out", help="Output directory")],
    plans: Annotated[int | None, typer.Option(min=1, help="Ranked plans (default: scenario)")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for the whole solve")] = 120.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT worker threads (1 is deterministic and usually fastest)")] = 1,
    seed: Annotated[int, typer.Option(help="CP-SAT random seed")] = 0,
    shortlist_time: Annotated[float | None, typer.Option(
        min=0, help="Seconds for exact shortlists (3 names per post); 0 skips them. "
        "Default: the smaller of 60 and --time-limit")] = None,
    packet: Annotated[bool, typer.Option(
        help="Also write plans.xlsx and review.html for the committee")] = True,
) -> None:
    """Solve a scenario; write plans.json, plans.csv, plans.xlsx and review.html into --out."""
    from solver.output import write_outputs
    from solver.solve import solve as run_solve

    data = load_or_exit(scenario)
    if out.exists() and not out.is_dir():
        console.print(f"[red]--out {escape(str(out))} is a file; give a directory[/]")
        raise typer.Exit(EXIT_INVALID)
    status = Text("building model…")

    def on_progress(event: Progress) -> None:
        bound = f"{event.bound:,.0f}" if event.bound is not None else "-"
        best = f"{event.best:,}" if event.best is not None else "-"
        status.plain = (f"plan {event.plan}: best {best}  bound {bound}  "
                        f"{event.elapsed:.1f} s")

    params = SolveParams(plans=plans, time_limit=time_limit, workers=workers, seed=seed,
                         progress=on_progress)
    with Live(status, console=console, transient=True, refresh_per_second=8,
              redirect_stdout=False):
        result = run_solve(data, params)
    if shortlist_time is None:
        shortlist_time = min(60.0, time_limit)
    status.plain = "explaining plans…"

    def on_shortlist(done: int, total: int) -> None:
        status.plain = (f"plans written to {out}; shortlists {done}/{total}" if done
                        else f"plans written to {out}; computing shortlists…")

    try:
        with Live(status, console=console, transient=True, refresh_per_second=8,
                  redirect_stdout=False):
            paths = write_outputs(result, data, out, params, shortlist_time=shortlist_time,
                                  packet=packet, on_shortlist=on_shortlist)
    except OSError as exc:
        console.print(f"[red]cannot write the plans into {escape(str(out))}: "
                      f"{escape(str(exc.strerror or exc))}[/]")
        raise typer.Exit(EXIT_INVALID) from None
    console.print(_summary_table(result, data))
    for reason in result.infeasibility:
        console.print(f"[red]infeasible:[/] {escape(reason)}", highlight=False)
    console.print(f"{result.runtime:.2f} s; wrote " + ", ".join(str(p) for p in paths),
                  markup=False)
    _print_review_summary(out, shortlists=shortlist_time > 0)
    raise typer.Exit(0 if result.plans else 1)


def solve_many(
    scenarios: Annotated[list[Path], typer.Argument(
        help="Scenario YAML files, one per round (e.g. each instansi's scenario.yaml)")],
    out: Annotated[Path, typer.Option("--out", help="Output folder: OUT/<round>/ per round")],
    plans: Annotated[int | None, typer.Option(min=1, help="Ranked plans (default: each round's)")] = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds for each round's solve")] = 120.0,
    shortlist_time: Annotated[float | None, typer.Option(
        min=0, help="Seconds for each round's exact shortlists; 0 skips them. "
        "Default: the smaller of 60 and --time-limit")] = None,
    packet: Annotated[bool, typer.Option(
        help="Also write each round's plans.xlsx and review.html")] = True,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Local worker processes (default PENATA_FANOUT_WORKERS, else one per "
        "CPU; 1 = one after the other); PENATA_RAY_ADDRESS runs the rounds on Ray")] = None,
) -> None:
    """Many rounds at once (e.g. every instansi a BKD serves): each round solved and
    written as `penata solve` does it, into OUT/<round>/, side by side on local worker
    processes or Ray; OUT/summary.csv lists each round's status and plan 1."""
    from solver import fanout
    from solver.io import InputError
    from solver.rounds import (
        RoundOutput,
        RoundParams,
        read_rounds,
        solve_round,
        summary_csv,
        write_round,
    )

    if out.exists() and not out.is_dir():
        exit_invalid([f"--out {out} is a file; give a directory"])
    try:
        rounds = read_rounds(scenarios)
    except InputError as exc:
        exit_invalid(exc.errors)
    params = RoundParams(plans=plans, time_limit=time_limit, packet=packet,
                         shortlist_time=min(60.0, time_limit) if shortlist_time is None
                         else shortlist_time)
    status = Text(f"rounds 0/{len(rounds)}")
    finished = [0]

    def on_result(index: int, value: object) -> None:
        # Each round is written as soon as it is solved: a long batch keeps what is done.
        if isinstance(value, RoundOutput):
            write_round(value, out)
        finished[0] += 1
        status.plain = f"rounds {finished[0]}/{len(rounds)} (last: {rounds[index].name})"

    out.mkdir(parents=True, exist_ok=True)
    with Live(status, console=console, transient=True, refresh_per_second=4,
              redirect_stdout=False):
        results = fanout.executor(workers).run(solve_round, params, rounds,
                                               on_result=on_result)
    write_atomic(out / "summary.csv", summary_csv(rounds, results))
    table = Table("round", "status", "plans", "objective", "s")
    for item, value in zip(rounds, results, strict=True):
        if isinstance(value, RoundOutput):
            table.add_row(escape(item.name), value.status, str(value.plans),
                          "-" if value.objective is None else f"{value.objective:,}",
                          f"{value.runtime_s:.2f}")
        else:
            table.add_row(escape(item.name), "[red]ERROR[/]", "0", "-",
                          escape(f"{value.kind}: {value.message}"))
    console.print(table)
    for item, value in zip(rounds, results, strict=True):
        for reason in getattr(value, "infeasibility", ()):
            console.print(f"[red]{escape(item.name)} infeasible:[/] {escape(reason)}",
                          highlight=False)
    console.print(f"{len(rounds)} round(s); wrote {out / 'summary.csv'}", markup=False,
                  highlight=False)
    solved = all(isinstance(v, RoundOutput) and v.plans for v in results)
    raise typer.Exit(0 if solved else 1)


def _print_review_summary(out: Path, shortlists: bool = True) -> None:
    # Without shortlists there is nothing to count: at city scale reading plans.json
    # back (10 MB) costs a fifth of a second.
    doc = json.loads((out / "plans.json").read_text(encoding="utf-8")) if shortlists \
        else {"plans": []}
    for plan in doc["plans"]:
        lists = plan.get("shortlists")
        if lists is None:
            continue
        complete = sum(1 for entry in lists if entry.get("complete"))
        console.print(f"plan {plan['rank']}: shortlists complete for {complete} of "
                      f"{len(lists)} posts filled by a move")
    if (out / "review.html").exists():
        console.print(f"committee packet: open {out / 'review.html'} in a browser", markup=False)


def generate(
    profile: Annotated[str, typer.Option(help="Profile name, e.g. kota_medan")],
    out: Annotated[Path, typer.Option(help="Output directory")],
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    employees: Annotated[int | None, typer.Option(min=1, help="Override employee count")] = None,
    voice: Annotated[bool, typer.Option(
        help="Also write preferences.csv and units.csv (MODEL.md section 9)")] = False,
    format: Annotated[str, typer.Option(
        "--format", help="model: the MODEL.md scenario; siasn: the same round as the "
        "exports `penata import siasn` reads (docs/import.md)")] = "model",
) -> None:
    """Generate a realistic scenario (YAML + CSV) for a profile."""
    from solver.generate import PROFILES, generate_scenario, generate_siasn

    if profile not in PROFILES:
        console.print(f"[red]Unknown profile {escape(repr(profile))}[/]; choose one of: "
                      + ", ".join(sorted(PROFILES)))
        raise typer.Exit(EXIT_INVALID)
    if format not in ("model", "siasn") or (format == "siasn" and voice):
        console.print("--format is model or siasn (--voice only with model)", style="red",
                      markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID)
    extra = {"voice": True} if voice else {}
    if format == "siasn":
        path = generate_siasn(profile, seed, out, employees=employees)
    else:
        path = generate_scenario(profile, seed, out, employees=employees, **extra)
    console.print(f"wrote {path}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the engine's commands to the ``penata`` CLI."""
    app.command()(validate)
    app.command()(solve)
    app.command("solve-many")(solve_many)
    app.command()(generate)


if __name__ == "__main__":
    # The whole command line is assembled in api/cli.py (solver never imports api).
    raise SystemExit("run `penata ...` or `python -m api.cli ...`")
