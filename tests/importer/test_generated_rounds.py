"""Done-when of issue 13: a generated round written as SIASN-style exports imports, and
``solve`` on it gives exactly the plans of the same round written in the MODEL.md format.

The exports (``solver.generate.siasn``) mix golongan notations, apostrophe NIPs, date
cells / text / serials, inactive rows, two SKP years, light and expired sanctions,
missing ratings and potentials, unmatched school programmes, CSV (comma, semicolon with a
BOM, Windows-1252) and XLSX.
"""

from pathlib import Path

import numpy as np
import pytest
import yaml

from solver.generate import build, write
from solver.generate.selection import build_selection_generated
from solver.generate.siasn import write_siasn
from solver.importer.run import Sources, import_siasn
from solver.io import load_scenario
from solver.result import SolveParams
from solver.scenario import Scenario
from solver.solve import solve

ROLES = {"pegawai": "pegawai.xlsx", "peta_jabatan": "peta_jabatan.xlsx",
         "kinerja": "kinerja.csv", "talenta": "talenta.csv", "hukdis": "hukdis.csv",
         "kompetensi": "kompetensi.xlsx", "standar_kompetensi": "standar_kompetensi.csv",
         "seleksi": "seleksi.csv"}


def import_generated(src: Path, out: Path) -> Path:
    """Import every export in ``src``, then give the scenario the round of round.yaml."""
    present = {role: src / name for role, name in ROLES.items() if (src / name).exists()}
    round_doc = yaml.safe_load((src / "round.yaml").read_text(encoding="utf-8"))
    import_siasn(Sources(**present), round_doc["as_of"], out)  # type: ignore[arg-type]
    path = out / "scenario.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("scope", "rules", "weights", "plans"):
        doc[key] = round_doc[key]
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def assert_same_round(imported: Scenario, direct: Scenario) -> None:
    a, b = imported.employees, direct.employees
    assert list(a["nip"]) == list(b["nip"])
    for column in ("grade", "current_position", "position_since", "current_level",
                   "birth_date", "performance", "potential", "discipline_until"):
        assert list(a[column]) == list(b[column]), column
    # the only difference allowed: school programmes not in the kamus import blank, and
    # their key ("umum") is in no post's education fields, so no pair can change
    wanted = set().union(*direct.positions["education_fields"])
    assert "umum" not in wanted
    differ = a["education_field"] != b["education_field"]
    assert set(a["education_field"][differ]) <= {""}
    assert set(b["education_field"][differ]) <= {"umum"}
    comps_a = [c for c in a.columns if c.startswith("c.")]
    comps_b = [c for c in b.columns if c.startswith("c.")]
    assert np.array_equal(a[comps_a].to_numpy(), b[comps_b].to_numpy())
    p, q = imported.positions, direct.positions
    for column in ("id", "title", "unit", "level", "grade_min", "grade_max", "headcount",
                   "must_fill", "priority", "education_fields", "education_required",
                   "retirement_age", "applicants_only"):
        assert list(p[column]) == list(q[column]), column
    comps_p = [c for c in p.columns if c.startswith("c.")]
    comps_q = [c for c in q.columns if c.startswith("c.")]
    assert np.array_equal(p[comps_p].to_numpy(), q[comps_q].to_numpy())
    key = ["nip", "position", "score"]
    assert imported.assessments[key].values.tolist() == direct.assessments[key].values.tolist()


def plans(scenario: Scenario) -> list:
    result = solve(scenario, SolveParams(workers=1, seed=0, time_limit=120))
    assert result.status == "OPTIMAL"
    return [(p.rank, p.objective, sorted((a.nip, a.position, a.origin) for a in p.assignments))
            for p in result.plans]


def _round_trip(generated, tmp_path: Path) -> None:
    write(generated, tmp_path / "model")
    write_siasn(generated, tmp_path / "siasn")
    imported = load_scenario(import_generated(tmp_path / "siasn", tmp_path / "imported"))
    direct = load_scenario(tmp_path / "model" / "scenario.yaml")
    assert_same_round(imported, direct)
    assert plans(imported) == plans(direct)


@pytest.mark.parametrize(("profile", "seed", "overrides"), [
    ("demo", 1, {}), ("demo", 7, {}),
    ("ministry", 2, {"employees": 700, "opd": 2, "kelurahan": 2}),
])
def test_generated_round_imports_to_the_same_plans(tmp_path: Path, profile, seed, overrides):
    _round_trip(build(profile, seed, **overrides), tmp_path)


def test_open_selection_round_with_panel_scores(tmp_path: Path):
    generated = build_selection_generated()
    assert generated.assessments is not None and len(generated.assessments) > 0
    _round_trip(generated, tmp_path)


def test_exports_are_untidy_as_promised(tmp_path: Path):
    import openpyxl

    write_siasn(build("demo", 1), tmp_path)
    rows = list(openpyxl.load_workbook(tmp_path / "pegawai.xlsx").worksheets[0]
                .iter_rows(values_only=True))
    header, rows = rows[0], rows[1:]
    cell = {name: [r[header.index(name)] for r in rows] for name in header}
    assert any(str(n).startswith("'") for n in cell["NIP BARU"])
    assert any(isinstance(c, int) for c in cell["GOL AKHIR ID"])
    names = [n for n in cell["GOL AKHIR NAMA"] if n]
    assert any(" - " in n for n in names) and any("/" not in n for n in names)
    assert {"Pensiun", "Meninggal Dunia", "Pemberhentian"} <= set(cell["KEDUDUKAN HUKUM NAMA"])
    assert any(isinstance(d, int) for d in cell["TMT JABATAN"])  # Excel serials
    assert any(isinstance(d, str) for d in cell["TMT JABATAN"])  # dd-mm-yyyy text
    kinerja = (tmp_path / "kinerja.csv").read_bytes()
    assert kinerja.startswith(b"\xef\xbb\xbfNIP;TAHUN;PREDIKAT")
    assert b";2025;" in kinerja and b";2026;" in kinerja
    hukdis = (tmp_path / "hukdis.csv").read_text(encoding="cp1252")
    assert ",Ringan," in hukdis and ",Sedang,01-03-2019" in hukdis


def test_cli_generate_format_siasn(tmp_path: Path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "api.cli", "generate", "--profile", "demo",
                           "--seed", "1", "--out", str(tmp_path), "--format", "siasn"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in tmp_path.iterdir()} == set(ROLES.values()) - {"seleksi.csv"} | {
        "round.yaml"}
    proc = subprocess.run([sys.executable, "-m", "api.cli", "generate", "--profile", "demo",
                           "--out", str(tmp_path / "x"), "--format", "csv"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "--format is model or siasn" in proc.stderr
