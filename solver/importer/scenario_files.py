"""Write the imported round as a MODEL.md scenario: three tables, the YAML, the report.

The tables are Penata's own input, read back by :func:`solver.io.load_scenario`, so they
are written as plain RFC 4180 CSV (UTF-8, ``\\n``, minimal quoting) and *not* through
the formula-guarding spreadsheet writer: a guard would prefix a name such as
``=Budi`` with an apostrophe and the name would no longer read back as written. They
are data for Penata, not sheets for a person to open (the committee's spreadsheets
are ``plans.xlsx``/``plans.csv``, which are guarded). Every file is written to a
temporary name and renamed, so an interrupted import leaves no half-written table.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from solver.scenario import PlanSettings, Rules, Weights

EMPLOYEES = "employees.csv"
POSITIONS = "positions.csv"
ASSESSMENTS = "assessments.csv"
SCENARIO = "scenario.yaml"
REPORT_MD = "import-report.md"
REPORT_JSON = "import-report.json"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _defaults(cls: type) -> dict[str, Any]:
    """A settings dataclass's defaults as YAML values (the one home of the defaults)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        value = f.default
        values[f.name] = float(value) if isinstance(value, Fraction) else value
    return values


def scenario_yaml(name: str, as_of: str, with_assessments: bool) -> str:
    doc: dict[str, Any] = {"name": name, "as_of": as_of, "employees": EMPLOYEES,
                           "positions": POSITIONS}
    if with_assessments:
        doc["assessments"] = ASSESSMENTS
    doc["scope"] = {}
    doc["rules"] = _defaults(Rules)
    doc["weights"] = _defaults(Weights)
    doc["plans"] = _defaults(PlanSettings)
    doc["locks"] = []
    doc["forbid"] = []
    head = ("# Written by `penata import siasn`; see import-report.md for what was read,\n"
            "# left out and assumed. Every unit and level is in scope and every rule, weight\n"
            "# and plan setting has its MODEL.md default: narrow `scope` (units, levels) and\n"
            "# adjust the rest for the round before `penata solve`.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def write_all(out: Path, files: dict[str, str]) -> list[Path]:
    """Write ``{file name: text}`` into ``out``: each to a temporary name, then renamed."""
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, text in files.items():
            final = out / name
            temporary = out / f".{name}.importing"
            temporary.write_text(text, encoding="utf-8", newline="")
            staged.append((temporary, final))
        for temporary, final in staged:
            os.replace(temporary, final)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return [final for _, final in staged]
