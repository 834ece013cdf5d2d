"""What-if edits on a stored scenario: the adapter over :mod:`solver.edits`.

What an edit means lives in the solver; here the stored files become the solver's
:class:`~solver.edits.ScenarioInput` and back (a file keeps its upload name; a
table the edits create is named by its path). The result is a new set of stored
files that the solver's loader validates like any upload.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.errors import capped
from api.files import TABLE_ROLES, StoredFile
from api.schemas import Edit
from solver import edits as solver_edits
from solver.io import TableLimits, TableSource


class EditError(solver_edits.EditError):
    """Edits that name something the scenario does not have (messages capped for HTTP)."""

    def __init__(self, errors: list[str]):
        super().__init__(capped(errors))


def scenario_input(files: Sequence[StoredFile]) -> solver_edits.ScenarioInput:
    """The stored scenario's YAML and tables as the solver's input files."""
    yaml_file = next(f for f in files if f.role == "scenario")
    return solver_edits.ScenarioInput(
        TableSource(yaml_file.path, yaml_file.content),
        {f.role: TableSource(f.path, f.content) for f in files if f.role in TABLE_ROLES})


def apply_edits(files: list[StoredFile], edits: list[Edit],
                limits: TableLimits | None = None) -> list[StoredFile]:
    """Apply ``edits`` in order (:func:`solver.edits.apply_edits`); return the derived
    scenario's files: the YAML first, then the tables in :data:`TABLE_ROLES` order.

    Raises
    ------
    EditError
        One message per edit that names a position or NIP the scenario lacks.
    InputError
        A stored table or YAML that no longer reads within ``limits``.
    """
    by_role = {f.role: f for f in files}
    try:
        derived = solver_edits.apply_edits(scenario_input(files),
                                           [edit.model_dump() for edit in edits], limits)
    except solver_edits.EditError as exc:
        raise EditError(exc.errors) from None

    def stored(role: str, source: TableSource) -> StoredFile:
        old = by_role.get(role)
        if old is not None and old.path == source.label and old.content == source.content:
            return old
        return StoredFile(role, source.label, old.original_name if old else source.label,
                          source.content)

    return [stored("scenario", derived.yaml),
            *(stored(role, derived.tables[role]) for role in TABLE_ROLES
              if role in derived.tables)]
