"""The peta jabatan: jenis jabatan, eselon/jenjang derivation, overrides, yes/no cells."""

from pathlib import Path

import pytest

from solver.importer.cells import YES_NO_EXPECTED
from tests.importer.helpers import pegawai_row, peta_row, position, problems, run


def _post(tmp_path: Path, **cells):
    scenario, _ = run(tmp_path, peta=[peta_row("P1"), peta_row("X", **cells)])
    return position(scenario, "X")


@pytest.mark.parametrize(("cells", "expected"), [
    ({"JENIS JABATAN": "Struktural", "ESELON": "II.b"}, (5, 14, 15, 60)),
    ({"JENIS JABATAN": "JPT", "ESELON": "2A"}, (5, 15, 16, 60)),
    ({"JENIS JABATAN": "Administrator", "ESELON": "III A"}, (4, 13, 14, 58)),
    ({"JENIS JABATAN": "Pengawas", "ESELON": "IV.b"}, (3, 10, 11, 58)),
    ({"JENIS JABATAN": "Struktural", "ESELON": "I.a"}, (6, 16, 17, 60)),
    ({"JENIS JABATAN": "Struktural", "ESELON": "V.a"}, (2, 9, 10, 58)),
    ({"JENIS JABATAN": "JPT Utama", "ESELON": ""}, (7, 16, 17, 60)),
    ({"JENIS JABATAN": "Fungsional", "ESELON": "", "JENJANG": "Ahli Madya"}, (4, 13, 15, 60)),
    ({"JENIS JABATAN": "JFT", "ESELON": "", "JENJANG": "Ahli Utama"}, (5, 16, 17, 65)),
    ({"JENIS JABATAN": "JFT", "ESELON": "", "JENJANG": "Ahli Pertama"}, (2, 9, 10, 58)),
    ({"JENIS JABATAN": "Fungsional", "ESELON": "", "JENJANG": "Pemula"}, (1, 5, 5, 58)),
    ({"JENIS JABATAN": "Fungsional", "ESELON": "", "JENJANG": "Mahir"}, (1, 9, 10, 58)),
    ({"JENIS JABATAN": "Pelaksana", "ESELON": ""}, (1, 1, 12, 58)),
    ({"JENIS JABATAN": "JFU", "ESELON": ""}, (1, 1, 12, 58)),
])
def test_level_range_and_bup_derived(tmp_path: Path, cells, expected):
    post = _post(tmp_path, **cells)
    assert (post["level"], post["grade_min"], post["grade_max"], post["retirement_age"]) \
        == expected


def test_overrides_win(tmp_path: Path):
    post = _post(tmp_path, **{"JENIS JABATAN": "Pelaksana", "ESELON": "", "GOL MIN": "II/a",
                              "GOL MAX": "32", "LEVEL": "1", "BUP": "60"})
    assert (post["grade_min"], post["grade_max"], post["retirement_age"]) == (5, 10, 60)
    post = _post(tmp_path / "b", **{"ESELON": "IV.a", "LEVEL": "4"})
    assert post["level"] == 4 and post["grade_min"] == 11


def test_structural_without_eselon_allowed_only_with_full_overrides(tmp_path: Path):
    post = _post(tmp_path, ESELON="", LEVEL="3", **{"GOL MIN": "III/b", "GOL MAX": "III/d"})
    assert (post["level"], post["grade_min"], post["grade_max"]) == (3, 10, 12)


@pytest.mark.parametrize(("word", "value"), [("Ya", True), ("Tidak", False), ("true", True),
                                             ("FALSE", False), ("1", True), ("0", False),
                                             ("Y", True), ("T", False), ("", False)])
def test_yes_no_cells(tmp_path: Path, word, value):
    post = _post(tmp_path, **{"WAJIB ISI": word, "SELEKSI TERBUKA": word,
                              "PENDIDIKAN WAJIB": word, "BIDANG PENDIDIKAN": "hukum"})
    assert post["must_fill"] is value
    assert post["applicants_only"] is value
    assert post["education_required"] is value


def test_optional_columns(tmp_path: Path):
    post = _post(tmp_path, PRIORITAS="3", KEBUTUHAN="0",
                 **{"BIDANG PENDIDIKAN": "Hukum; teknologi_informasi;hukum"})
    assert post["priority"] == 3 and post["headcount"] == 0
    assert post["education_fields"] == ("hukum", "teknologi_informasi")


def test_problems_named(tmp_path: Path):
    peta = [peta_row("P1"), peta_row("P1"),
            peta_row("A", ESELON="VI.a"), peta_row("B", **{"JENIS JABATAN": "Fungsional",
                                                          "ESELON": ""}),
            peta_row("C", **{"JENIS JABATAN": "Honorer"}), peta_row("D", KEBUTUHAN="-1"),
            peta_row("E", **{"WAJIB ISI": "mungkin"}), peta_row("F", PRIORITAS="4"),
            peta_row("G", **{"GOL MIN": "IV/a", "GOL MAX": "III/a"})]
    assert problems(tmp_path, peta=peta) == [
        "peta_jabatan.csv row 3, column JABATAN ID: JABATAN ID 'P1' already used on row 2",
        "peta_jabatan.csv row 4, column ESELON: 'VI.a' is not valid; expected an eselon I.a, I.b, "
        "II.a, II.b, III.a, III.b, IV.a, IV.b or V.a for a structural post",
        "peta_jabatan.csv row 5, column JENJANG: is blank; expected a jenjang Ahli Pertama, Ahli "
        "Muda, Ahli Madya, Ahli Utama, Pemula, Terampil, Mahir or Penyelia for a functional post",
        "peta_jabatan.csv row 6, column JENIS JABATAN: 'Honorer' is not valid; expected "
        "Struktural, Fungsional or Pelaksana (also JPT, Administrator, Pengawas, JFT, JFU)",
        "peta_jabatan.csv row 7, column KEBUTUHAN: '-1' is not valid; expected a headcount, a "
        "whole number >= 0",
        "peta_jabatan.csv row 8, column WAJIB ISI: 'mungkin' is not valid; expected Ya/Tidak "
        "(also true/false, 1/0, Y/T)",
        "peta_jabatan.csv row 9, column PRIORITAS: '4' is not valid; expected a priority 1, 2 "
        "or 3",
        "peta_jabatan.csv row 10, column GOL MAX: the golongan range IV/a-III/a is empty (min "
        "above max)",
    ]


def test_holders_over_headcount_and_outside_range_reported(tmp_path: Path):
    rows = [pegawai_row(1), pegawai_row(2, **{"GOL AKHIR ID": "32"})]
    scenario, report = run(tmp_path, pegawai=rows, peta=[peta_row("P1")])
    assert report.over_headcount == [{"position": "P1", "title": "Kepala Seksi P1",
                                      "headcount": 1, "holders": 2}]
    assert report.outside_range == [{"nip": scenario.employees["nip"].iat[1], "position": "P1",
                                     "grade": "III/b", "range": "III/c-III/d"}]


def test_kritis_marks_critical_posts(tmp_path: Path):
    """KRITIS (yes/no) becomes the positions column critical (docs/talent.md); without any
    marked post the column is not written, so positions.csv stays as before."""
    scenario, _ = run(tmp_path, peta=[peta_row("P1"), peta_row("K", ESELON="II.b", KRITIS="Ya"),
                                      peta_row("S", ESELON="III.a", KRITIS="tidak")])
    assert [position(scenario, p)["critical"] for p in ("P1", "K", "S")] == [False, True, False]
    header = (tmp_path / "out" / "positions.csv").read_text().splitlines()[0]
    assert header.endswith(",applicants_only,critical")
    run(tmp_path / "plain", peta=[peta_row("P1"), peta_row("K", ESELON="II.b")])
    header = (tmp_path / "plain" / "out" / "positions.csv").read_text().splitlines()[0]
    assert header.endswith(",applicants_only")
    assert problems(tmp_path / "bad", peta=[peta_row("P1"), peta_row("K", KRITIS="mungkin")]) \
        == ["peta_jabatan.csv row 3, column KRITIS: 'mungkin' is not valid; expected "
            + YES_NO_EXPECTED]
