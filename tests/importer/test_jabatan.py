"""Levels, golongan ranges and BUP per the issue's table (MODEL.md section 2)."""

import pytest

from solver.importer import jabatan

TABLE = {  # issue 13: (level, min, max, BUP)
    "I.a": (6, "IV/d", "IV/e", 60), "I.b": (6, "IV/c", "IV/e", 60),
    "II.a": (5, "IV/c", "IV/d", 60), "II.b": (5, "IV/b", "IV/c", 60),
    "III.a": (4, "IV/a", "IV/b", 58), "III.b": (4, "III/d", "IV/a", 58),
    "IV.a": (3, "III/c", "III/d", 58), "IV.b": (3, "III/b", "III/c", 58),
    "V.a": (2, "III/a", "III/b", 58),
    "ahli utama": (5, "IV/d", "IV/e", 65), "ahli madya": (4, "IV/a", "IV/c", 60),
    "ahli muda": (3, "III/c", "III/d", 58), "ahli pertama": (2, "III/a", "III/b", 58),
    "pemula": (1, "II/a", "II/a", 58), "terampil": (1, "II/b", "II/d", 58),
    "mahir": (1, "III/a", "III/b", 58), "penyelia": (1, "III/c", "III/d", 58),
}


@pytest.mark.parametrize(("name", "expected"), TABLE.items())
def test_derivation_table(name, expected):
    derived = jabatan.ESELON.get(name) or jabatan.JENJANG[name]
    assert (derived.level, derived.grade_min, derived.grade_max, derived.retirement_age) \
        == expected


def test_pelaksana_and_jpt_utama():
    assert jabatan.PELAKSANA == jabatan.Derived(1, "I/a", "III/d", 58)
    assert jabatan.JPT_UTAMA.level == 7 and jabatan.JPT_UTAMA.retirement_age == 60


@pytest.mark.parametrize(("text", "name"), [
    ("II.a", "II.a"), ("2A", "II.a"), ("II A", "II.a"), ("II.A", "II.a"), ("IIa", "II.a"),
    ("ii-b", "II.b"), ("4b", "IV.b"), ("V.a", "V.a"), ("III/b", "III.b"),
])
def test_eselon_spellings(text, name):
    assert jabatan.eselon(text) == name


@pytest.mark.parametrize("text", ["V.b", "II.c", "6A", "Eselon", ""])
def test_not_eselon(text):
    assert jabatan.eselon(text) is None


@pytest.mark.parametrize(("text", "kind"), [
    ("Struktural", "struktural"), ("JPT", "struktural"), ("Administrator", "struktural"),
    ("Pengawas", "struktural"), ("Fungsional", "fungsional"), ("JFT", "fungsional"),
    ("Pelaksana", "pelaksana"), ("JFU", "pelaksana"), ("JPT Utama", "jpt utama"),
    ("FUNGSIONAL_TERTENTU", "fungsional"), ("Honorer", None),
])
def test_kinds(text, kind):
    assert jabatan.kind(text) == kind


@pytest.mark.parametrize(("text", "name"), [("Ahli Muda", "ahli muda"),
                                            ("AHLI_PERTAMA", "ahli pertama"),
                                            ("Terampil", "terampil"), ("Penyelia", "penyelia")])
def test_jenjang(text, name):
    assert jabatan.jenjang(text) == name
