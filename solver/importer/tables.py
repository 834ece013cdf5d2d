"""One source file as a :class:`Sheet`: keyed columns of text cells with their rows.

The bytes are read by :func:`solver.io.read_raw_table` (the project's one CSV/XLSX
reader, with its size limit): CSV comma or semicolon, UTF-8 with or without BOM, and
Windows-1252 (what Excel's plain "CSV" saves) as a fallback; XLSX first sheet, date
cells as ISO text. Headers are matched by :func:`solver.importer.headers.key`; a header
repeated (``NIP`` twice, or ``NIP BARU`` and ``nip_baru``) uses its first column, and the
repetition is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from solver.importer.headers import key
from solver.importer.problems import Problems
from solver.io import InputError, read_raw_table

_MANGLED = re.compile(r"^(.*)\.(\d+)$")  # pandas' name for a repeated header: "NIP.1"


@dataclass
class Sheet:
    """Text cells by header key; ``rows[i]`` is the spreadsheet row of record ``i``."""

    label: str
    headers: dict[str, str]  # key -> header as written (first occurrence)
    cells: dict[str, list[str]]
    rows: list[int]
    duplicates: list[str] = field(default_factory=list)  # headers used once, seen again
    renamed: dict[str, str] = field(default_factory=dict)  # header as written -> key read
    _blank: list[str] = field(default_factory=list, repr=False)

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, column: str) -> bool:
        return column in self.cells

    def column(self, column: str) -> list[str]:
        """The column's cells; an absent column reads as blanks (one shared list, since
        readers index it once per row)."""
        found = self.cells.get(column)
        if found is not None:
            return found
        if len(self._blank) != len(self.rows):
            self._blank = [""] * len(self.rows)
        return self._blank

    def header(self, column: str) -> str:
        """The column as the planner's file names it (for messages)."""
        return self.headers.get(column, column.upper())


def read_sheet(path: Path, label: str, renames: dict[str, str],
               problems: Problems) -> Sheet | None:
    """Read ``path``; on a file-level problem add it to ``problems`` and return None."""
    try:
        # calamine: an 11,000-row SIASN export in seconds (openpyxl takes several times longer)
        frame = read_raw_table(path, label, fallback_encoding="cp1252", xlsx_engine="calamine")
    except InputError as exc:
        problems.extend(exc)
        return None
    written = [str(c) for c in frame.columns]
    if not written:
        problems.add(label, "has no header row", 1)
        return None
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    duplicates: list[str] = []
    renamed: dict[str, str] = {}
    for index, name in enumerate(written):
        mangled = _MANGLED.match(name)
        if mangled and mangled.group(1) in written[:index]:
            duplicates.append(mangled.group(1))
            continue
        if name.startswith("Unnamed: ") or name.strip() == "":
            continue  # a blank header cell: nothing to read under it
        column = key(name)
        if column in renames:
            renamed[name] = renames[column]
            column = renames[column]
        if column in headers:
            duplicates.append(name)
            continue
        headers[column] = name.strip()
        positions[column] = index
    values = frame.fillna("").astype(object).to_numpy()
    texts = [[str(v).strip() for v in record] for record in values]
    keep = [i for i, record in enumerate(texts) if any(record)]
    cells = {column: [texts[i][at] for i in keep] for column, at in positions.items()}
    rows = [int(frame.index[i]) + 2 for i in keep]
    return Sheet(label, headers, cells, rows, duplicates, renamed)


def require(sheet: Sheet, columns: list[str], problems: Problems) -> bool:
    """Add a problem for each missing required column; True when none is missing."""
    missing = [c for c in columns if not sheet.has(c)]
    for column in missing:
        problems.add(sheet.label, f"required column '{column.upper()}' is missing (the header "
                     f"row has: {', '.join(sheet.headers.values())})", 1)
    return not missing
