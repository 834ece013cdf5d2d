"""The talent outputs of a solve: plans.json ``succession``, training.csv, the CLI commands,
and that marking critical posts changes no plan."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import yaml
from typer.testing import CliRunner

from api.cli import app
from solver.io import load_scenario
from solver.output import write_outputs
from solver.result import SolveParams
from solver.solve import solve
from solver.talent.succession import succession_plan
from solver.talent.tables import TRAINING_COLUMNS, training_rows
from solver.talent.training import training_plan
from tests.review.helpers import rotation

ROOT = Path(__file__).resolve().parents[2]
PARAMS = SolveParams(time_limit=20, workers=1)


def _solved(folder: Path) -> tuple[Path, dict]:
    path = rotation(folder, critical=("A", "E"), plans={"count": 2, "min_difference": 2})
    sc = load_scenario(path)
    write_outputs(solve(sc, PARAMS), sc, folder / "out", PARAMS)
    return path, json.loads((folder / "out" / "plans.json").read_text(encoding="utf-8"))


def test_plans_json_succession_and_training_csv(tmp_path):
    path, doc = _solved(tmp_path)
    sc = load_scenario(path)
    plan1 = doc["plans"][0]["assignments"]
    assert doc["succession"] == succession_plan(sc, plan1)
    assert [e["position"] for e in doc["succession"]] == ["A", "E"]  # positions table order
    for entry in doc["succession"]:
        assert set(entry) >= {"position", "holders", "names"}
        assert all(set(n) >= {"nip", "fit", "box", "readiness", "gaps"} for n in entry["names"])
        placed = {a["nip"] for a in plan1 if a["position"] == entry["position"]}
        assert entry["planned_holders"] == sorted(placed)
        listed = {n["nip"] for n in entry["names"]}
        assert not listed & (placed | set(entry["holders"]))
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "training.csv").read_text())))
    assert tuple(rows[0]) == TRAINING_COLUMNS
    expected = training_rows(training_plan(sc, plan1, rank=1), sc)
    assert rows[1:] == [[str(v) for v in row] for row in expected]
    assert len(rows) > 1  # the rotation round leaves gaps to train


def test_outputs_are_reproducible(tmp_path):
    _, first = _solved(tmp_path / "a")
    _, second = _solved(tmp_path / "b")
    first.pop("run"), second.pop("run")
    assert first == second
    assert (tmp_path / "a" / "out" / "training.csv").read_bytes() == \
        (tmp_path / "b" / "out" / "training.csv").read_bytes()


def test_marking_critical_posts_changes_no_plan(tmp_path):
    """The committed demo marks its critical posts; without the column the plans are equal
    (everything outside run, succession and the input hash)."""
    demo = ROOT / "scenarios" / "demo"
    sc = load_scenario(demo / "scenario.yaml")
    titles = sc.positions.loc[sc.positions["critical"], "title"]
    for start in ("Sekretaris Daerah", "Kepala Dinas", "Sekretaris Dinas", "Camat"):
        assert titles.str.startswith(start).any(), start
    bare = tmp_path / "bare"
    bare.mkdir()
    table = pd.read_csv(demo / "positions.csv", dtype=str, keep_default_na=False)
    table.drop(columns=["critical"]).to_csv(bare / "positions.csv", index=False)
    (bare / "employees.csv").write_bytes((demo / "employees.csv").read_bytes())
    (bare / "scenario.yaml").write_bytes((demo / "scenario.yaml").read_bytes())
    params = SolveParams(plans=2, time_limit=60, workers=1)
    docs = []
    for folder in (demo, bare):
        data = load_scenario(folder / "scenario.yaml")
        out = tmp_path / f"out-{folder.name}"
        write_outputs(solve(data, params), data, out, params)
        docs.append(json.loads((out / "plans.json").read_text(encoding="utf-8")))
    marked, plain = docs
    assert len(marked["succession"]) == int(sc.positions["critical"].sum()) == 11
    assert plain["succession"] == []
    for doc in docs:
        doc.pop("run"), doc.pop("succession"), doc["provenance"].pop("input_sha256")
    assert marked == plain


def test_cli_succession_and_training(tmp_path):
    path, doc = _solved(tmp_path)
    plans = tmp_path / "out" / "plans.json"
    runner = CliRunner()
    out = runner.invoke(app, ["succession", str(path), "--plans", str(plans),
                              "--json", str(tmp_path / "succession.json")])
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "succession.json").read_text()) == doc["succession"]
    assert "Suksesi jabatan kritis" in out.output
    # without --plans only the current holders are left out
    out = runner.invoke(app, ["succession", str(path), "--json", str(tmp_path / "bare.json")])
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "bare.json").read_text()) == \
        succession_plan(load_scenario(path), None)
    out = runner.invoke(app, ["training", str(path), "--plans", str(plans),
                              "--out", str(tmp_path / "akp.csv")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "akp.csv").read_bytes() == (tmp_path / "out" / "training.csv").read_bytes()
    assert "Analisis kebutuhan pelatihan, rencana 1" in out.output
    out = runner.invoke(app, ["training", str(path), "--plans", str(plans), "--rank", "2"])
    assert out.exit_code == 0, out.output


def test_cli_refuses_plans_of_another_scenario(tmp_path):
    path, doc = _solved(tmp_path)
    runner = CliRunner()
    out = runner.invoke(app, ["training", str(path), "--plans", str(tmp_path / "out" /
                                                                  "plans.json"), "--rank", "5"])
    assert out.exit_code == 2
    assert "has no plan of rank 5 (plans: 1, 2)" in out.output
    doc["plans"][0]["assignments"][0]["nip"] = "199901012020011999"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc))
    for command in ("training", "succession"):
        out = runner.invoke(app, [command, str(path), "--plans", str(other)])
        assert out.exit_code == 2, command
        assert "'199901012020011999'" in out.output and "another scenario" in out.output
        assert "Traceback" not in out.output
    (tmp_path / "broken.json").write_text("{not json")
    out = runner.invoke(app, ["training", str(path), "--plans", str(tmp_path / "broken.json")])
    assert out.exit_code == 2 and "not a plans.json document" in out.output
    out = runner.invoke(app, ["training", str(path), "--plans", str(tmp_path / "missing.json")])
    assert out.exit_code == 2 and "file not found" in out.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text()),
                                   "succession": {"size": "drei"}}))
    out = runner.invoke(app, ["succession", str(bad)])
    assert out.exit_code == 2 and "succession.size: 'drei' is not valid" in out.output
