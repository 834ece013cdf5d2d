"""The workspace's downloads: formula-safe cells and the SK annex workbook."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from api.web.downloads import ANNEX_HEADER, annex_xlsx, csv_bytes, pangkat_golongan, safe_cell


def test_safe_cell_keeps_text_text() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=x", "\uff1d1"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Andi") == "Andi" and safe_cell(7) == 7 and safe_cell(None) is None


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
    assert values[1].startswith("'=cmd") and sheet.cell(row=4, column=2).data_type == "s"
    assert "198001012005011001" in values[1]
