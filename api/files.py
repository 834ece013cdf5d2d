"""Scenario files: decide where each upload is stored, load stored scenarios.

A stored scenario is its YAML file plus its tables, each kept as the bytes
uploaded, under a path the server chose (relative to the scenario directory).
The YAML is parsed once, by the solver's strict loader; the server then stores
each table under the name the YAML gives it when that is a plain relative path,
else under the uploaded file name, editing the YAML to say so.

Loading (:func:`load_files`) hands the tables to the solver by role: no path from a
YAML is ever opened, and nothing is written to disk. Validation messages are the
CLI's own: they name the file as the YAML names it, the row and the column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from solver.edits import cell_text
from solver.io import (
    TABLE_ROLES,
    InputError,
    TableLimits,
    TableSource,
    decode_yaml,
    load_scenario_tables,
    read_config,
)
from solver.scenario import Scenario

REQUIRED_TABLES = ("employees", "positions")
DEFAULT_YAML_NAME = "scenario.yaml"
# File systems allow 255 bytes per name; UTF-8 names are capped in bytes, not characters.
MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class StoredFile:
    role: str  # scenario | employees | positions | assessments | preferences | units
    path: str  # relative to the scenario directory; the YAML's reference for tables
    original_name: str
    content: bytes


@dataclass(frozen=True)
class Upload:
    original_name: str
    content: bytes


def clip_bytes(text: str, limit: int = MAX_NAME_BYTES) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary."""
    encoded = text.encode("utf-8")
    return text if len(encoded) <= limit else encoded[:limit].decode("utf-8", "ignore")


def safe_name(name: str | None, default: str) -> str:
    """A plain file name (no directories, at most 200 bytes) from an uploaded file name."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = re.sub(r"[^\w.\- ]", "_", base)
    base = clip_bytes(base).strip(" .")
    return base if base else default


def _safe_relative(ref: str) -> str | None:
    """``ref`` normalised when it is a harmless relative path, else None."""
    ref = ref.strip()
    if not ref or "\x00" in ref or "\\" in ref or len(ref.encode("utf-8")) > 500:
        return None
    path = PurePosixPath(ref)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    if len(path.parts) > 8 or any(len(part.encode("utf-8")) > MAX_NAME_BYTES
                                  for part in path.parts):
        return None
    if any(not re.fullmatch(r"[\w.\- ]+", part) for part in path.parts):
        return None
    parts = [p for p in path.parts if p != "."]
    return "/".join(parts) if parts else None


def place_upload(yaml_upload: Upload, tables: Mapping[str, Upload]) -> list[StoredFile]:
    """Decide where each uploaded file is stored; the YAML is parsed once, strictly.

    A table is stored under the path the YAML names when that path is a plain
    relative one; the YAML is then kept unchanged (so the scenario hashes as in the
    CLI). When the YAML names no path, or one outside the scenario directory (an
    absolute path, ``..``), the table keeps its uploaded file name and the YAML is
    edited in place (same lines) to name it. Either way the path is only a name:
    :func:`load_files` never opens it.

    Raises
    ------
    InputError
        When the YAML is not a valid scenario mapping (duplicated keys included),
        names a table that was not uploaded, or gives a table key a non-text value.
    """
    yaml_path = safe_name(yaml_upload.original_name, DEFAULT_YAML_NAME)
    text = decode_yaml(yaml_upload.content, yaml_path)
    doc = read_config(text, yaml_path)
    config: dict[str, Any] = doc.config
    problems = []
    for role in TABLE_ROLES:
        ref = config.get(role)
        if ref is not None and not isinstance(ref, str):
            problems.append(f"{yaml_path} key {role}: must be the file name of the {role} "
                            "table")
        elif role not in tables and isinstance(ref, str) and ref.strip():
            problems.append(f"{yaml_path} key {role}: names {_show_ref(ref)} but no {role} "
                            "file was uploaded")
    if problems:
        raise InputError(problems)
    used = {yaml_path}
    placed: list[StoredFile] = []
    rewrites: dict[str, str] = {}
    for role in TABLE_ROLES:
        table = tables.get(role)
        if table is None:
            continue
        ref = config.get(role)
        target = _safe_relative(ref) if isinstance(ref, str) else None
        if target is not None and target not in used and not any(
            target.startswith(u + "/") or u.startswith(target + "/") for u in used
        ):
            used.add(target)
            placed.append(StoredFile(role, target, table.original_name, table.content))
            if target != ref:
                rewrites[role] = target
            continue
        target = _unique(safe_name(table.original_name, f"{role}.csv"), role, used)
        placed.append(StoredFile(role, target, table.original_name, table.content))
        rewrites[role] = target
    content = yaml_upload.content if not rewrites else _rewrite_keys(
        text, doc.scalar_spans, config, rewrites).encode("utf-8")
    return [StoredFile("scenario", yaml_path, yaml_upload.original_name, content), *placed]


def _show_ref(ref: str) -> str:
    """The YAML's own value, as a message echoes it (clipped)."""
    ref = ref.strip()
    return repr(ref if len(ref) <= 60 else ref[:57] + "...")


def _unique(name: str, role: str, used: set[str]) -> str:
    candidate = name
    if candidate in used:
        candidate = f"{role}-{name}"
    counter = 2
    while candidate in used:
        candidate = f"{role}-{counter}-{name}"
        counter += 1
    used.add(candidate)
    return candidate


def _rewrite_keys(text: str, spans: Mapping[str, tuple[int, int]], config: dict[str, Any],
                  values: Mapping[str, str]) -> str:
    """Point top-level keys at ``values``, keeping every other line where it is.

    A key whose value is not a plain scalar of a block mapping (a flow-style
    document) cannot be edited in place: the whole mapping is dumped instead."""
    present = [key for key in values if key in config]
    if any(key not in spans for key in present):
        return yaml.safe_dump({**config, **values}, sort_keys=False, allow_unicode=True)
    for key in sorted(present, key=lambda k: spans[k][0], reverse=True):
        start, end = spans[key]
        text = text[:start] + json.dumps(values[key]) + text[end:]
    for key, value in values.items():
        if key not in config:
            text += ("" if text.endswith("\n") or not text else "\n") + \
                f"{key}: {json.dumps(value)}\n"
    return text


def write_files(files: Iterable[StoredFile], directory: Path) -> Path:
    """Write stored files under ``directory`` (paths the server chose); return the YAML's."""
    yaml_path: Path | None = None
    for stored in files:
        target = directory / stored.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stored.content)
        if stored.role == "scenario":
            yaml_path = target
    if yaml_path is None:
        raise ValueError("a stored scenario has no YAML file")
    return yaml_path


def _tables(files: Iterable[StoredFile]) -> tuple[StoredFile, dict[str, TableSource]]:
    files = list(files)
    yaml_file = next((f for f in files if f.role == "scenario"), None)
    if yaml_file is None:
        raise ValueError("a stored scenario has no YAML file")
    return yaml_file, {f.role: TableSource(f.path, f.content) for f in files
                       if f.role in TABLE_ROLES}


def load_files(files: Iterable[StoredFile], limits: TableLimits | None = None) -> Scenario:
    """Validate and load stored files with the solver's loader, tables given by role.

    Raises
    ------
    InputError
        The loader's messages (file as the YAML names it, row, column).
    """
    yaml_file, tables = _tables(files)
    return load_scenario_tables(yaml_file.content, PurePosixPath(yaml_file.path).name, tables,
                                limits or TableLimits())


def yaml_loader(files: Iterable[StoredFile], limits: TableLimits | None = None
                ) -> Callable[[Path], Scenario]:
    """A loader for code that edits a YAML on disk (decisions): it reads the YAML at the
    path given, but takes the tables from the stored files, never from a YAML path."""
    yaml_file, tables = _tables(files)
    label = PurePosixPath(yaml_file.path).name

    def load(path: Path) -> Scenario:
        return load_scenario_tables(Path(path).read_bytes(), label, tables,
                                    limits or TableLimits())

    return load


# --------------------------------------------------------------------------- JSON bodies


def rows_to_csv(rows: list[dict[str, Any]], label: str,
                max_columns: int = TableLimits().max_columns) -> bytes:
    """Rows given as JSON objects, as CSV (columns in first-seen order).

    Raises
    ------
    InputError
        When the rows use more distinct keys than a table may have columns (checked
        before any row is written: the cost is rows times columns)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(str(k) for k in row))
        if len(columns) > max_columns:
            raise InputError([f"{label}: the rows have more than {max_columns:,} different "
                              f"keys; the limit is {max_columns:,} columns"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    for row in rows:
        values = {str(k): v for k, v in row.items()}
        writer.writerow([cell_text(values.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")
