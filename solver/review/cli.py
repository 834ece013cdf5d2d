"""`penata decide`, `penata audit` and `penata review` (registered by api.cli)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

console = Console(stderr=True)
EXIT_INVALID = 2


def decide_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file (locks/forbid are "
                                             "rewritten in place)")],
    plans: Annotated[Path, typer.Option("--plans", help="The plans.json decided on")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the audit log)")],
    by: Annotated[str, typer.Option("--by", help="Who decides (name or role)")],
    approve: Annotated[str | None, typer.Option("--approve", metavar="NIP=POS",
                                                help="Approve this move: it becomes a lock")] = None,
    reject: Annotated[str | None, typer.Option("--reject", metavar="NIP=POS",
                                               help="Reject this move: it becomes a forbid")] = None,
) -> None:
    """Approve or reject a move; the next solve honours it; the audit log records it."""
    from solver.review.decisions import DecisionError, decide, parse_pair

    if (approve is None) == (reject is None):
        console.print("[red]Give exactly one of --approve NIP=POS or --reject NIP=POS.[/]")
        raise typer.Exit(EXIT_INVALID)
    action = "approve" if approve is not None else "reject"
    try:
        nip, position = parse_pair(approve if approve is not None else reject)  # type: ignore[arg-type]
        entry = decide(scenario, plans, action, nip, position, reason, by)
    except DecisionError as exc:
        console.print(f"[red]Decision not recorded:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    what = "locked into" if action == "approve" else "forbidden from"
    console.print(f"#{entry['seq']} {entry['at']} {by}: {nip} {what} {position}; "
                  f"plans sha256 {entry['plans_sha256'][:12]}…; re-solve to apply.",
                  highlight=False, markup=False)


def audit_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file")],
) -> None:
    """List the scenario's decisions and verify the audit log's hash chain."""
    from solver.review.decisions import log_path, read_log, verify_log

    problems = verify_log(scenario)
    try:
        entries = read_log(scenario)
    except json.JSONDecodeError:
        entries = []
    for entry in entries:
        console.print(f"#{entry.get('seq')} {entry.get('at')} {entry.get('by')}: "
                      f"{entry.get('action')} {entry.get('nip')} → {entry.get('position')} "
                      f"({entry.get('reason')})", highlight=False, markup=False)
    for problem in problems:
        console.print(f"[red]{escape(problem)}[/]", highlight=False)
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]audit chain verifies[/] ({len(entries)} entries, "
                  f"{escape(str(log_path(scenario)))})")


def review_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file")],
    out: Annotated[Path, typer.Option("--out", help="Directory holding plans.json")],
    shortlist_time: Annotated[float, typer.Option(min=0.0, help="Seconds for exact "
                                                  "shortlists (all plans)")] = 60.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT worker threads")] = 1,
) -> None:
    """Add explanations and exact shortlists to an existing plans.json and write
    plans.xlsx and review.html beside it (plans.json must match the scenario as it is)."""
    from solver.atomic import write_atomic
    from solver.cli_common import load_or_exit
    from solver.document import add_explanations, add_shortlists, input_hash
    from solver.eligibility import build_problem
    from solver.result import SolveParams
    from solver.review.packet import result_from_document, write_review_packet

    data = load_or_exit(scenario)
    path = out / "plans.json"
    if not path.is_file():
        console.print(f"[red]{escape(str(path))} not found[/]; run penata solve first.")
        raise typer.Exit(EXIT_INVALID)
    doc = json.loads(path.read_text(encoding="utf-8"))
    recorded = doc.get("provenance", {}).get("input_sha256")
    if recorded and recorded != input_hash(data):
        console.print(f"[red]{escape(str(path))} was solved from a different version of "
                      f"{escape(str(scenario))}[/] "
                      "(decisions or edits since?); solve again first.")
        raise typer.Exit(EXIT_INVALID)
    seed = int(doc.get("provenance", {}).get("params", {}).get("seed", 0))
    params = SolveParams(workers=workers, seed=seed)
    result = result_from_document(doc)
    problem = build_problem(data)
    add_explanations(doc, data, problem)
    add_shortlists(doc, data, result, params, shortlist_time, problem)
    write_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    written = [path, *write_review_packet(doc, data, out, problem=problem)]
    console.print("wrote " + ", ".join(str(p) for p in written), markup=False)


def register(app: typer.Typer) -> None:
    """Add the review commands to the ``penata`` CLI."""
    app.command("decide")(decide_command)
    app.command("audit")(audit_command)
    app.command("review")(review_command)
