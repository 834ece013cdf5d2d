"""Education programme names (``PENDIDIKAN NAMA``) to ``education_field`` keys.

A programme name is upper-cased, its spaces collapsed and a leading level token
removed (``S1 TEKNIK INFORMATIKA`` -> ``TEKNIK INFORMATIKA``); the rest is looked up in
the *kamus*: :data:`BUILT_IN` overridden, name by name, by ``--kamus-pendidikan``
(CSV or XLSX with columns ``pendidikan,bidang``). A name found in neither leaves
``education_field`` blank and is listed in the report with its count, so the planner can
extend the kamus. The built-in keys are those of the generator's position catalogue
and ``docs/import.md`` lists them.
"""

from __future__ import annotations

import re

LEVEL_TOKEN = re.compile(
    r"^(?:DIPLOMA\s*(?:IV|III|II|I|[1-4])|D\s*-?\s*(?:IV|III|II|I|[1-4])|S\s*-?\s*[1-3]"
    r"|SD|SMP|SLTP|SMA|SLTA|SMK)(?![A-Z0-9])[\s.,/-]*"
)

# programme (normalised) -> field key. Several spellings per key, as SIASN's
# reference list of programmes spells them.
_BY_FIELD: dict[str, tuple[str, ...]] = {
    "administrasi_publik": ("ADMINISTRASI PUBLIK", "ILMU ADMINISTRASI NEGARA",
                            "ADMINISTRASI NEGARA", "ILMU ADMINISTRASI PUBLIK"),
    "administrasi_perkantoran": ("ADMINISTRASI PERKANTORAN", "ADMINISTRASI PERKANTORAN DAN "
                                 "SEKRETARIS", "OTOMATISASI DAN TATA KELOLA PERKANTORAN"),
    "akuntansi": ("AKUNTANSI", "AKUNTANSI SEKTOR PUBLIK", "AKUNTANSI KEUANGAN LEMBAGA"),
    "arsitektur": ("ARSITEKTUR", "TEKNIK ARSITEKTUR"),
    "ekonomi": ("EKONOMI", "ILMU EKONOMI", "EKONOMI PEMBANGUNAN", "EKONOMI SYARIAH"),
    "farmasi": ("FARMASI", "PROFESI APOTEKER", "ILMU FARMASI"),
    "hukum": ("ILMU HUKUM", "HUKUM", "HUKUM TATA NEGARA"),
    "ilmu_komunikasi": ("ILMU KOMUNIKASI", "HUBUNGAN MASYARAKAT"),
    "ilmu_pemerintahan": ("ILMU PEMERINTAHAN", "MANAJEMEN PEMERINTAHAN", "PEMERINTAHAN"),
    "ilmu_perpustakaan": ("ILMU PERPUSTAKAAN", "PERPUSTAKAAN"),
    "ilmu_politik": ("ILMU POLITIK",),
    "kearsipan": ("KEARSIPAN", "ARSIP DAN DOKUMENTASI"),
    "kebidanan": ("KEBIDANAN", "PROFESI BIDAN"),
    "kedokteran": ("PENDIDIKAN DOKTER", "KEDOKTERAN", "PROFESI DOKTER", "KEDOKTERAN UMUM"),
    "kedokteran_hewan": ("KEDOKTERAN HEWAN", "PENDIDIKAN DOKTER HEWAN"),
    "keperawatan": ("KEPERAWATAN", "ILMU KEPERAWATAN", "PROFESI NERS"),
    "kesehatan_masyarakat": ("KESEHATAN MASYARAKAT", "ILMU KESEHATAN MASYARAKAT"),
    "kesejahteraan_sosial": ("KESEJAHTERAAN SOSIAL", "ILMU KESEJAHTERAAN SOSIAL",
                             "PEKERJAAN SOSIAL"),
    "komunikasi": ("KOMUNIKASI", "KOMUNIKASI DAN PENYIARAN ISLAM"),
    "manajemen": ("MANAJEMEN", "ILMU MANAJEMEN"),
    "manajemen_sdm": ("MANAJEMEN SUMBER DAYA MANUSIA", "MANAJEMEN SDM"),
    "pariwisata": ("PARIWISATA", "USAHA PERJALANAN WISATA"),
    "pendidikan": ("PENDIDIKAN GURU SEKOLAH DASAR", "PENDIDIKAN MATEMATIKA",
                   "PENDIDIKAN BAHASA INDONESIA", "PENDIDIKAN BAHASA INGGRIS",
                   "PENDIDIKAN BIOLOGI", "PENDIDIKAN FISIKA", "BIMBINGAN DAN KONSELING",
                   "PENDIDIKAN AGAMA ISLAM"),
    "pendidikan_jasmani": ("PENDIDIKAN JASMANI", "PENDIDIKAN JASMANI KESEHATAN DAN REKREASI",
                           "ILMU KEOLAHRAGAAN"),
    "perencanaan_wilayah": ("PERENCANAAN WILAYAH DAN KOTA", "PERENCANAAN WILAYAH",
                            "TEKNIK PLANOLOGI"),
    "perpajakan": ("PERPAJAKAN", "ADMINISTRASI PERPAJAKAN"),
    "pertanian": ("AGRIBISNIS", "AGROTEKNOLOGI", "AGRONOMI", "PERTANIAN"),
    "psikologi": ("PSIKOLOGI",),
    "sejarah": ("SEJARAH", "ILMU SEJARAH"),
    "statistika": ("STATISTIKA", "STATISTIK"),
    "teknik_industri": ("TEKNIK INDUSTRI",),
    "teknik_lingkungan": ("TEKNIK LINGKUNGAN", "ILMU LINGKUNGAN"),
    "teknik_mesin": ("TEKNIK MESIN", "TEKNIK OTOMOTIF"),
    "teknik_sipil": ("TEKNIK SIPIL", "TEKNIK SIPIL DAN LINGKUNGAN"),
    "teknologi_informasi": ("TEKNIK INFORMATIKA", "SISTEM INFORMASI", "ILMU KOMPUTER",
                            "TEKNOLOGI INFORMASI", "MANAJEMEN INFORMATIKA",
                            "REKAYASA PERANGKAT LUNAK"),
    "transportasi": ("TRANSPORTASI", "MANAJEMEN TRANSPORTASI", "TEKNIK TRANSPORTASI"),
    "umum": ("UMUM", "IPA", "IPS", "ILMU PENGETAHUAN ALAM", "ILMU PENGETAHUAN SOSIAL"),
}


def normalise(programme: str) -> str:
    """Upper case, spaces collapsed, leading level token (S1, D-IV, SMA ...) removed."""
    text = re.sub(r"\s+", " ", programme.strip().upper())
    return LEVEL_TOKEN.sub("", text, count=1).strip()


BUILT_IN: dict[str, str] = {
    normalise(name): field for field, names in _BY_FIELD.items() for name in names
}


def field_key(text: str) -> str:
    """A kamus ``bidang`` cell as an ``education_field`` key (``Teknik Sipil`` ->
    ``teknik_sipil``), the form MODEL.md compares trimmed and case-insensitively."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())
