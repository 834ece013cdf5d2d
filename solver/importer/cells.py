"""Small cell readers shared by the source files: NIP, yes/no, whole numbers, NILAI."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_NIP = re.compile(r"^\d{18}$")
NIP_EXPECTED = "18 digits (spaces and a leading apostrophe are removed)"


def nip(text: str) -> str | None:
    """``'19850615 201001 1 001`` -> ``198506152010011001`` (Excel's text apostrophe and
    the spaces SIASN prints between the NIP's parts removed)."""
    compact = re.sub(r"\s+", "", text).lstrip("'’`")
    return compact if _NIP.match(compact) else None


_YES = {"ya", "y", "true", "1", "yes", "benar"}
_NO = {"tidak", "t", "false", "0", "no", "n", "bukan", "tdk"}
YES_NO_EXPECTED = "Ya/Tidak (also true/false, 1/0, Y/T)"


def yes_no(text: str) -> bool | None:
    """Ya/Tidak, true/false, 1/0, Y/T (T is *Tidak*, as Indonesian sheets abbreviate)."""
    low = text.strip().lower()
    if low.endswith(".0") and low[:-2] in {"0", "1"}:
        low = low[:-2]
    if low in _YES:
        return True
    if low in _NO:
        return False
    return None


def whole(text: str, low: int, high: int) -> int | None:
    """A whole number in ``low..high``; ``3.0`` (a number cell) is 3."""
    match = re.fullmatch(r"([+-]?\d{1,9})(?:[.,]0+)?", text.strip())
    if not match:
        return None
    value = int(match.group(1))
    return value if low <= value <= high else None


NILAI_EXPECTED = "a score 0-100 with at most 2 decimals"


def nilai_score(text: str) -> int | None:
    """Panel NILAI 0-100 with at most 2 decimals as the MODEL.md score: ``NILAI x 100``,
    exact (decimal arithmetic; ``74.24`` -> 7424). A decimal comma is accepted."""
    value = text.strip()
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    if not re.fullmatch(r"\d{1,3}(?:\.\d+)?", value):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    scaled = number * 100
    if scaled != scaled.to_integral_value() or not 0 <= number <= 100:
        return None
    return int(scaled)
