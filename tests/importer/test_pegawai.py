"""The pegawai file (SIASN Export Data ASN): each reading rule of issue 13."""

from pathlib import Path

from solver.importer.pegawai import display_name
from tests.importer.helpers import employee, nip, pegawai_row, peta_row, problems, run


def test_nip_apostrophe_and_spaces_removed(tmp_path: Path):
    rows = [pegawai_row(1, **{"NIP BARU": "'" + nip(1)}),
            pegawai_row(2, **{"NIP BARU": "19850615 201001 1 002"})]
    scenario, _ = run(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="2")])
    assert set(scenario.employees["nip"]) == {nip(1), nip(2)}


def test_bad_and_duplicate_nips_named(tmp_path: Path):
    rows = [pegawai_row(1), pegawai_row(2, **{"NIP BARU": "1985061520100110"}),
            pegawai_row(3, **{"NIP BARU": nip(1)})]
    assert problems(tmp_path, pegawai=rows) == [
        "pegawai.csv row 3, column NIP BARU: '1985061520100110' is not valid; expected a NIP "
        "of 18 digits (spaces and a leading apostrophe are removed)",
        f"pegawai.csv row 4, column NIP BARU: NIP {nip(1)} already appears on row 2",
    ]


def test_golongan_code_error_message_as_the_issue_shows(tmp_path: Path):
    rows = [pegawai_row(i) for i in range(1, 5)] + [pegawai_row(5, **{"GOL AKHIR ID": "52"})]
    errors = problems(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="5")])
    assert errors == ["pegawai.csv row 6, column GOL AKHIR ID: '52' is not a BKN golongan code "
                      "(11-14, 21-24, 31-34, 41-45)"]


def test_golongan_notations_mixed(tmp_path: Path):
    rows = [pegawai_row(1, **{"GOL AKHIR ID": "34"}),
            pegawai_row(2, **{"GOL AKHIR ID": "", "GOL AKHIR NAMA": "III/d - Penata Tingkat I"}),
            pegawai_row(3, **{"GOL AKHIR ID": "", "GOL AKHIR NAMA": "IIId"}),
            pegawai_row(4, **{"GOL AKHIR ID": "", "GOL AKHIR NAMA": "Penata Tk. I"}),
            pegawai_row(5, **{"GOL AKHIR ID": "34", "GOL AKHIR NAMA": "III/D"})]
    scenario, _ = run(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="5")])
    assert set(scenario.employees["grade"]) == {"III/d"}


def test_golongan_code_and_name_disagreeing_is_an_error(tmp_path: Path):
    rows = [pegawai_row(1, **{"GOL AKHIR ID": "33", "GOL AKHIR NAMA": "III/d"})]
    assert problems(tmp_path, pegawai=rows) == [
        "pegawai.csv row 2, column GOL AKHIR NAMA: GOL AKHIR ID '33' is III/c but GOL AKHIR NAMA "
        "'III/d' is III/d"]


def test_name_written_as_a_person_would():
    assert display_name("BUDI SANTOSO", "Dr.", "S.Kom") == "Dr. Budi Santoso, S.Kom"
    assert display_name("Ronald McDonald", "", "") == "Ronald McDonald"  # not all capitals
    assert display_name("  SITI   AMINAH ", "", "S.E., M.Si") == "Siti Aminah, S.E., M.Si"


def test_name_round_trips_through_the_written_csv(tmp_path: Path):
    hard = ['=HYPERLINK("x")', "O'BRIEN, \"JR\"", "Ni; Luh", "+62 Budi", "@Siti", "-Rina"]
    rows = [pegawai_row(i + 1, NAMA=name) for i, name in enumerate(hard)]
    scenario, _ = run(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="9")])
    assert list(scenario.employees["name"]) == ['=HYPERLINK("x")', "O'Brien, \"Jr\"", "Ni; Luh",
                                                "+62 Budi", "@Siti", "-Rina"]


def test_inactive_rows_left_out_and_counted_per_status(tmp_path: Path):
    rows = [pegawai_row(1), pegawai_row(2, **{"KEDUDUKAN HUKUM NAMA": "Pensiun"}),
            pegawai_row(3, **{"KEDUDUKAN HUKUM NAMA": "Meninggal Dunia", "GOL AKHIR ID": "99"}),
            pegawai_row(4, **{"KEDUDUKAN HUKUM NAMA": "Pensiun"}),
            pegawai_row(5, **{"KEDUDUKAN HUKUM NAMA": ""})]  # no status = active
    scenario, report = run(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="2")])
    assert set(scenario.employees["nip"]) == {nip(1), nip(5)}
    assert dict(report.inactive) == {"Pensiun": 2, "Meninggal Dunia": 1}


def test_unplaced_needs_level_else_left_out(tmp_path: Path):
    rows = [pegawai_row(1), pegawai_row(2, **{"JABATAN ID": "", "TMT JABATAN": "", "LEVEL": "3"}),
            pegawai_row(3, **{"JABATAN ID": "", "TMT JABATAN": ""})]
    scenario, report = run(tmp_path, pegawai=rows)
    assert employee(scenario, 2)["current_level"] == 3
    assert employee(scenario, 2)["current_position"] == ""
    assert nip(3) not in set(scenario.employees["nip"])
    assert report.left_out == [{"file": "pegawai.csv", "row": 4, "nip": nip(3),
                                "reason": "no JABATAN ID and no LEVEL"}]


def test_unknown_post_bad_dates_and_level_named(tmp_path: Path):
    rows = [pegawai_row(1, **{"JABATAN ID": "X9"}),
            pegawai_row(2, **{"TMT JABATAN": "31-02-2020"}),
            pegawai_row(3, **{"TANGGAL LAHIR": "1985/06/15"}),
            pegawai_row(4, **{"JABATAN ID": "", "LEVEL": "8"})]
    assert problems(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="4")]) == [
        "pegawai.csv row 2, column JABATAN ID: JABATAN ID 'X9' is not in the peta jabatan",
        "pegawai.csv row 3, column TMT JABATAN: '31-02-2020' is not valid; expected a date "
        "dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd (TMT of the current post)",
        "pegawai.csv row 4, column TANGGAL LAHIR: '1985/06/15' is not valid; expected a date "
        "dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd",
        "pegawai.csv row 5, column LEVEL: '8' is not valid; expected a career level 1-7 (an "
        "employee not yet placed)",
    ]


def test_required_columns_named(tmp_path: Path):
    rows = [{"NIP BARU": nip(1), "NAMA": "A"}]
    errors = problems(tmp_path, pegawai=rows)
    assert errors[0].startswith("pegawai.csv row 1: required column 'TANGGAL LAHIR' is missing")
    assert errors[1].startswith("pegawai.csv row 1: required column 'GOL AKHIR ID' is missing")


def test_birth_date_disagreeing_with_nip_reported_and_column_wins(tmp_path: Path):
    rows = [pegawai_row(1, **{"TANGGAL LAHIR": "16-06-1985"})]
    scenario, report = run(tmp_path, pegawai=rows)
    assert str(employee(scenario, 1)["birth_date"]) == "1985-06-16"
    assert report.birth_date_mismatch == [{"row": 2, "nip": nip(1), "birth_date": "1985-06-16",
                                           "from_nip": "1985-06-15"}]


def test_education_kamus_built_in_override_and_unmatched(tmp_path: Path):
    rows = [pegawai_row(1, **{"PENDIDIKAN NAMA": "S1 TEKNIK INFORMATIKA"}),
            pegawai_row(2, **{"PENDIDIKAN NAMA": "S-1 teknik  sipil"}),
            pegawai_row(3, **{"PENDIDIKAN NAMA": "D-IV KAJIAN BUDAYA MARITIM"}),
            pegawai_row(4, **{"PENDIDIKAN NAMA": "S2 Kajian Budaya Maritim"}),
            pegawai_row(5, **{"PENDIDIKAN NAMA": "S1 ILMU HUKUM"})]
    kamus = [{"pendidikan": "ILMU HUKUM", "bidang": "Hukum Tata Negara"}]  # overrides built-in
    scenario, report = run(tmp_path, pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="5")],
                           kamus_pendidikan=kamus)
    fields = dict(zip(scenario.employees["nip"], scenario.employees["education_field"],
                      strict=True))
    assert fields == {nip(1): "teknologi_informasi", nip(2): "teknik_sipil", nip(3): "",
                      nip(4): "", nip(5): "hukum_tata_negara"}
    assert dict(report.unmatched_education) == {"KAJIAN BUDAYA MARITIM": 2}


def test_employees_written_in_pns_id_order_else_nip_order(tmp_path: Path):
    rows = [pegawai_row(3, **{"PNS ID": "A3"}), pegawai_row(1, **{"PNS ID": "A9"}),
            pegawai_row(2, **{"PNS ID": "A1"})]
    scenario, _ = run(tmp_path / "a", pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="3")])
    assert list(scenario.employees["nip"]) == [nip(2), nip(3), nip(1)]
    rows = [pegawai_row(3), pegawai_row(1), pegawai_row(2)]
    scenario, _ = run(tmp_path / "b", pegawai=rows, peta=[peta_row("P1", KEBUTUHAN="3")])
    assert list(scenario.employees["nip"]) == [nip(1), nip(2), nip(3)]
