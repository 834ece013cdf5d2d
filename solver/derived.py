"""Derived values of docs/model.md section 3, exact and integer."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from solver.scenario import PERFORMANCE_ORDER

PERFORMANCE_RANK = {name: rank for rank, name in enumerate(PERFORMANCE_ORDER)}

# (performance row, potential column) -> 9-box, docs/model.md section 3.
_ROW = {"sangat_baik": "above", "baik": "as"}
_BOXES = {
    ("below", "rendah"): 1, ("as", "rendah"): 2, ("below", "menengah"): 3,
    ("above", "rendah"): 4, ("as", "menengah"): 5, ("below", "tinggi"): 6,
    ("above", "menengah"): 7, ("as", "tinggi"): 8, ("above", "tinggi"): 9,
}
TALENT_BONUS = {9: 1000, 8: 800, 7: 600, 6: 400, 5: 200}


def tenure_months(since: dt.date, as_of: dt.date) -> int:
    """Whole months in post: ``12*(Y2-Y1) + (M2-M1)``, minus 1 when as_of's day is earlier."""
    months = 12 * (as_of.year - since.year) + (as_of.month - since.month)
    return months - 1 if as_of.day < since.day else months


def add_months(date: dt.date, months: int) -> dt.date:
    """Same day of month ``months`` later, clamped to the month's last day."""
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(date.day, last))


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of life on ``day``."""
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years


def nine_box(performance: str, potential: str) -> int:
    """9-box of PermenPANRB 3/2020 as numbered in docs/model.md section 3."""
    return _BOXES[(_ROW.get(performance, "below"), potential)]


def talent_bonus(box: int) -> int:
    return TALENT_BONUS.get(box, 0)


def jpm_matrix(achieved: np.ndarray, required: np.ndarray) -> np.ndarray:
    """Job Person Match in basis points for aligned rows of ``achieved`` and ``required``.

    ``jpm = floor(10000 * Σ_k min(a_k, r_k) / Σ_k r_k)`` over k with r_k > 0, and 10000
    when no competency is required. Each competency is capped at its standard so a
    surplus in one cannot hide a gap in another.
    """
    total = required.sum(axis=1, dtype=np.int64)
    met = np.minimum(achieved, required).sum(axis=1, dtype=np.int64)
    safe = np.where(total > 0, total, 1)
    return np.where(total > 0, (10000 * met) // safe, 10000).astype(np.int64)


def jpm_of_pairs(achieved: np.ndarray, required: np.ndarray, e: np.ndarray,
                 p: np.ndarray) -> np.ndarray:
    """``jpm_matrix(achieved[e], required[p])`` for pairs ``(e[i], p[i])``, one
    competency column at a time: no (pairs x competencies) copies, which at city scale
    (millions of pairs) cost more than the arithmetic."""
    total = required.sum(axis=1, dtype=np.int64)[p]
    met = np.zeros(e.shape[0], dtype=np.int64)
    for k in range(achieved.shape[1]):
        met += np.minimum(achieved[:, k][e], required[:, k][p])
    safe = np.where(total > 0, total, 1)
    return np.where(total > 0, (10000 * met) // safe, 10000).astype(np.int64)


def jpm(achieved: dict[str, int], required: dict[str, int]) -> int:
    """Scalar JPM (same formula), for explanations."""
    total = sum(r for r in required.values() if r > 0)
    if total == 0:
        return 10000
    met = sum(min(achieved.get(k, 0), r) for k, r in required.items() if r > 0)
    return (10000 * met) // total


def jpm_band(value: int) -> str:
    """Band for filling a post: MS >= 80%, MMS 68-80%, KMS < 68%."""
    if value >= 8000:
        return "MS"
    if value >= 6800:
        return "MMS"
    return "KMS"


def ikm_grade(hundredths: int) -> str:
    """Service quality grade of an IKM in hundredths (PermenPANRB 14/2017, DOMAIN.md).

    A (sangat baik) 88.31-100.00, B (baik) 76.61-88.30, C (kurang baik) 65.00-76.60,
    D (tidak baik) 25.00-64.99.
    """
    if hundredths >= 8831:
        return "A"
    if hundredths >= 7661:
        return "B"
    if hundredths >= 6500:
        return "C"
    return "D"
