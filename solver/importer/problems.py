"""Collected import problems: every one names file, spreadsheet row, column and value.

An import reads up to ten files; a planner fixing them wants every problem of every
file in one pass, so nothing stops at the first. Fatal problems (:class:`Problems`)
make the import write nothing and exit 2; findings that do not stop the import
(an unknown NIP in the kinerja file, a holder outside the post's range) go into the
report instead (:mod:`solver.importer.report`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.io import MAX_ERRORS, InputError

# A planner fixes a sheet in a pass; past this many the rest are counted, not listed.
MAX_PROBLEMS = 4 * MAX_ERRORS


def show(value: str) -> str:
    """A cell value quoted for a message, cut to a readable length."""
    text = value if len(value) <= 60 else value[:57] + "..."
    return repr(text)


def where(file: str, row: int | None = None, column: str | None = None) -> str:
    place = file
    if row is not None:
        place += f" row {row}"
    if column is not None:
        place += f", column {column}" if row is not None else f" column {column}"
    return place


@dataclass
class Problems:
    """Fatal problems across all files of one import."""

    messages: list[str] = field(default_factory=list)
    dropped: int = 0

    def add(self, file: str, message: str, row: int | None = None,
            column: str | None = None) -> None:
        if len(self.messages) < MAX_PROBLEMS:
            self.messages.append(f"{where(file, row, column)}: {message}")
        else:
            self.dropped += 1

    def extend(self, error: InputError) -> None:
        for message in error.errors:
            if len(self.messages) < MAX_PROBLEMS:
                self.messages.append(message)
            else:
                self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self) -> None:
        if self.messages:
            tail = [f"... and {self.dropped} more problem(s)"] if self.dropped else []
            raise InputError(self.messages + tail)
