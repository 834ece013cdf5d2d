"""Writers for ``plans.json`` (MODEL.md section 8) and ``plans.csv``.

Everything outside the top-level ``"run"`` object depends only on the inputs and
the parameters, so two runs with the same scenario, seed and workers write the
same bytes there.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from solver.result import Result, SolveParams
from solver.scenario import Scenario


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def input_hash(scenario: Scenario) -> str:
    """SHA-256 over the validated scenario content (tables and settings)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(scenario.config, sort_keys=True, default=str).encode())
    for frame in (scenario.employees, scenario.positions, scenario.assessments):
        digest.update(frame.drop(columns=["row"]).to_csv(index=False).encode())
    return digest.hexdigest()


def plans_document(result: Result, scenario: Scenario | None = None,
                   params: SolveParams | None = None) -> dict[str, Any]:
    """The ``plans.json`` document as a dict."""
    plans = []
    for plan in result.plans:
        plans.append({
            "rank": plan.rank,
            "objective": plan.objective,
            "bound": plan.bound,
            "optimal": plan.optimal,
            "moves": sum(1 for a in plan.assignments if a.position != a.origin),
            "assignments": [{"nip": a.nip, "position": a.position, "from": a.origin}
                            for a in plan.assignments],
        })
    doc: dict[str, Any] = {
        "scenario": result.scenario,
        "status": result.status,
        "plans": plans,
        "infeasibility": list(result.infeasibility),
    }
    if scenario is not None:
        params = params or SolveParams()
        doc["provenance"] = {
            "input_sha256": input_hash(scenario),
            "params": {"plans": params.plans if params.plans is not None
                       else scenario.plans.count, "seed": params.seed,
                       "workers": params.workers, "time_limit": params.time_limit},
            "penata": _version("penata"),
            "ortools": _version("ortools"),
        }
    doc["run"] = {"runtime_s": result.runtime, **result.stats}
    return doc


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def plans_csv(result: Result, scenario: Scenario) -> str:
    emp = scenario.employees.set_index("nip")
    pos = scenario.positions.set_index("id")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "nip", "name", "grade", "from", "to", "to_title", "to_unit", "move"])
    for plan in result.plans:
        for a in plan.assignments:
            writer.writerow([plan.rank, a.nip, emp.at[a.nip, "name"], emp.at[a.nip, "grade"],
                             a.origin or "", a.position, pos.at[a.position, "title"],
                             pos.at[a.position, "unit"], int(a.position != a.origin)])
    return buffer.getvalue()


def write_outputs(result: Result, scenario: Scenario, out_dir: Path,
                  params: SolveParams | None = None) -> list[Path]:
    """Write ``plans.json`` and ``plans.csv`` into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = plans_document(result, scenario, params)
    json_path, csv_path = out_dir / "plans.json", out_dir / "plans.csv"
    _atomic_write(json_path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    _atomic_write(csv_path, plans_csv(result, scenario))
    return [json_path, csv_path]
