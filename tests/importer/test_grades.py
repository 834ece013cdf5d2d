"""Golongan: BKN codes, roman notations, pangkat names (issue 13, pegawai rules)."""

import pytest

from solver.importer import grades


@pytest.mark.parametrize(("code", "grade"), [
    ("11", "I/a"), ("14", "I/d"), ("21", "II/a"), ("24", "II/d"), ("31", "III/a"),
    ("34", "III/d"), ("41", "IV/a"), ("45", "IV/e"), ("33.0", "III/c"), (" 42 ", "IV/b"),
])
def test_bkn_codes(code, grade):
    assert grades.from_code(code) == grade


@pytest.mark.parametrize("code", ["10", "15", "25", "35", "46", "52", "3", "311", "III/a", ""])
def test_not_bkn_codes(code):
    assert grades.from_code(code) is None


@pytest.mark.parametrize("text", ["III/a", "III/A", "III a", "IIIa", "iii/a", "III - a",
                                  "III/a - Penata Muda", "III/A - PENATA MUDA",
                                  "Penata Muda"])
def test_notations_of_iii_a(text):
    assert grades.from_text(text) == "III/a"


@pytest.mark.parametrize("text", ["Penata Muda Tingkat I", "Penata Muda Tk I",
                                  "Penata Muda Tk. I", "PENATA MUDA TK.I",
                                  "III/b - Penata Muda Tingkat I"])
def test_tingkat_spellings(text):
    assert grades.from_text(text) == "III/b"


def test_every_pangkat_name_is_its_golongan():
    for grade, name in grades.PANGKAT.items():
        assert grades.from_text(name) == grade
        assert grades.from_text(f"{grade} - {name}") == grade


@pytest.mark.parametrize("text", ["III/a - Penata", "V/a", "III/f", "II/e", "Pembina Madya",
                                  "Golongan 3", ""])
def test_rejected(text):
    # a pangkat disagreeing with its golongan is rejected, not guessed
    assert grades.from_text(text) is None


def test_parse_takes_either():
    assert grades.parse("32") == "III/b"
    assert grades.parse("IV/e - Pembina Utama") == "IV/e"
