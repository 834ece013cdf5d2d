"""`penata import siasn`: from the exports a BKPSDM already has to a MODEL.md scenario.

One module per concern: :mod:`headers` (header keys, ``--map``), :mod:`tables` (reading
a source file), :mod:`cells`, :mod:`grades`, :mod:`dates`, :mod:`education` (the
built-in kamus), :mod:`competencies`, :mod:`jabatan` (levels, golongan ranges, BUP),
one reader per source (:mod:`peta`, :mod:`pegawai`, :mod:`records`), :mod:`report`,
:mod:`scenario_files` (writing) and :mod:`run` (the orchestration). docs/import.md is
the planner's guide.
"""

from solver.importer.run import Imported, Sources, build, import_siasn

__all__ = ["Imported", "Sources", "build", "import_siasn"]
