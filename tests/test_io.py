"""Every input error names the file, the spreadsheet row and the column; CLI exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solver.io import InputError, load_scenario
from tests.builders import nip, person, post, write_scenario

EMPLOYEES = [person(1, current_position="007", position_since="2020-01-01"),
             person(2, current_level=3)]
POSITIONS = [post("007"), post("B")]


def errors_for(tmp_path: Path, employees=None, positions=None, assessments=None, **config):
    path = write_scenario(tmp_path, employees or EMPLOYEES, positions or POSITIONS,
                          assessments, **config)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value.errors


def test_valid_scenario_keeps_identifiers_as_text(tmp_path):
    sc = load_scenario(write_scenario(tmp_path, EMPLOYEES, POSITIONS))
    assert list(sc.positions["id"]) == ["007", "B"]
    assert sc.employees["nip"].iat[0] == nip(1)  # 18 digits, never a float
    assert sc.employees["current_position"].iat[0] == "007"


# (what to break, expected fragments of the single message)
CASES = [
    # duplicate NIP on row 3 (row 2 holds the first)
    ("employees", 1, {"nip": nip(1)}, ["employees.csv row 3, column nip", "already appears on row 2"]),
    # 17 digits
    ("employees", 0, {"nip": "19850615201001100"}, ["employees.csv row 2, column nip", "18 digits"]),
    ("employees", 0, {"current_position": "X9"}, ["row 2, column current_position", "'X9'"]),
    ("employees", 0, {"grade": "V/a"}, ["row 2, column grade", "'V/a'", "I/a"]),
    ("employees", 0, {"position_since": "2020-13-01"}, ["row 2, column position_since"]),
    ("employees", 0, {"position_since": ""}, ["row 2, column position_since", "blank"]),
    ("employees", 1, {"current_level": "9"}, ["row 3, column current_level", "1-7"]),
    ("employees", 1, {"current_level": ""}, ["row 3, column current_level", "blank"]),
    ("employees", 0, {"performance": "excellent"}, ["row 2, column performance"]),
    ("employees", 0, {"potential": "high"}, ["row 2, column potential"]),
    ("employees", 0, {"c.integritas": "6"}, ["row 2, column c.integritas"]),
    ("employees", 0, {"birth_date": "15/06/1985"}, ["row 2, column birth_date"]),
    ("employees", 0, {"discipline_until": "soon"}, ["row 2, column discipline_until"]),
    ("positions", 1, {"id": "007"}, ["positions.csv row 3, column id", "already used on row 2"]),
    ("positions", 0, {"level": "8"}, ["positions.csv row 2, column level"]),
    ("positions", 0, {"headcount": "-1"}, ["positions.csv row 2, column headcount"]),
    ("positions", 0, {"headcount": "two"}, ["positions.csv row 2, column headcount"]),
    ("positions", 0, {"priority": "4"}, ["positions.csv row 2, column priority"]),
    ("positions", 0, {"grade_min": "III/f"}, ["positions.csv row 2, column grade_min"]),
    ("positions", 0, {"grade_min": "IV/a"}, ["positions.csv row 2, column grade_max"]),
    ("positions", 0, {"c.integritas": "7"}, ["positions.csv row 2, column c.integritas"]),
    ("positions", 0, {"must_fill": "maybe"}, ["positions.csv row 2, column must_fill"]),
    ("positions", 0, {"retirement_age": "x"}, ["positions.csv row 2, column retirement_age"]),
]


@pytest.mark.parametrize(("table", "index", "change", "fragments"), CASES)
def test_cell_errors_name_file_row_column(tmp_path, table, index, change, fragments):
    employees = [dict(r) for r in EMPLOYEES]
    positions = [dict(r) for r in POSITIONS]
    (employees if table == "employees" else positions)[index].update(change)
    errors = errors_for(tmp_path, employees, positions)
    assert any(all(f in e for f in fragments) for e in errors), errors


def test_missing_required_column(tmp_path):
    employees = [{k: v for k, v in r.items() if k != "grade"} for r in EMPLOYEES]
    errors = errors_for(tmp_path, employees)
    assert errors == [
        "employees.csv row 1, column grade: required column 'grade' is missing (header row has: "
        "nip, name, performance, potential, current_position, position_since, current_level)"
    ]


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "employees.csv: is empty"),
    (b"\x00\x01\x02binary", "employees.csv: is a binary file"),
    (b"nip,name\n\xff\xfe,x\n", "employees.csv row 2: byte 0xff is not UTF-8"),
])
def test_unreadable_files(tmp_path, content, fragment):
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    (tmp_path / "employees.csv").write_bytes(content)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert any(fragment in e for e in info.value.errors), info.value.errors


def test_missing_file(tmp_path):
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    (tmp_path / "positions.csv").unlink()
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.errors[0].startswith("positions.csv: file not found")


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    path.write_text("name: x\nas_of: 2027-01-02\nrules: [unclosed\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.errors[0].startswith("scenario.yaml row 4, column 1: YAML syntax error")


@pytest.mark.parametrize(("config", "fragment"), [
    ({"rules": {"max_unit_turnover": 1.5}}, "line 6, key rules.max_unit_turnover: 1.5 is out of range"),
    ({"rules": {"max_unit_turnover": -0.1}}, "key rules.max_unit_turnover"),
    ({"rules": {"min_tenure_months": "two"}}, "key rules.min_tenure_months"),
    ({"rules": {"promotion_min_performance": "great"}}, "key rules.promotion_min_performance"),
    ({"rules": {"max_tenure": 60}}, "key rules.max_tenure: unknown rule"),
    ({"weights": {"fit": 1.5}}, "key weights.fit"),
    ({"plans": {"count": 0}}, "key plans.count"),
    ({"as_of": "tomorrow"}, "key as_of"),
    ({"scope": {"units": ["Dinas Z"]}}, "key scope.units.0: unit 'Dinas Z'"),
    ({"locks": [{"nip": "123", "position": "B"}]}, "key locks.0.nip: NIP '123'"),
    ({"forbid": [{"nip": nip(1), "position": "Q"}]}, "key forbid.0.position: position 'Q'"),
])
def test_yaml_value_errors(tmp_path, config, fragment):
    errors = errors_for(tmp_path, **config)
    assert any(fragment in e for e in errors), errors


def test_assessment_errors(tmp_path):
    assessments = [{"nip": nip(1), "position": "B", "score": "10001"},
                   {"nip": nip(9), "position": "B", "score": "10"},
                   {"nip": nip(1), "position": "B", "score": "10"}]
    errors = errors_for(tmp_path, assessments=assessments)
    assert any("assessments.csv row 2, column score" in e for e in errors)
    assert any("assessments.csv row 3, column nip" in e for e in errors)
    assert any("assessments.csv row 4, column position" in e and "already" in e for e in errors)


def test_xlsx_input(tmp_path):
    import pandas as pd

    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    frame = pd.read_csv(tmp_path / "employees.csv", dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "employees.xlsx", index=False)
    path.write_text(path.read_text().replace("employees.csv", "employees.xlsx"))
    sc = load_scenario(path)
    assert sc.employees["nip"].iat[0] == nip(1)


def test_cli_exits_2_without_traceback_and_writes_nothing(tmp_path):
    employees = [dict(r) for r in EMPLOYEES]
    employees[0]["grade"] = "V/a"
    path = write_scenario(tmp_path, employees, POSITIONS)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "solver.cli", "solve", str(path), "--out",
                           str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "employees.csv row 2, column grade" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()
