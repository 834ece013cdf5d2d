"""Derived values of docs/model.md section 3."""

import datetime as dt

import numpy as np
import pytest

from solver.derived import add_months, age_on, jpm, jpm_band, jpm_matrix, nine_box, tenure_months
from solver.io import birth_date_from_nip

D = dt.date


@pytest.mark.parametrize(("since", "as_of", "months"), [
    (D(2025, 1, 31), D(2027, 1, 30), 23),  # 12*2 + 0 = 24, day 30 < 31 -> 23
    (D(2025, 1, 2), D(2027, 1, 2), 24),  # same day counts as a full month
    (D(2024, 11, 15), D(2027, 1, 2), 25),  # 12*3 + (1-11) = 26, 2 < 15 -> 25
    (D(2022, 1, 2), D(2027, 1, 2), 60),  # exactly five years
    (D(2027, 1, 3), D(2027, 1, 2), -1),  # starts tomorrow: 0 - 1
])
def test_tenure_day_of_month_rule(since, as_of, months):
    assert tenure_months(since, as_of) == months


@pytest.mark.parametrize(("start", "months", "end"), [
    (D(2027, 1, 31), 1, D(2027, 2, 28)),  # February clamps
    (D(2027, 12, 31), 2, D(2028, 2, 29)),  # leap year
    (D(2027, 1, 2), 12, D(2028, 1, 2)),
    (D(2027, 3, 31), 0, D(2027, 3, 31)),
])
def test_horizon_month_end_clamping(start, months, end):
    assert add_months(start, months) == end


def test_age_whole_years():
    assert age_on(D(1969, 1, 3), D(2027, 1, 2)) == 57  # birthday tomorrow
    assert age_on(D(1969, 1, 2), D(2027, 1, 2)) == 58  # birthday today
    assert age_on(D(1968, 2, 29), D(2027, 2, 28)) == 58  # 29 Feb not yet reached


def test_birth_date_from_nip():
    assert birth_date_from_nip("198506152010011001") == D(1985, 6, 15)
    assert birth_date_from_nip("198513152010011001") is None  # month 13


@pytest.mark.parametrize(("performance", "potential", "box"), [
    ("kurang", "rendah", 1), ("baik", "rendah", 2), ("butuh_perbaikan", "menengah", 3),
    ("sangat_baik", "rendah", 4), ("baik", "menengah", 5), ("sangat_kurang", "tinggi", 6),
    ("sangat_baik", "menengah", 7), ("baik", "tinggi", 8), ("sangat_baik", "tinggi", 9),
])
def test_nine_box(performance, potential, box):
    assert nine_box(performance, potential) == box


def test_jpm_floor_and_cap():
    # required (3, 4, 0); achieved (5, 2, 5): min(5,3) + min(2,4) = 5 of 7 -> 7142.857 -> 7142
    assert jpm({"a": 5, "b": 2, "c": 5}, {"a": 3, "b": 4, "c": 0}) == 7142
    # the surplus of 2 on "a" does not hide the gap on "b"
    assert jpm({"a": 5, "b": 2}, {"a": 3, "b": 4}) < 10000
    # blank (0) competencies count as 0; nothing required -> 10000
    assert jpm({"a": 0}, {"a": 3}) == 0
    assert jpm({"a": 1}, {"a": 0}) == 10000
    vector = jpm_matrix(np.array([[5, 2, 5], [0, 0, 0]]), np.array([[3, 4, 0], [0, 0, 0]]))
    assert vector.tolist() == [7142, 10000]


def test_bands():
    assert [jpm_band(v) for v in (8000, 7999, 6800, 6799)] == ["MS", "MMS", "MMS", "KMS"]


def test_jpm_of_pairs_equals_jpm_matrix_on_the_gathered_rows():
    from solver.derived import jpm_of_pairs

    rng = np.random.default_rng(5)
    achieved = rng.integers(0, 6, (40, 7)).astype(np.int16)
    required = rng.integers(0, 6, (30, 7)).astype(np.int16)
    required[:4] = 0  # posts that require nothing: 10000
    e, p = rng.integers(0, 40, 5000), rng.integers(0, 30, 5000)
    expected = jpm_matrix(achieved[e], required[p])
    got = jpm_of_pairs(achieved, required, e, p)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)
    assert (got[p < 4] == 10000).all()
    empty = np.zeros((40, 0), np.int16), np.zeros((30, 0), np.int16)
    assert np.array_equal(jpm_of_pairs(*empty, e, p), jpm_matrix(empty[0][e], empty[1][p]))
