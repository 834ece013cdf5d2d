"""What-if edits: applied to a stored scenario's raw tables and YAML.

The tables are read as text (every cell a string, headers as written), edited
and written back as CSV; tables no edit touches keep their bytes. The result is
a new set of stored files that the solver's loader validates like any upload.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import yaml

from api.errors import capped
from api.files import TABLE_ROLES, StoredFile, cell_text
from api.schemas import AddPreference, Edit, RemovePreference, SetIkm
from solver.io import TableLimits, TableSource, decode_yaml, is_xlsx, read_cells, read_config


class EditError(Exception):
    """Edits that name something the scenario does not have."""

    def __init__(self, errors: list[str]):
        self.errors = capped(errors)
        super().__init__("\n".join(self.errors))


def _is_xlsx(stored: StoredFile) -> bool:
    return is_xlsx(TableSource(stored.path, stored.content))


def read_table(stored: StoredFile, limits: TableLimits | None = None) -> pd.DataFrame:
    """The table as text cells, header as written (the loader's own bounded reader)."""
    frame = read_cells(TableSource(stored.path, stored.content), limits or TableLimits())
    frame.columns = [str(c) for c in frame.columns]
    return frame


def write_table(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _column(frame: pd.DataFrame, name: str) -> str | None:
    for column in frame.columns:
        if str(column).strip().lower() == name:
            return str(column)
    return None


def _append_row(frame: pd.DataFrame, row: dict[str, Any]) -> pd.DataFrame:
    values: dict[str, str] = {}
    for key, value in row.items():
        column = _column(frame, str(key).strip().lower())
        if column is None:
            column = str(key).strip().lower()
            frame[column] = ""
        values[column] = cell_text(value)
    new = pd.DataFrame([{c: values.get(c, "") for c in frame.columns}], dtype=str)
    return pd.concat([frame, new], ignore_index=True)


class _Workspace:
    def __init__(self, files: list[StoredFile], limits: TableLimits | None):
        self.files = {f.role: f for f in files}
        self.tables: dict[str, pd.DataFrame] = {}
        self.limits = limits
        yaml_file = self.files["scenario"]
        label = PurePosixPath(yaml_file.path).name
        self.config: dict[str, Any] = read_config(decode_yaml(yaml_file.content, label),
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
        used = {f.path for f in self.files.values()}
        path, counter = f"{role}.csv", 2
        while path in used:
            path, counter = f"{role}-{counter}.csv", counter + 1
        self.files[role] = StoredFile(role, path, path, b"")
        self.tables[role] = pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
        self.config[role] = path
        self.config_changed = True
        return self.tables[role]

    def result(self) -> list[StoredFile]:
        out: dict[str, StoredFile] = dict(self.files)
        used = {f.path for f in self.files.values()}
        for role, frame in self.tables.items():
            old = self.files[role]
            path = old.path
            if _is_xlsx(old):
                used.discard(path)
                stem = str(PurePosixPath(path).with_suffix(""))
                path, counter = f"{stem}.csv", 2
                while path in used:
                    path, counter = f"{stem}-{counter}.csv", counter + 1
                used.add(path)
                self.config[role] = path
                self.config_changed = True
            out[role] = StoredFile(role, path, old.original_name, write_table(frame))
        if self.config_changed:
            old = self.files["scenario"]
            text = yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True)
            out["scenario"] = StoredFile("scenario", old.path, old.original_name,
                                         text.encode("utf-8"))
        return [out[r] for r in ("scenario", *TABLE_ROLES) if r in out]


def _position_index(frame: pd.DataFrame, position: str) -> list[int]:
    column = _column(frame, "id")
    if column is None:
        return []
    return list(np.flatnonzero(frame[column].str.strip() == position.strip()))


def _nip_index(frame: pd.DataFrame, nip: str) -> list[int]:
    column = _column(frame, "nip")
    if column is None:
        return []
    compact = nip.replace(" ", "")
    return list(np.flatnonzero(frame[column].str.replace(" ", "") == compact))


def apply_edits(files: list[StoredFile], edits: list[Edit],
                limits: TableLimits | None = None) -> list[StoredFile]:
    """Apply ``edits`` in order; return the derived scenario's files.

    Raises
    ------
    EditError
        One message per edit that names a position or NIP the scenario lacks.
    InputError
        A stored table or YAML that no longer reads within ``limits``.
    """
    work = _Workspace(files, limits)
    errors: list[str] = []
    for index, edit in enumerate(edits):
        where = f"edits[{index}] ({edit.op})"
        if edit.op in ("set_headcount", "abolish_position"):
            positions = work.table("positions")
            assert positions is not None
            rows = _position_index(positions, edit.position)
            if not rows:
                errors.append(f"{where}: position {edit.position!r} is not in the "
                              "positions table")
                continue
            headcount = 0 if edit.op == "abolish_position" else edit.headcount
            column = _column(positions, "headcount") or "headcount"
            if column not in positions.columns:
                positions[column] = ""
            positions.loc[rows, column] = str(headcount)
        elif edit.op == "add_position":
            work.tables["positions"] = _append_row(work.table("positions"), edit.row)
        elif edit.op == "add_employee":
            work.tables["employees"] = _append_row(work.table("employees"), edit.row)
        elif edit.op == "remove_employee":
            employees = work.table("employees")
            assert employees is not None
            rows = _nip_index(employees, edit.nip)
            if not rows:
                errors.append(f"{where}: NIP {edit.nip!r} is not in the employees table")
                continue
            work.tables["employees"] = employees.drop(index=employees.index[rows]).reset_index(
                drop=True)
            for role in ("assessments", "preferences"):
                frame = work.table(role)
                if frame is not None:
                    drop = _nip_index(frame, edit.nip)
                    if drop:
                        work.tables[role] = frame.drop(
                            index=frame.index[drop]).reset_index(drop=True)
            compact = edit.nip.replace(" ", "")
            for block in ("locks", "forbid"):
                entries = work.config.get(block)
                if isinstance(entries, list):
                    kept = [e for e in entries if not (
                        isinstance(e, dict) and str(e.get("nip", "")).replace(" ", "") == compact)]
                    if len(kept) != len(entries):
                        work.config[block] = kept
                        work.config_changed = True
        elif edit.op in ("set_rules", "set_weights"):
            block = "rules" if edit.op == "set_rules" else "weights"
            values = edit.rules if edit.op == "set_rules" else edit.weights
            current = work.config.get(block)
            merged = dict(current) if isinstance(current, dict) else {}
            for key, value in values.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            work.config[block] = merged
            work.config_changed = True
        elif edit.op == "set_scope":
            scope: dict[str, Any] = {}
            if edit.units is not None:
                scope["units"] = list(edit.units)
            if edit.levels is not None:
                scope["levels"] = list(edit.levels)
            if scope:
                work.config["scope"] = scope
            else:
                work.config.pop("scope", None)
            work.config_changed = True
        elif edit.op in ("lock", "forbid"):
            block = "locks" if edit.op == "lock" else "forbid"
            entries = work.config.get(block)
            entries = list(entries) if isinstance(entries, list) else []
            entries.append({"nip": edit.nip, "position": edit.position})
            work.config[block] = entries
            work.config_changed = True
        elif isinstance(edit, AddPreference | RemovePreference):
            _edit_preference(work, edit, where, errors)
        elif isinstance(edit, SetIkm):
            _edit_ikm(work, edit, where, errors)
    if errors:
        raise EditError(errors)
    return work.result()


def _pair_rows(frame: pd.DataFrame, nip: str, position: str) -> list[int]:
    column = _column(frame, "position")
    rows = _nip_index(frame, nip)
    if column is None:
        return []
    return [r for r in rows if str(frame[column].iat[r]).strip() == position.strip()]


def _edit_preference(work: _Workspace, edit: AddPreference | RemovePreference, where: str,
                     errors: list[str]) -> None:
    """Section 9: add (or re-rank) or remove one (nip, position) preference row.

    The loader validates the result (unknown NIP or post, a rank used twice), so an
    edit that breaks a rule comes back as the loader's message naming the row.
    """
    if isinstance(edit, AddPreference):
        frame = work.table_or_new("preferences", ["nip", "position", "rank"])
        rows = _pair_rows(frame, edit.nip, edit.position)
        if rows:
            column = _column(frame, "rank") or "rank"
            frame.loc[rows, column] = str(edit.rank)
        else:
            work.tables["preferences"] = _append_row(
                frame, {"nip": edit.nip, "position": edit.position, "rank": edit.rank})
        return
    frame = work.table("preferences")
    rows = _pair_rows(frame, edit.nip, edit.position) if frame is not None else []
    if frame is None or not rows:
        errors.append(f"{where}: the preferences table has no row for NIP {edit.nip!r} "
                      f"and position {edit.position!r}")
        return
    work.tables["preferences"] = frame.drop(index=frame.index[rows]).reset_index(drop=True)


def _edit_ikm(work: _Workspace, edit: SetIkm, where: str, errors: list[str]) -> None:
    """Section 9: set (or, with ``ikm: null``, remove) one unit's IKM row."""
    frame = work.table_or_new("units", ["unit", "ikm"]) if edit.ikm is not None \
        else work.table("units")
    column = _column(frame, "unit") if frame is not None else None
    rows = ([] if frame is None or column is None else
            list(np.flatnonzero(frame[column].str.strip() == edit.unit.strip())))
    if edit.ikm is None:
        if frame is None or not rows:
            errors.append(f"{where}: the units table has no row for unit {edit.unit!r}")
            return
        work.tables["units"] = frame.drop(index=frame.index[rows]).reset_index(drop=True)
        return
    assert frame is not None
    if rows:
        frame.loc[rows, _column(frame, "ikm") or "ikm"] = edit.ikm.strip()
    else:
        work.tables["units"] = _append_row(frame, {"unit": edit.unit, "ikm": edit.ikm})
