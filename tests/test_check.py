"""Tests of the independent checker :mod:`solver.check` on hand-made scenarios.

Every expected number comes with its arithmetic from docs/model.md in a comment.
Default weights: fit 1, education 1000, talent 1, move 300, vacancy 5000, overstay 20000.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from solver.check import (
    ScenarioView,
    add_months,
    age_on,
    box,
    check_plan,
    check_ranked,
    jpm,
    talent_bonus,
    tenure_months,
)
from tests.builders import write_table
from tests.review.helpers import emp, nip, pos, scenario

# ----------------------------------------------------------------- derived values


def test_tenure_day_of_month_rule():
    # 12*(2027-2025) + (1-1) = 24, minus 1 because day 30 < day 31: 23
    assert tenure_months(dt.date(2025, 1, 31), dt.date(2027, 1, 30)) == 23
    # same day of month: no minus one
    assert tenure_months(dt.date(2025, 1, 31), dt.date(2027, 1, 31)) == 24
    # 12*1 + (2-3) = 11, day 28 >= day 28: 11
    assert tenure_months(dt.date(2026, 3, 28), dt.date(2027, 2, 28)) == 11


def test_horizon_clamps_to_month_end():
    # 2027-01-31 + 1 month: day 31 clamped to February's 28
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)  # leap year
    assert add_months(dt.date(2027, 1, 2), 12) == dt.date(2028, 1, 2)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


def test_age_whole_years():
    assert age_on(dt.date(1969, 2, 28), dt.date(2027, 2, 28)) == 58  # birthday itself
    assert age_on(dt.date(1969, 3, 1), dt.date(2027, 2, 28)) == 57  # one day short


@pytest.mark.parametrize(
    ("performance", "potential", "expected_box", "bonus"),
    [
        ("kurang", "rendah", 1, 0),  # below, rendah
        ("baik", "rendah", 2, 0),  # as expected, rendah
        ("butuh_perbaikan", "menengah", 3, 0),  # below, menengah
        ("sangat_baik", "rendah", 4, 0),  # above, rendah
        ("baik", "menengah", 5, 200),  # as, menengah
        ("sangat_kurang", "tinggi", 6, 400),  # below, tinggi
        ("sangat_baik", "menengah", 7, 600),  # above, menengah
        ("baik", "tinggi", 8, 800),  # as, tinggi
        ("sangat_baik", "tinggi", 9, 1000),  # above, tinggi
    ],
)
def test_nine_box(performance, potential, expected_box, bonus):
    assert box(performance, potential) == expected_box
    assert talent_bonus(performance, potential) == bonus


def test_jpm_floor_and_cap():
    # k with r > 0: a (3) and b (4); c (0) is not required.
    # min(5,3) + min(2,4) = 5 over 7: floor(50000/7) = floor(7142.857) = 7142
    assert jpm({"a": 5, "b": 2, "c": 5}, {"a": 3, "b": 4, "c": 0}) == 7142
    # surplus in a cannot hide the gap in b: min(5,1) + min(0,4) = 1 over 5 -> 2000
    assert jpm({"a": 5}, {"a": 1, "b": 4}) == 2000
    # nothing required: 10000
    assert jpm({"a": 1}, {"a": 0}) == 10000
    assert jpm({}, {}) == 10000


# ----------------------------------------------------------------- scenario-level


def _basic(tmp_path: Path, **config: object):
    """Unit U: posts A, B (level 3, III/a-III/d) and C (level 4, III/c-IV/b), one seat each.

    e1 holds A since 2020-01-01 (tenure 12*7 = 84 >= 60: overstay), III/c,
    baik/tinggi (box 8, bonus 800). e2 is unplaced at level 3, III/b.
    """
    employees = [
        emp(
            1, grade="III/c", current_position="A", position_since="2020-01-01", potential="tinggi"
        ),
        emp(2, grade="III/b", current_level=3),
    ]
    positions = [
        pos("A"),
        pos("B"),
        pos("C", level=4, grade_min="III/c", grade_max="IV/b"),
    ]
    return scenario(tmp_path, employees, positions, **config)


def test_objective_by_hand(tmp_path):
    sc = _basic(tmp_path)
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    report = check_plan(sc, [(e1, "A"), (e2, "B")])
    assert report.ok, report.violations
    # score(e1,A) = 10000 fit - 20000 overstay + 5000 vacancy = -5000
    # score(e2,B) = 10000 fit - 300 move + 5000 vacancy = 14700
    # vacancy constant = 5000 * (1+1+1) = 15000
    # objective = -5000 + 14700 - 15000 = -5300
    assert report.objective == -5300


def test_turnover_limit_and_promotion_bonus(tmp_path):
    sc = _basic(tmp_path)
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    # e1 promoted to C: n_U = 1 incumbent, floor(0.5 * 1) = 0, forced 0: nobody may leave.
    report = check_plan(sc, [(e1, "C"), (e2, "A")])
    assert len(report.violations) == 1 and "unit U" in report.violations[0]
    # score(e1,C) = 10000 + 1*1*800 talent - 300 move + 5000 = 15500
    # score(e2,A) = 10000 - 300 + 5000 = 14700; objective = 15500 + 14700 - 15000 = 15200
    assert report.objective == 15200
    sc = _basic(tmp_path, rules={"max_unit_turnover": 1})
    assert check_plan(sc, [(e1, "C"), (e2, "A")]).ok


def test_structural_violations(tmp_path):
    sc = _basic(tmp_path, rules={"max_unit_turnover": 1})
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    # incumbent e1 missing
    assert any("incumbent" in v for v in check_plan(sc, [(e2, "B")]).violations)
    # incumbent twice
    assert any("incumbent" in v for v in check_plan(sc, [(e1, "A"), (e1, "B")]).violations)
    # candidate twice
    assert any(
        "candidate" in v for v in check_plan(sc, [(e1, "A"), (e2, "B"), (e2, "C")]).violations
    )
    # headcount: B has one seat
    assert any("headcount" in v for v in check_plan(sc, [(e1, "B"), (e2, "B")]).violations)
    # grade: e2 is III/b, C needs III/c..IV/b (and it is a promotion from level 3)
    assert any("rule 1" in v for v in check_plan(sc, [(e1, "A"), (e2, "C")]).violations)


def test_tenure_rule_day_of_month(tmp_path):
    # e1 holds A since 2025-01-31. On 2027-01-30 tenure is 23 (< 24): no move pair;
    # on 2027-01-31 it is 24: the move exists.
    employees = [emp(1, current_position="A", position_since="2025-01-31")]
    positions = [pos("A"), pos("B")]
    e1 = nip(1, "1985-06-15")
    rules = {"max_unit_turnover": 1}
    sc = scenario(tmp_path, employees, positions, as_of=dt.date(2027, 1, 30), rules=rules)
    assert ScenarioView(sc).employees[e1].tenure == 23
    report = check_plan(sc, [(e1, "B")])
    assert any("rule 4" in v for v in report.violations)
    sc = scenario(tmp_path, employees, positions, as_of=dt.date(2027, 1, 31), rules=rules)
    assert check_plan(sc, [(e1, "B")]).ok


def test_retirement_on_clamped_horizon(tmp_path):
    # as_of 2027-01-31 + 1 month = 2027-02-28. Born 1969-02-28: 58 on the horizon,
    # not below BUP 58 of a level-3 post: cannot move. Born 1969-03-01: 57, may move.
    employees = [
        emp(1, birth="1969-02-28", current_level=3),
        emp(2, birth="1969-03-01", current_level=3),
    ]
    positions = [pos("A"), pos("B")]
    sc = scenario(
        tmp_path,
        employees,
        positions,
        as_of=dt.date(2027, 1, 31),
        rules={"retirement_horizon_months": 1},
    )
    old, young = nip(1, "1969-02-28"), nip(2, "1969-03-01")
    assert ScenarioView(sc).horizon == dt.date(2027, 2, 28)
    assert any("rule 5" in v for v in check_plan(sc, [(old, "A")]).violations)
    assert check_plan(sc, [(young, "A")]).ok


def test_jpm_in_objective_with_blank_competencies(tmp_path):
    # A requires integritas 3, kerjasama 4, komunikasi blank (not required).
    # e1: integritas 5, kerjasama blank (= 0), komunikasi 5.
    # jpm = floor(10000 * (min(5,3) + min(0,4)) / (3+4)) = floor(30000/7) = 4285
    # score = 4285 - 300 move + 5000 = 8985; objective = 8985 - 5000 = 3985
    employees = [
        emp(1, current_level=3, **{"c.integritas": 5, "c.kerjasama": "", "c.komunikasi": 5})
    ]
    positions = [pos("A", **{"c.integritas": 3, "c.kerjasama": 4, "c.komunikasi": ""})]
    sc = scenario(tmp_path, employees, positions)
    e1 = nip(1, "1985-06-15")
    report = check_plan(sc, [(e1, "A")])
    assert report.ok, report.violations
    assert report.objective == 3985


def test_assessment_score_replaces_jpm_and_applicants_only(tmp_path):
    employees = [emp(1, current_level=3), emp(2, current_level=3)]
    positions = [pos("A", applicants_only="true", **{"c.integritas": 3})]
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    sc = scenario(
        tmp_path,
        employees,
        positions,
        assessments=[{"nip": e1, "position": "A", "score": 6543}],
        rules={"min_fit_for_move": 6000},
    )
    # fit(e1,A) = 6543 (assessment), >= 6000: score = 6543 - 300 + 5000 = 11243
    report = check_plan(sc, [(e1, "A")])
    assert report.ok, report.violations
    assert report.objective == 11243 - 5000
    # e2 has no assessment row: rule 7 (and jpm 0 < 6000: rule 7 is reported first)
    assert any("rule 7" in v for v in check_plan(sc, [(e2, "A")]).violations)


def test_min_fit_for_move(tmp_path):
    # jpm(e1,A) = floor(10000 * 2/3) = 6666 < 6800: no move pair
    employees = [emp(1, current_level=3, **{"c.integritas": 2})]
    positions = [pos("A", **{"c.integritas": 3})]
    e1 = nip(1, "1985-06-15")
    sc = scenario(tmp_path, employees, positions, rules={"min_fit_for_move": 6800})
    assert any("rule 8" in v for v in check_plan(sc, [(e1, "A")]).violations)
    sc = scenario(tmp_path, employees, positions, rules={"min_fit_for_move": 6666})
    assert check_plan(sc, [(e1, "A")]).ok


def test_overstay_threshold(tmp_path):
    # as_of 2027-01-02. Since 2022-01-02: tenure 60 >= 60, overstay.
    # Since 2022-01-03: 60 - 1 = 59, no overstay.
    employees = [
        emp(1, current_position="A", position_since="2022-01-02"),
        emp(2, current_position="B", position_since="2022-01-03"),
    ]
    positions = [pos("A"), pos("B")]
    sc = scenario(tmp_path, employees, positions)
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    report = check_plan(sc, [(e1, "A"), (e2, "B")])
    assert report.ok, report.violations
    # (10000 - 20000 + 5000) + (10000 + 5000) - 10000 = 0
    assert report.objective == 0


def test_lock_overrides_rules(tmp_path):
    # e1 (II/a, level 1 unplaced) is locked into A (level 3, III/a-III/d): breaks
    # rules 1 and 2, but a lock always exists.
    employees = [emp(1, grade="II/a", current_level=1), emp(2, current_level=3)]
    positions = [pos("A"), pos("B")]
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    sc = scenario(tmp_path, employees, positions, locks=[{"nip": e1, "position": "A"}])
    report = check_plan(sc, [(e1, "A"), (e2, "B")])
    assert report.ok, report.violations
    # promo: level 3 > 1, bonus of baik/menengah (box 5) = 200
    # score(e1,A) = 10000 + 200 - 300 + 5000 = 14900; score(e2,B) = 14700
    # objective = 14900 + 14700 - 10000 = 19600
    assert report.objective == 19600
    assert any("lock" in v for v in check_plan(sc, [(e2, "B")]).violations)


def test_forbid_on_stay_pair(tmp_path):
    # e1 holds A, forbidden to stay: must move. forced_U = 1 so the turnover limit is
    # max(floor(0.2 * 2), 1) = 1 although floor(0.4) = 0.
    employees = [
        emp(1, current_position="A", position_since="2020-01-01"),
        emp(2, current_position="B", position_since="2020-01-01"),
    ]
    positions = [pos("A"), pos("B"), pos("C")]
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    sc = scenario(
        tmp_path,
        employees,
        positions,
        forbid=[{"nip": e1, "position": "A"}],
        rules={"max_unit_turnover": 0.2},
    )
    view = ScenarioView(sc)
    assert not view.has_stay(e1)
    assert view.turnover_limits()["U"][0] == 1
    assert any("forbidden" in v for v in check_plan(sc, [(e1, "A"), (e2, "B")]).violations)
    assert check_plan(sc, [(e1, "C"), (e2, "B")]).ok
    # both moving exceeds the limit of 1
    assert any("unit U" in v for v in check_plan(sc, [(e1, "B"), (e2, "C")]).violations)


def test_abolished_post(tmp_path):
    # A is abolished (headcount 0). e1 holds it since 2026-06-01 (tenure 7 < 24),
    # but rule 4 is waived for holders of an abolished post; A cannot be kept.
    employees = [emp(1, current_position="A", position_since="2026-06-01")]
    positions = [pos("A", headcount=0), pos("B")]
    e1 = nip(1, "1985-06-15")
    sc = scenario(tmp_path, employees, positions)
    assert any("abolished" in v for v in check_plan(sc, [(e1, "A")]).violations)
    report = check_plan(sc, [(e1, "B")])
    assert report.ok, report.violations
    # vacancy constant covers B only: 5000 * 1; score(e1,B) = 10000 - 300 + 5000
    assert report.objective == 14700 - 5000


def test_must_fill_and_scope(tmp_path):
    # Scope: unit U only. D (unit V) is outside: its holder e2 is a candidate.
    employees = [
        emp(1, current_level=3),
        emp(2, current_position="D", position_since="2020-01-01"),
    ]
    positions = [pos("A", must_fill="true"), pos("D", unit="V")]
    e2 = nip(2, "1985-06-15")
    sc = scenario(tmp_path, employees, positions, scope={"units": ["U"]})
    view = ScenarioView(sc)
    assert view.incumbents == set()
    assert any("must-fill" in v for v in check_plan(sc, []).violations)
    assert check_plan(sc, [(e2, "A")]).ok
    assert any("outside the scope" in v for v in check_plan(sc, [(e2, "D")]).violations)


def test_promotion_performance_and_discipline(tmp_path):
    # B is level 4: a promotion for level-3 e1/e2/e3 (grade III/c within III/c..IV/b).
    employees = [
        emp(1, grade="III/c", current_level=3, performance="butuh_perbaikan"),
        emp(2, grade="III/c", current_level=3, discipline_until="2027-01-02"),  # on as_of
        emp(3, grade="III/c", current_level=3, discipline_until="2027-01-01"),  # ended
    ]
    positions = [pos("B", level=4, grade_min="III/c", grade_max="IV/b")]
    sc = scenario(tmp_path, employees, positions)
    e1, e2, e3 = (nip(k, "1985-06-15") for k in (1, 2, 3))
    assert any("rule 3" in v for v in check_plan(sc, [(e1, "B")]).violations)
    assert any("rule 3" in v for v in check_plan(sc, [(e2, "B")]).violations)
    assert check_plan(sc, [(e3, "B")]).ok


def test_education_required_and_bonus(tmp_path):
    employees = [
        emp(1, current_level=3, education_field=" Akuntansi "),
        emp(2, current_level=3, education_field="hukum"),
    ]
    positions = [
        pos("A", education_fields="akuntansi;teknologi_informasi", education_required="true")
    ]
    sc = scenario(tmp_path, employees, positions)
    e1, e2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")
    report = check_plan(sc, [(e1, "A")])
    assert report.ok, report.violations
    # 10000 + 1000 education - 300 + 5000 - 5000 = 10700
    assert report.objective == 10700
    assert any("rule 6" in v for v in check_plan(sc, [(e2, "A")]).violations)


def test_turnover_floor_exact_decimal(tmp_path):
    # 100 incumbents of unit U, max_unit_turnover 0.29: floor(0.29 * 100) = 29
    # (a float product 28.999... would floor to 28).
    n = 100
    employees = [
        emp(k, current_position=f"P{k:03d}", position_since="2020-01-01") for k in range(n)
    ]
    positions = [pos(f"P{k:03d}") for k in range(n)] + [pos(f"V{k:02d}") for k in range(30)]
    sc = scenario(tmp_path, employees, positions, rules={"max_unit_turnover": 0.29})
    assert ScenarioView(sc).turnover_limits()["U"][0] == 29
    nips = [nip(k, "1985-06-15") for k in range(n)]

    def plan(moved: int) -> list[tuple[str, str]]:
        return [(nips[k], f"V{k:02d}" if k < moved else f"P{k:03d}") for k in range(n)]

    assert check_plan(sc, plan(29)).ok
    assert any("unit U" in v for v in check_plan(sc, plan(30)).violations)


def test_check_ranked():
    a = [("1", "A"), ("2", "B"), ("3", "C")]
    b = [("1", "B"), ("2", "A"), ("3", "C")]  # shares 1 with a: 1 <= 3 - 2
    c = [("1", "B"), ("2", "A"), ("3", "D")]  # shares 0 with a, 2 with b: 2 > 3 - 2
    assert check_ranked(None, [a, b], 2) == []  # type: ignore[arg-type]
    problems = check_ranked(None, [a, b, c], 2)  # type: ignore[arg-type]
    assert len(problems) == 1 and "plan 3" in problems[0] and "plan 2" in problems[0]


# ----------------------------------------------------------------- section 9


def _voice(tmp_path: Path, preferences=(), units=(), **config: object):
    """Unit U: A, B (level 3); unit V: C (level 3). e1 holds A since 2020-01-01 (84
    months: overstay), e2 is unplaced at level 3. All III/b, no competencies: fit 10000.
    max_unit_turnover 1 unless given, so e1 may leave U."""
    employees = [emp(1, current_position="A", position_since="2020-01-01"),
                 emp(2, current_level=3)]
    positions = [pos("A"), pos("B"), pos("C", unit="V")]
    files: dict[str, str] = {}
    if preferences:
        files["preferences"] = write_table(tmp_path, "preferences.csv", list(preferences))
    if units:
        files["units"] = write_table(tmp_path, "units.csv", list(units))
    config["rules"] = {"max_unit_turnover": 1, **dict(config.get("rules") or {})}
    return scenario(tmp_path, employees, positions, **files, **config)


E1, E2 = nip(1, "1985-06-15"), nip(2, "1985-06-15")


def test_preference_term_by_rank(tmp_path):
    prefs = [{"nip": E1, "position": "B", "rank": 1}, {"nip": E1, "position": "A", "rank": 4},
             {"nip": E2, "position": "C", "rank": 5}]
    sc = _voice(tmp_path, prefs, weights={"preference": 1000})
    view = ScenarioView(sc)
    assert [view.preference(E1, "B"), view.preference(E1, "A"), view.preference(E2, "C"),
            view.preference(E2, "B")] == [5, 2, 1, 0]  # 6 - rank; unlisted 0
    # score(e1,B) = 10000 + 1000*5 - 300 + 5000 = 19700
    # score(e2,C) = 10000 + 1000*1 - 300 + 5000 = 15700; constant 5000 * 3 = 15000
    report = check_plan(sc, [(E1, "B"), (E2, "C")])
    assert report.ok, report.violations
    assert report.objective == 19700 + 15700 - 15000
    # e1 staying in A (own post, rank 4): 10000 + 1000*2 - 20000 overstay + 5000 = -3000
    assert check_plan(sc, [(E1, "A"), (E2, "C")]).objective == -3000 + 15700 - 15000


def test_preference_weight_zero_changes_nothing(tmp_path):
    prefs = [{"nip": E1, "position": "B", "rank": 1}]
    plain = check_plan(_voice(tmp_path / "a"), [(E1, "B"), (E2, "C")]).objective
    listed = check_plan(_voice(tmp_path / "b", prefs), [(E1, "B"), (E2, "C")]).objective
    assert plain == listed == (10000 - 300 + 5000) * 2 - 15000


def test_voluntary_moves_rule_9(tmp_path):
    prefs = [{"nip": E1, "position": "B", "rank": 1}]
    sc = _voice(tmp_path, prefs, rules={"voluntary_moves": True})
    view = ScenarioView(sc)
    assert view.pair_problem(E1, "B") is None  # asked for
    assert "did not ask for C" in view.pair_problem(E1, "C")  # not asked: no move pair
    assert "rule 9" in view.pair_problem(E2, "B")  # a candidate who asked for nothing
    assert view.pair_problem(E1, "A") is None  # the stay pair always exists
    assert check_plan(sc, [(E1, "B")]).ok
    assert not check_plan(sc, [(E1, "C")]).ok
    assert not check_plan(sc, [(E1, "A"), (E2, "B")]).ok
    # off (default): every pair the other rules allow
    off = ScenarioView(_voice(tmp_path / "off", prefs))
    assert off.pair_problem(E1, "C") is None and off.pair_problem(E2, "B") is None


def test_voluntary_moves_whoever_must_move_may_go_anywhere(tmp_path):
    # e1's stay pair is forbidden: an incumbent without a stay pair ignores rule 9.
    sc = _voice(tmp_path, [{"nip": E2, "position": "B", "rank": 1}],
                rules={"voluntary_moves": True, "max_unit_turnover": 1},
                forbid=[{"nip": E1, "position": "A"}])
    view = ScenarioView(sc)
    assert view.pair_problem(E1, "C") is None and view.pair_problem(E1, "B") is None
    assert "rule 9" in view.pair_problem(E2, "C")
    assert check_plan(sc, [(E1, "C"), (E2, "B")]).ok


def test_voluntary_moves_lock_still_exists(tmp_path):
    sc = _voice(tmp_path, [{"nip": E1, "position": "B", "rank": 1}],
                rules={"voluntary_moves": True}, locks=[{"nip": E2, "position": "C"}])
    assert ScenarioView(sc).pair_problem(E2, "C") is None
    assert check_plan(sc, [(E1, "A"), (E2, "C")]).ok


@pytest.mark.parametrize(("ikm", "below", "multiplied"), [
    ("76.60", None, True),  # 76.60 < 76.61 (default threshold)
    ("76.61", None, False),  # equal is not below
    ("76.61", 76.62, True),
    ("65", 65, False),
    ("64.99", 65, True),
])
def test_low_ikm_multiplier_exact(tmp_path, ikm, below, multiplied):
    rules: dict = {"low_ikm_fit_multiplier": 3}
    if below is not None:
        rules["low_ikm_below"] = below
    sc = _voice(tmp_path, units=[{"unit": "V", "ikm": ikm}], rules=rules)
    view = ScenarioView(sc)
    assert view.fit_multiplier("C") == (3 if multiplied else 1)
    assert view.fit_multiplier("A") == 1  # unit U has no units row
    # score(e2,C) = 1 * m * 10000 - 300 + 5000
    report = check_plan(sc, [(E1, "A"), (E2, "C")])
    assert report.objective == (-5000) + (3 if multiplied else 1) * 10000 + 4700 - 15000


def test_low_ikm_multiplier_default_one(tmp_path):
    sc = _voice(tmp_path, units=[{"unit": "V", "ikm": "30"}])
    assert ScenarioView(sc).fit_multiplier("C") == 1


def test_min_fit_compares_plain_fit_under_multiplier(tmp_path):
    # C requires integritas 4; e2 has 3: jpm = floor(10000*3/4) = 7500 < 8000 -> no pair,
    # even though m(C) * 7500 = 30000 would pass (rule 4.8 compares the plain fit).
    employees = [emp(2, current_level=3, **{"c.integritas": 3})]
    positions = [pos("C", unit="V", **{"c.integritas": 4})]
    write_table(tmp_path, "units.csv", [{"unit": "V", "ikm": "50"}])
    sc = scenario(tmp_path, employees, positions, units="units.csv",
                  rules={"low_ikm_fit_multiplier": 4, "min_fit_for_move": 8000})
    assert "rule 8" in ScenarioView(sc).pair_problem(E2, "C")
