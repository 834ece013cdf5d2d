"""Tiny hand-written scenarios written to disk for the review tests (the rows come from
the suite's builder, tests/conftest.py)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import yaml

from solver.io import load_scenario
from solver.scenario import Scenario

# The suite's row builders (tests/conftest.py), under the names these tests use.
from tests.conftest import employee as emp
from tests.conftest import nip
from tests.conftest import post as pos

__all__ = ["emp", "nip", "pos", "rotation", "scenario", "write_scenario"]

EMP_COLUMNS = ["nip", "name", "grade", "current_position", "position_since", "current_level",
               "birth_date", "education_field", "performance", "potential", "discipline_until"]
POS_COLUMNS = ["id", "title", "unit", "level", "grade_min", "grade_max", "headcount",
               "must_fill", "priority", "education_fields", "education_required",
               "retirement_age", "applicants_only"]


def _write(path: Path, rows: list[dict], columns: list[str]) -> None:
    cols = list(columns)
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=cols)
        writer.writeheader()
        writer.writerows(rows)


def write_scenario(folder: Path, employees: list[dict], positions: list[dict],
                   assessments: list[dict] | None = None, **config: object) -> Path:
    """Write a scenario folder; returns the YAML path."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "employees.csv", employees, EMP_COLUMNS)
    _write(folder / "positions.csv", positions, POS_COLUMNS)
    doc: dict = {"name": "tiny", "as_of": dt.date(2027, 1, 2),
                 "employees": "employees.csv", "positions": "positions.csv"}
    if assessments is not None:
        _write(folder / "assessments.csv", assessments, ["nip", "position", "score"])
        doc["assessments"] = "assessments.csv"
    doc.update(config)
    path = folder / "scenario.yaml"
    path.write_text("# tiny review scenario\n" + yaml.safe_dump(doc, sort_keys=False))
    return path


def scenario(folder: Path, *args: object, **kwargs: object) -> Scenario:
    return load_scenario(write_scenario(folder, *args, **kwargs))  # type: ignore[arg-type]


def rotation(folder: Path, critical: tuple[str, ...] = (), **config: object) -> Path:
    """Unit U (4 level-3 posts A-D, one level-4 post E) and unit V (posts F, G).

    Competencies: integritas, kerjasama, komunikasi. Employees 1-6 hold A-F, G is vacant;
    several are past 60 months in post, so rotation is attractive; 7 is unplaced.
    The posts named in ``critical`` get ``critical: ya`` (succession lists).
    """
    comps = {"c.integritas": 3, "c.kerjasama": 3, "c.komunikasi": 2}
    positions = [
        pos("A", **comps), pos("B", **comps), pos("C", **comps),
        pos("D", **{"c.integritas": 4, "c.kerjasama": 2}),
        pos("E", level=4, grade_min="III/c", grade_max="IV/b",
            **{"c.integritas": 4, "c.kerjasama": 4, "c.komunikasi": 3}),
        pos("F", unit="V", **comps),
        pos("G", unit="V", **comps),  # vacant
    ]
    employees = [
        emp(1, grade="III/c", current_position="A", position_since="2020-01-01",
            performance="sangat_baik", potential="tinggi",
            **{"c.integritas": 4, "c.kerjasama": 4, "c.komunikasi": 3}),
        emp(2, current_position="B", position_since="2019-03-01",
            **{"c.integritas": 3, "c.kerjasama": 2, "c.komunikasi": 2}),
        emp(3, current_position="C", position_since="2018-05-01",
            **{"c.integritas": 2, "c.kerjasama": 3, "c.komunikasi": 1}),
        emp(4, current_position="D", position_since="2024-06-01",
            **{"c.integritas": 4, "c.kerjasama": 2, "c.komunikasi": 2}),
        emp(5, grade="III/d", current_position="E", position_since="2020-02-01",
            **{"c.integritas": 4, "c.kerjasama": 3, "c.komunikasi": 3}),
        emp(6, current_position="F", position_since="2019-01-01",
            **{"c.integritas": 3, "c.kerjasama": 3, "c.komunikasi": 2}),
        emp(7, current_level=3, **{"c.integritas": 3, "c.kerjasama": 3, "c.komunikasi": 1}),
    ]
    for post in positions:
        if post["id"] in critical:
            post["critical"] = "ya"
    return write_scenario(folder, employees, positions, **config)
