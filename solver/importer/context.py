"""What every source reader shares: the problems collected and the report being built."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from solver.importer.problems import Problems, show
from solver.importer.report import Report
from solver.importer.tables import Sheet


@dataclass
class Context:
    problems: Problems
    report: Report

    def cell_problem(self, sheet: Sheet, row: int) -> Callable[[str, str, str], None]:
        """``bad(column, value, expected)`` for one spreadsheet row of ``sheet``."""

        def bad(column: str, value: str, expected: str) -> None:
            what = f"{show(value)} is not valid; expected {expected}" if value else \
                f"is blank; expected {expected}"
            self.problems.add(sheet.label, what, row, sheet.header(column))

        return bad

    def ignored(self, sheet: Sheet, known: list[str]) -> None:
        """List the columns of ``sheet`` the importer does not read, and its duplicates."""
        unused = [sheet.headers[k] for k in sheet.headers if k not in known]
        if unused:
            self.report.ignored_columns[sheet.label] = unused
        if sheet.duplicates:
            self.report.duplicate_headers[sheet.label] = list(sheet.duplicates)
        if sheet.renamed:
            self.report.renamed_columns[sheet.label] = dict(sheet.renamed)
