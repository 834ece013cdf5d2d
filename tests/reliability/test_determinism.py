"""Determinism and provenance of ``plans.json``.

Promise: the same scenario, seed and worker count give byte-identical
``plans.json`` outside the top-level ``"run"`` object, and every document carries
the SHA-256 of its inputs, the parameters and the Penata and OR-Tools versions, so
a committee can replay it.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import pytest

from reliability.common import REPO, cli, server_env
from solver.document import input_hash
from solver.io import load_scenario

DEMO = REPO / "scenarios" / "demo" / "scenario.yaml"


def _solve(tmp_path: Path, name: str, workers: int, seed: int) -> bytes:
    out = tmp_path / name
    result = cli("solve", str(DEMO), "--out", str(out), "--workers", str(workers),
                 "--seed", str(seed), "--time-limit", "120", "--shortlist-time", "0",
                 "--no-packet", cwd=tmp_path, env=server_env(tmp_path))
    assert result.returncode == 0, result.stderr
    return (out / "plans.json").read_bytes()


def _without_run(raw: bytes) -> bytes:
    """The document with ``"run"`` removed, re-serialised in file order."""
    document = json.loads(raw)
    document.pop("run")
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_same_inputs_seed_and_workers_give_the_same_bytes(tmp_path: Path, workers: int) -> None:
    first = _solve(tmp_path, "a", workers, seed=7)
    second = _solve(tmp_path, "b", workers, seed=7)
    assert _without_run(first) == _without_run(second)
    # "run" is the last key: everything before it is the same bytes in the file.
    head = first[: first.rindex(b'"run"')]
    assert second.startswith(head)
    document = json.loads(first)
    assert document["plans"], document["infeasibility"]
    assert list(document)[-1] == "run"


def test_every_document_carries_its_provenance(tmp_path: Path) -> None:
    raw = _solve(tmp_path, "p", 1, seed=3)
    document = json.loads(raw)
    provenance = document["provenance"]
    scenario = load_scenario(DEMO)
    assert provenance["input_sha256"] == input_hash(scenario)
    assert len(provenance["input_sha256"]) == 64
    assert provenance["params"] == {"plans": scenario.plans.count, "seed": 3, "workers": 1,
                                    "time_limit": 120.0}
    assert provenance["penata"] == metadata.version("penata")
    assert provenance["ortools"] == metadata.version("ortools")
    # The run-dependent values are only under "run".
    assert "runtime_s" in document["run"]
    assert "runtime" not in json.dumps({k: v for k, v in document.items() if k != "run"})


def test_the_input_hash_follows_the_content_not_the_file(tmp_path: Path) -> None:
    scenario = load_scenario(DEMO)
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("scenario.yaml", "employees.csv", "positions.csv"):
        (copy / name).write_bytes((DEMO.parent / name).read_bytes())
    assert input_hash(load_scenario(copy / "scenario.yaml")) == input_hash(scenario)
    employees = (copy / "employees.csv").read_text(encoding="utf-8").splitlines()
    header, first, *rest = employees
    changed = first.replace("sangat_baik", "baik") if "sangat_baik" in first else \
        first.replace(",baik,", ",sangat_baik,")
    assert changed != first
    (copy / "employees.csv").write_text("\n".join([header, changed, *rest]) + "\n",
                                        encoding="utf-8")
    assert input_hash(load_scenario(copy / "scenario.yaml")) != input_hash(scenario)
    assert hashlib.sha256(b"").hexdigest() != input_hash(scenario)
