"""Scenario files: place uploads where the YAML expects them, load stored scenarios.

A stored scenario is its YAML file plus the tables, each kept as the bytes
uploaded under the path the YAML names (relative to the scenario directory).
Loading writes them into a temporary directory and calls
:func:`solver.io.load_scenario`, so validation messages are the CLI's own:
they name the file as the YAML names it, the row and the column.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from solver.io import InputError, load_scenario
from solver.scenario import Scenario

TABLE_ROLES = ("employees", "positions", "assessments")
DEFAULT_YAML_NAME = "scenario.yaml"


@dataclass(frozen=True)
class StoredFile:
    role: str  # scenario | employees | positions | assessments
    path: str  # relative to the scenario directory; the YAML's reference for tables
    original_name: str
    content: bytes


@dataclass(frozen=True)
class Upload:
    original_name: str
    content: bytes


def safe_name(name: str | None, default: str) -> str:
    """A plain file name (no directories) derived from an uploaded file name."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return base[:200] if base else default


def _safe_relative(ref: str) -> str | None:
    """``ref`` normalised when it is a harmless relative path, else None."""
    ref = ref.strip()
    if not ref or "\x00" in ref or "\\" in ref or len(ref) > 500:
        return None
    path = PurePosixPath(ref)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts):
        return None
    if len(path.parts) > 8 or any(len(part) > 200 for part in path.parts):
        return None
    parts = [p for p in path.parts if p != "."]
    return "/".join(parts) if parts else None


def _decode_yaml(content: bytes) -> str | None:
    if b"\x00" in content[:65536]:
        return None
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _top_level_value_span(text: str, key: str) -> tuple[int, int] | None | bool:
    """Character span of ``key``'s scalar value; None if absent; False if not rewritable."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return False
    if not isinstance(root, yaml.MappingNode):
        return False
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            if not isinstance(value_node, yaml.ScalarNode):
                return False
            return value_node.start_mark.index, value_node.end_mark.index
    return None if not root.flow_style else False


def place_upload(yaml_upload: Upload, tables: Mapping[str, Upload]) -> list[StoredFile]:
    """Decide where each uploaded file goes so the YAML finds it.

    A table goes to the path the YAML names when that path is a plain relative
    one; the YAML is then stored unchanged (so the scenario hashes as in the
    CLI). When the YAML names no path, or one outside the scenario directory, the
    table keeps its uploaded file name and the YAML is edited in place (same
    lines) to name it.

    Raises
    ------
    InputError
        When the YAML names an assessments table but none was uploaded.
    """
    yaml_path = safe_name(yaml_upload.original_name, DEFAULT_YAML_NAME)
    text = _decode_yaml(yaml_upload.content)
    config: Any = None
    if text is not None:
        try:
            config = yaml.safe_load(text)
        except yaml.YAMLError:
            config = None
    if not isinstance(config, dict):
        # The loader reports what is wrong with the YAML; the tables go under
        # their uploaded names.
        files = [StoredFile("scenario", yaml_path, yaml_upload.original_name,
                            yaml_upload.content)]
        used = {yaml_path}
        for role, upload in tables.items():
            path = _unique(safe_name(upload.original_name, f"{role}.csv"), role, used)
            files.append(StoredFile(role, path, upload.original_name, upload.content))
        return files
    assert text is not None
    ref = config.get("assessments")
    if "assessments" not in tables and isinstance(ref, str) and ref.strip():
        raise InputError([f"{yaml_path} key assessments: names {ref.strip()!r} but no "
                          "assessments file was uploaded"])
    used = {yaml_path}
    placed: list[StoredFile] = []
    rewrites: list[tuple[str, str]] = []
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
            placed.append(StoredFile(role, str(ref).strip(), table.original_name,
                                     table.content))
            continue
        target = _unique(safe_name(table.original_name, f"{role}.csv"), role, used)
        placed.append(StoredFile(role, target, table.original_name, table.content))
        rewrites.append((role, target))
    for role, path in rewrites:
        text = _rewrite_key(text, role, path)
    content = yaml_upload.content if not rewrites else text.encode("utf-8")
    return [StoredFile("scenario", yaml_path, yaml_upload.original_name, content), *placed]


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


def _rewrite_key(text: str, key: str, value: str) -> str:
    """Point top-level ``key`` at ``value``, keeping every other line where it is."""
    span = _top_level_value_span(text, key)
    quoted = json.dumps(value)
    if isinstance(span, tuple):
        start, end = span
        return text[:start] + quoted + text[end:]
    if span is None:
        return text + ("" if text.endswith("\n") or not text else "\n") + f"{key}: {quoted}\n"
    return text


def write_files(files: Iterable[StoredFile], directory: Path) -> Path:
    """Write stored files under ``directory``; return the YAML's path."""
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


def load_files(files: Iterable[StoredFile]) -> Scenario:
    """Validate and load stored files with the solver's loader.

    Raises
    ------
    InputError
        The loader's messages (file as the YAML names it, row, column).
    """
    with tempfile.TemporaryDirectory(prefix="penata-") as tmp:
        return load_scenario(write_files(files, Path(tmp)))


# --------------------------------------------------------------------------- JSON bodies


def cell_text(value: Any) -> str:
    """A JSON value as the text of a table cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ";".join(cell_text(v) for v in value)
    return str(value)


def rows_to_csv(rows: list[dict[str, Any]]) -> bytes:
    """Rows given as JSON objects, as CSV (columns in first-seen order)."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(str(k) for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    for row in rows:
        values = {str(k): v for k, v in row.items()}
        writer.writerow([cell_text(values.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")
