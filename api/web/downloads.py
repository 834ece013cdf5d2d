"""Files the workspace hands out: the problems CSV and the SK annex workbook.

Both are written by :mod:`solver.tabular`, so a name such as ``=HYPERLINK(...)`` stays
text in a spreadsheet instead of becoming a formula (docs/guarantees.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from solver.tabular import Sheet, csv_text, xlsx_bytes


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM and CRLF line ends (spreadsheet programs then read it as
    UTF-8); text fields guarded by :func:`solver.tabular.csv_text`."""
    return ("\ufeff" + csv_text(header, rows, line_end="\r\n")).encode("utf-8")


# Pangkat of each golongan ruang (PP 99/2000).
PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I", "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata", "III/d": "Penata Tingkat I", "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda", "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
ANNEX_HEADER = ("No", "Nama / NIP", "Pangkat / Gol.", "Jabatan Lama", "Jabatan Baru",
                "Unit Kerja", "Alasan")


def pangkat_golongan(grade: str) -> str:
    name = PANGKAT.get(grade)
    return f"{name}, {grade}" if name else grade


def annex_xlsx(title: str, rows: list[Sequence[Any]], note: str) -> bytes:
    """The SK annex (lampiran keputusan) as an XLSX workbook: one sheet, a title row,
    the header and one row per move; names and NIPs are text cells."""
    return xlsx_bytes([Sheet("Lampiran SK", ANNEX_HEADER, rows, footer=[[], ["", note]],
                             preamble=[[title], []], widths=(5, 34, 26, 36, 36, 28, 40),
                             wrap=True)])
