"""Smoke test of the issue 7 benchmark runner at a tiny size (no timing assertions)."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("highspy")

from benchmarks.runner import COLUMNS, main  # noqa: E402


def test_runner_tiny(tmp_path):
    out, work = tmp_path / "results", tmp_path / "work"
    code = main(["--sizes", "demo,lap", "--lap-sizes", "12", "--time-limit", "60",
                 "--out", str(out), "--work", str(work)])
    assert code == 0
    with (out / "results.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        rows = {r["instance"]: r for r in reader}
    assert set(rows) == {"demo", "lap12"}
    for row in rows.values():
        assert int(row["pairs"]) > 0
        assert row["e1_status"] == "OPTIMAL", row
        assert row["highs_status"] == "Optimal", row
        assert int(row["e1_objective"]) == int(row["highs_objective"])
        assert row["engine_vs_highs"] == "agree"
        assert int(row["e3_plans"]) >= 1
        assert float(row["e1_wall_s"]) > 0 and float(row["e1_rss_mb"]) > 0
        assert row["scipy_status"] == "OPTIMAL"
        for key in ("e1_eligibility_s", "e1_rows_s", "e1_cpsat_s"):
            assert row[key] != "", key
        # The default command: plans on disk no later than the process end, every
        # shortlist complete (tiny instances), the cold start measured.
        assert row["d_status"] == row["d1_status"] == "OPTIMAL", row
        assert 0 < float(row["d_plans_file_s"]) <= float(row["d_wall_s"])
        assert int(row["d_shortlists_posts"]) > 0
        assert row["d_shortlists_done"] == row["d_shortlists_posts"]
        assert row["d1_shortlists_done"] == row["d1_shortlists_posts"]
        assert float(row["cold_start_s"]) > 0 and float(row["solve_in_process_s"]) > 0
    lap = rows["lap12"]
    assert lap["engine_vs_oracle"] == "agree"
    assert int(lap["e1_objective"]) == int(lap["oracle_objective"])
    # On a pure assignment problem the SciPy core solves the same model.
    assert int(lap["scipy_objective"]) == int(lap["oracle_objective"])
    readme = (out / "README.md").read_text()
    assert readme.startswith("# Benchmark results")
    assert "shortlists (default)" in readme and "cold start s" in readme
    pytest.importorskip("matplotlib")
    assert (out / "time_vs_size.png").stat().st_size > 0


def test_whatif_tiny(tmp_path):
    from benchmarks.whatif import COLUMNS as WHATIF_COLUMNS
    from benchmarks.whatif import main as whatif_main

    out, work = tmp_path / "results", tmp_path / "work"
    assert whatif_main(["--sizes", "demo", "--locks", "2", "--time-limit", "60",
                        "--out", str(out), "--work", str(work)]) == 0
    with (out / "whatif.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == WHATIF_COLUMNS
        rows = list(reader)
    assert len(rows) == 2
    for row in rows:
        # The warm re-solve and the cold reference agree on status and objective.
        assert row["agree"] == "True", row
        assert float(row["warm1_s"]) > 0 and float(row["cold1_s"]) > 0
    assert (out / "whatif.md").read_text().startswith("# What-if re-solves")


def test_whatif_api_tiny(tmp_path):
    from benchmarks.whatif import main as whatif_main

    out, work = tmp_path / "results", tmp_path / "work"
    assert whatif_main(["--sizes", "demo", "--locks", "1", "--api", "--time-limit", "60",
                        "--out", str(out), "--work", str(work)]) == 0
    text = (out / "whatif_api.md").read_text()
    assert text.startswith("# What-if after one lock through the HTTP API")
    assert "| demo | 1 |" in text


def test_fanout_tiny(tmp_path):
    from benchmarks.fanout import COLUMNS as FANOUT_COLUMNS
    from benchmarks.fanout import main as fanout_main

    out, work = tmp_path / "results", tmp_path / "work"
    assert fanout_main(["--sizes", "demo", "--variants", "3", "--modes", "serial,pool-2",
                        "--time-limit", "60", "--out", str(out), "--work", str(work)]) == 0
    with (out / "fanout.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FANOUT_COLUMNS
        rows = list(reader)
    assert [row["mode"] for row in rows] == ["serial", "pool-2"]
    for row in rows:
        assert row["variants"] == "3" and row["identical"] == "True", row
        assert float(row["batch_s"]) > 0
    assert (out / "fanout.md").read_text().startswith("# What-if batch fan-out")


def test_fanout_rounds_tiny(tmp_path):
    from benchmarks.fanout import main as fanout_main

    out, work = tmp_path / "results", tmp_path / "work"
    assert fanout_main(["--batch", "rounds", "--sizes", "demo", "--variants", "2", "--modes",
                        "serial,pool-2", "--time-limit", "60", "--out", str(out),
                        "--work", str(work)]) == 0
    with (out / "fanout_rounds.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["mode"], row["statuses"], row["identical"]) for row in rows] == [
        ("serial", "OPTIMAL 2", "True"), ("pool-2", "OPTIMAL 2", "True")]
    assert (out / "fanout_rounds.md").read_text().startswith("# Many rounds at once")


def test_693_verdict_says_when_the_cold_start_alone_is_over_the_line():
    from pathlib import Path

    from benchmarks.instances import Instance
    from benchmarks.runner import _targets

    inst = Instance("693", "693", Path("scenario.yaml"), "the 693-seat shape")

    def verdict(d1: float, highs: float, cold: float) -> str:
        row = {c: "" for c in COLUMNS}
        row.update(d1_status="OPTIMAL", d1_shortlists_posts=3, d1_shortlists_done=3,
                   d1_wall_s=d1, highs_solve_s=highs, highs_status="Optimal",
                   e1_wall_s=d1, cold_start_s=cold)
        _targets(row, inst)
        return row["target_met"]

    assert verdict(1.0, 20.0, 0.5) == "yes"
    assert verdict(3.0, 20.0, 0.5) == "no"
    assert verdict(1.32, 2.69, 0.56) == \
        "no (a tenth of HiGHS, 0.27 s, is less than the cold start, 0.56 s)"
