"""The nine competencies of PermenPANRB 38/2017 as export headers spell them.

Eight managerial competencies and one socio-cultural one, each written as a column of
the assessment centre's results (levels 1-5) and of the competency standard, SKJ (0-5).
The scenario tables name them ``c.<key>`` (:data:`KEYS`).
"""

from __future__ import annotations

import re

# key in the scenario tables -> header spellings (compared without spaces)
SPELLINGS: dict[str, tuple[str, ...]] = {
    "integritas": ("integritas",),
    "kerjasama": ("kerja sama", "kerjasama"),
    "komunikasi": ("komunikasi",),
    "orientasi_hasil": ("orientasi pada hasil", "orientasi hasil", "orientasi terhadap hasil"),
    "pelayanan_publik": ("pelayanan publik",),
    "pengembangan_diri": ("pengembangan diri dan orang lain", "pengembangan diri & orang lain",
                          "pengembangan diri"),
    "mengelola_perubahan": ("mengelola perubahan",),
    "pengambilan_keputusan": ("pengambilan keputusan",),
    "perekat_bangsa": ("perekat bangsa",),
}
KEYS: tuple[str, ...] = tuple(SPELLINGS)
NAMES: dict[str, str] = {
    "integritas": "Integritas", "kerjasama": "Kerja Sama", "komunikasi": "Komunikasi",
    "orientasi_hasil": "Orientasi pada Hasil", "pelayanan_publik": "Pelayanan Publik",
    "pengembangan_diri": "Pengembangan Diri dan Orang Lain",
    "mengelola_perubahan": "Mengelola Perubahan",
    "pengambilan_keputusan": "Pengambilan Keputusan", "perekat_bangsa": "Perekat Bangsa",
}


def _squash(text: str) -> str:
    return re.sub(r"[\s_.\-]+", "", text.lower())


_BY_SPELLING = {_squash(s): k for k, spellings in SPELLINGS.items() for s in spellings}
_BY_SPELLING.update({_squash(f"c.{k}"): k for k in KEYS})


def match(header_key: str) -> str | None:
    """The competency a header names (``Kerja Sama``, ``KERJASAMA``, ``c.kerjasama``)."""
    return _BY_SPELLING.get(_squash(header_key))


# Default SKJ per career level for a post without a standar kompetensi row: every
# competency at this level. PermenPANRB 38/2017's per-level table is not confirmed
# (DOMAIN.md), so the report names this as an assumption wherever it is used.
DEFAULT_STANDARD: dict[int, int] = {1: 2, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4, 7: 5}
