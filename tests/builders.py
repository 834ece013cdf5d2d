"""Write tiny scenarios to disk for tests (docs/model.md section 1 format)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from solver.io import load_scenario
from solver.scenario import Scenario


def nip(serial: int, birth: str = "19850615") -> str:
    """18 digits: birth date, TMT CPNS 201001, sex 1, serial."""
    return f"{birth}2010011{serial:03d}"


def person(serial: int, **row: Any) -> dict[str, Any]:
    base = {"nip": nip(serial), "name": f"Pegawai {serial}", "grade": "III/c",
            "performance": "baik", "potential": "menengah"}
    base.update(row)
    return base


def post(pid: str, **row: Any) -> dict[str, Any]:
    base = {"id": pid, "title": f"Jabatan {pid}", "unit": "Dinas A", "level": 3,
            "grade_min": "III/c", "grade_max": "III/d", "headcount": 1}
    base.update(row)
    return base


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def write_table(folder: Path, name: str, rows: list[dict[str, Any]]) -> str:
    """Write ``rows`` as ``folder/name`` (CSV) and return ``name``, for a scenario's YAML."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / name, rows)
    return name


def write_scenario(tmp: Path, employees: list[dict], positions: list[dict],
                   assessments: list[dict] | None = None, **config: Any) -> Path:
    """Write YAML + CSVs into ``tmp`` and return the YAML path."""
    tmp.mkdir(parents=True, exist_ok=True)
    _write_csv(tmp / "employees.csv", employees)
    _write_csv(tmp / "positions.csv", positions)
    doc: dict[str, Any] = {"name": "test", "as_of": "2027-01-02",
                           "employees": "employees.csv", "positions": "positions.csv"}
    if assessments is not None:
        _write_csv(tmp / "assessments.csv", assessments)
        doc["assessments"] = "assessments.csv"
    doc.update(config)
    path = tmp / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    return path


def make(tmp: Path, employees: list[dict], positions: list[dict],
         assessments: list[dict] | None = None, **config: Any) -> Scenario:
    return load_scenario(write_scenario(tmp, employees, positions, assessments, **config))


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """One sheet holding ``rows``, as the bytes of an .xlsx file."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
