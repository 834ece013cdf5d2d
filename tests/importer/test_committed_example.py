"""scenarios/impor_siasn: the committed exports import to exactly the committed expected/
(tables, scenario and report, byte for byte), and with the round of exports/round.yaml
they give exactly the plans of scenarios/demo (the same round in the MODEL.md format)."""

from pathlib import Path

from solver.importer.run import Sources, import_siasn
from solver.io import load_scenario
from tests.importer.helpers import AS_OF
from tests.importer.test_generated_rounds import import_generated, plans

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "impor_siasn"
EXPORTS = EXAMPLE / "exports"
NAME = "Rotasi Kota Binjai 2027 (demo, impor SIASN)"  # as in the Makefile's demo


def test_committed_exports_import_to_the_committed_expected(tmp_path: Path):
    sources = Sources(pegawai=EXPORTS / "pegawai.xlsx", peta_jabatan=EXPORTS / "peta_jabatan.xlsx",
                      kinerja=EXPORTS / "kinerja.csv", talenta=EXPORTS / "talenta.csv",
                      hukdis=EXPORTS / "hukdis.csv", kompetensi=EXPORTS / "kompetensi.xlsx",
                      standar_kompetensi=EXPORTS / "standar_kompetensi.csv",
                      kamus_pendidikan=EXPORTS / "kamus_pendidikan.csv")
    import_siasn(sources, AS_OF, tmp_path, name=NAME)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in (EXAMPLE / "expected").iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (EXAMPLE / "expected" / name).read_bytes(), name


def test_committed_example_gives_the_demo_plans(tmp_path: Path):
    imported = load_scenario(import_generated(EXPORTS, tmp_path))
    assert plans(imported) == plans(load_scenario(ROOT / "scenarios" / "demo" / "scenario.yaml"))
