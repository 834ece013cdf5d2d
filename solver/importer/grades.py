"""Golongan ruang as the exports write it: BKN codes, roman notations, pangkat names.

SIASN's ``GOL AKHIR ID`` holds BKN's code (11-14 = I/a-I/d, 21-24 = II/a-II/d, 31-34 =
III/a-III/d, 41-45 = IV/a-IV/e; DOMAIN.md); ``GOL AKHIR NAMA`` and hand-kept sheets
write ``III/a``, ``III/A``, ``III a``, ``IIIa``, ``III/a - Penata Muda`` or only the
pangkat name (``Penata Muda Tingkat I``, ``Tk I``, ``Tk. I``). Every notation resolves
to the canonical ``III/a`` of MODEL.md.
"""

from __future__ import annotations

import re

from solver.scenario import GRADE_RANK

GRADES: tuple[str, ...] = tuple(GRADE_RANK)  # I/a ... IV/e in rank order

BKN_CODES: dict[str, str] = {
    f"{group}{index + 1}": f"{roman}/{letter}"
    for group, roman, letters in ((1, "I", "abcd"), (2, "II", "abcd"), (3, "III", "abcd"),
                                  (4, "IV", "abcde"))
    for index, letter in enumerate(letters)
}
BKN_CODE_RANGES = "11-14, 21-24, 31-34, 41-45"

# Pangkat per golongan (DOMAIN.md), written with "Tk I" for "Tingkat I".
PANGKAT: dict[str, str] = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tk I", "I/c": "Juru", "I/d": "Juru Tk I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tk I", "II/c": "Pengatur",
    "II/d": "Pengatur Tk I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tk I", "III/c": "Penata", "III/d": "Penata Tk I",
    "IV/a": "Pembina", "IV/b": "Pembina Tk I", "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya", "IV/e": "Pembina Utama",
}

_ROMAN = re.compile(r"(?i)^(IV|III|II|I)\s*[/.\-]?\s*([A-E])(?:\s*[-–:,]\s*(.*))?$")


def _pangkat_key(text: str) -> str:
    """``Penata Muda Tingkat I`` / ``Tk. I`` / ``TK.I`` -> ``penata muda tk i``."""
    low = re.sub(r"[\s.]+", " ", text.strip().lower()).strip()
    low = re.sub(r"\b(tingkat|tk)\s*(i)\b", r"tk \2", low)
    return re.sub(r"\s+", " ", low)


_BY_PANGKAT = {_pangkat_key(name): grade for grade, name in PANGKAT.items()}


def from_code(text: str) -> str | None:
    """A BKN golongan code (``31``, ``31.0`` from a number cell) as ``III/a``."""
    code = text.strip()
    if re.fullmatch(r"\d{2}\.0*", code):
        code = code.split(".")[0]
    return BKN_CODES.get(code)


def from_text(text: str) -> str | None:
    """``III/a``, ``III a``, ``IIIa``, ``III/a - Penata Muda`` or a pangkat name alone.

    A pangkat name after the golongan must be that golongan's (``III/a - Penata`` is
    rejected: the two halves disagree, and guessing which is right could misplace
    someone).
    """
    stripped = text.strip()
    match = _ROMAN.match(stripped)
    if match:
        grade = f"{match.group(1).upper()}/{match.group(2).lower()}"
        if grade not in GRADE_RANK:
            return None
        tail = (match.group(3) or "").strip()
        if tail and _BY_PANGKAT.get(_pangkat_key(tail)) != grade:
            return None
        return grade
    return _BY_PANGKAT.get(_pangkat_key(stripped))


def parse(text: str) -> str | None:
    """Either notation: a code first (a number cell), else text."""
    return from_code(text) or from_text(text)
