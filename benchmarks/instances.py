"""Benchmark instances: generated Penata scenarios and external assignment problems.

Sizes (issue 7):

* ``S``   Kota Binjai, scope narrowed to six units (~300 in-scope seats).
* ``693`` Kota Binjai, nine units (688 seats): the shape of the issue's 693-seat case.
* ``M``   Kota Medan default round (~11,000 employees, ~3,100 in-scope seats).
* ``L``   ministry profile with 30,000 employees.
* ``XL``  ministry profile, 50,000 employees (~12,000 positions).
* ``assign100``  OR-Library assign100 (published optimum 305) as a scenario.
* ``lap``  random n×n linear assignment problems (n = 100, 300, 600) as scenarios.

An assignment problem with costs ``c[i, j]`` becomes a scenario through the
assessments table (docs/model.md section 1): ``n`` unplaced employees at level 3,
``n`` one-seat level-3 posts, assessment score ``1000 − c[i, j]``, default
weights. Every pair then scores ``fit − 300 (move) + 5000 (vacancy)`` and the
objective subtracts ``5000 · n`` for the seats, so a plan that fills every
seat (all scores are positive, so the optimum does) has objective
``700 · n − Σ c``: the engine's plan-1 objective must equal
``700 · n − (optimal assignment cost)``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

ORLIB_ASSIGN100 = Path(__file__).resolve().parents[2] / "shared" / "external" / "orlib" / \
    "assign100.txt"
ASSIGN100_OPTIMUM = 305
LAP_SIZES = (100, 300, 600)
LAP_SCORE_BASE = 1000
LAP_PER_SEAT = 1000 - 300  # score base − move weight (vacancy bonus cancels the constant)

S_UNITS = (
    "Dinas Kesehatan",
    "Rumah Sakit Umum Daerah",
    "Sekretariat Daerah",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Inspektorat",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
)
# "693": the 693-seat shape approximated on Kota Binjai: nine units, 688 seats
# (the case had 1,432 employees and 283,543 pairs; this one has more candidates
# outside the scope and about half the pairs).
UNITS_693 = (
    "Dinas Pendidikan",
    "Rumah Sakit Umum Daerah",
    "Dinas Kesehatan",
    "Kecamatan Binjai Utara",
    "Kecamatan Binjai Kota",
    "Kecamatan Binjai Barat",
    "Kecamatan Binjai Timur",
    "Kecamatan Binjai Selatan",
    "Sekretariat Daerah",
)


@dataclass
class Instance:
    """One benchmark instance: a scenario on disk, maybe with an assignment oracle."""

    size: str  # the --sizes key it belongs to
    name: str
    scenario: Path
    description: str
    costs: np.ndarray | None = None  # n×n cost matrix of an assignment instance
    published_optimum: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratedSpec:
    size: str
    profile: str
    employees: int | None
    overrides: dict[str, object]
    description: str


GENERATED: dict[str, GeneratedSpec] = {
    "S": GeneratedSpec("S", "kota_binjai", None, {"scope_units": S_UNITS},
                       "kota_binjai seed 0, scope = 6 units (levels 3-4)"),
    "693": GeneratedSpec("693", "kota_binjai", None, {"scope_units": UNITS_693},
                         "kota_binjai seed 0, scope = 9 units (levels 3-4), ~693-seat shape"),
    # Not part of the default sizes: the smoke test's tiny generated scenario.
    "demo": GeneratedSpec("demo", "demo", None, {}, "demo profile seed 0 (tiny)"),
    "M": GeneratedSpec("M", "kota_medan", None, {},
                       "kota_medan seed 0, default round (levels 3-4)"),
    "L": GeneratedSpec("L", "ministry", 30_000, {},
                       "ministry seed 0, 30,000 employees (levels 4-5)"),
    "XL": GeneratedSpec("XL", "ministry", None, {},
                        "ministry seed 0, 50,000 employees (levels 4-5)"),
}
ALL_SIZES = ("S", "693", "assign100", "lap", "M", "L", "XL")


def _generated(spec: GeneratedSpec, work: Path, seed: int = 0) -> Instance:
    from solver.generate import generate_scenario

    out = work / spec.size
    signature = json.dumps({"profile": spec.profile, "employees": spec.employees,
                            "seed": seed, "overrides": spec.overrides}, sort_keys=True,
                           default=list)
    stamp = out / "benchmark-spec.json"
    path = out / "scenario.yaml"
    if not (path.exists() and stamp.exists() and stamp.read_text() == signature):
        path = generate_scenario(spec.profile, seed, out, employees=spec.employees,
                                 **spec.overrides)
        stamp.write_text(signature)
    return Instance(spec.size, spec.size, path, spec.description)


def read_orlib_assign(path: Path) -> np.ndarray:
    """OR-Library assignment format: ``n`` then the n×n costs, row by row."""
    numbers = np.array(path.read_text().split(), dtype=np.int64)
    n = int(numbers[0])
    if numbers.size != 1 + n * n:
        raise ValueError(f"{path}: expected {1 + n * n} numbers, found {numbers.size}")
    return numbers[1:].reshape(n, n)


def _nip(i: int) -> str:
    # 18 digits: birth date 1985-06-15, TMT CPNS 2010-01 (+ thousands), sex 1, serial.
    return f"19850615{2010 + i // 1000:04d}011{i % 1000:03d}"


def write_assignment_scenario(costs: np.ndarray, out: Path, name: str) -> Path:
    """Write the n×n assignment problem ``costs`` (0..1000) as a Penata scenario."""
    costs = np.asarray(costs, dtype=np.int64)
    n = costs.shape[0]
    if costs.shape != (n, n) or costs.min() < 0 or costs.max() > LAP_SCORE_BASE:
        raise ValueError("costs must be a square matrix with entries in 0..1000")
    out.mkdir(parents=True, exist_ok=True)
    with (out / "employees.csv").open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["nip", "name", "grade", "current_position", "position_since",
                    "current_level", "performance", "potential"])
        for i in range(n):
            w.writerow([_nip(i), f"Pegawai {i + 1}", "III/c", "", "", 3, "baik", "menengah"])
    with (out / "positions.csv").open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["id", "title", "unit", "level", "grade_min", "grade_max", "headcount"])
        for j in range(n):
            w.writerow([f"P{j + 1:04d}", f"Jabatan {j + 1}", "Unit LAP", 3, "III/a", "III/d", 1])
    with (out / "assessments.csv").open("w", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["nip", "position", "score"])
        for i in range(n):
            nip = _nip(i)
            for j in range(n):
                w.writerow([nip, f"P{j + 1:04d}", LAP_SCORE_BASE - int(costs[i, j])])
    doc = {"name": name, "as_of": "2027-01-02", "employees": "employees.csv",
           "positions": "positions.csv", "assessments": "assessments.csv",
           "plans": {"count": 3, "min_difference": 3}}
    path = out / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def expected_objective(n: int, optimal_cost: int) -> int:
    """Plan-1 objective of an assignment scenario whose optimal cost is ``optimal_cost``."""
    return LAP_PER_SEAT * n - optimal_cost


def _assignment(size: str, name: str, costs: np.ndarray, work: Path, description: str,
                published: int | None = None) -> Instance:
    out = work / name
    path = out / "scenario.yaml"
    stamp = out / "costs.npy"
    if not (path.exists() and stamp.exists() and np.array_equal(np.load(stamp), costs)):
        path = write_assignment_scenario(costs, out, name)
        np.save(stamp, costs)
    return Instance(size, name, path, description, costs=costs, published_optimum=published)


def random_lap(n: int, seed: int = 0) -> np.ndarray:
    """Uniform integer costs 0..1000 (seeded)."""
    return np.random.default_rng(seed).integers(0, 1001, size=(n, n), dtype=np.int64)


def instances(sizes: list[str], work: Path, lap_sizes: tuple[int, ...] = LAP_SIZES,
              log: Callable[[str], None] = print) -> list[Instance]:
    """Generate (or reuse) the scenarios of ``sizes`` under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    found: list[Instance] = []
    for size in sizes:
        if size in GENERATED:
            log(f"scenario {size}: {GENERATED[size].description}")
            found.append(_generated(GENERATED[size], work))
        elif size == "assign100":
            costs = read_orlib_assign(ORLIB_ASSIGN100)
            found.append(_assignment("assign100", "assign100", costs, work,
                                     "OR-Library assign100 (published optimum 305)",
                                     ASSIGN100_OPTIMUM))
        elif size == "lap":
            for n in lap_sizes:
                found.append(_assignment("lap", f"lap{n}", random_lap(n, seed=n), work,
                                         f"random {n}x{n} LAP, costs 0..1000, seed {n}"))
        else:
            raise ValueError(f"unknown size {size!r}; choose from {', '.join(ALL_SIZES)}")
    return found
