"""Many rounds at once (:mod:`solver.rounds`, ``penata solve-many``): each round's files
are the files ``penata solve`` writes for it, wherever it ran; bad input stops the
batch before anything is solved or written."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from api.cli import app
from solver import fanout
from solver.rounds import RoundOutput, RoundParams, read_rounds, solve_round

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
# Small committed rounds: one with exact shortlists (reproducible at this size, see
# tests/test_byte_identity.py), one folder round, one infeasible.
WITH_SHORTLISTS = SCENARIOS / "seleksi_terbuka_medan.yaml"
FOLDER_ROUND = SCENARIOS / "demo" / "scenario.yaml"
INFEASIBLE = SCENARIOS / "infeasible_seleksi_tanpa_pelamar.yaml"


def comparable(name: str, content: bytes) -> Any:
    """What must be equal: plans.json without ``run`` (the clock), the XLSX's cell
    values (the file also records when it was written), every other file's bytes."""
    if name == "plans.json":
        doc = json.loads(content)
        doc.pop("run")
        return doc
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(content))
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
                for sheet in book.worksheets}
    return content


def folder_files(folder: Path) -> dict[str, Any]:
    return {path.name: comparable(path.name, path.read_bytes())
            for path in sorted(folder.iterdir())}


def output_files(output: RoundOutput) -> dict[str, Any]:
    return {name: comparable(name, content) for name, content in output.files}


def test_solve_many_writes_each_round_as_penata_solve_does(tmp_path: Path) -> None:
    runner = CliRunner()
    many = runner.invoke(app, ["solve-many", str(WITH_SHORTLISTS), str(FOLDER_ROUND),
                               "--out", str(tmp_path / "many"), "--workers", "2",
                               "--shortlist-time", "30"])
    assert many.exit_code == 0, many.output
    for path, name in [(WITH_SHORTLISTS, "seleksi_terbuka_medan"), (FOLDER_ROUND, "demo")]:
        single = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / name),
                                     "--shortlist-time", "30"])
        assert single.exit_code == 0, single.output
        assert folder_files(tmp_path / "many" / name) == folder_files(tmp_path / name)
    summary = (tmp_path / "many" / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0] == "round,status,plans,objective,bound,runtime_s,files,error"
    assert [line.split(",")[:3] for line in summary[1:]] == [
        ["seleksi_terbuka_medan", "OPTIMAL", "3"], ["demo", "OPTIMAL", "3"]]
    shortlists = json.loads((tmp_path / "many" / "seleksi_terbuka_medan" / "plans.json")
                            .read_text(encoding="utf-8"))["plans"][0]["shortlists"]
    assert shortlists and all(entry["complete"] for entry in shortlists)


@pytest.fixture(scope="module")
def rounds() -> list[Any]:
    return read_rounds([WITH_SHORTLISTS, FOLDER_ROUND, INFEASIBLE])


PARAMS = RoundParams(plans=2, time_limit=60, shortlist_time=0)


@pytest.fixture(scope="module")
def serial(rounds: list[Any]) -> list[dict[str, Any]]:
    results = fanout.SerialExecutor().run(solve_round, PARAMS, rounds)
    assert [r.status for r in results] == ["OPTIMAL", "OPTIMAL", "INFEASIBLE"]
    assert results[2].infeasibility and not results[2].plans
    return [output_files(r) for r in results]


def test_the_pool_gives_the_same_files_as_serial(rounds: list[Any],
                                                 serial: list[dict[str, Any]]) -> None:
    results = fanout.PoolExecutor(2).run(solve_round, PARAMS, rounds)
    assert [output_files(r) for r in results] == serial


def test_ray_gives_the_same_files_as_serial(rounds: list[Any], serial: list[dict[str, Any]],
                                            ray_executor: fanout.RayExecutor) -> None:
    results = ray_executor.run(solve_round, PARAMS, rounds)
    assert [output_files(r) for r in results] == serial


def test_a_round_without_a_plan_exits_1_and_the_others_are_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["solve-many", str(INFEASIBLE), str(WITH_SHORTLISTS),
                                      "--out", str(tmp_path), "--workers", "1",
                                      "--shortlist-time", "0"])
    assert result.exit_code == 1, result.output
    assert "infeasible_seleksi_tanpa_pelamar infeasible:" in result.output
    assert (tmp_path / "seleksi_terbuka_medan" / "review.html").is_file()
    rows = (tmp_path / "summary.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rows[0].startswith("infeasible_seleksi_tanpa_pelamar,INFEASIBLE,0,,,")
    assert rows[0].split(",", 7)[7]  # the reason


def test_bad_input_in_one_round_stops_the_batch_before_anything_is_written(
        tmp_path: Path) -> None:
    bad = tmp_path / "dinas_kesehatan"
    shutil.copytree(SCENARIOS / "demo", bad)
    lines = (bad / "employees.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("grade")] = "III/z"
    (bad / "employees.csv").write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n",
                                       encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["solve-many", str(WITH_SHORTLISTS),
                                      str(bad / "scenario.yaml"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "dinas_kesehatan/employees.csv row 2, column grade" in result.output
    assert "III/z" in result.output
    assert not out.exists()


def test_two_rounds_with_one_name_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "demo"
    shutil.copytree(SCENARIOS / "demo", other)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["solve-many", str(FOLDER_ROUND),
                                      str(other / "scenario.yaml"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "round 'demo' is also" in result.output
    assert not out.exists()


def test_a_round_named_by_a_relative_folder_stays_inside_out(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    round_dir = tmp_path / "kota_binjai"
    shutil.copytree(SCENARIOS / "demo", round_dir)
    (round_dir / "sub").mkdir()
    monkeypatch.chdir(round_dir / "sub")
    result = CliRunner().invoke(app, ["solve-many", "../scenario.yaml", "--out", "out",
                                      "--workers", "1", "--shortlist-time", "0",
                                      "--no-packet"])
    assert result.exit_code == 0, result.output
    assert (round_dir / "sub" / "out" / "kota_binjai" / "plans.json").is_file()
    assert not (round_dir / "sub" / "plans.json").exists()
