"""``python -m benchmarks.importer``: how long ``penata import siasn`` takes at Kota Medan size.

Issue 13 asks that importing the Kota Medan-sized round (11,192 pegawai rows, XLSX)
take seconds, not minutes. This writes the ``kota_medan`` round (seed 1) with
``penata generate --format siasn`` once into ``--work``, then times the whole import
(:func:`solver.importer.import_siasn`: reading all eight files, checking, writing the
scenario and the report) ``--repeat`` times in this process, and the same import as a
CLI run (Python start-up and imports included) once. It also checks that the imported
scenario loads (``load_scenario``) and how long that takes. Results go to
``benchmarks/results/importer.md``; nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.runner import DEFAULT_OUT, DEFAULT_WORK, machine
from solver.generate import generate_siasn
from solver.importer import Sources, import_siasn
from solver.io import load_scenario

ROLES = {"pegawai": "pegawai.xlsx", "peta_jabatan": "peta_jabatan.xlsx",
         "kinerja": "kinerja.csv", "talenta": "talenta.csv", "hukdis": "hukdis.csv",
         "kompetensi": "kompetensi.xlsx", "standar_kompetensi": "standar_kompetensi.csv"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="kota_medan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    src = args.work / f"siasn-{args.profile}-{args.seed}"
    started = time.perf_counter()
    generate_siasn(args.profile, args.seed, src)
    generate_s = time.perf_counter() - started
    sources = Sources(**{role: src / name for role, name in ROLES.items()})  # type: ignore[arg-type]
    as_of = dt.date(2027, 1, 2)
    times = []
    for index in range(args.repeat):
        started = time.perf_counter()
        imported = import_siasn(sources, as_of, args.work / f"imported-{index}")
        times.append(time.perf_counter() - started)
    started = time.perf_counter()
    scenario = load_scenario(args.work / "imported-0" / "scenario.yaml")
    load_s = time.perf_counter() - started
    command = [sys.executable, "-m", "api.cli", "import", "siasn", "--as-of", "2027-01-02",
               "--out", str(args.work / "imported-cli")]
    for role, name in ROLES.items():
        command += [f"--{role.replace('_', '-')}", str(src / name)]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    cli_s = time.perf_counter() - started
    rows_read = {f.role: f.rows_read for f in imported.report.files}
    info = machine()
    lines = [
        "# Import benchmark (`python -m benchmarks.importer`)", "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {info.get('cpu', '?')} "
        f"({info.get('nproc', '?')} cores shared with other work; load average "
        f"{os.getloadavg()[0]:.1f} when it finished).", "",
        f"Round: `penata generate --profile {args.profile} --seed {args.seed} --format siasn` "
        f"({generate_s:.1f} s to write): {rows_read['pegawai']:,} pegawai rows (XLSX), "
        f"{rows_read['peta_jabatan']:,} peta jabatan rows (XLSX), {rows_read['kinerja']:,} "
        f"kinerja rows, {rows_read['kompetensi']:,} kompetensi rows (XLSX).", "",
        "| measurement | seconds |", "|---|---|",
        f"| import, in process, median of {args.repeat} | {statistics.median(times):.2f} |",
        f"| import, in process, each run | {', '.join(f'{t:.2f}' for t in times)} |",
        f"| import as a CLI run (start-up included) | {cli_s:.2f} |",
        f"| load_scenario of the imported scenario | {load_s:.2f} |", "",
        f"Imported: {len(scenario.employees):,} employees, {len(scenario.positions):,} "
        "positions.", "",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "importer.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
