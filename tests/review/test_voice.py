"""Section 9 in the outputs (solver/review/voice.py): preference_rank, the plan's voice
counts, per-unit IKM / grade / JPM before and after, and the stability report."""

from __future__ import annotations

from pathlib import Path

from solver.derived import ikm_grade
from solver.document import plans_document
from solver.eligibility import build_problem
from solver.result import Assignment, Plan, Result
from solver.review.voice import attach_voice, preference_ranks, stability, voice_summary
from tests.builders import write_table
from tests.review.helpers import emp, nip, pos, scenario

E = {k: nip(k) for k in range(1, 6)}


def _round(tmp_path: Path, with_tables: bool = True, **config):
    """Unit U: A (integritas 4), B (integritas 2); unit V: C, D (integritas 4), all level 3.
    e1 holds A (integritas 2: jpm 5000), e2 holds B (4: 10000), e3 holds C (4: 10000),
    e4 holds D (abolished, headcount 0; integritas 1: jpm 2500 in C/D), e5 unplaced (4).
    All since 2023-01-01 (48 months). V has IKM 70.00 (grade C), U 90.00 (grade A)."""
    comps4, comps2 = {"c.integritas": 4}, {"c.integritas": 2}
    employees = [
        emp(1, current_position="A", position_since="2023-01-01", **{"c.integritas": 2}),
        emp(2, current_position="B", position_since="2023-01-01", **{"c.integritas": 4}),
        emp(3, current_position="C", position_since="2023-01-01", **{"c.integritas": 4}),
        emp(4, current_position="D", position_since="2023-01-01", **{"c.integritas": 1}),
        emp(5, current_level=3, **{"c.integritas": 4}),
    ]
    positions = [pos("A", **comps4), pos("B", **comps2), pos("C", unit="V", **comps4),
                 pos("D", unit="V", headcount=0, **comps4), pos("F", unit="V", **comps4)]
    files = {}
    if with_tables:
        files["preferences"] = write_table(tmp_path, "preferences.csv", [
            {"nip": E[1], "position": "C", "rank": 1},  # e1 wants C first, B second
            {"nip": E[1], "position": "B", "rank": 2},
            {"nip": E[2], "position": "B", "rank": 1},  # e2 would rather stay
            {"nip": E[3], "position": "A", "rank": 1},  # e3 asks to move, will stay
            {"nip": E[5], "position": "F", "rank": 3},
        ])
        files["units"] = write_table(tmp_path, "units.csv", [{"unit": "U", "ikm": "90"},
                                                         {"unit": "V", "ikm": "70.00"}])
    config.setdefault("rules", {"max_unit_turnover": 1})
    return scenario(tmp_path, employees, positions, **files, **config)


def _plan(pairs, sc) -> dict:
    current = dict(zip(sc.employees["nip"], sc.employees["current_position"], strict=True))
    return {"rank": 1, "objective": 0, "assignments": [
        {"nip": n, "position": p, "from": current[n] or None} for n, p in pairs]}


def test_voice_summary_counts(tmp_path):
    sc = _round(tmp_path)
    problem = build_problem(sc)
    # A has one seat, so this plan is not feasible; the counts only read assignments:
    # e1 stays in A (listed C and B only: stayed though asked to move), e2 stays in B
    # (own wish), e3 moves C -> A (rank 1), e4 must move (D abolished) to F, unlisted,
    # e5 (unplaced) -> C, unlisted.
    plan = _plan([(E[1], "A"), (E[2], "B"), (E[3], "A"), (E[4], "F"), (E[5], "C")], sc)
    ranks = preference_ranks(sc)
    summary = voice_summary(plan, problem, ranks)
    assert summary == {
        "movers_by_choice": {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0},  # e3 -> A
        "moved_without_asking": 2,  # e4 -> F, e5 -> C
        "had_to_move": 1,  # e4 (abolished post)
        "stayed_by_own_wish": 1,  # e2
        "stayed_though_asked_to_move": 1,  # e1
    }


def test_units_ikm_grade_and_mean_jpm(tmp_path):
    sc = _round(tmp_path, rules={"max_unit_turnover": 1, "low_ikm_fit_multiplier": 2})
    problem = build_problem(sc)
    # e4 must leave D; plan: e1 -> C, e3 -> A, e4 -> F, e2 stays, e5 -> nothing
    plan = _plan([(E[1], "C"), (E[2], "B"), (E[3], "A"), (E[4], "F")], sc)
    doc = {"plans": [plan]}
    attach_voice(doc, sc, problem)
    units = {u["unit"]: u for u in doc["plans"][0]["units"]}
    # before: U holds e1 in A (5000) and e2 in B (10000): mean 7500;
    #         V holds e3 in C (10000) and e4 in D (2500): mean 6250
    # after:  U holds e3 in A (10000), e2 in B (10000): 10000;
    #         V holds e1 in C (5000), e4 in F (2500): 3750
    assert units["U"] == {"unit": "U", "ikm": "90.00", "grade": "A", "fit_multiplier": 1,
                          "jpm_before": 7500, "holders_before": 2,
                          "jpm_after": 10000, "holders_after": 2}
    assert units["V"] == {"unit": "V", "ikm": "70.00", "grade": "C", "fit_multiplier": 2,
                          "jpm_before": 6250, "holders_before": 2,
                          "jpm_after": 3750, "holders_after": 2}
    assert [a["preference_rank"] for a in doc["plans"][0]["assignments"]] == [1, 1, 1, None]


def test_stability_lists_pairs_that_would_both_gain(tmp_path):
    sc = _round(tmp_path)
    problem = build_problem(sc)
    # e1 stays in A (unlisted) although it ranks C first and B second.
    # C is held by e4 (must move, here placed in C): score(e1,C) = 5000 - 300 + 5000 = 9700
    # > score(e4,C) = 2500 - 300 + 5000 = 7200: both gain. B is held by e2 at
    # score 10000 + 5000 = 15000 > score(e1,B) = 10000 - 300 + 5000 = 14700: B would not.
    # e3 (in F) ranks A first; A is held by e1 at 5000 + 5000 = 10000 < score(e3,A) =
    # 10000 - 300 + 5000 = 14700: both gain. e5 (unplaced) ranks F (held by e3 at 14700)
    # third; score(e5,F) = 14700 is not higher: no.
    plan = _plan([(E[1], "A"), (E[2], "B"), (E[3], "F"), (E[4], "C")], sc)
    report = stability(plan, sc, problem, preference_ranks(sc))
    assert report == {"count": 2, "pairs": [
        {"nip": E[1], "position": "C", "rank": 1, "placed_in": "A", "placed_rank": None,
         "displaces": E[4], "score_gain": 2500},
        {"nip": E[3], "position": "A", "rank": 1, "placed_in": "F", "placed_rank": None,
         "displaces": E[1], "score_gain": 4700},
    ]}


def test_stability_respects_locks_and_free_seats(tmp_path):
    sc = _round(tmp_path, rules={"max_unit_turnover": 1},
                locks=[{"nip": E[4], "position": "C"}])
    problem = build_problem(sc)
    plan = _plan([(E[1], "A"), (E[2], "B"), (E[4], "C")], sc)  # e3 unplaced here, F free
    pairs = stability(plan, sc, problem, preference_ranks(sc))["pairs"]
    # e1 -> C would displace e4, who is locked there: not listed. e5 -> F: F has a free
    # seat and e5 is unplaced (unlisted placement): listed, displacing nobody.
    assert {(p["nip"], p["position"]) for p in pairs} == {(E[3], "A"), (E[5], "F")}
    assert next(p for p in pairs if p["nip"] == E[5])["displaces"] is None


def test_without_tables_the_document_is_unchanged(tmp_path):
    sc = _round(tmp_path, with_tables=False)
    plan = Plan(rank=1, objective=0, bound=0, optimal=True,
                assignments=(Assignment(E[1], "A", "A"),))
    doc = plans_document(Result(scenario="x", status="OPTIMAL", plans=[plan]), sc)
    assert "voice" not in doc["plans"][0] and "units" not in doc["plans"][0]
    assert "preference_rank" not in doc["plans"][0]["assignments"][0]


def test_ikm_grades_at_the_interval_edges():
    assert [ikm_grade(v) for v in (10000, 8831, 8830, 7661, 7660, 6500, 6499, 2500)] == \
        ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_shortlists_in_a_voluntary_round_name_only_applicants(tmp_path):
    """Shortlists re-solve the same model, so rule 4.9 holds for every name: the vacant
    must-fill post G was asked for by e1 (holds A) and e5 (unplaced); e2 and e3 did not."""
    from solver.result import SolveParams
    from solver.review.shortlist import shortlists
    from solver.solve import solve

    employees = [emp(k, current_position=p, position_since="2023-01-01")
                 for k, p in ((1, "A"), (2, "B"), (3, "C"))] + [emp(5, current_level=3)]
    positions = [pos("A"), pos("B"), pos("C"), pos("G", must_fill=True)]
    prefs = write_table(tmp_path, "preferences.csv", [{"nip": E[1], "position": "G", "rank": 1},
                                                  {"nip": E[5], "position": "G", "rank": 2}])
    sc = scenario(tmp_path, employees, positions, preferences=prefs,
                  rules={"voluntary_moves": True, "max_unit_turnover": 1},
                  weights={"preference": 100})
    result = solve(sc, SolveParams(plans=1))
    # e5 -> G: 10000 - 300 + 5000 + 100*4 = 15100, and e1 keeps A (15000);
    # e1 -> G instead scores 15200 but leaves A empty (nobody else asked for A): -14900
    assert result.status == "OPTIMAL"
    assert result.plans[0].objective == 15100 + 3 * 15000 - 4 * 5000
    (entry,) = shortlists(sc, result, max_names=3, time_limit=30)[1]
    assert entry["position"] == "G" and entry["complete"]
    assert [n["nip"] for n in entry["names"]] == [E[5], E[1]]  # only the two applicants
    assert entry["names"][1]["objective_loss"] == 15100 + 15000 - 15200


def test_committee_packet_shows_voice_only_when_given(tmp_path):
    from openpyxl import load_workbook

    from solver.result import SolveParams
    from solver.review.packet import render_html, xlsx_document
    from solver.solve import solve

    for with_tables in (True, False):
        sc = _round(tmp_path / str(with_tables), with_tables=with_tables)
        problem = build_problem(sc)
        result = solve(sc, SolveParams(plans=1))
        doc = plans_document(result, sc, problem=problem)
        page = render_html(doc, sc, problem)
        (tmp_path / f"{with_tables}.xlsx").write_bytes(xlsx_document(doc, sc))
        sheets = load_workbook(tmp_path / f"{with_tables}.xlsx").sheetnames
        if with_tables:
            assert "Suara pegawai dan kepuasan masyarakat" in page
            assert '<tr data-unit="V"><td>V</td><td class="num">70.00</td><td>C (kurang baik)</td>' in page
            assert 'id="stability-1"' in page and "Suara & IKM" in sheets
        else:
            assert "Suara pegawai" not in page and "Suara & IKM" not in sheets
