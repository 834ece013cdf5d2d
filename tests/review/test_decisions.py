"""Decisions round-trip: decide -> scenario YAML rewritten -> re-solve honours the
lock/forbid; the audit log is an intact hash chain and detects tampering."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from solver.io import load_scenario
from solver.output import write_outputs
from solver.result import SolveParams
from solver.review.decisions import (
    DecisionError,
    decide,
    entry_hash,
    log_path,
    read_log,
    sha256_file,
    verify_log,
)
from solver.scenario import Pair
from solver.solve import solve
from tests.review.helpers import nip, rotation

PARAMS = SolveParams(time_limit=20, workers=1, plans=1)


def _solved(tmp_path):
    path = rotation(tmp_path, plans={"count": 1})
    sc = load_scenario(path)
    result = solve(sc, PARAMS)
    write_outputs(result, sc, tmp_path / "out", PARAMS)
    return path, tmp_path / "out" / "plans.json", result


def _placement(result, who):
    return {a.nip: a.position for a in result.plans[0].assignments}.get(who)


def test_approve_and_reject_round_trip(tmp_path):
    path, plans, result = _solved(tmp_path)
    original = path.read_text()
    assert original.startswith("# tiny review scenario")
    # Approve a move the optimiser did not choose: Pegawai 7 (unplaced) into D.
    assert _placement(result, nip(7)) != "D"
    when = dt.datetime(2027, 1, 5, 3, 4, 5, tzinfo=dt.UTC)
    e1 = decide(path, plans, "approve", nip(7), "D", "panel interview", "Ketua Baperjakat",
                now=when)
    sc = load_scenario(path)
    assert sc.locks == (Pair(nip(7), "D"),)
    text = path.read_text()
    assert text.startswith("# tiny review scenario")  # comment kept
    config = yaml.safe_load(text)
    assert config["name"] == "tiny" and config["employees"] == "employees.csv"
    assert _placement(solve(sc, PARAMS), nip(7)) == "D"

    # Reject the move plan 1 gave Pegawai 1: it becomes a forbid and disappears.
    moved = next(a for a in result.plans[0].assignments if a.position != a.origin)
    e2 = decide(path, plans, "reject", moved.nip, moved.position, "conflict of interest",
                "Sekretaris", now=when + dt.timedelta(minutes=1))
    sc = load_scenario(path)
    assert Pair(moved.nip, moved.position) in sc.forbid
    assert _placement(solve(sc, PARAMS), moved.nip) != moved.position
    assert e2["in_plans"] == [1] and e1["in_plans"] == []

    # Rejecting the approved pair removes the lock and forbids it.
    decide(path, plans, "reject", nip(7), "D", "withdrawn", "Ketua Baperjakat", now=when)
    sc = load_scenario(path)
    assert sc.locks == () and Pair(nip(7), "D") in sc.forbid

    entries = read_log(path)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["at"] == "2027-01-05T03:04:05Z"
    assert entries[0]["by"] == "Ketua Baperjakat" and entries[0]["action"] == "approve"
    assert entries[0]["reason"] == "panel interview"
    assert entries[0]["plans_sha256"] == sha256_file(plans)
    assert entries[0]["prev"] == "0" * 64
    assert entries[1]["prev"] == entries[0]["hash"] == entry_hash(entries[0])
    assert entries[2]["scenario_sha256"] == sha256_file(path)
    assert verify_log(path) == []


def test_audit_chain_detects_tampering(tmp_path):
    path, plans, _ = _solved(tmp_path)
    decide(path, plans, "reject", nip(1), "B", "first", "A")
    decide(path, plans, "reject", nip(2), "A", "second", "B")
    log = log_path(path)
    lines = log.read_text().splitlines()
    edited = json.loads(lines[0])
    edited["reason"] = "changed afterwards"
    log.write_text("\n".join([json.dumps(edited), lines[1]]) + "\n")
    problems = verify_log(path)
    assert any("line 1" in p and "edited" in p for p in problems)
    log.write_text(lines[1] + "\n")  # first entry deleted
    assert any("line 1" in p for p in verify_log(path))


def test_invalid_decisions_write_nothing(tmp_path):
    path, plans, _ = _solved(tmp_path)
    before = path.read_bytes()
    with pytest.raises(DecisionError, match="not in the employees table"):
        decide(path, plans, "approve", "199001012010011999", "A", "x", "y")
    with pytest.raises(DecisionError, match="reason"):
        decide(path, plans, "approve", nip(7), "A", "  ", "y")
    decide(path, plans, "approve", nip(7), "A", "ok", "y")
    with pytest.raises(DecisionError, match="already approved into A"):
        decide(path, plans, "approve", nip(7), "B", "second post", "y")
    assert len(read_log(path)) == 1
    assert path.read_bytes() != before


def test_cli_decide_and_audit(tmp_path):
    path, plans, _ = _solved(tmp_path)
    runner = CliRunner()
    out = runner.invoke(app, ["decide", str(path), "--plans", str(plans),
                              "--reject", f"{nip(3)}=A", "--reason", "rapat 12 Jan",
                              "--by", "Tim Penilai"])
    assert out.exit_code == 0, out.output
    assert Pair(nip(3), "A") in load_scenario(path).forbid
    out = runner.invoke(app, ["decide", str(path), "--plans", str(plans),
                              "--approve", "bad", "--reason", "r", "--by", "b"])
    assert out.exit_code == 2
    out = runner.invoke(app, ["audit", str(path)])
    assert out.exit_code == 0 and "verifies" in out.output
