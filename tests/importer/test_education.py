"""Education: normalisation, level tokens, built-in kamus (issue 13, education rule)."""

import pytest

from solver.importer import education


@pytest.mark.parametrize(("programme", "rest"), [
    ("S1 TEKNIK INFORMATIKA", "TEKNIK INFORMATIKA"),
    ("s-1   teknik  informatika", "TEKNIK INFORMATIKA"),
    ("S-2 AKUNTANSI", "AKUNTANSI"), ("S3 ILMU HUKUM", "ILMU HUKUM"),
    ("D-IV EKONOMI PEMBANGUNAN", "EKONOMI PEMBANGUNAN"), ("D-I KEARSIPAN", "KEARSIPAN"),
    ("D3 KEPERAWATAN", "KEPERAWATAN"), ("D III KEBIDANAN", "KEBIDANAN"),
    ("DIPLOMA III FARMASI", "FARMASI"), ("DIPLOMA 4 STATISTIKA", "STATISTIKA"),
    ("SMA IPA", "IPA"), ("SLTA IPS", "IPS"), ("SMK TEKNIK MESIN", "TEKNIK MESIN"),
    ("SMP", ""), ("SLTP UMUM", "UMUM"), ("SD", ""),
    ("SEJARAH", "SEJARAH"), ("DESAIN GRAFIS", "DESAIN GRAFIS"),  # not level tokens
    ("STATISTIKA", "STATISTIKA"), ("DIKLAT", "DIKLAT"),
])
def test_normalise(programme, rest):
    assert education.normalise(programme) == rest


def test_built_in_kamus():
    assert education.BUILT_IN["TEKNIK INFORMATIKA"] == "teknologi_informasi"
    assert education.BUILT_IN["AKUNTANSI SEKTOR PUBLIK"] == "akuntansi"
    assert education.BUILT_IN[education.normalise("S1 Ilmu Administrasi Negara")] \
        == "administrasi_publik"
    # keys are already normalised (no level token, upper case, single spaces)
    assert all(education.normalise(name) == name for name in education.BUILT_IN)


def test_field_key():
    assert education.field_key(" Teknik Sipil ") == "teknik_sipil"
    assert education.field_key("teknologi-informasi") == "teknologi_informasi"
