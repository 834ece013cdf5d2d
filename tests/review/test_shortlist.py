"""Shortlists are exact: each loss equals the objective difference recomputed by a
separate solve with that person locked into the post, and no other eligible person
has a smaller loss (brute force over every eligible person on a tiny scenario)."""

from __future__ import annotations

from solver.eligibility import build_problem
from solver.io import load_scenario
from solver.result import SolveParams
from solver.review.shortlist import shortlists
from solver.scenario import Pair
from solver.solve import solve
from tests.review.helpers import rotation

PARAMS = SolveParams(time_limit=20, workers=1)


def _locked_optimum(sc, nip, post):
    result = solve(sc.replace(locks=(*sc.locks, Pair(nip, post))), SolveParams(plans=1,
                                                                                time_limit=20))
    if not result.plans:
        return None
    assert result.plans[0].optimal
    return result.plans[0].objective


def test_plan_one_losses_are_exact_and_best(tmp_path):
    sc = load_scenario(rotation(tmp_path, plans={"count": 2, "min_difference": 2}))
    result = solve(sc, PARAMS)
    assert result.status == "OPTIMAL"
    lists = shortlists(sc, result, PARAMS, max_names=3, time_limit=60)
    plan = result.plans[0]
    moved = {a.position for a in plan.assignments if a.position != a.origin}
    entries = lists[1]
    assert [e["position"] for e in entries] == sorted(moved)
    problem = build_problem(sc)
    pairs = problem.pairs
    for entry in entries:
        assert entry["complete"]
        names = entry["names"]
        assert names[0]["chosen"] and names[0]["objective_loss"] == 0
        assert names[0]["nip"] in entry["holders"]
        assert len(names) <= 3
        # every alternative: loss == plan objective - separately solved optimum with the lock
        for name in names[1:]:
            optimum = _locked_optimum(sc, name["nip"], entry["position"])
            assert optimum is not None
            assert name["objective_loss"] == plan.objective - optimum
        # brute force: the shown losses are the smallest over all other eligible people
        p = list(problem.position_ids).index(entry["position"])
        others = sorted({str(problem.nips[e]) for e in pairs.emp[pairs.pos == p]}
                        - set(entry["holders"]))
        losses = sorted(plan.objective - opt for opt in
                        (_locked_optimum(sc, n, entry["position"]) for n in others)
                        if opt is not None)
        shown = [n["objective_loss"] for n in names[1:]]
        assert shown == losses[:len(shown)]
        assert len(shown) == min(2, len(losses))
    # plan 2 is listed too
    assert 2 in lists and all(e["names"][0]["chosen"] for e in lists[2])


def test_budget_exhausted_marks_incomplete_without_numbers(tmp_path):
    sc = load_scenario(rotation(tmp_path, plans={"count": 1}))
    result = solve(sc, PARAMS)
    lists = shortlists(sc, result, PARAMS, time_limit=0.0)
    assert lists[1]
    for entry in lists[1]:
        assert not entry["complete"]
        assert "budget" in entry["note"]
        assert all(n["chosen"] for n in entry["names"])


def test_later_plan_losses_match_independent_highs_solve(tmp_path):
    """Plan 2's shortlist losses are measured under plan 2's own rule (the difference
    cut against plan 1, docs/model.md section 7); the HiGHS reference model recomputes each
    optimum with the lock and the same cut."""
    from tests.reference import highs_optimum

    sc = load_scenario(rotation(tmp_path, plans={"count": 2, "min_difference": 2}))
    result = solve(sc, PARAMS)
    assert len(result.plans) == 2 and all(p.optimal for p in result.plans)
    lists = shortlists(sc, result, PARAMS, time_limit=60)
    cut = [[(a.nip, a.position) for a in result.plans[0].assignments]]
    plan2 = result.plans[1]
    assert highs_optimum(sc, cut) == plan2.objective
    checked = 0
    for entry in lists[2]:
        assert entry["complete"]
        for name in entry["names"][1:]:
            locked = sc.replace(locks=(*sc.locks, Pair(name["nip"], entry["position"])))
            assert name["objective_loss"] == plan2.objective - highs_optimum(locked, cut)
            checked += 1
    assert checked > 0



def test_certified_fast_path_agrees_with_global_solves(tmp_path):
    """The neighbourhood certificate and the global LP-pruned solves give the same losses."""
    from solver.review import shortlist as module

    sc = load_scenario(rotation(tmp_path, plans={"count": 2, "min_difference": 2}))
    result = solve(sc, PARAMS)
    fast = shortlists(sc, result, PARAMS, time_limit=60)
    assert module.SHORTLIST_STATS["certified"] > 0
    slow = shortlists(sc, result, PARAMS, time_limit=60, fast_path=False)
    assert module.SHORTLIST_STATS["certified"] == 0 and module.SHORTLIST_STATS["global"] > 0

    def losses(lists):
        return {(rank, e["position"]): [n["objective_loss"] for n in e["names"]]
                for rank, entries in lists.items() for e in entries}

    assert losses(fast) == losses(slow)
