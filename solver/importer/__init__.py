"""`penata import siasn`: from the exports a BKPSDM already has to a MODEL.md scenario.

One module per concern: :mod:`headers` (header keys, ``--map``), :mod:`tables` (reading
a source file), :mod:`cells`, :mod:`grades`, :mod:`dates`, :mod:`education` (the
built-in kamus), :mod:`competencies`, :mod:`jabatan` (levels, golongan ranges, BUP),
one reader per source (:mod:`peta`, :mod:`pegawai`, :mod:`records`), :mod:`report`,
:mod:`scenario_files` (writing) and :mod:`run` (the orchestration). docs/import.md is
the planner's guide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from solver.importer.run import Imported, Sources, build, import_siasn

__all__ = ["Imported", "Sources", "build", "import_siasn"]


def __getattr__(name: str) -> Any:
    # The orchestration (every reader) loads on first use: `penata` registers the
    # import command through solver.importer.cli, and `penata solve` needs none of it.
    if name in __all__:
        from solver.importer import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
