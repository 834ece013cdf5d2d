"""Jenis jabatan, eselon and jenjang to career level, golongan range and BUP.

The one home of the derivation table (issue 13, MODEL.md section 2, DOMAIN.md):

- level: eselon I -> 6, II -> 5, III -> 4, IV -> 3, V -> 2; JPT utama 7; ahli utama 5,
  ahli madya 4, ahli muda 3, ahli pertama 2, keterampilan (pemula ... penyelia) 1;
  pelaksana 1;
- golongan range (PP 13/2002 and the JF table): see :data:`ESELON` and :data:`JENJANG`;
  pelaksana I/a-III/d (a product convention, not law);
- BUP (PP 11/2017 Pasal 239): 60 for JPT (eselon I-II) and ahli madya, 65 for ahli
  utama, else 58.

The peta jabatan's ``LEVEL``, ``GOL MIN``, ``GOL MAX`` and ``BUP`` columns, where filled,
win over this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Derived:
    level: int
    grade_min: str
    grade_max: str
    retirement_age: int


# eselon (roman, sub-letter) -> (level, golongan min, max, BUP)
ESELON: dict[str, Derived] = {
    "I.a": Derived(6, "IV/d", "IV/e", 60),
    "I.b": Derived(6, "IV/c", "IV/e", 60),
    "II.a": Derived(5, "IV/c", "IV/d", 60),
    "II.b": Derived(5, "IV/b", "IV/c", 60),
    "III.a": Derived(4, "IV/a", "IV/b", 58),
    "III.b": Derived(4, "III/d", "IV/a", 58),
    "IV.a": Derived(3, "III/c", "III/d", 58),
    "IV.b": Derived(3, "III/b", "III/c", 58),
    "V.a": Derived(2, "III/a", "III/b", 58),
}
JENJANG: dict[str, Derived] = {
    "ahli utama": Derived(5, "IV/d", "IV/e", 65),
    "ahli madya": Derived(4, "IV/a", "IV/c", 60),
    "ahli muda": Derived(3, "III/c", "III/d", 58),
    "ahli pertama": Derived(2, "III/a", "III/b", 58),
    "pemula": Derived(1, "II/a", "II/a", 58),
    "terampil": Derived(1, "II/b", "II/d", 58),
    "mahir": Derived(1, "III/a", "III/b", 58),
    "penyelia": Derived(1, "III/c", "III/d", 58),
}
PELAKSANA = Derived(1, "I/a", "III/d", 58)
# JPT utama (level 7) has no eselon of its own in PP 13/2002: the peta jabatan writes
# it as JENIS JABATAN "JPT Utama"; its range is eselon I.a's (the top grades).
JPT_UTAMA = Derived(7, "IV/d", "IV/e", 60)

STRUKTURAL, FUNGSIONAL, PELAKSANA_KIND = "struktural", "fungsional", "pelaksana"
_KINDS = {
    "struktural": STRUKTURAL, "jpt": STRUKTURAL, "jpt pratama": STRUKTURAL,
    "jpt madya": STRUKTURAL, "administrator": STRUKTURAL, "pengawas": STRUKTURAL,
    "jabatan struktural": STRUKTURAL, "jabatan pimpinan tinggi": STRUKTURAL,
    "fungsional": FUNGSIONAL, "jft": FUNGSIONAL, "jf": FUNGSIONAL,
    "jabatan fungsional": FUNGSIONAL, "fungsional tertentu": FUNGSIONAL,
    "pelaksana": PELAKSANA_KIND, "jfu": PELAKSANA_KIND, "fungsional umum": PELAKSANA_KIND,
    "jabatan pelaksana": PELAKSANA_KIND,
}
JPT_UTAMA_KINDS = {"jpt utama", "jabatan pimpinan tinggi utama"}
KIND_CHOICES = "Struktural, Fungsional or Pelaksana (also JPT, Administrator, Pengawas, JFT, JFU)"
ESELON_CHOICES = "an eselon I.a, I.b, II.a, II.b, III.a, III.b, IV.a, IV.b or V.a"
JENJANG_CHOICES = ("a jenjang Ahli Pertama, Ahli Muda, Ahli Madya, Ahli Utama, Pemula, "
                   "Terampil, Mahir or Penyelia")


def _words(text: str) -> str:
    return re.sub(r"[\s_.\-]+", " ", text.strip().lower()).strip()


def kind(text: str) -> str | None:
    """``Struktural`` / ``JPT`` / ``JFT`` / ``JFU`` ... -> struktural, fungsional, pelaksana
    (``jpt utama`` for JPT utama)."""
    words = _words(text)
    if words in JPT_UTAMA_KINDS:
        return "jpt utama"
    return _KINDS.get(words)


_ESELON_RE = re.compile(r"^(IV|III|II|I|V|[1-5])\s*[.\-/]?\s*([AB])$", re.IGNORECASE)
_ARABIC = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V"}


def eselon(text: str) -> str | None:
    """``II.a`` / ``2A`` / ``II A`` / ``II.A`` / ``IIa`` -> ``II.a`` (None if not an eselon)."""
    match = _ESELON_RE.match(text.strip())
    if not match:
        return None
    roman = _ARABIC.get(match.group(1), match.group(1).upper())
    name = f"{roman}.{match.group(2).lower()}"
    return name if name in ESELON else None


def jenjang(text: str) -> str | None:
    words = _words(text)
    words = re.sub(r"^(jenjang|jf)\s+", "", words)
    return words if words in JENJANG else None
