"""The workspace's downloads: formula-safe cells and the SK annex workbook."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from api.web.downloads import ANNEX_HEADER, annex_xlsx, csv_bytes, pangkat_golongan


def test_csv_has_a_bom_and_guarded_cells() -> None:
    data = csv_bytes(["a", "b"], [["=HYPERLINK(1)", "ok"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[1] == "'=HYPERLINK(1),ok"


def test_annex_workbook() -> None:
    rows = [[1, "=cmd|' /C calc'!A0\nNIP 198001012005011001", pangkat_golongan("III/d"),
             "Kepala Seksi A (001)", "Kabid (003)", "Dinas A", "promosi"]]
    book = load_workbook(io.BytesIO(annex_xlsx("Lampiran", rows, "DRAF")))
    sheet = book["Lampiran SK"]
    assert [c.value for c in sheet[3]] == list(ANNEX_HEADER)
    values = [c.value for c in sheet[4]]
    assert values[0] == 1 and values[2] == "Penata Tingkat I, III/d"
    assert values[1].startswith("=cmd") and sheet.cell(row=4, column=2).data_type == "s"
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 12 and sheet["B4"].alignment.wrap_text
    assert sheet.column_dimensions["B"].width == 34 and sheet["B6"].value == "DRAF"
    assert "198001012005011001" in values[1]
