"""Dates: dd-mm-yyyy, dd/mm/yyyy, yyyy-mm-dd, XLSX cells (ISO text), Excel serials."""

import datetime as dt

import pytest

from solver.importer import dates


@pytest.mark.parametrize(("text", "date"), [
    ("02-01-2027", dt.date(2027, 1, 2)),
    ("2/1/2027", dt.date(2027, 1, 2)),
    ("02/01/2027", dt.date(2027, 1, 2)),
    ("2027-01-02", dt.date(2027, 1, 2)),
    ("2027-01-02T00:00:00", dt.date(2027, 1, 2)),  # an XLSX date-time cell at midnight
    ("46389", dt.date(2027, 1, 2)),  # Excel serial (number cell)
    ("46389.0", dt.date(2027, 1, 2)),
    ("61", dt.date(1900, 3, 1)),
    ("29-02-2024", dt.date(2024, 2, 29)),
])
def test_accepted(text, date):
    assert dates.parse(text) == date


@pytest.mark.parametrize("text", ["31-02-2027", "12/31/2020", "2027/01/02 10:00", "20270102",
                                  "60", "0", "46389.5", "kemarin", "", "1-1-27"])
def test_rejected(text):
    # month-first (12/31/2020) is refused rather than swapped
    assert dates.parse(text) is None
