"""Loader messages as table rows (file, row, column, value, what to fix), in Indonesian."""

from __future__ import annotations

import pytest

from api.web.problems import one_line, parse
from solver.io import InputError, load_scenario
from tests.web.helpers import DEMO, broken_employees


def test_real_loader_messages_split_into_cells(tmp_path) -> None:
    for name in ("scenario.yaml", "positions.csv"):
        (tmp_path / name).write_bytes((DEMO / name).read_bytes())
    (tmp_path / "employees.csv").write_bytes(broken_employees())
    with pytest.raises(InputError) as caught:
        load_scenario(tmp_path / "scenario.yaml")
    [problem] = [parse(m) for m in caught.value.errors]
    assert (problem.file, problem.row, problem.column, problem.value) == \
        ("employees.csv", "2", "grade", "V/a")
    assert problem.fix.startswith("tidak valid; isi dengan golongan")
    assert problem.message == caught.value.errors[0]


@pytest.mark.parametrize(("message", "cells"), [
    ("employees.csv row 3, column nip: '12345' is not a NIP; expected 18 digits",
     ("employees.csv", "3", "nip", "12345", "bukan NIP; NIP terdiri dari 18 digit")),
    ("employees.csv row 4, column current_position: position 'X9' is not in the positions "
     "table", ("employees.csv", "4", "current_position", "X9",
               "jabatan 'X9' tidak ada di tabel jabatan")),
    ("scenario.yaml line 9, key rules.max_unit_turnover: 1.5 is out of range; expected a "
     "number between 0 and 1", ("scenario.yaml", "9", "rules.max_unit_turnover", "1.5",
                                "di luar rentang; isi dengan angka antara 0 dan 1")),
    ("positions.csv: required column 'unit' is missing (header row has: id, title)",
     ("positions.csv", "", "", "", "kolom wajib 'unit' tidak ada; tambahkan di baris judul "
      "(kolom yang ada: id, title)")),
    ("scenario.yaml key as_of: is missing; the reference date YYYY-MM-DD is required",
     ("scenario.yaml", "", "as_of", "", "tidak ada; the reference date YYYY-MM-DD is required")),
])
def test_message_shapes(message: str, cells: tuple[str, ...]) -> None:
    problem = parse(message)
    assert (problem.file, problem.row, problem.column, problem.value, problem.fix) == cells


def test_unknown_shapes_are_kept_whole() -> None:
    problem = parse("something odd happened")
    assert problem.fix == "something odd happened" and problem.file == ""
    assert one_line("scenario.yaml key rules.x: unknown rule; known rules: a, b") == \
        "rules.x: aturan tidak dikenal; aturan yang ada: a, b"
