"""The suite's in-memory scenario builder.

``make_scenario`` (a fixture) returns :func:`build_scenario`: a validated
:class:`~solver.scenario.Scenario` from Python rows, through the same reader and
validator as a file or an upload (:func:`solver.io.load_scenario_tables`), without
touching the disk (:func:`scenario_input` gives the unvalidated input files, for
what-if edits). Rows are dicts with MODEL.md's column names; :func:`employee` and
:func:`post` fill the required columns with the values below, so a test spells out
only what it is about. Defaults: ``as_of`` 2027-01-02; an employee has golongan III/b,
performance ``baik``, potential ``menengah``, born 1985-06-15; a post is a level-3 seat
of unit ``U`` for golongan III/a-III/d with headcount 1.

Example, a must-fill post nobody may take::

    sc = make_scenario([employee(1, current_position="A", position_since="2020-01-01")],
                       [post("A"), post("X", grade_min="IV/e", grade_max="IV/e",
                                    must_fill=True)])

Tests that need files (decisions, the CLI) write scenario folders:
``tests/review/helpers.py`` writes these same rows to disk; ``tests/builders.py`` keeps
its own defaults (golongan III/c, unit ``Dinas A``) that its tests' expectations rely
on, and its ``nip(serial, "YYYYMMDD")`` gives the same NIPs as :func:`nip` here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from solver.edits import ScenarioInput
from solver.io import TableSource
from solver.scenario import Scenario

# Apps the tests start in their own process (``create_app`` under ``TestClient``) run
# solves in the runner's threads: the injected fake solvers, monkeypatched engine
# constants and ``caplog`` only reach a solve there, and a solver process would cost
# every such test seconds of start-up. The solver processes themselves (the default)
# are tested in tests/api/test_worker.py, and every real ``penata serve`` /
# ``penata worker`` the tests start runs with the default
# (``reliability.common.server_env`` drops this setting).
os.environ["PENATA_JOB_ISOLATION"] = "thread"

AS_OF = dt.date(2027, 1, 2)


def nip(serial: int, birth: str = "1985-06-15") -> str:
    """An 18-digit NIP: birth date YYYYMMDD, TMT CPNS 201001, gender 1, 3-digit serial."""
    return f"{birth.replace('-', '')}2010011{serial:03d}"


def employee(serial: int, birth: str = "1985-06-15", **row: Any) -> dict[str, Any]:
    """An employees row for ``Pegawai <serial>``; ``row`` overrides or adds columns."""
    return {"nip": nip(serial, birth), "name": f"Pegawai {serial}", "grade": "III/b",
            "performance": "baik", "potential": "menengah", **row}


def post(pid: str, **row: Any) -> dict[str, Any]:
    """A positions row ``pid`` ("Jabatan <pid>"); ``row`` overrides or adds columns."""
    return {"id": pid, "title": f"Jabatan {pid}", "unit": "U", "level": 3,
            "grade_min": "III/a", "grade_max": "III/d", "headcount": 1, **row}


def _csv(rows: list[dict[str, Any]], first: list[str]) -> bytes:
    columns = list(first)
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def scenario_input(employees: list[dict[str, Any]], positions: list[dict[str, Any]],
                   assessments: list[dict[str, Any]] | None = None,
                   **settings: Any) -> ScenarioInput:
    """The round's input files (YAML and CSV bytes) from rows, not yet validated;
    ``settings`` are YAML keys (``rules``, ``scope``, ``weights``, ``plans``, ``locks``,
    ``forbid``, ``name``, ``as_of``)."""
    config: dict[str, Any] = {"name": "tiny", "as_of": AS_OF, **settings}
    tables = {
        "employees": TableSource("employees.csv", _csv(employees, ["nip", "name", "grade"])),
        "positions": TableSource("positions.csv", _csv(positions, ["id", "title", "unit"])),
    }
    if assessments is not None:
        tables["assessments"] = TableSource(
            "assessments.csv", _csv(assessments, ["nip", "position", "score"]))
    return ScenarioInput(TableSource("scenario.yaml",
                                     yaml.safe_dump(config, sort_keys=False).encode()), tables)


def build_scenario(employees: list[dict[str, Any]], positions: list[dict[str, Any]],
                   assessments: list[dict[str, Any]] | None = None,
                   **settings: Any) -> Scenario:
    """A validated scenario from rows (:func:`scenario_input`, then the loader)."""
    return scenario_input(employees, positions, assessments, **settings).load()


@pytest.fixture
def make_scenario() -> Callable[..., Scenario]:
    """:func:`build_scenario` (see the module docstring)."""
    return build_scenario


@pytest.fixture(scope="session")
def ray_executor() -> Iterator[Any]:
    """One local Ray instance (2 CPUs) for the whole session: starting Ray costs seconds."""
    import ray  # a dev dependency: installed by `make test`

    from solver import fanout

    executor = fanout.RayExecutor(fanout.RAY_LOCAL)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield executor
    ray.shutdown()
