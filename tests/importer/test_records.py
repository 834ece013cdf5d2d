"""kinerja, talenta, hukdis, kompetensi, standar kompetensi, seleksi, and the defaults."""

from pathlib import Path

from tests.importer.helpers import (
    employee,
    nip,
    pegawai_row,
    peta_row,
    position,
    problems,
    run,
    write_rows,
)

PEGAWAI = [pegawai_row(1), pegawai_row(2)]
PETA = [peta_row("P1", KEBUTUHAN="2"), peta_row("K", ESELON="II.b", **{"SELEKSI TERBUKA": "Ya"})]
COMPS = ["Integritas", "Kerja Sama", "Komunikasi", "Orientasi pada Hasil", "Pelayanan Publik",
         "Pengembangan Diri dan Orang Lain", "Mengelola Perubahan", "Pengambilan Keputusan",
         "Perekat Bangsa"]
KEYS = ["c.integritas", "c.kerjasama", "c.komunikasi", "c.orientasi_hasil", "c.pelayanan_publik",
        "c.pengembangan_diri", "c.mengelola_perubahan", "c.pengambilan_keputusan",
        "c.perekat_bangsa"]


def _run(tmp_path: Path, **files):
    return run(tmp_path, pegawai=PEGAWAI, peta=PETA, **files)


def test_latest_skp_year_counts_and_missing_rating_defaults(tmp_path: Path):
    kinerja = [{"NIP": nip(1), "TAHUN": "2026", "PREDIKAT": "Sangat Baik"},
               {"NIP": nip(1), "TAHUN": "2025", "PREDIKAT": "Kurang"},
               {"NIP": nip(1), "TAHUN": "2024", "PREDIKAT": "Baik"}]
    scenario, report = _run(tmp_path, kinerja=kinerja)
    assert employee(scenario, 1)["performance"] == "sangat_baik"
    assert employee(scenario, 2)["performance"] == "butuh_perbaikan"  # no SKP: nobody gains
    assert report.defaults["performance = butuh_perbaikan (tidak ada nilai SKP di kinerja)"] == 1
    assert report.notes["kinerja: baris SKP tahun sebelumnya (tahun terbaru yang dipakai)"] == 2


def test_without_tahun_one_rating(tmp_path: Path):
    kinerja = [{"NIP": nip(1), "PREDIKAT": "baik"}, {"NIP": nip(2), "PREDIKAT": "SANGAT KURANG"}]
    scenario, _ = _run(tmp_path, kinerja=kinerja)
    assert employee(scenario, 2)["performance"] == "sangat_kurang"


def test_two_ratings_for_one_year_and_bad_words_named(tmp_path: Path):
    kinerja = [{"NIP": nip(1), "TAHUN": "2026", "PREDIKAT": "Baik"},
               {"NIP": nip(1), "TAHUN": "2026", "PREDIKAT": "Kurang"},
               {"NIP": nip(2), "TAHUN": "26", "PREDIKAT": "Baik"},
               {"NIP": nip(2), "TAHUN": "2026", "PREDIKAT": "Istimewa"}]
    assert problems(tmp_path, pegawai=PEGAWAI, peta=PETA, kinerja=kinerja) == [
        f"kinerja.csv row 3, column PREDIKAT: NIP {nip(1)} already has rating 'baik' for year "
        "2026 on row 2",
        "kinerja.csv row 4, column TAHUN: '26' is not valid; expected a year such as 2026",
        "kinerja.csv row 5, column PREDIKAT: 'Istimewa' is not valid; expected Sangat Baik, Baik, "
        "Butuh Perbaikan, Kurang or Sangat Kurang",
    ]


def test_potential_and_default(tmp_path: Path):
    scenario, report = _run(tmp_path, talenta=[{"NIP": nip(1), "POTENSI": "Tinggi"}])
    assert employee(scenario, 1)["potential"] == "tinggi"
    assert employee(scenario, 2)["potential"] == "rendah"
    assert report.defaults["potential = rendah (tidak ada di talenta)"] == 1


def test_only_moderate_and_severe_sanctions_count_latest_end_wins(tmp_path: Path):
    hukdis = [{"NIP": nip(1), "TINGKAT HUKUMAN": "Sedang", "AKHIR HUKUMAN": "01-03-2019"},
              {"NIP": nip(1), "TINGKAT HUKUMAN": "Berat", "AKHIR HUKUMAN": "31-03-2027"},
              {"NIP": nip(1), "TINGKAT HUKUMAN": "Sedang", "AKHIR HUKUMAN": "01-01-2026"},
              {"NIP": nip(2), "TINGKAT HUKUMAN": "Ringan", "AKHIR HUKUMAN": "31-12-2027"}]
    scenario, report = _run(tmp_path, hukdis=hukdis)
    assert str(employee(scenario, 1)["discipline_until"]) == "2027-03-31"
    assert employee(scenario, 2)["discipline_until"] is None
    assert report.notes["hukdis: hukuman ringan (tidak menghalangi promosi, PP 94/2021)"] == 1


def test_unknown_nips_reported_not_fatal(tmp_path: Path):
    stranger = nip(99)
    scenario, report = _run(tmp_path, talenta=[{"NIP": stranger, "POTENSI": "Tinggi"}],
                            kinerja=[{"NIP": "'" + stranger, "PREDIKAT": "Baik"}],
                            seleksi=[{"NIP": stranger, "JABATAN ID": "K", "NILAI": "80"}])
    assert report.unknown_nips == [
        {"file": "kinerja.csv", "row": 2, "nip": stranger},
        {"file": "talenta.csv", "row": 2, "nip": stranger},
        {"file": "seleksi.csv", "row": 2, "nip": stranger},
    ]
    assert len(scenario.assessments) == 0


def test_competencies_by_name_with_spellings_and_ignored_columns(tmp_path: Path):
    header = ["NIP", "NAMA", "JPM", "INTEGRITAS", "Kerjasama", "komunikasi", "Orientasi Hasil",
              "pelayanan_publik", "Pengembangan Diri", "Mengelola Perubahan",
              "Pengambilan Keputusan", "Perekat Bangsa"]
    path = write_rows(tmp_path / "src" / "kompetensi.xlsx",
                      [[f"'{nip(1)}", "A", 88.5, 5, 4, 3, 2, 1, 5, 4, None, 2]], header=header)
    scenario, report = _run(tmp_path, kompetensi=path)
    person = employee(scenario, 1)
    assert [person[k] for k in KEYS] == [5, 4, 3, 2, 1, 5, 4, 0, 2]  # blank = not assessed
    assert all(employee(scenario, 2)[k] == 0 for k in KEYS)
    assert report.ignored_columns["kompetensi.xlsx"] == ["NAMA", "JPM"]
    assert report.defaults["kompetensi belum diases (semua kompetensi 0)"] == 1


def test_competency_problems_named(tmp_path: Path):
    rows = [{"NIP": nip(1), **{c: "3" for c in COMPS[:8]}}]
    assert problems(tmp_path, pegawai=PEGAWAI, peta=PETA, kompetensi=rows) == [
        "kompetensi.csv row 1: competency column(s) missing: Perekat Bangsa (the nine of "
        "PermenPANRB 38/2017, by name)"]
    rows = [{"NIP": nip(1), **{c: "3" for c in COMPS}, "Integritas": "6"},
            {"NIP": nip(1), **{c: "3" for c in COMPS}}]
    assert problems(tmp_path / "b", pegawai=PEGAWAI, peta=PETA, kompetensi=rows) == [
        "kompetensi.csv row 2, column Integritas: '6' is not valid; expected a competency level "
        "1-5 (blank = not assessed)",
        f"kompetensi.csv row 3, column NIP: NIP {nip(1)} already assessed on row 2"]


def test_standards_and_per_level_default(tmp_path: Path):
    standar = [{"JABATAN ID": "P1", "NAMA JABATAN": "x", **dict(zip(COMPS, "432104321",
                                                                   strict=True))}]
    scenario, report = _run(tmp_path, standar_kompetensi=standar)
    assert [position(scenario, "P1")[k] for k in KEYS] == [4, 3, 2, 1, 0, 4, 3, 2, 1]
    assert [position(scenario, "K")[k] for k in KEYS] == [4] * 9  # level 5 default
    assert report.defaults["standar kompetensi bawaan per level (tidak ada baris SKJ)"] == 1
    assert "asumsi" in report.assumptions[0]


def test_standard_for_unknown_post_is_an_error(tmp_path: Path):
    standar = [{"JABATAN ID": "NOPE", **{c: "3" for c in COMPS}}]
    assert problems(tmp_path, pegawai=PEGAWAI, peta=PETA, standar_kompetensi=standar) == [
        "standar_kompetensi.csv row 2, column JABATAN ID: JABATAN ID 'NOPE' is not in the peta "
        "jabatan"]


def test_selection_score_is_nilai_times_100_exactly(tmp_path: Path):
    seleksi = [{"NIP": nip(1), "JABATAN ID": "K", "NILAI": "74.29"},  # 74.29*100 != 7428.999
               {"NIP": nip(2), "JABATAN ID": "K", "NILAI": "100"},
               {"NIP": nip(2), "JABATAN ID": "P1", "NILAI": "0,57"}]
    scenario, _ = _run(tmp_path, seleksi=seleksi)
    assert list(scenario.assessments["score"]) == [7429, 10000, 57]
    assert position(scenario, "K")["applicants_only"] is True


def test_selection_problems_named(tmp_path: Path):
    seleksi = [{"NIP": nip(1), "JABATAN ID": "K", "NILAI": "74.255"},
               {"NIP": nip(1), "JABATAN ID": "NOPE", "NILAI": "70"},
               {"NIP": nip(2), "JABATAN ID": "K", "NILAI": "101"},
               {"NIP": nip(2), "JABATAN ID": "P1", "NILAI": "70"},
               {"NIP": nip(2), "JABATAN ID": "P1", "NILAI": "71"}]
    assert problems(tmp_path, pegawai=PEGAWAI, peta=PETA, seleksi=seleksi) == [
        "seleksi.csv row 2, column NILAI: '74.255' is not valid; expected a score 0-100 with at "
        "most 2 decimals",
        "seleksi.csv row 3, column JABATAN ID: JABATAN ID 'NOPE' is not in the peta jabatan",
        "seleksi.csv row 4, column NILAI: '101' is not valid; expected a score 0-100 with at "
        "most 2 decimals",
        f"seleksi.csv row 6, column JABATAN ID: ({nip(2)}, P1) already has a NILAI on row 5",
    ]


def test_kamus_conflict_named(tmp_path: Path):
    kamus = [{"pendidikan": "S1 ILMU HUKUM", "bidang": "hukum"},
             {"pendidikan": "ILMU HUKUM", "bidang": "pemerintahan"}]
    assert problems(tmp_path, pegawai=PEGAWAI, peta=PETA, kamus_pendidikan=kamus) == [
        "kamus_pendidikan.csv row 3, column bidang: 'ILMU HUKUM' is already mapped to 'hukum' "
        "on row 2"]
