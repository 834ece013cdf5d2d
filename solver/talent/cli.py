"""`penata succession` and `penata training` (registered by api.cli): the talent
outputs of a scenario without a new solve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console(stderr=True)
EXIT_INVALID = 2


def _fail(message: str) -> typer.Exit:
    """Print ``message`` as plain text (paths and names are user text, never markup)
    and return the exit-2 exception to raise."""
    console.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_INVALID)


def _read_document(path: Path) -> dict[str, Any]:
    """A plans.json document; exit 2 with the reason when it cannot be read."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(f"{path}: file not found; run penata solve first.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(f"{path}: not a plans.json document ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("plans"), list):
        raise _fail(f"{path}: not a plans.json document (no plans list)")
    return doc


def _load(scenario: Path, plans: Path | None) -> tuple[Any, dict[str, Any] | None]:
    from solver.cli_common import load_or_exit

    data = load_or_exit(scenario)
    return data, _read_document(plans) if plans is not None else None


def _write_atomic(path: Path, text: str) -> None:
    from solver.atomic import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise _fail(f"cannot write {path}: {exc.strerror or exc}") from None


def succession_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file")],
    plans: Annotated[Path | None, typer.Option(
        "--plans", help="plans.json of a solve: plan 1's holders of a critical post are not "
        "listed as its successors (without it, only the current holders)")] = None,
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Also write the succession lists as JSON to this file")] = None,
) -> None:
    """Succession lists of the critical posts (positions column critical)."""
    from solver.talent.service import DocumentMismatch, document_succession

    data, doc = _load(scenario, plans)
    try:
        entries = document_succession(data, doc)
    except DocumentMismatch as exc:
        raise _fail(f"{plans}: {exc}") from None
    if json_out is not None:
        _write_atomic(json_out, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
    names = dict(zip(data.employees["nip"], data.employees["name"], strict=True))
    titles = dict(zip(data.positions["id"], data.positions["title"], strict=True))
    table = Table(title=f"Suksesi jabatan kritis: {data.name}")
    for column in ("jabatan", "pemangku (bulan ke BUP / batas 5 th)", "suksesor", "status"):
        table.add_column(column)
    for entry in entries:
        holders = "\n".join(f"{names[h['nip']]} ({h['months_to_retirement']} / "
                            f"{h['months_to_tenure_limit']})" for h in entry["holders_outlook"])
        successors = "\n".join(
            f"{k}. {names[n['nip']]} {n['nip']}: fit {n['fit']}, kotak {n['box']}, "
            f"{n['readiness']}" for k, n in enumerate(entry["names"], start=1))
        status = "berisiko" if entry["at_risk"] else ("siap" if entry["ready"] else
                                                      "perlu pengembangan")
        # Names come from the user's files: Text cells, never rich markup.
        table.add_row(Text(f"{entry['position']} {titles[entry['position']]}"),
                      Text(holders or "kosong"), Text(successors or "tidak ada"), Text(status))
    console.print(table)
    if not entries:
        console.print("No position is marked critical (positions column critical).")


def training_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file")],
    plans: Annotated[Path, typer.Option("--plans", help="plans.json of a solve")],
    rank: Annotated[int, typer.Option(min=1, help="Which plan")] = 1,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Also write the training plan as CSV (as training.csv) to this file")]
    = None,
) -> None:
    """The training plan after placement (AKP) of one plan of a plans.json."""
    from solver.output import training_csv
    from solver.talent.service import DocumentMismatch, document_training

    data, doc = _load(scenario, plans)
    assert doc is not None
    try:
        training = document_training(data, doc, rank)
    except DocumentMismatch as exc:
        raise _fail(f"{plans}: {exc}") from None
    if out is not None:
        _write_atomic(out, training_csv(training, data))
    table = Table(title=f"Analisis kebutuhan pelatihan, rencana {rank}: {data.name}")
    for column in ("no", "kompetensi", "pegawai", "prioritas", "total selisih level"):
        table.add_column(column, justify="right" if column != "kompetensi" else "left")
    for k, course in enumerate(training["courses"], start=1):
        table.add_row(str(k), Text(course["competency"]), str(course["people"]),
                      str(course["priority_people"]), str(course["total_gap"]))
    console.print(table)
    console.print(f"{len(training['people'])} placed people below their post's standard; "
                  f"{sum(1 for p in training['people'] if p['priority'])} of them are "
                  "priority (moved into a post they meet below 80%).")


def register(app: typer.Typer) -> None:
    """Add the talent commands to the ``penata`` CLI."""
    app.command("succession")(succession_command)
    app.command("training")(training_command)
