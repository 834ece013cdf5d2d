"""What-if edits: what each edit of a round means, on the round's input files.

A derived round is stored and validated like any upload, so an edit changes the
scenario's input (its YAML and tables, read as text cells by the loader's own
reader, :func:`solver.io.read_cells`), never the validated :class:`Scenario`:
the loader then validates the result (:meth:`ScenarioInput.load`), and every
message names the file, row and column a planner can open. Tables no edit
touches keep their bytes; an edited table is written back as CSV (an edited
XLSX sheet becomes a CSV beside it, and the YAML names the new file).

Edits are mappings with an ``op`` (the JSON the API accepts, :mod:`api.schemas`):

=====================  =====================================================
``set_headcount``      ``position``, ``headcount``: the post's seat count
``abolish_position``   ``position``: headcount 0 (rule 4.6 then applies)
``add_position``       ``row``: a positions-table row (column: value)
``add_employee``       ``row``: an employees-table row
``remove_employee``    ``nip``: the row, its assessments and preferences, its
                       locks and forbids
``set_rules``          ``rules``: keys to change; ``None`` removes (= default)
``set_weights``        ``weights``: as ``set_rules``
``set_scope``          ``units``, ``levels``: the round's scope (both ``None``:
                       every unit and level)
``lock``, ``forbid``   ``nip``, ``position``: one more locks/forbid entry
``add_preference``     ``nip``, ``position``, ``rank``: add or re-rank (section 9)
``remove_preference``  ``nip``, ``position``
``set_ikm``            ``unit``, ``ikm``: the unit's IKM text; ``None`` removes
=====================  =====================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import yaml

from solver.io import (
    TABLE_ROLES,
    TableLimits,
    TableSource,
    decode_yaml,
    is_xlsx,
    load_scenario_tables,
    read_cells,
    read_config,
)
from solver.scenario import Scenario

Edit = Mapping[str, Any]


class EditError(Exception):
    """Edits that name something the scenario does not have (one message per edit)."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class ScenarioInput:
    """A round's input files before validation: the YAML and its tables by role.

    Each label is the file's path relative to the YAML (the name the YAML gives it
    and messages cite)."""

    yaml: TableSource
    tables: Mapping[str, TableSource]

    def load(self, limits: TableLimits | None = None) -> Scenario:
        """Validate with the solver's loader (raises :class:`~solver.io.InputError`)."""
        return load_scenario_tables(self.yaml.content, PurePosixPath(self.yaml.label).name,
                                    self.tables, limits or TableLimits())


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


def read_table(source: TableSource, limits: TableLimits | None = None) -> pd.DataFrame:
    """The table as text cells, header as written (the loader's own bounded reader)."""
    frame = read_cells(source, limits or TableLimits())
    frame.columns = [str(c) for c in frame.columns]
    return frame


def table_csv(frame: pd.DataFrame) -> bytes:
    """An edited table as the CSV the loader reads back."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _column(frame: pd.DataFrame, name: str) -> str | None:
    for column in frame.columns:
        if str(column).strip().lower() == name:
            return str(column)
    return None


def _append_row(frame: pd.DataFrame, row: Mapping[str, Any]) -> pd.DataFrame:
    values: dict[str, str] = {}
    for key, value in row.items():
        column = _column(frame, str(key).strip().lower())
        if column is None:
            column = str(key).strip().lower()
            frame[column] = ""
        values[column] = cell_text(value)
    new = pd.DataFrame([{c: values.get(c, "") for c in frame.columns}], dtype=str)
    return pd.concat([frame, new], ignore_index=True)


def _unused_path(path: str, used: set[str]) -> str:
    """``path``, or ``stem-2.csv``, ``stem-3.csv``, ... when another file has it."""
    stem = str(PurePosixPath(path).with_suffix(""))
    candidate, counter = path, 2
    while candidate in used:
        candidate, counter = f"{stem}-{counter}.csv", counter + 1
    return candidate


class _Workspace:
    """The round's files while edits apply: tables parsed on first use, YAML as a dict."""

    def __init__(self, source: ScenarioInput, limits: TableLimits | None):
        self.yaml = source.yaml
        self.files: dict[str, TableSource] = dict(source.tables)
        self.tables: dict[str, pd.DataFrame] = {}
        self.limits = limits
        label = PurePosixPath(source.yaml.label).name
        self.config: dict[str, Any] = read_config(decode_yaml(source.yaml.content, label),
                                                  label).config
        self.config_changed = False

    def table(self, role: str) -> pd.DataFrame | None:
        if role not in self.tables:
            if role not in self.files:
                return None
            self.tables[role] = read_table(self.files[role], self.limits)
        return self.tables[role]

    def table_or_new(self, role: str, columns: list[str]) -> pd.DataFrame:
        """The table of ``role``, created empty (and named in the YAML) when absent."""
        frame = self.table(role)
        if frame is not None:
            return frame
        used = {self.yaml.label, *(f.label for f in self.files.values())}
        path = _unused_path(f"{role}.csv", used)
        self.files[role] = TableSource(path, b"")
        self.tables[role] = pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
        self.set_config(role, path)
        return self.tables[role]

    def set_config(self, key: str, value: Any) -> None:
        self.config[key] = value
        self.config_changed = True

    def result(self) -> ScenarioInput:
        out = dict(self.files)
        used = {self.yaml.label, *(f.label for f in self.files.values())}
        for role, frame in self.tables.items():
            path = self.files[role].label
            if is_xlsx(self.files[role]):
                used.discard(path)
                path = _unused_path(str(PurePosixPath(path).with_suffix(".csv")), used)
                used.add(path)
                self.set_config(role, path)
            out[role] = TableSource(path, table_csv(frame))
        yaml_file = self.yaml
        if self.config_changed:
            text = yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True)
            yaml_file = TableSource(self.yaml.label, text.encode("utf-8"))
        return ScenarioInput(yaml_file, {r: out[r] for r in TABLE_ROLES if r in out})


def _position_rows(frame: pd.DataFrame, position: str) -> list[int]:
    column = _column(frame, "id")
    if column is None:
        return []
    return np.flatnonzero(frame[column].str.strip() == position.strip()).tolist()


def _nip_rows(frame: pd.DataFrame, nip: str) -> list[int]:
    column = _column(frame, "nip")
    if column is None:
        return []
    compact = nip.replace(" ", "")
    return np.flatnonzero(frame[column].str.replace(" ", "") == compact).tolist()


def _pair_rows(frame: pd.DataFrame, nip: str, position: str) -> list[int]:
    column = _column(frame, "position")
    rows = _nip_rows(frame, nip)
    if column is None:
        return []
    return [r for r in rows if str(frame[column].iat[r]).strip() == position.strip()]


def _drop_rows(frame: pd.DataFrame, rows: list[int]) -> pd.DataFrame:
    return frame.drop(index=frame.index[rows]).reset_index(drop=True)


# Each edit: (workspace, edit) -> a message when it names something the round lacks.
_EditFn = Callable[[_Workspace, Edit], str | None]


def _set_headcount(work: _Workspace, edit: Edit) -> str | None:
    positions = work.table("positions")
    assert positions is not None  # the loader requires the table
    rows = _position_rows(positions, edit["position"])
    if not rows:
        return f"position {edit['position']!r} is not in the positions table"
    headcount = 0 if edit["op"] == "abolish_position" else edit["headcount"]
    column = _column(positions, "headcount") or "headcount"
    if column not in positions.columns:
        positions[column] = ""
    positions.loc[rows, column] = str(headcount)
    return None


def _add_row(role: str) -> _EditFn:
    def add(work: _Workspace, edit: Edit) -> str | None:
        work.tables[role] = _append_row(work.table(role), edit["row"])
        return None

    return add


def _remove_employee(work: _Workspace, edit: Edit) -> str | None:
    employees = work.table("employees")
    assert employees is not None
    nip = edit["nip"]
    rows = _nip_rows(employees, nip)
    if not rows:
        return f"NIP {nip!r} is not in the employees table"
    work.tables["employees"] = _drop_rows(employees, rows)
    for role in ("assessments", "preferences"):
        frame = work.table(role)
        if frame is not None:
            drop = _nip_rows(frame, nip)
            if drop:
                work.tables[role] = _drop_rows(frame, drop)
    compact = nip.replace(" ", "")
    for block in ("locks", "forbid"):
        entries = work.config.get(block)
        if isinstance(entries, list):
            kept = [e for e in entries if not (
                isinstance(e, dict) and str(e.get("nip", "")).replace(" ", "") == compact)]
            if len(kept) != len(entries):
                work.set_config(block, kept)
    return None


def _merge_block(block: str) -> _EditFn:
    """``set_rules`` / ``set_weights``: change the given keys; ``None`` removes one."""

    def merge(work: _Workspace, edit: Edit) -> str | None:
        current = work.config.get(block)
        merged = dict(current) if isinstance(current, dict) else {}
        for key, value in edit[block].items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        work.set_config(block, merged)
        return None

    return merge


def _set_scope(work: _Workspace, edit: Edit) -> str | None:
    scope: dict[str, Any] = {}
    if edit.get("units") is not None:
        scope["units"] = list(edit["units"])
    if edit.get("levels") is not None:
        scope["levels"] = list(edit["levels"])
    if scope:
        work.config["scope"] = scope
    else:
        work.config.pop("scope", None)
    work.config_changed = True
    return None


def _add_pair(block: str) -> _EditFn:
    """``lock`` / ``forbid``: one more (nip, position) entry in the YAML block."""

    def add(work: _Workspace, edit: Edit) -> str | None:
        entries = work.config.get(block)
        entries = list(entries) if isinstance(entries, list) else []
        entries.append({"nip": edit["nip"], "position": edit["position"]})
        work.set_config(block, entries)
        return None

    return add


def _add_preference(work: _Workspace, edit: Edit) -> str | None:
    """Section 9: add (or re-rank) one (nip, position) preference row. The loader
    validates the result (unknown NIP or post, a rank used twice), so an edit that
    breaks a rule comes back as the loader's message naming the row."""
    frame = work.table_or_new("preferences", ["nip", "position", "rank"])
    rows = _pair_rows(frame, edit["nip"], edit["position"])
    if rows:
        frame.loc[rows, _column(frame, "rank") or "rank"] = str(edit["rank"])
    else:
        work.tables["preferences"] = _append_row(
            frame, {"nip": edit["nip"], "position": edit["position"], "rank": edit["rank"]})
    return None


def _remove_preference(work: _Workspace, edit: Edit) -> str | None:
    frame = work.table("preferences")
    rows = _pair_rows(frame, edit["nip"], edit["position"]) if frame is not None else []
    if frame is None or not rows:
        return (f"the preferences table has no row for NIP {edit['nip']!r} and position "
                f"{edit['position']!r}")
    work.tables["preferences"] = _drop_rows(frame, rows)
    return None


def _set_ikm(work: _Workspace, edit: Edit) -> str | None:
    """Section 9: set (or, with ``ikm: None``, remove) one unit's IKM row."""
    unit, ikm = edit["unit"], edit["ikm"]
    frame = work.table_or_new("units", ["unit", "ikm"]) if ikm is not None \
        else work.table("units")
    column = _column(frame, "unit") if frame is not None else None
    rows: list[int] = ([] if frame is None or column is None else
                       np.flatnonzero(frame[column].str.strip() == unit.strip()).tolist())
    if ikm is None:
        if frame is None or not rows:
            return f"the units table has no row for unit {unit!r}"
        work.tables["units"] = _drop_rows(frame, rows)
        return None
    assert frame is not None
    if rows:
        frame.loc[rows, _column(frame, "ikm") or "ikm"] = ikm.strip()
    else:
        work.tables["units"] = _append_row(frame, {"unit": unit, "ikm": ikm})
    return None


# Every edit, once: op -> what it does.
EDITS: dict[str, _EditFn] = {
    "set_headcount": _set_headcount,
    "abolish_position": _set_headcount,
    "add_position": _add_row("positions"),
    "add_employee": _add_row("employees"),
    "remove_employee": _remove_employee,
    "set_rules": _merge_block("rules"),
    "set_weights": _merge_block("weights"),
    "set_scope": _set_scope,
    "lock": _add_pair("locks"),
    "forbid": _add_pair("forbid"),
    "add_preference": _add_preference,
    "remove_preference": _remove_preference,
    "set_ikm": _set_ikm,
}


def apply_edits(source: ScenarioInput, edits: Sequence[Edit],
                limits: TableLimits | None = None) -> ScenarioInput:
    """Apply ``edits`` in order; return the derived round's input (not yet validated:
    :meth:`ScenarioInput.load` does that).

    Raises
    ------
    EditError
        One message per edit that names a position, NIP, preference or unit the
        round lacks, or whose ``op`` is not an edit.
    InputError
        A table or YAML that no longer reads within ``limits``.
    """
    work = _Workspace(source, limits)
    errors: list[str] = []
    for index, edit in enumerate(edits):
        op = edit.get("op")
        where = f"edits[{index}] ({op})"
        apply = EDITS.get(op) if isinstance(op, str) else None
        problem = f"{op!r} is not an edit" if apply is None else apply(work, edit)
        if problem is not None:
            errors.append(f"{where}: {problem}")
    if errors:
        raise EditError(errors)
    return work.result()
