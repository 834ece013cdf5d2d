"""Every file may be CSV (comma or semicolon; UTF-8 with/without BOM, Windows-1252) or
XLSX (first sheet); headers by key, a repeated header uses its first column."""

from pathlib import Path

import openpyxl
import pytest

from solver.importer.run import import_siasn
from solver.io import load_scenario
from tests.importer.helpers import (
    AS_OF,
    employee,
    nip,
    pegawai_row,
    peta_row,
    run,
    sources,
    write_rows,
)

NAME = "SITI NURHALIZA"


@pytest.mark.parametrize(("sep", "encoding"), [(",", "utf-8"), (";", "utf-8"),
                                               (",", "utf-8-sig"), (";", "cp1252")])
def test_csv_variants(tmp_path: Path, sep, encoding):
    rows = [pegawai_row(1, NAMA="JOSÉ RAMÍREZ")]
    src = sources(tmp_path / "src")
    write_rows(src.pegawai, rows, sep=sep, encoding=encoding)
    import_siasn(src, AS_OF, tmp_path / "out")
    scenario = load_scenario(tmp_path / "out" / "scenario.yaml")
    assert employee(scenario, 1)["name"] == "José Ramírez"


def test_xlsx_first_sheet_with_typed_cells(tmp_path: Path):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["NIP BARU", "NAMA", "TANGGAL LAHIR", "GOL AKHIR ID", "JABATAN ID",
                  "TMT JABATAN"])
    sheet.append([f"'{nip(1)}", NAME, dt.datetime(1985, 6, 15), 33, "P1", 43831])  # serial
    other = book.create_sheet("Lain")
    other.append(["ignored"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    src = sources(tmp_path / "src")
    src = type(src)(**{**src.__dict__, "pegawai": path})
    import_siasn(src, AS_OF, tmp_path / "out")
    person = employee(load_scenario(tmp_path / "out" / "scenario.yaml"), 1)
    assert person["grade"] == "III/c"
    assert str(person["position_since"]) == "2020-01-01"
    assert str(person["birth_date"]) == "1985-06-15"


def test_header_spellings_and_repeated_header(tmp_path: Path):
    header = ["nip_baru", "Nama", "tanggal.lahir", "GOL-AKHIR-ID", "JABATAN ID", "TMT JABATAN",
              "NAMA"]
    path = tmp_path / "src" / "pegawai.csv"
    path.parent.mkdir(parents=True)
    path.write_text(",".join(header) + "\n" + f"{nip(1)},SITI,15-06-1985,33,P1,01-01-2020,"
                    "OTHER\n", encoding="utf-8")
    scenario, report = run(tmp_path, pegawai=path)
    assert employee(scenario, 1)["name"] == "Siti"  # the first NAMA column
    assert report.duplicate_headers == {"pegawai.csv": ["NAMA"]}


def test_headers_equal_by_key_are_repeats(tmp_path: Path):
    path = write_rows(tmp_path / "src" / "pegawai.csv", [pegawai_row(1)], header=None)
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text(text[0] + ",nip_baru\n" + text[1] + ",999\n", encoding="utf-8")
    scenario, report = run(tmp_path, pegawai=path)
    assert employee(scenario, 1)["nip"] == nip(1)
    assert report.duplicate_headers == {"pegawai.csv": ["nip_baru"]}


def test_map_renames_columns(tmp_path: Path):
    rows = [{("NIP 18" if k == "NIP BARU" else k): v for k, v in pegawai_row(1).items()}]
    peta = [{("KODE" if k == "JABATAN ID" else k): v for k, v in peta_row("P1").items()}]
    mapping = tmp_path / "map.yaml"
    mapping.write_text("pegawai:\n  NIP 18: NIP BARU\npeta_jabatan:\n  kode: jabatan_id\n",
                       encoding="utf-8")
    scenario, report = run(tmp_path, pegawai=rows, peta=peta, map=mapping)
    assert employee(scenario, 1)["current_position"] == "P1"
    assert report.renamed_columns["pegawai.csv"] == {"NIP 18": "nip baru"}


def test_not_utf8_nor_cp1252_is_named(tmp_path: Path):
    src = sources(tmp_path / "src")
    src.pegawai.write_bytes(b"NIP BARU,NAMA\n\x81\x8d,x\n")  # undefined in cp1252
    from tests.importer.helpers import problems

    errors = problems(tmp_path, pegawai=src.pegawai)
    assert errors == ["pegawai.csv row 2: byte 0x81 is not UTF-8 text (save the file as CSV "
                      "UTF-8)"]


def test_damaged_xlsx_named(tmp_path: Path):
    from tests.importer.helpers import problems

    path = tmp_path / "src" / "pegawai.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    errors = problems(tmp_path, pegawai=path)
    assert len(errors) == 1
    assert errors[0].startswith("pegawai.xlsx: is not a readable XLSX workbook (")


def test_calamine_reads_the_cells_openpyxl_reads(tmp_path: Path):
    """The importer's fast XLSX path gives exactly the shared reader's cells."""
    import pandas as pd

    from solver.generate import build
    from solver.generate.siasn import write_siasn
    from solver.io import read_raw_table
    from tests.importer.helpers import FIXTURE

    write_siasn(build("demo", 3), tmp_path)
    books = [*sorted((FIXTURE / "exports").glob("*.xlsx")), *sorted(tmp_path.glob("*.xlsx"))]
    for book in books:
        slow = read_raw_table(book, book.name)
        fast = read_raw_table(book, book.name, xlsx_engine="calamine")
        pd.testing.assert_frame_equal(fast, slow)


def test_calamine_path_keeps_the_limits(tmp_path: Path):
    from solver.io import InputError, TableLimits, read_raw_table

    path = write_rows(tmp_path / "p.xlsx", [pegawai_row(1), pegawai_row(2)])
    with pytest.raises(InputError) as info:
        read_raw_table(path, "p.xlsx", limits=TableLimits(max_rows=1), xlsx_engine="calamine")
    assert info.value.errors == ["p.xlsx: has more than 1 data rows; the limit is 1 per table"]
    with pytest.raises(InputError) as info:
        read_raw_table(path, "p.xlsx", limits=TableLimits(max_columns=3), xlsx_engine="calamine")
    assert info.value.errors[0].startswith("p.xlsx row 1: has 7 columns; the limit is 3")
