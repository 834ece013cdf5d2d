"""`penata import siasn` (registered by api.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

console = Console(stderr=True)
EXIT_INVALID = 2

def siasn_command(
    pegawai: Annotated[Path, typer.Option(help="SIASN 'Export Data ASN' (CSV or XLSX)")],
    peta_jabatan: Annotated[Path, typer.Option(help="Peta jabatan from the ABK")],
    as_of: Annotated[str, typer.Option(help="Reference date of the round, YYYY-MM-DD")],
    out: Annotated[Path, typer.Option(help="Directory for the scenario and the report")],
    kinerja: Annotated[Path | None, typer.Option(help="e-Kinerja SKP ratings")] = None,
    talenta: Annotated[Path | None, typer.Option(help="Talent map (POTENSI)")] = None,
    hukdis: Annotated[Path | None, typer.Option(help="Discipline records")] = None,
    kompetensi: Annotated[Path | None, typer.Option(help="Assessment centre results")] = None,
    standar_kompetensi: Annotated[Path | None, typer.Option(
        help="Competency standards per post (SKJ)")] = None,
    seleksi: Annotated[Path | None, typer.Option(help="Open-selection panel NILAI")] = None,
    kamus_pendidikan: Annotated[Path | None, typer.Option(
        help="CSV pendidikan,bidang overriding the built-in kamus")] = None,
    map: Annotated[Path | None, typer.Option("--map", help="YAML renaming export headers "
                                             "(see docs/import.md)")] = None,
    name: Annotated[str | None, typer.Option(help="Scenario name")] = None,
) -> None:
    """Turn the exports a BKPSDM already has into a scenario (docs/import.md)."""
    from solver.importer.run import Sources, import_siasn
    from solver.io import InputError, parse_date

    date = parse_date(as_of.strip())
    if date is None:
        console.print(f"[red]--as-of {escape(repr(as_of))} is not a date; expected YYYY-MM-DD[/]",
                      highlight=False, markup=True)
        raise typer.Exit(EXIT_INVALID)
    if out.exists() and not out.is_dir():
        console.print(f"--out {out} is a file; give a directory", style="red", markup=False)
        raise typer.Exit(EXIT_INVALID)
    sources = Sources(pegawai, peta_jabatan, kinerja, talenta, hukdis, kompetensi,
                      standar_kompetensi, seleksi, kamus_pendidikan, map)
    try:
        imported = import_siasn(sources, date, out, name)
    except InputError as exc:
        console.print(f"[bold red]Invalid input[/] ({len(exc.errors)} problem(s)); nothing "
                      "was written:")
        for message in exc.errors:
            console.print(f"  {message}", markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    except OSError as exc:
        console.print(f"cannot write into {out}: {exc.strerror or exc}", style="red",
                      markup=False, highlight=False)
        raise typer.Exit(EXIT_INVALID) from None
    written = imported.report.written
    console.print(f"[green]Imported[/] {written.get('employees.csv', 0)} employees, "
                  f"{written.get('positions.csv', 0)} positions"
                  + (f", {written['assessments.csv']} assessments" if "assessments.csv" in
                     written else "") + f" into {escape(str(out))}", highlight=False)
    console.print(f"read {out / 'import-report.md'} before solving; then "
                  f"penata solve {out / 'scenario.yaml'} --out DIR", markup=False,
                  highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``penata import siasn`` to the ``penata`` CLI."""
    importer = typer.Typer(no_args_is_help=True, help="Import a round from the exports a "
                           "BKPSDM already has.")
    importer.command("siasn")(siasn_command)
    app.add_typer(importer, name="import")
