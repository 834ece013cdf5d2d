"""solver.spreadsheetml: the XLSX Penata writes holds what openpyxl wrote for it.

The reference is the writer Penata used before (openpyxl, one cell object per cell,
kept here as :func:`openpyxl_xlsx`). Every part of the two files (worksheets, styles,
workbook, relationships, content types, theme) must be the same XML, compared in
canonical form; only ``docProps`` (openpyxl stamps the time there) may differ.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import canonicalize

import numpy as np
import pytest

from solver.spreadsheetml import Row, Worksheet, column_letter, workbook_bytes
from solver.tabular import Sheet, is_number, xlsx_bytes, xlsx_text


def openpyxl_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The workbook as openpyxl writes it with the rules of solver.tabular."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    def put(ws: Any, row: int, column: int, value: Any, font: Any = None,
            alignment: Any = None) -> None:
        if value is None or value == "":
            return
        if is_number(value):
            cell = ws.cell(row=row, column=column, value=value)
        else:
            cell = ws.cell(row=row, column=column)
            cell.value = xlsx_text(value)
            cell.data_type = "s"
            cell.number_format = "@"
        if font is not None:
            cell.font = font
        if alignment is not None:
            cell.alignment = alignment

    def width(value: Any) -> int:
        return len(str(value)) if value not in (None, "") else 0

    book = Workbook()
    book.remove(book.active)
    bold, heading = Font(bold=True), Font(bold=True, size=12)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = book.create_sheet(xlsx_text(sheet.title))
        for r, row in enumerate(sheet.preamble, start=1):
            for c, value in enumerate(row, start=1):
                put(ws, r, c, value, heading if r == 1 else None)
        top = len(sheet.preamble) + 1
        for c, head in enumerate(sheet.header, start=1):
            put(ws, top, c, head, bold)
        for r, row in enumerate(sheet.rows, start=top + 1):
            for c, value in enumerate(row, start=1):
                put(ws, r, c, value, alignment=wrap if sheet.wrap else None)
        for r, row in enumerate(sheet.footer, start=top + 1 + len(sheet.rows)):
            for c, value in enumerate(row, start=1):
                put(ws, r, c, value)
        for c, head in enumerate(sheet.header, start=1):
            if sheet.widths is not None:
                column_width = float(sheet.widths[c - 1])
            else:
                column_width = min(60, 2 + max(
                    [width(head)] + [width(row[c - 1]) for row in sheet.rows if len(row) >= c]))
            ws.column_dimensions[get_column_letter(c)].width = column_width
        ws.freeze_panes = f"A{top + 1}"
        ws.print_title_rows = f"{top}:{top}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parts(data: bytes) -> dict[str, str]:
    """Every part but docProps, as canonical XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: canonicalize(archive.read(name).decode("utf-8"))
                for name in archive.namelist() if not name.startswith("docProps/")}


def assert_same_as_openpyxl(sheets: Sequence[Sheet]) -> None:
    ours, theirs = parts(xlsx_bytes(sheets)), parts(openpyxl_xlsx(sheets))
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours[name] == theirs[name], name


SAMPLE = [
    Sheet("Rencana 1", ["NIP", "Nama", "JPM"], [["012345678901234567", "Budi", 8100],
                                                ["1", "=HYPERLINK(\"x\")", None]]),
    Sheet("Lampiran 'SK'", ["No", "Nama"], [[1, "a&b<c>\"d\"\nbaris"], [2, "  spasi "]],
          footer=[[], ["", "DRAF"]], preamble=[["Judul"], []], widths=(5, 12.5), wrap=True),
    Sheet("Kosong", [], []),
]


def test_sheets_with_heading_wrap_widths_and_footer_are_openpyxls():
    assert_same_as_openpyxl(SAMPLE)


def test_awkward_values_are_openpyxls():
    """numpy numbers, NaN, bools (text), long numbers, text beyond Excel's 32,767
    characters, characters XLSX cannot hold, blank-only text, Unicode blanks, empty
    text, a number in a bold header and in the heading, empty and short rows."""
    class Blank:  # a value whose text is empty: an empty string cell
        def __str__(self) -> str:
            return ""

    sheets = [
        Sheet("N", ["h", 7], [[np.int64(5), np.float64(2.25), float("nan"), True, 10**17,
                               1e-7, "x" * 40_000, " ", "\t a", "a\x01b\rc", "-5", Blank(),
                               "\u00a0y "]],
              preamble=[[12, "Judul"], ["sub"]]),
        Sheet("W", ["a"], [[1.5]], wrap=True, widths=[3]),
        Sheet("&<x>", ["a", "b", "c"], [["", None, "z"], [], ["q"]], footer=[["f", 2]]),
    ]
    assert_same_as_openpyxl(sheets)


def test_the_review_packet_is_openpyxls(tmp_path):
    """The committee's plans.xlsx of the demo round (every sheet the packet has)."""
    from solver.io import load_scenario
    from solver.output import write_outputs
    from solver.result import SolveParams
    from solver.review import packet
    from solver.solve import solve

    scenario = load_scenario(Path(__file__).resolve().parents[1] / "scenarios/demo/scenario.yaml")
    params = SolveParams(plans=2, time_limit=60, workers=1, seed=0)
    write_outputs(solve(scenario, params), scenario, tmp_path, params, shortlist_time=30)
    doc = json.loads((tmp_path / "plans.json").read_text("utf-8"))
    captured: list[Sequence[Sheet]] = []
    original = packet.xlsx_bytes
    packet.xlsx_bytes = lambda sheets: captured.append(sheets) or original(sheets)
    try:
        data = packet.xlsx_document(doc, scenario)
    finally:
        packet.xlsx_bytes = original
    assert len(captured[0]) >= 5 and sum(len(s.rows) for s in captured[0]) > 50
    assert_same_as_openpyxl(captured[0])
    assert parts(data) == parts(openpyxl_xlsx(captured[0]))


def test_same_sheets_give_the_same_bytes():
    assert xlsx_bytes(SAMPLE) == xlsx_bytes(SAMPLE)


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 53, 702, 703, 16_384)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


@pytest.mark.parametrize("titles", [["a/b"], ["x", "X"], []])
def test_titles_excel_refuses_are_refused(titles):
    sheets = [Worksheet(t, [Row(1, ["h"])], [4.0], 1) for t in titles]
    with pytest.raises(ValueError):
        workbook_bytes(sheets)
