"""Write small SIASN-style source files for importer tests and run the import."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from solver.importer.run import Sources, import_siasn
from solver.io import InputError, load_scenario
from solver.scenario import Scenario

AS_OF = dt.date(2027, 1, 2)
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "siasn-kota-kecil"


def nip(serial: int, birth: str = "19850615") -> str:
    return f"{birth}2010011{serial:03d}"


def pegawai_row(serial: int, **cells: Any) -> dict[str, Any]:
    row = {"NIP BARU": nip(serial), "NAMA": f"PEGAWAI {serial}",
           "TANGGAL LAHIR": "15-06-1985", "GOL AKHIR ID": "33", "JABATAN ID": "P1",
           "TMT JABATAN": "01-01-2020", "KEDUDUKAN HUKUM NAMA": "Aktif"}
    row.update(cells)
    return row


def peta_row(pid: str, **cells: Any) -> dict[str, Any]:
    row = {"JABATAN ID": pid, "NAMA JABATAN": f"Kepala Seksi {pid}", "UNOR NAMA": "Dinas A",
           "JENIS JABATAN": "Struktural", "ESELON": "IV.a", "KEBUTUHAN": "1"}
    row.update(cells)
    return row


def write_rows(path: Path, rows: list[dict[str, Any]], *, sep: str = ",",
               encoding: str = "utf-8", header: list[str] | None = None) -> Path:
    """CSV (``sep``, ``encoding``; ``utf-8-sig`` writes a BOM) or XLSX by suffix."""
    columns = header or list(dict.fromkeys(c for row in rows for c in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns] if isinstance(row, dict) else row)
        book.save(path)
        return path
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def sources(tmp: Path, pegawai: list[dict] | None = None, peta: list[dict] | None = None,
            **files: list[dict] | Path) -> Sources:
    """Write the given tables (lists of rows) as CSV into ``tmp`` and name them."""
    tmp.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path | None] = {}
    tables = {"pegawai": pegawai or [pegawai_row(1)], "peta_jabatan": peta or [peta_row("P1")],
              **files}
    for role, rows in tables.items():
        if isinstance(rows, Path):
            paths[role] = rows
        else:
            paths[role] = write_rows(tmp / f"{role}.csv", rows)
    return Sources(**paths)  # type: ignore[arg-type]


def run(tmp: Path, pegawai: list[dict] | None = None, peta: list[dict] | None = None,
        **files: Any) -> tuple[Scenario, Any]:
    """Import into ``tmp/out`` and load the written scenario back (validates it)."""
    imported = import_siasn(sources(tmp / "src", pegawai, peta, **files), AS_OF, tmp / "out")
    return load_scenario(tmp / "out" / "scenario.yaml"), imported.report


def problems(tmp: Path, pegawai: list[dict] | None = None, peta: list[dict] | None = None,
             **files: Any) -> list[str]:
    """The problems an import raises; asserts nothing was written."""
    with pytest.raises(InputError) as info:
        import_siasn(sources(tmp / "src", pegawai, peta, **files), AS_OF, tmp / "out")
    assert not (tmp / "out").exists()
    return info.value.errors


def employee(scenario: Scenario, serial: int) -> dict[str, Any]:
    rows = scenario.employees[scenario.employees["nip"] == nip(serial)]
    assert len(rows) == 1, f"employee {serial} not imported"
    return rows.iloc[0].to_dict()


def position(scenario: Scenario, pid: str) -> dict[str, Any]:
    rows = scenario.positions[scenario.positions["id"] == pid]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()
