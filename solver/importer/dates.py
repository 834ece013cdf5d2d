"""Dates as exports hold them: dd-mm-yyyy, dd/mm/yyyy, yyyy-mm-dd, XLSX cells, serials.

SIASN's API gives dd-mm-yyyy; a sheet saved by Excel may hold date cells (read as ISO
text by :func:`solver.io.xlsx_cell_text`) or, when a column was formatted as a number,
Excel serial day numbers (day 1 = 1900-01-01, with Excel's phantom 29 Feb 1900, so
serials count from 1899-12-30). Day-first is the Indonesian order; a month-first
date (``12/31/2020``) is rejected rather than silently swapped.
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.0+)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials before 1900-03-01 (61) are off by Excel's leap-year bug; no civil servant's
# date is that early, so they are refused instead of corrected.
SERIAL_MIN, SERIAL_MAX = 61, 2_958_465  # 1900-03-01 .. 9999-12-31
EXPECTED = "a date dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd"


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse(text: str) -> dt.date | None:
    value = text.strip()
    match = _ISO.match(value)
    if match:
        return _date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _DAY_FIRST.match(value)
    if match:
        return _date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    if _SERIAL.match(value):
        serial = int(value.split(".")[0])
        if SERIAL_MIN <= serial <= SERIAL_MAX:
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    return None
