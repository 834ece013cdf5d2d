"""Succession lists for critical posts (solver/talent/succession.py), computed by hand.

as_of 2027-01-02, retirement_horizon_months 12, so the horizon is 2028-01-02. Box of
(performance, potential): (sangat_baik, tinggi) 9, (baik, tinggi) 8, (sangat_baik,
menengah) 7, (butuh_perbaikan, tinggi) 6, (baik, menengah) 5 (MODEL.md section 3).
"""

from __future__ import annotations

import pytest

from solver.io import InputError
from solver.talent.succession import succession_plan
from tests.review.helpers import emp, nip, pos, scenario

BOX9 = {"performance": "sangat_baik", "potential": "tinggi"}
BOX8 = {"performance": "baik", "potential": "tinggi"}
BOX7 = {"performance": "sangat_baik", "potential": "menengah"}
BOX6 = {"performance": "butuh_perbaikan", "potential": "tinggi"}
FULL = {"c.integritas": 4, "c.komunikasi": 4}


def _round(folder, **config):
    """Critical post K (level 4, IV/a-IV/b, requires integritas 4 and komunikasi 4,
    applicants_only) held by 1; level-3 post A, level-4 post M, level-2 post J.

    fit(e, K) = floor(10000 · (min(a_int, 4) + min(a_kom, 4)) / 8):
    4,4 -> 10000; 4,3 or 3,4 -> 8750; 3,2 -> 6250.
    """
    a = {"current_position": "A", "position_since": "2020-01-01", "grade": "IV/a"}
    employees = [
        # 1 the holder: box 9, fit 10000, but holds K -> never listed for K
        emp(1, "1975-03-10", grade="IV/a", current_position="K", position_since="2022-06-01",
            **BOX9, **FULL),
        # 2 box 9, fit 10000; 7 months in post (rule 4 would block a move: not applied)
        emp(2, **{**a, "position_since": "2026-06-01"}, **BOX9, **FULL),
        emp(3, **a, **BOX8, **{"c.integritas": 4, "c.komunikasi": 3}),  # box 8, 8750
        emp(4, **a, **BOX8, **{"c.integritas": 3, "c.komunikasi": 4}),  # box 8, 8750
        emp(5, **a, **BOX7, **{"c.integritas": 4, "c.komunikasi": 3}),  # box 7, 8750
        # 6 box 6 (not in the succession group), lateral from M, fit 10000
        emp(6, grade="IV/a", current_position="M", position_since="2020-01-01", **BOX6, **FULL),
        # 7 box 9, fit 10000, sanction runs to 2027-06-30 >= as_of: no promotion (rule 3)
        emp(7, **a, discipline_until="2027-06-30", **BOX9, **FULL),
        # 8 born 1969-06-01: age 58 at the horizon, K's BUP is 58 (rule 5)
        emp(8, "1969-06-01", grade="IV/a", current_position="M", position_since="2020-01-01",
            **BOX9, **FULL),
        emp(9, **{**a, "grade": "III/d"}, **BOX9, **FULL),  # 9 below K's grade_min (rule 1)
        emp(10, **a, **BOX9, **{"c.integritas": 3, "c.komunikasi": 2}),  # 10 fit 6250 < 6800
        # 11 at level 2: K is two levels up, max_promotion_step 1 (rule 2)
        emp(11, grade="IV/a", current_position="J", position_since="2020-01-01", **BOX9, **FULL),
        emp(12, **a, **BOX9, **FULL),  # 12 box 9, fit 10000 (plan 1 may place them in K)
    ]
    positions = [
        pos("K", level=4, grade_min="IV/a", grade_max="IV/b", critical="yes",
            applicants_only="true", **FULL),
        pos("A", level=3, grade_min="III/c", grade_max="IV/a", headcount=20),
        pos("M", level=4, grade_min="IV/a", grade_max="IV/b", headcount=5),
        pos("J", level=2, grade_min="III/a", grade_max="IV/a", headcount=5),
    ]
    return scenario(folder, employees, positions, **config)


def _nips(entry):
    return [n["nip"] for n in entry["names"]]


def test_ranking_and_every_exclusion(tmp_path):
    sc = _round(tmp_path, succession={"size": 5})
    [entry] = succession_plan(sc)
    assert entry["position"] == "K" and entry["holders"] == [nip(1, "1975-03-10")]
    # fit 10000: 2 (box 9) and 12 (box 9) -> NIP order; fit 8750: 3 (box 8), 4 (box 8) by
    # NIP, then 5 (box 7). Out: 1 holder, 6 box 6, 7 disciplined promotion, 8 too old,
    # 9 grade, 10 fit, 11 two levels up.
    assert _nips(entry) == [nip(2), nip(12), nip(3), nip(4), nip(5)]
    first, _, s3, s4, s5 = entry["names"]
    assert first == {"nip": nip(2), "fit": 10000, "box": 9, "readiness": "siap", "gaps": [],
                     "national_pool": True}
    assert (s3["fit"], s3["box"], s3["national_pool"]) == (8750, 8, False)
    assert s3["gaps"] == [{"competency": "komunikasi", "required": 4, "actual": 3}]
    assert s4["gaps"] == [{"competency": "integritas", "required": 4, "actual": 3}]
    assert (s5["fit"], s5["box"], s5["readiness"]) == (8750, 7, "siap")
    assert entry["ready"] == 5 and entry["at_risk"] is False
    assert entry["planned_holders"] is None


def test_default_size_is_three(tmp_path):
    [entry] = succession_plan(_round(tmp_path))
    assert _nips(entry) == [nip(2), nip(12), nip(3)]


def test_plan_one_holder_is_not_a_successor(tmp_path):
    sc = _round(tmp_path, succession={"size": 5})
    plan = [{"nip": nip(12), "position": "K", "from": "A"},
            {"nip": nip(1, "1975-03-10"), "position": "M", "from": "K"}]
    [entry] = succession_plan(sc, plan)
    assert _nips(entry) == [nip(2), nip(3), nip(4), nip(5)]
    assert entry["planned_holders"] == [nip(12)]
    # the current holder stays "holder" (as_of): the outlook is theirs
    assert entry["holders"] == [nip(1, "1975-03-10")]


def test_holder_outlook(tmp_path):
    [entry] = succession_plan(_round(tmp_path))
    # Holder born 1975-03-10, BUP 58 (level 4 default): 2033-03-10; from 2027-01-02 that is
    # 12·6 + (3 − 1) = 74 whole months (day 10 >= 2). Tenure since 2022-06-01:
    # 12·5 + (1 − 6) = 55 months, so 60 − 55 = 5 months to the 5-year limit <= 12: leaving.
    assert entry["holders_outlook"] == [{"nip": nip(1, "1975-03-10"),
                                         "months_to_retirement": 74,
                                         "months_to_tenure_limit": 5, "leaving": True}]


def test_disciplined_is_listed_for_a_lateral_post_only(tmp_path):
    # D (box 9, level 3, grade III/d) is under a sanction to 2027-03-01 >= as_of.
    posts = [pos("A", level=3, grade_min="III/c", grade_max="III/d", headcount=2),
             pos("L", level=3, grade_min="III/c", grade_max="III/d", critical="ya"),
             pos("P", level=4, grade_min="III/d", grade_max="IV/a", critical="ya")]
    d = emp(1, grade="III/d", current_position="A", position_since="2020-01-01", **BOX9)
    running = succession_plan(scenario(tmp_path / "a", [{**d, "discipline_until": "2027-03-01"}],
                                       posts))
    assert [(e["position"], _nips(e)) for e in running] == [("L", [nip(1)]), ("P", [])]
    # A sanction that ended on 2027-01-01 (before as_of) no longer blocks the promotion.
    ended = succession_plan(scenario(tmp_path / "b", [{**d, "discipline_until": "2027-01-01"}],
                                     posts))
    assert [(e["position"], _nips(e)) for e in ended] == [("L", [nip(1)]), ("P", [nip(1)])]


def test_education_required(tmp_path):
    posts = [pos("A", headcount=3),
             pos("E", critical="true", education_required="true",
                 education_fields="manajemen;hukum")]
    people = [emp(k, current_position="A", position_since="2020-01-01", education_field=f,
                  **BOX7) for k, f in ((1, "Manajemen"), (2, "teknik_sipil"), (3, ""))]
    [entry] = succession_plan(scenario(tmp_path, people, posts))
    assert _nips(entry) == [nip(1)]  # field compared trimmed, case-insensitive


def test_readiness_threshold_and_min_fit_from_assessments(tmp_path):
    # Four box-7 employees; their panel scores for K replace jpm as fit (section 6).
    posts = [pos("A", headcount=4), pos("K", critical="true", **FULL)]
    people = [emp(k, current_position="A", position_since="2020-01-01", **BOX7)
              for k in (1, 2, 3, 4)]
    scores = [{"nip": nip(k), "position": "K", "score": s}
              for k, s in ((1, 7999), (2, 6799), (3, 8000), (4, 6800))]
    [entry] = succession_plan(scenario(tmp_path, people, posts, scores,
                                       succession={"size": 10}))
    # 6799 < min_fit 6800: out; 8000 is MS: siap; 7999 and 6800: with development
    assert [(n["nip"], n["fit"], n["readiness"]) for n in entry["names"]] == [
        (nip(3), 8000, "siap"), (nip(1), 7999, "siap dengan pengembangan"),
        (nip(4), 6800, "siap dengan pengembangan")]
    # their competencies (blank = 0) are still the gaps to the post
    assert entry["names"][0]["gaps"] == [
        {"competency": "integritas", "required": 4, "actual": 0},
        {"competency": "komunikasi", "required": 4, "actual": 0}]
    assert entry["ready"] == 1


def test_at_risk(tmp_path):
    posts = [pos("A", headcount=3),
             pos("Q", critical="true", **{"c.integritas": 4}),   # holder retires in 7 months
             pos("W", critical="true", **{"c.integritas": 4}),   # holder stays: not at risk
             pos("Z", critical="true", **{"c.integritas": 4})]   # vacant
    people = [
        # born 1969-08-15: BUP 58 on 2027-08-15, 12·0 + (8 − 1) = 7 months (15 >= 2);
        # age 58 at the horizon 2028-01-02 -> leaving. Tenure 24 -> 36 months to the limit.
        emp(1, "1969-08-15", current_position="Q", position_since="2025-01-01"),
        # born 1972-02-29: BUP day 2030-03-01 (no 29 Feb in 2030); 12·3 + (3 − 1) = 38,
        # minus 1 as day 1 < 2: 37 months. Not leaving within 12 months.
        emp(2, "1972-02-29", current_position="W", position_since="2025-01-01"),
        # the only successor anywhere: box 7, integritas 3 -> fit 7500: with development
        emp(3, current_position="A", position_since="2020-01-01", **BOX7,
            **{"c.integritas": 3}),
    ]
    q, w, z = succession_plan(scenario(tmp_path, people, posts))
    assert q["holders_outlook"][0] == {"nip": nip(1, "1969-08-15"), "months_to_retirement": 7,
                                       "months_to_tenure_limit": 36, "leaving": True}
    assert w["holders_outlook"][0]["months_to_retirement"] == 37
    assert not w["holders_outlook"][0]["leaving"]
    for entry in (q, w, z):
        assert [(n["nip"], n["fit"], n["readiness"]) for n in entry["names"]] == [
            (nip(3), 7500, "siap dengan pengembangan")]
    assert (q["at_risk"], w["at_risk"], z["at_risk"]) == (True, False, True)
    assert z["holders"] == [] and z["holders_outlook"] == []
    # Plan 1 fills Z with 3: no longer vacant, so not at risk (and 3 is not Z's successor)
    plan = [{"nip": nip(3), "position": "Z", "from": "A"}]
    q, w, z = succession_plan(scenario(tmp_path / "plan", people, posts), plan)
    assert (q["at_risk"], w["at_risk"], z["at_risk"]) == (True, False, False)
    assert z["names"] == [] and z["planned_holders"] == [nip(3)]


def test_no_critical_posts_no_lists(tmp_path):
    sc = scenario(tmp_path, [emp(1, current_position="A", position_since="2020-01-01", **BOX9)],
                  [pos("A")])
    assert not sc.positions["critical"].any()
    assert succession_plan(sc) == []


# The YAML is a comment line, name, as_of, employees, positions, then the block (line 6)
# with its key on line 7.
@pytest.mark.parametrize(("config", "message"), [
    # size must be a whole number of at least 1
    ({"succession": {"size": 0}}, "scenario.yaml line 7, key succession.size: must be at "
                                  "least 1"),
    # min_fit on the JPM scale
    ({"succession": {"min_fit": 10001}}, "scenario.yaml line 7, key succession.min_fit: "
                                         "10001 is not valid; expected a whole number 0-10000"),
    # unknown keys are errors, as in every block
    ({"succession": {"boxes": [9]}}, "scenario.yaml line 7, key succession.boxes: unknown key; "
                                     "known keys: size, min_fit"),
])
def test_yaml_block_is_validated(tmp_path, config, message):
    with pytest.raises(InputError) as info:
        scenario(tmp_path, [emp(1)], [pos("A")], **config)
    assert message in info.value.errors


def test_critical_column_is_validated(tmp_path):
    with pytest.raises(InputError) as info:
        scenario(tmp_path, [emp(1)], [pos("A", critical="mungkin")])
    assert info.value.errors == ["positions.csv row 2, column critical: 'mungkin' is not "
                                 "valid; expected yes or no (ya/tidak, true/false)"]
