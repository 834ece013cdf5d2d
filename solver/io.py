"""Read and validate a scenario (docs/model.md section 1).

Every problem found is reported as ``<file> row <n>, column <c>: <what is wrong>``,
with ``row`` counted as a spreadsheet shows it (the header is row 1). All problems
of a file are collected (up to :data:`MAX_ERRORS`) before :class:`InputError` is
raised, so a planner can fix a sheet in one pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from solver.scenario import (
    GRADE_RANK,
    PERFORMANCE_ORDER,
    POTENTIALS,
    InputError,
    Pair,
    PlanSettings,
    Rules,
    Scenario,
    Scope,
    SuccessionSettings,
    Weights,
    empty_preferences,
    empty_units,
)

MAX_ERRORS = 50
MAX_FILE_BYTES = 200 * 1024 * 1024
# Bounded work on hostile input (docs/guarantees.md): the YAML nests at most this deep,
# its aliases add at most this many values, and an echo of input is clipped.
MAX_YAML_DEPTH = 20
MAX_ALIAS_NODES = 10_000
MAX_ECHO_CHARS = 200
MAX_MESSAGE_CHARS = 1_000
TRUE_WORDS = {"true", "1", "yes", "ya", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "tidak", "n", "f", ""}


@dataclasses.dataclass(frozen=True)
class TableLimits:
    """Most a table may hold; checked while it is read, before any cell is parsed.

    ``max_bytes`` bounds the file and, for an XLSX workbook, the uncompressed size
    of its XML parts (a small zip can expand a thousandfold)."""

    max_rows: int = 1_000_000
    max_columns: int = 1_000
    max_cells: int = 10_000_000
    max_bytes: int = MAX_FILE_BYTES


@dataclasses.dataclass(frozen=True)
class TableSource:
    """A table's bytes and the name messages give it (its suffix tells XLSX from CSV)."""

    label: str
    content: bytes


def clip(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters (an echo of user input in a message)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _echo(value: Any) -> str:
    """A YAML value as a message shows it: its repr, clipped."""
    return clip(repr(value), 60)


class _Collector:
    """Collects messages for one file; raises once when asked."""

    def __init__(self, file: str):
        self.file = file
        self.errors: list[str] = []

    def add(self, message: str, row: int | None = None, column: str | None = None) -> None:
        where = self.file
        if row is not None:
            where += f" row {row}"
        if column is not None:
            where += f", column {column}" if row is not None else f" column {column}"
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(clip(f"{where}: {message}", MAX_MESSAGE_CHARS))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(self.errors)


# --------------------------------------------------------------------------- tables


def read_file_source(path: Path, label: str, limits: TableLimits = TableLimits()) -> TableSource:
    """The bytes of the table file at ``path`` (the CLI's tables), checked for size."""
    errors = _Collector(label)
    if not path.exists():
        errors.add(f"file not found ({clip(str(path))})")
        errors.raise_if_any()
    if not path.is_file():
        errors.add(f"is not a file ({clip(str(path))})")
        errors.raise_if_any()
    try:
        size = path.stat().st_size
        if size <= limits.max_bytes:
            content = path.read_bytes()
    except OSError as exc:
        errors.add(f"cannot be read: {exc.strerror}")
        errors.raise_if_any()
    if size > limits.max_bytes:
        errors.add(f"is {size:,} bytes; the limit is {limits.max_bytes:,}")
        errors.raise_if_any()
    return TableSource(label, content)


def is_xlsx(source: TableSource) -> bool:
    return source.content.startswith(b"PK\x03\x04") or Path(source.label).suffix.lower() in {
        ".xlsx", ".xlsm"}


def read_cells(source: TableSource, limits: TableLimits = TableLimits(),
               fallback_encoding: str | None = None, xlsx_engine: str = "openpyxl") -> pd.DataFrame:
    """A CSV or XLSX table as text cells, header as written (row 1), within ``limits``.

    The header's width is checked before any data row is parsed, and an XLSX sheet
    is streamed, stopping at the first limit it crosses."""
    errors = _Collector(source.label)
    if len(source.content) == 0:
        errors.add("is empty; expected a header row and data rows")
        errors.raise_if_any()
    if len(source.content) > limits.max_bytes:
        errors.add(f"is {len(source.content):,} bytes; the limit is {limits.max_bytes:,}")
        errors.raise_if_any()
    if is_xlsx(source):
        return _read_xlsx(source.content, errors, limits, xlsx_engine)
    return _read_csv(source.content, errors, limits, fallback_encoding)


def _read_table(source: TableSource, limits: TableLimits) -> pd.DataFrame:
    """A table as stripped text cells, lower-case unique headers, and spreadsheet rows."""
    errors = _Collector(source.label)
    frame = read_cells(source, limits)
    if frame.shape[1] == 0:
        errors.add("has no header row")
        errors.raise_if_any()
    columns = [str(c).strip().lower() for c in frame.columns]
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        if name == "":
            continue
        if name in seen:
            errors.add(f"column {_show(name)} appears twice (columns {seen[name]} and "
                       f"{position})", 1)
        seen[name] = position
    errors.raise_if_any()
    frame.columns = columns
    frame = frame.loc[:, [c for c in columns if c != ""]]
    frame = frame.fillna("").astype(object).map(lambda v: str(v).strip())
    # Rows that are entirely blank (trailing lines in exports) carry nothing.
    keep = (frame != "").any(axis=1)
    frame = frame[keep]
    _check_rows(len(frame), errors, limits)
    frame.insert(0, "row", frame.index.to_numpy() + 2)
    return frame.reset_index(drop=True)


def read_raw_table(path: Path, label: str, fallback_encoding: str | None = None,
                   limits: TableLimits = TableLimits(),
                   xlsx_engine: str = "openpyxl") -> pd.DataFrame:
    """A CSV or XLSX file (first sheet) after the file checks (exists, not empty, size
    limit): CSV cells as text, XLSX cells as :func:`xlsx_cell_text`; headers as written
    (pandas numbers a repeated CSV one ``X.1``). ``xlsx_engine="calamine"`` reads the
    sheet with calamine (Rust), several times faster on 10,000-row exports, within the
    same limits. Raises :class:`InputError`."""
    return read_cells(read_file_source(path, label, limits), limits, fallback_encoding,
                      xlsx_engine)


def _check_rows(count: int, errors: _Collector, limits: TableLimits) -> None:
    if count > limits.max_rows:
        errors.add(f"has more than {limits.max_rows:,} data rows; the limit is "
                   f"{limits.max_rows:,} per table")
        errors.raise_if_any()


def _check_width(width: int, row: int, errors: _Collector, limits: TableLimits) -> None:
    if width > limits.max_columns:
        errors.add(f"has {width:,} columns; the limit is {limits.max_columns:,}", row)
        errors.raise_if_any()


def _read_csv(raw: bytes, errors: _Collector, limits: TableLimits,
              fallback_encoding: str | None = None) -> pd.DataFrame:
    """``fallback_encoding`` (e.g. ``cp1252``, what Excel's plain "CSV" saves on Windows)
    is tried when the bytes are not UTF-8; the scenario tables themselves stay UTF-8."""
    import csv
    import io as _io

    if b"\x00" in raw[:65536]:
        errors.add("is a binary file, not CSV text (save the sheet as CSV UTF-8 or XLSX)")
        errors.raise_if_any()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fallback = _decode_or_none(raw, fallback_encoding)
        if fallback is None:
            line = raw[: exc.start].count(b"\n") + 1
            errors.add(
                f"byte {raw[exc.start]:#04x} is not UTF-8 text (save the file as CSV UTF-8)", line
            )
            errors.raise_if_any()
        text = fallback  # type: ignore[assignment]
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        header = next(csv.reader(_io.StringIO(text), delimiter=sep), [])
    except csv.Error:
        header = []  # pandas reports the damage below
    _check_width(len(header), 1, errors, limits)
    try:
        with warnings.catch_warnings():
            # Rows longer than the header: reported by _long_rows below.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                _io.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="python",
                index_col=False,
            )
        for row, cells, width in _long_rows(text, sep):
            errors.add(f"has {cells} cells but the header has {width} columns (a stray "
                       f"{sep!r} or a missing header?)", row, str(width + 1))
        errors.raise_if_any()
        return frame
    except pd.errors.EmptyDataError:
        errors.add("is empty; expected a header row and data rows")
    except (pd.errors.ParserError, csv.Error) as exc:
        match = re.search(r"line (\d+)", str(exc))
        errors.add(f"is not valid CSV: {clip(str(exc))}",
                   int(match.group(1)) if match else _csv_error_row(text, sep))
    errors.raise_if_any()
    raise AssertionError("unreachable")


def _decode_or_none(raw: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def _long_rows(text: str, sep: str) -> Iterable[tuple[int, int, int]]:
    """(row, cells, header width) of rows with non-blank cells beyond the header."""
    import csv
    import io as _io

    reader = csv.reader(_io.StringIO(text), delimiter=sep)
    try:
        width = len(next(reader, []))
        for row, cells in enumerate(reader, start=2):
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                yield row, len(cells), width
    except csv.Error:
        return  # pandas read it; its own reading stands


def _csv_error_row(text: str, sep: str) -> int | None:
    """The row (header = 1) where the csv module stops reading ``text``."""
    import csv
    import io as _io

    reader = csv.reader(_io.StringIO(text), delimiter=sep)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return max(1, reader.line_num)
    return None


def _xlsx_xml_bytes(content: bytes) -> int:
    """Uncompressed size of the workbook's parts, from the zip directory (nothing inflated)."""
    import io as _io
    import zipfile

    with zipfile.ZipFile(_io.BytesIO(content)) as archive:
        return sum(info.file_size for info in archive.infolist())


def _read_xlsx(content: bytes, errors: _Collector, limits: TableLimits,
               engine: str = "openpyxl") -> pd.DataFrame:
    """The first sheet, streamed row by row (openpyxl read-only) within ``limits``."""
    import io as _io
    import zipfile

    import openpyxl

    try:
        expanded = _xlsx_xml_bytes(content)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        errors.add(f"is not a readable XLSX workbook ({type(exc).__name__}: {clip(str(exc))})")
        errors.raise_if_any()
    if expanded > limits.max_bytes:
        errors.add(f"expands to {expanded:,} bytes of XML; the limit is {limits.max_bytes:,}")
        errors.raise_if_any()
    if engine == "calamine":
        return _read_xlsx_calamine(content, errors, limits)
    try:
        book = openpyxl.load_workbook(_io.BytesIO(content), read_only=True, data_only=True,
                                      keep_links=False)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # the stored dimension may be wrong; read what is there
            texts = _sheet_texts(sheet.iter_rows(values_only=True), errors, limits)
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        errors.add(f"is not a readable XLSX workbook ({type(exc).__name__}: {clip(str(exc))})")
        errors.raise_if_any()
    return _sheet_frame(texts)


def _sheet_texts(rows: Iterable[Sequence[Any]], errors: _Collector,
                 limits: TableLimits) -> list[list[str]]:
    """A sheet's rows (row 1 the header) as cell texts, stopping at the first width,
    cell or data-row limit crossed (the rows may be streamed)."""
    cells = 0
    data_rows = 0
    texts: list[list[str]] = []
    for number, values in enumerate(rows, start=1):
        _check_width(len(values), number, errors, limits)
        cells += len(values)
        if cells > limits.max_cells:
            errors.add(f"has more than {limits.max_cells:,} cells; the limit is "
                       f"{limits.max_cells:,}")
            errors.raise_if_any()
        line = [xlsx_cell_text(v) for v in values]
        if number > 1 and any(t.strip() for t in line):
            data_rows += 1
            _check_rows(data_rows, errors, limits)
        texts.append(line)
    return texts


def _sheet_frame(texts: list[list[str]]) -> pd.DataFrame:
    """Row 1 as the header, the rest as text cells, padded to the widest row."""
    header, rows = (texts[0], texts[1:]) if texts else ([], [])
    width = max([len(header), *(len(r) for r in rows)], default=0)
    header += [""] * (width - len(header))
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=header,
                        dtype=object)


def _read_xlsx_calamine(content: bytes, errors: _Collector, limits: TableLimits) -> pd.DataFrame:
    """The first sheet read by calamine, after :func:`_read_xlsx`'s expansion check (the
    sheet is held in memory at once, bounded by ``limits.max_bytes`` of XML), then the
    same row, width and cell limits."""
    import io as _io

    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(_io.BytesIO(content))
        values = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for a damaged workbook
        errors.add(f"is not a readable XLSX workbook ({type(exc).__name__}: {clip(str(exc))})")
        errors.raise_if_any()
    return _sheet_frame(_sheet_texts(values, errors, limits))


def xlsx_cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV export would hold (dates ISO, whole numbers bare)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- cells

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_INT_RE = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def parse_date(text: str) -> dt.date | None:
    match = _DATE_RE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    if not _INT_RE.match(text) or len(text) > 15:
        return None
    return int(text.split(".")[0])


def parse_bool(text: str) -> bool | None:
    low = text.lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    return None


def normalise_grade(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text)
    match = re.fullmatch(r"(?i)(iv|iii|ii|i)/([a-e])", compact)
    if not match:
        return None
    grade = f"{match.group(1).upper()}/{match.group(2).lower()}"
    return grade if grade in GRADE_RANK else None


def _enum_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _show(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _column(
    frame: pd.DataFrame,
    name: str,
    errors: _Collector,
    parse: Callable[[str], Any],
    expected: str,
    default: Any = None,
    required: bool = False,
) -> list[Any]:
    """Parse one column cell by cell; blanks take ``default`` or fail when required."""
    values: list[Any] = []
    if name not in frame.columns:
        return [default] * len(frame)
    texts = frame[name].tolist()
    # Parsers are pure: each distinct text is parsed once (grades, dates and levels
    # repeat across thousands of rows).
    parsed = {text: parse(text) for text in set(texts) if text != ""}
    for row, text in zip(frame["row"].tolist(), texts, strict=True):
        if text == "":
            if required:
                errors.add(f"is blank; expected {expected}", row, name)
            values.append(default)
            continue
        value = parsed[text]
        if value is None:
            errors.add(f"{_show(text)} is not valid; expected {expected}", row, name)
        values.append(value if value is not None else default)
    return values


def _ranged_int(low: int, high: int) -> Callable[[str], int | None]:
    def parse(text: str) -> int | None:
        value = parse_int(text)
        return value if value is not None and low <= value <= high else None

    return parse


def _require_columns(frame: pd.DataFrame, names: Iterable[str], errors: _Collector) -> None:
    missing = [n for n in names if n not in frame.columns]
    # The header is shown once, clipped: a hostile header may be 100,000 columns wide.
    header = clip(", ".join(c for c in frame.columns if c != "row"))
    for index, name in enumerate(missing):
        shown = f" (header row has: {header})" if index == 0 else ""
        errors.add(f"required column '{name}' is missing{shown}", 1, name)
    errors.raise_if_any()


def _competency_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("c.") and len(c) > 2]


# --------------------------------------------------------------------------- positions


def _load_positions(source: TableSource, limits: TableLimits) -> pd.DataFrame:
    frame = _read_table(source, limits)
    errors = _Collector(source.label)
    _require_columns(
        frame, ["id", "title", "unit", "level", "grade_min", "grade_max", "headcount"], errors
    )
    if len(frame) == 0:
        errors.add("has a header but no positions")
        errors.raise_if_any()
    out = pd.DataFrame({"row": frame["row"].astype(int)})
    ids = frame["id"]
    out["id"] = ids
    first_row: dict[str, int] = {}
    for row, pid in zip(frame["row"], ids, strict=True):
        if pid == "":
            errors.add("is blank; every position needs an id", row, "id")
        elif pid in first_row:
            errors.add(f"position id {_show(pid)} already used on row {first_row[pid]}", row, "id")
        else:
            first_row[pid] = row
    for name in ("title", "unit"):
        out[name] = _column(frame, name, errors, str, "text", "", required=True)
    out["level"] = _column(frame, "level", errors, _ranged_int(1, 7), "a level 1-7", 0, True)
    grade_rank = lambda t: GRADE_RANK.get(normalise_grade(t) or "")  # noqa: E731
    for name in ("grade_min", "grade_max"):
        out[name] = _column(frame, name, errors, grade_rank, "a golongan I/a … IV/e", 0, True)
    for row, low, high in zip(out["row"], out["grade_min"], out["grade_max"], strict=True):
        if low and high and low > high:
            errors.add("grade_min is above grade_max", row, "grade_max")
    out["headcount"] = _column(
        frame, "headcount", errors, _ranged_int(0, 1_000_000), "a whole number >= 0", 0, True
    )
    out["must_fill"] = _column(frame, "must_fill", errors, parse_bool, "true or false", False)
    out["priority"] = _column(frame, "priority", errors, _ranged_int(1, 3), "1, 2 or 3", 1)
    out["education_fields"] = [
        tuple(sorted({f.strip().lower() for f in text.split(";") if f.strip()}))
        for text in (frame["education_fields"] if "education_fields" in frame else [""] * len(frame))
    ]
    out["education_required"] = _column(
        frame, "education_required", errors, parse_bool, "true or false", False
    )
    ages = _column(frame, "retirement_age", errors, _ranged_int(18, 100), "an age 18-100", None)
    out["retirement_age"] = [
        age if age is not None else (58 if level <= 4 else 60)
        for age, level in zip(ages, out["level"], strict=True)
    ]
    out["applicants_only"] = _column(
        frame, "applicants_only", errors, parse_bool, "true or false", False
    )
    out["critical"] = _column(frame, "critical", errors, parse_bool,
                              "yes or no (ya/tidak, true/false)", False)
    for name in _competency_columns(frame):
        out[name] = _column(frame, name, errors, _ranged_int(0, 5), "a level 0-5", 0)
    errors.raise_if_any()
    out["level"] = out["level"].astype(np.int64)
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- employees


def birth_date_from_nip(nip: str) -> dt.date | None:
    """The first 8 digits of a NIP are the birth date YYYYMMDD."""
    try:
        return dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return None


def _load_employees(source: TableSource, limits: TableLimits,
                    position_ids: AbstractSet[str]) -> pd.DataFrame:
    frame = _read_table(source, limits)
    errors = _Collector(source.label)
    _require_columns(frame, ["nip", "name", "grade", "performance", "potential"], errors)
    if len(frame) == 0:
        errors.add("has a header but no employees")
        errors.raise_if_any()
    out = pd.DataFrame({"row": frame["row"].astype(int)})
    first_row: dict[str, int] = {}
    nips = []
    for row, nip in zip(frame["row"], frame["nip"], strict=True):
        compact = nip.replace(" ", "")
        if not re.fullmatch(r"\d{18}", compact):
            errors.add(f"{_show(nip)} is not a NIP; expected 18 digits", row, "nip")
        elif compact in first_row:
            errors.add(f"NIP {compact} already appears on row {first_row[compact]}", row, "nip")
        else:
            first_row[compact] = row
        nips.append(compact)
    out["nip"] = nips
    out["name"] = _column(frame, "name", errors, str, "the employee's name", "", required=True)
    grades = _column(frame, "grade", errors, normalise_grade, "a golongan I/a … IV/e", "", True)
    out["grade"] = grades
    out["grade_rank"] = [GRADE_RANK.get(g, 0) for g in grades]
    current = list(frame["current_position"]) if "current_position" in frame else [""] * len(frame)
    for row, pid in zip(frame["row"], current, strict=True):
        if pid and pid not in position_ids:
            errors.add(f"position {_show(pid)} is not in the positions table", row,
                       "current_position")
    out["current_position"] = current
    since = _column(frame, "position_since", errors, parse_date, "a date YYYY-MM-DD", None)
    levels = _column(frame, "current_level", errors, _ranged_int(1, 7), "a level 1-7", 0)
    since_text = _raw(frame, "position_since")
    level_text = _raw(frame, "current_level")
    for row, pid, start_text, level_raw in zip(
        frame["row"], current, since_text, level_text, strict=True
    ):
        if pid and not start_text:
            errors.add("is blank; a placed employee needs the date the post began (TMT)",
                       row, "position_since")
        if not pid and not level_raw:
            errors.add("is blank; an unplaced employee needs a career level 1-7", row,
                       "current_level")
    out["position_since"] = since
    out["current_level"] = levels
    births = _column(frame, "birth_date", errors, parse_date, "a date YYYY-MM-DD", None)
    resolved = []
    for row, nip, birth, birth_text in zip(
        frame["row"], nips, births, _raw(frame, "birth_date"), strict=True
    ):
        if birth is None and not birth_text:
            birth = birth_date_from_nip(nip) if len(nip) == 18 and nip.isdigit() else None
            if birth is None and len(nip) == 18 and nip.isdigit():
                errors.add(f"NIP {nip} does not start with a valid birth date YYYYMMDD; "
                           "fill the birth_date column", row, "nip")
        resolved.append(birth)
    out["birth_date"] = resolved
    out["education_field"] = (
        [t.lower() for t in frame["education_field"]] if "education_field" in frame
        else [""] * len(frame)
    )

    def enum(choices: tuple[str, ...]) -> Callable[[str], str | None]:
        return lambda text: _enum_key(text) if _enum_key(text) in choices else None

    out["performance"] = _column(frame, "performance", errors, enum(PERFORMANCE_ORDER),
                                 "one of " + ", ".join(PERFORMANCE_ORDER), "", True)
    out["potential"] = _column(frame, "potential", errors, enum(POTENTIALS),
                               "one of " + ", ".join(POTENTIALS), "", True)
    out["discipline_until"] = _column(frame, "discipline_until", errors, parse_date,
                                      "a date YYYY-MM-DD", None)
    for name in _competency_columns(frame):
        out[name] = _column(frame, name, errors, _ranged_int(0, 5), "a level 1-5", 0)
    errors.raise_if_any()
    return out.reset_index(drop=True)


def _raw(frame: pd.DataFrame, column: str) -> list[str]:
    return list(frame[column]) if column in frame.columns else [""] * len(frame)


# --------------------------------------------------------------------------- assessments


def _load_assessments(
    source: TableSource, limits: TableLimits, nips: AbstractSet[str], position_ids: AbstractSet[str]
) -> pd.DataFrame:
    frame = _read_table(source, limits)
    errors = _Collector(source.label)
    _require_columns(frame, ["nip", "position", "score"], errors)
    scores = _column(frame, "score", errors, _ranged_int(0, 10000), "a whole number 0-10000",
                     0, True)
    seen: dict[tuple[str, str], int] = {}
    for row, nip, pid in zip(frame["row"], frame["nip"], frame["position"], strict=True):
        nip = nip.replace(" ", "")
        if nip not in nips:
            errors.add(f"NIP {_show(nip)} is not in the employees table", row, "nip")
        if pid not in position_ids:
            errors.add(f"position {_show(pid)} is not in the positions table", row, "position")
        if (nip, pid) in seen:
            errors.add(f"pair ({nip}, {pid}) was already assessed on row {seen[(nip, pid)]}",
                       row, "position")
        seen[(nip, pid)] = row
    errors.raise_if_any()
    return pd.DataFrame({
        "nip": [n.replace(" ", "") for n in frame["nip"]],
        "position": list(frame["position"]),
        "score": pd.Series(scores, dtype=np.int64),
        "row": frame["row"].astype(int).to_numpy(),
    })


# --------------------------------------------------------------------------- section 9

_IKM_RE = re.compile(r"^(\d{1,3})(?:[.,](\d+))?$")


def parse_ikm(text: str) -> int | str:
    """An IKM cell as exact hundredths (``"76.61"`` -> 7661), or the reason it is not one.

    Survey reports print the index with 2 decimals, with a point or (Indonesian style)
    a comma; trailing zeros beyond them are accepted, anything finer is not.
    """
    match = _IKM_RE.match(text)
    if not match:
        return "is not a number; expected an IKM such as 82.15"
    whole, decimals = match.group(1), (match.group(2) or "").rstrip("0")
    if len(decimals) > 2:
        return "has more than 2 decimals; an IKM is reported to 2 decimals (e.g. 82.15)"
    hundredths = int(whole) * 100 + int((decimals + "00")[:2])
    if not 2500 <= hundredths <= 10000:
        return "is outside the IKM scale 25.00-100.00"
    return hundredths


def _load_preferences(
    source: TableSource, limits: TableLimits, nips: AbstractSet[str], position_ids: AbstractSet[str]
) -> pd.DataFrame:
    """The preferences table (section 9): one row per (employee, requested post)."""
    frame = _read_table(source, limits)
    errors = _Collector(source.label)
    _require_columns(frame, ["nip", "position", "rank"], errors)
    ranks = _column(frame, "rank", errors, _ranged_int(1, 5),
                    "a whole number 1-5 (1 = first choice)", 0, True)
    pair_row: dict[tuple[str, str], int] = {}
    rank_row: dict[tuple[str, int], int] = {}
    nips_out = []
    for row, nip, pid, rank in zip(frame["row"], frame["nip"], frame["position"], ranks,
                                   strict=True):
        nip = nip.replace(" ", "")
        nips_out.append(nip)
        if nip not in nips:
            errors.add(f"NIP {_show(nip)} is not in the employees table", row, "nip")
        if pid not in position_ids:
            errors.add(f"position {_show(pid)} is not in the positions table", row, "position")
        if (nip, pid) in pair_row:
            errors.add(f"pair ({nip}, {pid}) was already listed on row {pair_row[(nip, pid)]}",
                       row, "position")
        elif rank and (nip, rank) in rank_row:
            errors.add(f"rank {rank} is already used by NIP {nip} on row "
                       f"{rank_row[(nip, rank)]}; each rank at most once per employee",
                       row, "rank")
        pair_row.setdefault((nip, pid), row)
        if rank:
            rank_row.setdefault((nip, rank), row)
    errors.raise_if_any()
    return pd.DataFrame({
        "nip": pd.Series(nips_out, dtype=object),
        "position": pd.Series(list(frame["position"]), dtype=object),
        "rank": pd.Series(ranks, dtype=np.int64),
        "row": frame["row"].astype(np.int64).to_numpy(),
    })


def _load_units(source: TableSource, limits: TableLimits,
               known_units: AbstractSet[str]) -> pd.DataFrame:
    """The units table (section 9): the latest IKM of each unit, in exact hundredths."""
    frame = _read_table(source, limits)
    errors = _Collector(source.label)
    _require_columns(frame, ["unit", "ikm"], errors)
    first_row: dict[str, int] = {}
    hundredths: list[int] = []
    for row, unit, text in zip(frame["row"], frame["unit"], frame["ikm"], strict=True):
        if unit not in known_units:
            errors.add(f"unit {_show(unit)} is not a unit of the positions table", row, "unit")
        elif unit in first_row:
            errors.add(f"unit {_show(unit)} already appears on row {first_row[unit]}",
                       row, "unit")
        first_row.setdefault(unit, row)
        value = parse_ikm(text) if text else "is blank; expected the unit's IKM, 25.00-100.00"
        if isinstance(value, str):
            errors.add(f"{_show(text)} {value}" if text else value, row, "ikm")
            value = 0
        hundredths.append(value)
    errors.raise_if_any()
    return pd.DataFrame({
        "unit": pd.Series(list(frame["unit"]), dtype=object),
        "ikm_hundredths": pd.Series(hundredths, dtype=np.int64),
        "row": frame["row"].astype(np.int64).to_numpy(),
    })


# --------------------------------------------------------------------------- YAML


class _YamlLimit(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader with bounded work and no duplicated keys.

    While composing it caps the nesting depth (:data:`MAX_YAML_DEPTH`), refuses an
    alias inside the collection it names (a cycle) and counts what aliases add, each
    node's size memoised, against :data:`MAX_ALIAS_NODES`; a billion-laughs YAML
    stops at the first alias over the cap. Constructing a mapping records every key
    that appears twice (YAML says keys are unique; PyYAML silently keeps the last).
    """

    def __init__(self, text: str):
        super().__init__(text)
        self._depth = 0
        self._open_anchors: list[str | None] = []
        self._sizes: dict[int, int] = {}
        self._alias_nodes = 0
        self.paths: dict[int, str] = {}  # id(mapping node) -> dotted path
        self.lines: dict[str, int] = {}
        self.scalar_spans: dict[str, tuple[int, int]] = {}
        self.duplicates: list[tuple[int, str]] = []

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                raise _YamlLimit(line, "a YAML alias refers to the collection that contains "
                                 "it; remove the recursion")
            node = self._composed(parent, index)
            self._alias_nodes += self._sizes.get(id(node), 1)
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise _YamlLimit(line, f"YAML aliases expand to more than {MAX_ALIAS_NODES:,} "
                                 "values; write the values out instead")
            return node
        nested = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_YAML_DEPTH:
                raise _YamlLimit(line, f"is nested more than {MAX_YAML_DEPTH} levels deep")
            self._open_anchors.append(event.anchor)
        try:
            node = self._composed(parent, index)
        finally:
            if nested:
                self._depth -= 1
                self._open_anchors.pop()
        self._sizes[id(node)] = 1 + sum(self._sizes.get(id(child), 1)
                                        for child in _children(node))
        return node

    def _composed(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        node = super().compose_node(parent, index)
        if node is None:  # only at the end of a stream, never inside a document
            raise _YamlLimit(self.peek_event().start_mark.line + 1, "ends inside a value")
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            path = self.paths.get(id(node), "")
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = first.get(key)
                except TypeError:
                    continue  # unhashable: the safe constructor reports it
                line = key_node.start_mark.line + 1
                if seen is None:
                    first[key] = line
                else:
                    dotted = f"{path}.{key}" if path else str(key)
                    self.duplicates.append((line, f"line {line}: key {_show(dotted)} appears "
                                                  f"twice (first at line {seen})"))
        return super().construct_mapping(node, deep=deep)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _record_paths(loader: _StrictLoader, root: yaml.Node) -> None:
    """Dotted key paths (``rules.max_unit_turnover``, ``locks.0.nip``) to YAML lines.

    Each node is visited once (an aliased collection keeps the path it was first
    seen at), so the walk is linear in the document, whatever its aliases."""
    if isinstance(root, yaml.MappingNode) and not root.flow_style:
        for key, value in root.value:
            if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode):
                loader.scalar_spans[key.value] = (value.start_mark.index, value.end_mark.index)
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            loader.paths[id(node)] = path
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                loader.lines.setdefault(child, key.start_mark.line + 1)
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{path}.{index}"
                loader.lines.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))


@dataclasses.dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML text: its value, the line of each dotted key path and, in a block
    mapping, where each top-level scalar value stands (to rewrite it in place)."""

    config: Any
    lines: dict[str, int]
    scalar_spans: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)


def read_yaml(text: str, label: str) -> YamlDocument:
    """Parse ``text`` once, safely and within bounds (see :class:`_StrictLoader`).

    Raises
    ------
    InputError
        A syntax error (row and column), a limit crossed, or duplicated keys, each
        message naming ``label`` and the line.
    """
    errors = _Collector(label)
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader checks the characters here
        root = loader.get_single_node()
        config = None
        if root is not None:
            _record_paths(loader, root)
            config = loader.construct_document(root)
    except _YamlLimit as exc:
        raise InputError([f"{label} line {exc.line}: {exc.message}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = clip(getattr(exc, "problem", None) or str(exc))
        if mark is not None:
            errors.add(f"YAML syntax error: {problem}", mark.line + 1, str(mark.column + 1))
        else:
            errors.add(f"YAML syntax error: {problem}")
        errors.raise_if_any()
    finally:
        if loader is not None:
            loader.dispose()
    assert loader is not None
    if loader.duplicates:
        raise InputError(f"{label} {message}"
                         for _, message in sorted(loader.duplicates)[:MAX_ERRORS])
    return YamlDocument(config, loader.lines, loader.scalar_spans)


_RULE_SPECS: dict[str, tuple[str, Any, Any]] = {
    "min_tenure_months": ("int", 0, 600),
    "max_tenure_months": ("int", 0, 600),
    "max_promotion_step": ("int", 0, 6),
    "max_unit_turnover": ("fraction", 0, 1),
    "retirement_horizon_months": ("int", 0, 600),
    "promotion_min_performance": ("enum", PERFORMANCE_ORDER, None),
    "min_fit_for_move": ("int", 0, 10000),
    # Section 9.
    "voluntary_moves": ("bool", None, None),
    "low_ikm_below": ("fraction", 0, 100),
    "low_ikm_fit_multiplier": ("int", 1, 10),
}


class _Yaml:
    def __init__(self, label: str, lines: dict[str, int]):
        self.errors = _Collector(label)
        self.lines = lines

    def add(self, key: str, message: str) -> None:
        line = self.lines.get(key)
        where = f" line {line}, key {key}" if line else f" key {key}"
        if len(self.errors.errors) < MAX_ERRORS:
            self.errors.errors.append(clip(f"{self.errors.file}{where}: {message}",
                                           MAX_MESSAGE_CHARS))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and parse_int(value.strip()) is not None:
        return parse_int(value.strip())
    return None


def _parse_rules(raw: Any, doc: _Yaml) -> Rules:
    if raw is None:
        return Rules()
    if not isinstance(raw, dict):
        doc.add("rules", "must be a mapping of rule: value")
        return Rules()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = _RULE_SPECS.get(str(key))
        path = f"rules.{key}"
        if spec is None:
            doc.add(path, f"unknown rule; known rules: {', '.join(_RULE_SPECS)}")
            continue
        kind, low, high = spec
        if kind == "int":
            number = _as_int(value)
            if number is None or not low <= number <= high:
                doc.add(path, f"{_echo(value)} is not valid; expected a whole number {low}-{high}")
                continue
            values[str(key)] = number
        elif kind == "fraction":
            expected = f"expected a number between {low} and {high}"
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                doc.add(path, f"{_echo(value)} is not valid; {expected}")
                continue
            try:
                # repr() of a float is its shortest decimal, i.e. what the YAML said.
                fraction = Fraction(repr(value) if isinstance(value, float) else str(value))
            except (ValueError, ZeroDivisionError):
                doc.add(path, f"{_echo(value)} is not valid; {expected}")
                continue
            if not low <= fraction <= high:
                doc.add(path, f"{_echo(value)} is out of range; {expected}")
                continue
            values[str(key)] = fraction
        elif kind == "bool":
            flag = value if isinstance(value, bool) else (
                parse_bool(value.strip()) if isinstance(value, str) and value.strip() else None)
            if flag is None:
                doc.add(path, f"{_echo(value)} is not valid; expected true or false")
                continue
            values[str(key)] = flag
        else:
            key_text = _enum_key(str(value))
            if key_text not in low:
                doc.add(path, f"{_echo(value)} is not valid; expected one of {', '.join(low)}")
                continue
            values[str(key)] = key_text
    return Rules(**values)


def _parse_int_block(raw: Any, doc: _Yaml, block: str, cls: type, low: int, high: int) -> Any:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        doc.add(block, "must be a mapping of name: value")
        return cls()
    known = [f.name for f in dataclasses.fields(cls)]
    values: dict[str, int] = {}
    for key, value in raw.items():
        path = f"{block}.{key}"
        if str(key) not in known:
            doc.add(path, f"unknown key; known keys: {', '.join(known)}")
            continue
        number = _as_int(value)
        if number is None or not low <= number <= high:
            doc.add(path, f"{_echo(value)} is not valid; expected a whole number {low}-{high}")
            continue
        values[str(key)] = number
    return cls(**values)


def _parse_pairs(raw: Any, doc: _Yaml, block: str) -> list[tuple[int, Pair]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        doc.add(block, "must be a list of {nip: ..., position: ...}")
        return []
    pairs = []
    for index, item in enumerate(raw):
        path = f"{block}.{index}"
        if not isinstance(item, dict) or "nip" not in item or "position" not in item:
            doc.add(path, "each entry needs nip and position, e.g. {nip: \"19...\", position: \"X-1\"}")
            continue
        pairs.append((index, Pair(str(item["nip"]).strip(), str(item["position"]).strip())))
    return pairs


def _parse_scope(raw: Any, doc: _Yaml) -> Scope:
    if raw is None:
        return Scope()
    if not isinstance(raw, dict):
        doc.add("scope", "must be a mapping with optional units and levels")
        return Scope()
    units = levels = None
    for key, value in raw.items():
        if key == "units":
            if value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                doc.add("scope.units", "must be a list of unit names")
                continue
            units = tuple(v.strip() for v in value)
        elif key == "levels":
            if value is None:
                continue
            if not isinstance(value, list) or any(_as_int(v) not in range(1, 8) for v in value):
                doc.add("scope.levels", "must be a list of levels 1-7")
                continue
            levels = tuple(sorted({int(v) for v in value}))
        else:
            doc.add(f"scope.{key}", "unknown key; known keys: units, levels")
    return Scope(units=units, levels=levels)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value.strip())
    return None


# A scenario's tables by the YAML key that names each; optional tables last.
TABLE_ROLES = ("employees", "positions", "assessments", "preferences", "units")


def decode_yaml(content: bytes, label: str) -> str:
    """The text of a scenario YAML file; InputError for binary or non-UTF-8 bytes."""
    errors = _Collector(label)
    if b"\x00" in content[:65536]:
        errors.add("is a binary file, not a YAML scenario")
        errors.raise_if_any()
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        errors.add(f"is not UTF-8 text (bad byte at line {line}); save it as UTF-8")
        errors.raise_if_any()
    raise AssertionError("unreachable")


def read_config(text: str, label: str) -> YamlDocument:
    """The scenario YAML parsed once (:func:`read_yaml`) and checked to be a mapping."""
    doc = read_yaml(text, label)
    errors = _Collector(label)
    if doc.config is None:
        errors.add("is empty; expected a scenario (name, as_of, employees, positions, ...)")
    elif not isinstance(doc.config, dict):
        errors.add("must be a YAML mapping (name: ..., as_of: ..., employees: ..., ...)")
    errors.raise_if_any()
    return doc


def load_scenario(path: str | Path, limits: TableLimits = TableLimits()) -> Scenario:
    """Read, validate and return the scenario at ``path`` (a YAML file).

    The tables are the files the YAML names, relative to its directory.

    Raises
    ------
    InputError
        Listing every problem found, each naming file, row and column.
    """
    path = Path(path)
    doc = read_config(decode_yaml(read_yaml_file(path), path.name), path.name)
    return _build_scenario(doc, path.name, path.stem, str(path),
                           lambda role: yaml_table(path, doc, role, limits), limits,
                           tables_from_yaml=True)


def read_yaml_file(path: Path) -> bytes:
    """The bytes of the scenario YAML at ``path`` (InputError when there is none)."""
    errors = _Collector(path.name)
    if not path.is_file():
        errors.add(f"file not found ({clip(str(path))})" if not path.exists()
                   else "is not a file")
        errors.raise_if_any()
    return path.read_bytes()


def yaml_table(path: Path, doc: YamlDocument, role: str,
               limits: TableLimits = TableLimits()) -> TableSource | None:
    """The table file the YAML at ``path`` names under ``role`` (relative to its folder),
    None when it names none."""
    ref = doc.config.get(role)
    if not ref:
        return None
    target = path.parent / ref.strip()
    if not target.exists():  # name the YAML key: the planner edits that line
        errors = _Collector(path.name)
        errors.add(f"key '{role}' names {clip(ref.strip())}: file not found "
                   f"(looked for {clip(str(target.absolute()))})")
        errors.raise_if_any()
    return read_file_source(target, ref.strip(), limits)


def load_scenario_tables(yaml_content: bytes, label: str, tables: Mapping[str, TableSource],
                         limits: TableLimits = TableLimits()) -> Scenario:
    """Validate a scenario whose tables are given by role (uploads to the API).

    The YAML's own table keys are ignored: nothing here opens a file, so an uploaded
    YAML cannot make the server read a path of its choosing."""
    doc = read_config(decode_yaml(yaml_content, label), label)
    return _build_scenario(doc, label, Path(label).stem, label, tables.get, limits,
                           tables_from_yaml=False)


class _TableCache:
    """The last few tables read, by loader, bytes, limits and the ids they are checked
    against: a what-if's derived round (a lock, a rule) has its base's tables, byte for
    byte, and reading a city's employees again took half a second of every request.
    A loader is a pure function of those, so a table read before is the same table; a
    table that fails is not kept (its messages come from reading it again). Callers
    get their own copy (the loader's caller adds columns)."""

    SIZE = 8

    def __init__(self) -> None:
        self._kept: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._lock = threading.Lock()

    def load(self, loader: Callable[..., pd.DataFrame], source: TableSource,
             limits: TableLimits, *against: frozenset[str]) -> pd.DataFrame:
        key = (loader.__name__, source.label, hashlib.sha256(source.content).digest(),
               limits, *against)
        with self._lock:
            kept = self._kept.pop(key, None)
            if kept is not None:
                self._kept[key] = kept  # most recently used last
        if kept is None:
            kept = loader(source, limits, *against)
            with self._lock:
                self._kept[key] = kept
                while len(self._kept) > self.SIZE:
                    self._kept.pop(next(iter(self._kept)))
        return kept.copy()


_TABLES = _TableCache()


def _required(open_table: Callable[[str], TableSource | None], role: str,
              label: str) -> TableSource:
    source = open_table(role)
    if source is None:
        raise InputError([f"{label}: no {role} table was given"])
    return source


def _build_scenario(doc: YamlDocument, label: str, default_name: str, source: str,
                    open_table: Callable[[str], TableSource | None], limits: TableLimits, *,
                    tables_from_yaml: bool) -> Scenario:
    config: dict[str, Any] = doc.config
    checks = _Yaml(label, doc.lines)
    name = str(config.get("name") or default_name)
    as_of = _as_date(config.get("as_of"))
    if "as_of" not in config:
        checks.add("as_of", "is missing; the reference date YYYY-MM-DD is required")
    elif as_of is None:
        checks.add("as_of", f"{_echo(config.get('as_of'))} is not a date; expected YYYY-MM-DD")
    if tables_from_yaml:
        for key in ("employees", "positions"):
            if not isinstance(config.get(key), str) or not config.get(key, "").strip():
                checks.add(key, f"is missing; give the path of the {key} table (CSV or XLSX)")
        for key in ("assessments", "preferences", "units"):
            if config.get(key) is not None and not isinstance(config.get(key), str):
                checks.add(key, f"must be the path of the {key} table")
    rules = _parse_rules(config.get("rules"), checks)
    weights = _parse_int_block(config.get("weights"), checks, "weights", Weights, 0, 1_000_000)
    plans = _parse_int_block(config.get("plans"), checks, "plans", PlanSettings, 0, 1000)
    if plans.count < 1:
        checks.add("plans.count", "must be at least 1")
    if plans.min_difference < 1:
        checks.add("plans.min_difference", "must be at least 1")
    succession = _parse_int_block(config.get("succession"), checks, "succession",
                                  SuccessionSettings, 0, 10000)
    if succession.size < 1:
        checks.add("succession.size", "must be at least 1")
    scope = _parse_scope(config.get("scope"), checks)
    locks = _parse_pairs(config.get("locks"), checks, "locks")
    forbid = _parse_pairs(config.get("forbid"), checks, "forbid")
    checks.errors.raise_if_any()
    assert as_of is not None

    positions = _TABLES.load(_load_positions, _required(open_table, "positions", label),
                             limits)
    position_ids = frozenset(positions["id"])
    employees = _TABLES.load(_load_employees, _required(open_table, "employees", label),
                             limits, position_ids)
    nips = frozenset(employees["nip"])
    assessments_source = open_table("assessments")
    if assessments_source is not None:
        assessments = _TABLES.load(_load_assessments, assessments_source, limits, nips,
                                   position_ids)
    else:
        assessments = pd.DataFrame({
            "nip": pd.Series([], dtype=object), "position": pd.Series([], dtype=object),
            "score": pd.Series([], dtype=np.int64), "row": pd.Series([], dtype=np.int64),
        })

    preferences = empty_preferences()
    preferences_source = open_table("preferences")
    if preferences_source is not None:
        preferences = _TABLES.load(_load_preferences, preferences_source, limits, nips,
                                   position_ids)
    unit_table = empty_units()
    units_source = open_table("units")
    if units_source is not None:
        unit_table = _TABLES.load(_load_units, units_source, limits,
                                  frozenset(positions["unit"]))

    units = set(positions["unit"])
    if scope.units is not None:
        for index, unit in enumerate(scope.units):
            if unit not in units:
                checks.add(f"scope.units.{index}",
                           f"unit {_echo(unit)} is not in the positions table")
    lock_set = set()
    for block, pairs in (("locks", locks), ("forbid", forbid)):
        for index, pair in pairs:
            if pair.nip not in nips:
                checks.add(f"{block}.{index}.nip",
                           f"NIP {_echo(pair.nip)} is not in the employees table")
            if pair.position not in position_ids:
                checks.add(f"{block}.{index}.position",
                           f"position {_echo(pair.position)} is not in the positions table")
            if block == "locks":
                lock_set.add(pair)
            elif pair in lock_set:
                checks.add(f"{block}.{index}",
                           f"({clip(pair.nip, 60)}, {clip(pair.position, 60)}) is both locked "
                           "and forbidden; remove one of them")
    checks.errors.raise_if_any()

    competencies = tuple(c for c in positions.columns if c.startswith("c."))
    for comp in competencies:
        if comp not in employees.columns:
            employees[comp] = 0
    return Scenario(
        name=name,
        as_of=as_of,
        employees=employees,
        positions=positions,
        assessments=assessments,
        competencies=competencies,
        scope=scope,
        rules=rules,
        weights=weights,
        plans=plans,
        succession=succession,
        locks=tuple(dict.fromkeys(p for _, p in locks)),
        forbid=tuple(dict.fromkeys(p for _, p in forbid)),
        preferences=preferences,
        units=unit_table,
        config=config,
        source=source,
    )
