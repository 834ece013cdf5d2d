"""Every input error names the file, the spreadsheet row and the column; CLI exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from solver.io import InputError, load_scenario
from tests.builders import nip, person, post, write_scenario, xlsx_bytes

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
    error = info.value.errors[0]
    assert error.startswith("scenario.yaml: key 'positions' names positions.csv: file not found")
    assert str(tmp_path / "positions.csv") in error


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
    proc = subprocess.run([sys.executable, "-m", "api.cli", "solve", str(path), "--out",
                           str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "employees.csv row 2, column grade" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


# ----------------------------------------------------------------- section 9 tables


def _voice_tables(tmp_path: Path, preferences=None, units=None, **config):
    """EMPLOYEES/POSITIONS plus a preferences and/or units table; returns the YAML path."""
    import csv

    files = {}
    for key, rows in (("preferences", preferences), ("units", units)):
        if rows is None:
            continue
        tmp_path.mkdir(parents=True, exist_ok=True)
        with (tmp_path / f"{key}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        files[key] = f"{key}.csv"
    return write_scenario(tmp_path, EMPLOYEES, POSITIONS, None, **files, **config)


def test_section9_tables_read_exactly(tmp_path):
    prefs = [{"nip": nip(1), "position": "B", "rank": "1"},
             {"nip": nip(1), "position": "007", "rank": "3"},  # own post; ranks may skip
             {"nip": nip(2), "position": "B", "rank": "5"}]
    sc = load_scenario(_voice_tables(tmp_path, prefs, [{"unit": "Dinas A", "ikm": "76,6"}],
                                     rules={"voluntary_moves": True, "low_ikm_below": 80.05,
                                            "low_ikm_fit_multiplier": 3},
                                     weights={"preference": 700}))
    assert list(sc.preferences["rank"]) == [1, 3, 5]
    assert list(sc.preferences["row"]) == [2, 3, 4]
    assert sc.units["ikm_hundredths"].tolist() == [7660]  # "76,6" = 76.60, kept exact
    assert sc.rules.voluntary_moves is True
    assert str(sc.rules.low_ikm_below) == "1601/20"  # 80.05 exactly, not a float
    assert sc.rules.low_ikm_fit_multiplier == 3
    assert sc.weights.preference == 700


def test_section9_defaults_are_off(tmp_path):
    sc = load_scenario(write_scenario(tmp_path, EMPLOYEES, POSITIONS))
    assert sc.preferences.empty and sc.units.empty
    assert sc.rules.voluntary_moves is False
    assert str(sc.rules.low_ikm_below) == "7661/100"
    assert sc.rules.low_ikm_fit_multiplier == 1 and sc.weights.preference == 0


@pytest.mark.parametrize(("rows", "fragments"), [
    # unknown NIP
    ([{"nip": nip(9), "position": "B", "rank": "1"}],
     ["preferences.csv row 2, column nip", f"NIP '{nip(9)}' is not in the employees table"]),
    # unknown position id
    ([{"nip": nip(1), "position": "Z", "rank": "1"}],
     ["preferences.csv row 2, column position", "'Z' is not in the positions table"]),
    # the same pair twice (row 3 repeats row 2)
    ([{"nip": nip(1), "position": "B", "rank": "1"}, {"nip": nip(1), "position": "B", "rank": "2"}],
     ["preferences.csv row 3, column position", "already listed on row 2"]),
    # rank 1 used twice by one employee
    ([{"nip": nip(1), "position": "B", "rank": "1"}, {"nip": nip(1), "position": "007", "rank": "1"}],
     ["preferences.csv row 3, column rank", "rank 1 is already used by NIP", "on row 2"]),
    # rank outside 1-5
    ([{"nip": nip(1), "position": "B", "rank": "6"}],
     ["preferences.csv row 2, column rank", "'6' is not valid", "1-5"]),
    ([{"nip": nip(1), "position": "B", "rank": "0"}], ["preferences.csv row 2, column rank"]),
    ([{"nip": nip(1), "position": "B", "rank": "1.5"}], ["preferences.csv row 2, column rank"]),
    ([{"nip": nip(1), "position": "B", "rank": ""}],
     ["preferences.csv row 2, column rank", "is blank"]),
])
def test_preference_errors(tmp_path, rows, fragments):
    with pytest.raises(InputError) as info:
        load_scenario(_voice_tables(tmp_path, preferences=rows))
    assert len(info.value.errors) == 1, info.value.errors
    assert all(f in info.value.errors[0] for f in fragments), info.value.errors


def test_preferences_valid_edge_cases(tmp_path):
    # rank 1 and rank 5 at the bounds; the same rank used by two different employees
    rows = [{"nip": nip(1), "position": "B", "rank": "5"},
            {"nip": nip(2), "position": "B", "rank": "5"},
            {"nip": nip(2), "position": "007", "rank": "1"}]
    sc = load_scenario(_voice_tables(tmp_path, preferences=rows))
    assert sc.preferences["rank"].tolist() == [5, 5, 1]


@pytest.mark.parametrize(("rows", "fragments"), [
    ([{"unit": "Dinas Z", "ikm": "80"}],
     ["units.csv row 2, column unit", "'Dinas Z' is not a unit of the positions table"]),
    ([{"unit": "Dinas A", "ikm": "80"}, {"unit": "Dinas A", "ikm": "81"}],
     ["units.csv row 3, column unit", "already appears on row 2"]),
    ([{"unit": "Dinas A", "ikm": "24.99"}],
     ["units.csv row 2, column ikm", "'24.99' is outside the IKM scale 25.00-100.00"]),
    ([{"unit": "Dinas A", "ikm": "100.01"}], ["units.csv row 2, column ikm", "outside"]),
    ([{"unit": "Dinas A", "ikm": "76.615"}],
     ["units.csv row 2, column ikm", "'76.615' has more than 2 decimals"]),
    ([{"unit": "Dinas A", "ikm": "baik"}], ["units.csv row 2, column ikm", "is not a number"]),
    ([{"unit": "Dinas A", "ikm": "-80"}], ["units.csv row 2, column ikm", "is not a number"]),
    ([{"unit": "Dinas A", "ikm": ""}], ["units.csv row 2, column ikm", "is blank"]),
])
def test_unit_errors(tmp_path, rows, fragments):
    with pytest.raises(InputError) as info:
        load_scenario(_voice_tables(tmp_path, units=rows))
    assert len(info.value.errors) == 1, info.value.errors
    assert all(f in info.value.errors[0] for f in fragments), info.value.errors


@pytest.mark.parametrize(("text", "hundredths"), [
    ("25", 2500), ("25.00", 2500), ("100", 10000), ("100.00", 10000), ("76.61", 7661),
    ("76.6", 7660), ("76,61", 7661), ("76.610", 7661),  # trailing zeros are still 2 decimals
])
def test_ikm_bounds_and_exact_hundredths(tmp_path, text, hundredths):
    sc = load_scenario(_voice_tables(tmp_path, units=[{"unit": "Dinas A", "ikm": text}]))
    assert sc.units["ikm_hundredths"].tolist() == [hundredths]


@pytest.mark.parametrize(("config", "fragment"), [
    ({"rules": {"voluntary_moves": "maybe"}}, "key rules.voluntary_moves: 'maybe' is not valid"),
    ({"rules": {"low_ikm_below": 101}}, "key rules.low_ikm_below: 101 is out of range"),
    ({"rules": {"low_ikm_below": "tinggi"}}, "key rules.low_ikm_below: 'tinggi' is not valid"),
    ({"rules": {"low_ikm_fit_multiplier": 0}}, "key rules.low_ikm_fit_multiplier: 0 is not valid"),
    ({"rules": {"low_ikm_fit_multiplier": 11}}, "expected a whole number 1-10"),
    ({"weights": {"preference": -1}}, "key weights.preference"),
    ({"preferences": ["a.csv"]}, "key preferences: must be the path of the preferences table"),
    ({"units": 3}, "key units: must be the path of the units table"),
])
def test_section9_yaml_errors(tmp_path, config, fragment):
    errors = errors_for(tmp_path, **config)
    assert any(fragment in e for e in errors), errors


def test_section9_cli_exits_2(tmp_path):
    path = _voice_tables(tmp_path, units=[{"unit": "Dinas A", "ikm": "76.615"}])
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "api.cli", "solve", str(path), "--out",
                           str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "units.csv row 2, column ikm" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists()


# --------------------------------------------------------------------------- hostile input


def _yaml_errors(tmp_path: Path, text: str) -> list[str]:
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value.errors


def test_a_duplicated_key_is_an_error_naming_both_lines(tmp_path):
    text = ("name: test\nas_of: 2027-01-02\npositions: positions.csv\n"
            "employees: employees.csv\nrules:\n  min_tenure_months: 0\n"
            "  min_tenure_months: 12\nlocks:\n  - {nip: '1', nip: '2', position: B}\n"
            "positions: /etc/hostname\n")
    assert _yaml_errors(tmp_path, text) == [
        "scenario.yaml line 7: key 'rules.min_tenure_months' appears twice (first at line 6)",
        "scenario.yaml line 9: key 'locks.0.nip' appears twice (first at line 9)",
        "scenario.yaml line 10: key 'positions' appears twice (first at line 3)",
    ]


def test_an_alias_bomb_stops_at_the_alias_cap(tmp_path):
    lines = ["name: test", "as_of: 2027-01-02", "employees: employees.csv",
             "positions: positions.csv", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):  # 10**9 values once expanded
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    errors = _yaml_errors(tmp_path, "\n".join(lines) + "\n")
    assert errors == ["scenario.yaml line 8: YAML aliases expand to more than 10,000 values; "
                      "write the values out instead"]


def test_a_recursive_alias_names_its_line(tmp_path):
    text = "name: test\nas_of: 2027-01-02\nloop: &a [1, *a]\n"
    assert _yaml_errors(tmp_path, text) == [
        "scenario.yaml line 3: a YAML alias refers to the collection that contains it; "
        "remove the recursion"]


@pytest.mark.parametrize("nested", ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "1" + "}" * 5000])
def test_deep_nesting_is_an_input_error_not_a_crash(tmp_path, nested):
    errors = _yaml_errors(tmp_path, f"name: test\nas_of: 2027-01-02\nx: {nested}\n")
    assert errors == ["scenario.yaml line 3: is nested more than 20 levels deep"]


def test_a_huge_value_is_echoed_clipped(tmp_path):
    errors = errors_for(tmp_path, rules={"min_tenure_months": "9" * 100_000})
    assert len(errors) == 1 and len(errors[0]) < 200, errors
    assert errors[0].startswith("scenario.yaml line 6, key rules.min_tenure_months: '9999")


def test_the_column_cap_is_checked_on_the_header(tmp_path):
    positions = [{**row, **{f"x{i}": "" for i in range(1_200)}} for row in POSITIONS]
    errors = errors_for(tmp_path, positions=positions)
    assert errors == [f"positions.csv row 1: has {len(positions[0]):,} columns; the limit is "
                      "1,000"]


def test_a_missing_column_shows_the_header_once_clipped(tmp_path):
    employees = [{k: v for k, v in row.items() if k != "grade"} | {f"x{i}": "" for i in
                                                                   range(900)}
                 for row in EMPLOYEES]
    errors = errors_for(tmp_path, employees=employees, positions=POSITIONS)
    assert len(errors) == 1 and len(errors[0]) < 300, errors


def _positions_rows(extra: int) -> list[list[object]]:
    header = list(POSITIONS[0])
    rows = [header] + [[row[k] for k in header] for row in POSITIONS]
    rows += [[f"P{i}", "t", "Dinas A", 3, "III/a", "III/d", 1, "", 1][: len(header)]
             for i in range(extra)]
    return rows


def test_xlsx_rows_stream_and_stop_at_the_row_limit(tmp_path):
    from solver.io import TableLimits

    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    (tmp_path / "positions.xlsx").write_bytes(xlsx_bytes(_positions_rows(500)))
    path.write_text(path.read_text().replace("positions.csv", "positions.xlsx"))
    with pytest.raises(InputError) as info:
        load_scenario(path, TableLimits(max_rows=100))
    assert info.value.errors == [
        "positions.xlsx: has more than 100 data rows; the limit is 100 per table"]
    assert len(load_scenario(path, TableLimits(max_rows=502)).positions) == 502


def test_an_xlsx_expanding_past_the_byte_limit_is_refused_before_reading(tmp_path):
    from solver.io import TableLimits

    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    content = xlsx_bytes(_positions_rows(20_000))
    (tmp_path / "positions.xlsx").write_bytes(content)
    path.write_text(path.read_text().replace("positions.csv", "positions.xlsx"))
    limit = 4 * len(content)  # the file is well under it; its XML is not
    with pytest.raises(InputError) as info:
        load_scenario(path, TableLimits(max_bytes=limit))
    [message] = info.value.errors
    assert message.startswith("positions.xlsx: expands to ")
    assert message.endswith(f"bytes of XML; the limit is {limit:,}")


def test_an_xlsx_header_wider_than_the_cap_is_refused(tmp_path):
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    rows = _positions_rows(0)
    rows[0] = rows[0] + [f"x{i}" for i in range(2_000)]
    (tmp_path / "positions.xlsx").write_bytes(xlsx_bytes(rows))
    path.write_text(path.read_text().replace("positions.csv", "positions.xlsx"))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.errors == [f"positions.xlsx row 1: has {len(rows[0]):,} columns; the "
                                 "limit is 1,000"]


def test_a_table_read_again_is_the_same_table_and_a_changed_one_is_read_anew(tmp_path):
    """The loader keeps the tables it read (a what-if's round has its base's bytes): a
    second read gives an equal table of its own; a changed byte is read and checked
    again; an invalid table gives its messages every time."""
    path = write_scenario(tmp_path, EMPLOYEES, POSITIONS)
    first, second = load_scenario(path), load_scenario(path)
    assert first.employees.equals(second.employees)
    assert first.positions.equals(second.positions)
    assert first.employees is not second.employees
    second.employees.loc[0, "name"] = "Nama Lain"  # a caller's copy: the kept one is not
    assert load_scenario(path).employees.equals(first.employees)
    text = (tmp_path / "employees.csv").read_text()
    (tmp_path / "employees.csv").write_text(text.replace("III/c", "III/d", 1))
    changed = load_scenario(path)
    assert not changed.employees.equals(first.employees)
    (tmp_path / "employees.csv").write_text(text.replace("III/c", "V/z", 1))
    for _ in range(2):
        with pytest.raises(InputError) as info:
            load_scenario(path)
        assert any("'V/z' is not valid" in e for e in info.value.errors)
