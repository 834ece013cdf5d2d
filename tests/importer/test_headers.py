"""Header keys and --map (issue 13: headers rule)."""

from pathlib import Path

from solver.importer.headers import key, load_map
from solver.importer.problems import Problems


def test_spaces_underscores_dots_hyphens_and_case_are_equivalent():
    assert {key(h) for h in ["NIP BARU", "nip_baru", "Nip.Baru", "nip-baru", " NIP  BARU "]} \
        == {"nip baru"}


def test_map_renames_by_role(tmp_path: Path):
    path = tmp_path / "map.yaml"
    path.write_text("pegawai:\n  NIP 18: NIP BARU\n  Nama_Lengkap: nama\nperta: {}\n"
                    "peta jabatan:\n  KODE JABATAN: JABATAN ID\n", encoding="utf-8")
    problems = Problems()
    renames = load_map(path, problems)
    assert renames["pegawai"] == {"nip 18": "nip baru", "nama lengkap": "nama"}
    assert renames["peta_jabatan"] == {"kode jabatan": "jabatan id"}
    assert problems.messages == ["map.yaml: key 'perta': unknown file role; known roles: "
                                 "pegawai, peta_jabatan, kinerja, talenta, hukdis, kompetensi, "
                                 "standar_kompetensi, seleksi, kamus_pendidikan"]


def test_map_syntax_error_names_the_line(tmp_path: Path):
    path = tmp_path / "map.yaml"
    path.write_text("pegawai:\n  a: [b\n", encoding="utf-8")
    problems = Problems()
    load_map(path, problems)
    assert problems.messages[0].startswith("map.yaml line ")
