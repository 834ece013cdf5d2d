"""Files the workspace hands out: the problems CSV and the SK annex workbook.

Every cell that comes from a user's file goes through :func:`safe_cell`, so a name
such as ``=HYPERLINK(...)`` stays text in a spreadsheet instead of becoming a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# A cell starting with one of these is read as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet cell that cannot be a formula (numbers stay numbers)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheet programs then read it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Lampiran SK"
    sheet.append([safe_cell(title)])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([])
    sheet.append(list(ANNEX_HEADER))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
            if cell.column > 1:
                cell.number_format = "@"
    sheet.append([])
    sheet.append(["", safe_cell(note)])
    for index, width in enumerate((5, 34, 26, 36, 36, 28, 40), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
