"""solve(): the LP-pruned strategy proves the same optima as the whole model,
ranked plans obey section 7, results are reproducible, and time limits return plans."""

from __future__ import annotations

import json
import random

import pytest

from solver.check import check_plan, check_ranked
from solver.document import plans_document
from solver.io import load_scenario
from solver.result import SolveParams
from solver.solve import solve
from tests.reference import highs_solve, random_scenario


@pytest.mark.parametrize("seed", range(100, 125))
def test_pruned_strategy_matches_highs(seed, tmp_path, monkeypatch):
    """Reduced-cost pruning, the LP-duality proof of plan 1 and the neighbourhood
    search for ranked plans (forced on here with tiny size thresholds) must never
    lose the optimum of any ranked plan."""
    import solver.solve as solve_module

    monkeypatch.setattr(solve_module, "NEIGHBOURHOOD_MIN_PAIRS", 0)
    monkeypatch.setattr(solve_module, "NEIGHBOURHOOD_PAIRS", 20)
    rng = random.Random(seed)
    sc = load_scenario(random_scenario(seed, tmp_path, n_employees=rng.randint(20, 45),
                                       n_positions=rng.randint(10, 30)))
    result = solve(sc, SolveParams(time_limit=60, workers=1), strategy="pruned")
    plans: list[list[tuple[str, str]]] = []
    for plan in result.plans:
        reference = highs_solve(sc, plans)
        assert reference is not None
        assert plan.objective == reference[0], (plan.rank, result.stats)
        assert plan.optimal and plan.bound == plan.objective
        pairs = [(a.nip, a.position) for a in plan.assignments]
        report = check_plan(sc, pairs)
        assert report.ok, report.violations
        assert report.objective == plan.objective
        plans.append(pairs)
    assert check_ranked(sc, plans, sc.plans.min_difference) == []
    if len(result.plans) < sc.plans.count:
        assert highs_solve(sc, plans) is None  # no further plan exists
    if not result.plans:
        assert result.status == "INFEASIBLE" and result.infeasibility
    else:
        assert result.status == "OPTIMAL"


def _doc(sc, workers):
    params = SolveParams(time_limit=60, workers=workers, seed=3)
    doc = plans_document(solve(sc, params), sc, params)
    doc.pop("run")
    return json.dumps(doc, sort_keys=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_same_input_same_plans(workers, tmp_path):
    sc = load_scenario(random_scenario(7, tmp_path, n_employees=40, n_positions=25))
    assert _doc(sc, workers) == _doc(sc, workers)


def test_time_limit_returns_best_plan_with_bound():
    from pathlib import Path

    sc = load_scenario(Path(__file__).parent.parent / "scenarios" / "rotasi_lima_tahun.yaml")
    result = solve(sc, SolveParams(plans=3, time_limit=4, workers=1))
    if result.status == "OPTIMAL":  # a fast machine; nothing to assert about limits
        return
    assert result.status in ("FEASIBLE", "UNKNOWN")
    for plan in result.plans:
        assert plan.bound >= plan.objective
    if result.status == "UNKNOWN":
        assert result.infeasibility and "time limit" in result.infeasibility[0]


def test_hint_selects_exactly_the_hinted_pairs(tmp_path):
    """The warm-start hint (a base plan's (nip, position) pairs) maps to exactly the
    pairs that exist; unknown people, posts and non-pairs are ignored."""
    import numpy as np

    from solver.eligibility import build_problem
    from solver.model.constraints import build_rows
    from solver.solve import _Clock, _Engine

    sc = load_scenario(random_scenario(41, tmp_path, n_employees=30, n_positions=15))
    problem = build_problem(sc)
    pairs = problem.pairs
    rng = random.Random(41)
    picked = rng.sample(range(len(pairs)), 8)
    hint = [(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[pairs.pos[j]]))
            for j in picked]
    existing = {(str(problem.nips[pairs.emp[j]]), str(problem.position_ids[pairs.pos[j]]))
                for j in range(len(pairs))}
    absent = next((str(n), str(p)) for n in problem.nips for p in problem.position_ids
                  if (str(n), str(p)) not in existing)
    hint += [absent, ("000000000000000000", hint[0][1]), (hint[0][0], "no-such-post")]
    engine = _Engine(problem, build_rows(problem), SolveParams(hint=tuple(hint)),
                     _Clock(10))
    assert engine.hint is not None
    assert engine.hint.tolist() == sorted(picked)
    assert np.all(np.diff(engine.hint) > 0)
