"""Cross-check of the CP-SAT engine against an independent HiGHS model of docs/model.md.

For each random scenario (``tests.reference.random_scenario``), HiGHS solves the
whole MIP of sections 4-7 built from plain loops (``tests.reference``), and the
independent checker (``solver.check``) recomputes every plan. The engine must
agree on: status, plan 1's optimum, every ranked plan's optimum under the cuts of
the earlier plans, each plan's feasibility and objective, and the plan count.
"""

from __future__ import annotations

import pytest

from solver.check import check_plan, check_ranked
from solver.io import load_scenario
from solver.result import SolveParams

try:
    from tests.reference import highs_solve, random_scenario
except ImportError:  # tests/ itself on sys.path (pytest's rootdir-less import mode)
    from reference import highs_solve, random_scenario  # type: ignore[no-redef]

SEEDS = range(40)
# The same scenarios with the section 9 tables and rules (tests.reference._add_voice).
VOICE_SEEDS = range(30)


@pytest.mark.parametrize("seed", SEEDS)
def test_reference_solution_passes_checker(seed, tmp_path):
    """The HiGHS plans obey every rule per the checker and score the same objective."""
    sc = load_scenario(random_scenario(seed, tmp_path))
    plans: list[list[tuple[str, str]]] = []
    for _ in range(sc.plans.count):
        solved = highs_solve(sc, plans)
        if solved is None:
            break
        objective, pairs = solved
        report = check_plan(sc, pairs)
        assert report.ok, report.violations
        assert report.objective == objective
        plans.append(pairs)
    assert check_ranked(sc, plans, sc.plans.min_difference) == []


@pytest.mark.parametrize("seed", VOICE_SEEDS)
def test_reference_solution_passes_checker_with_voice(seed, tmp_path):
    """Section 9 (preferences, voluntary moves, IKM multiplier): HiGHS and checker agree."""
    sc = load_scenario(random_scenario(seed, tmp_path, voice=True))
    solved = highs_solve(sc)
    if solved is None:
        return
    objective, pairs = solved
    report = check_plan(sc, pairs)
    assert report.ok, report.violations
    assert report.objective == objective


def test_voice_scenarios_exercise_section_9(tmp_path):
    """The voice seeds really use every section 9 input, and most stay feasible."""
    seen = {"voluntary": 0, "multiplied": 0, "preference_weight": 0, "feasible": 0}
    for seed in VOICE_SEEDS:
        sc = load_scenario(random_scenario(seed, tmp_path, voice=True))
        seen["voluntary"] += sc.rules.voluntary_moves
        seen["preference_weight"] += sc.weights.preference > 0 and not sc.preferences.empty
        seen["multiplied"] += sc.rules.low_ikm_fit_multiplier > 1 and any(
            ikm < sc.rules.low_ikm_below * 100 for ikm in sc.units["ikm_hundredths"])
        seen["feasible"] += highs_solve(sc) is not None
    assert seen["voluntary"] >= 5 and seen["multiplied"] >= 5, seen
    assert seen["preference_weight"] >= 15 and seen["feasible"] >= 15, seen


def test_random_scenarios_mostly_feasible(tmp_path):
    feasible = sum(
        highs_solve(load_scenario(random_scenario(seed, tmp_path))) is not None for seed in SEEDS
    )
    assert feasible >= 25, feasible


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_matches_highs(seed, tmp_path):
    _engine_matches_highs(seed, tmp_path, voice=False)


def _engine_matches_highs(seed, tmp_path, voice):
    solve = pytest.importorskip("solver.solve").solve
    sc = load_scenario(random_scenario(seed, tmp_path, voice=voice))
    result = solve(sc, SolveParams(time_limit=30, workers=2, seed=0))

    first = highs_solve(sc)
    if first is None:
        assert result.status == "INFEASIBLE", result.summary()
        assert result.infeasibility, "an infeasible result must say why"
        assert result.plans == []
        return

    assert result.status == "OPTIMAL", result.summary()
    assert result.plans, result.summary()
    assert result.plans[0].objective == first[0], (
        f"plan 1: engine {result.plans[0].objective}, HiGHS {first[0]}"
    )

    earlier: list[list[tuple[str, str]]] = []
    for plan in result.plans:
        pairs = [(a.nip, a.position) for a in plan.assignments]
        report = check_plan(sc, pairs)
        assert report.ok, (plan.rank, report.violations)
        assert report.objective == plan.objective, (plan.rank, report.objective, plan.objective)
        assert plan.optimal and plan.bound == plan.objective, plan
        solved = highs_solve(sc, earlier)
        assert solved is not None, f"plan {plan.rank} exists but HiGHS finds none"
        assert plan.objective == solved[0], (
            f"plan {plan.rank}: engine {plan.objective}, HiGHS {solved[0]}"
        )
        earlier.append(pairs)

    assert check_ranked(sc, earlier, sc.plans.min_difference) == []
    if len(result.plans) < sc.plans.count:
        # Fewer plans only when no further plan exists (section 7).
        assert highs_solve(sc, earlier) is None, "a further plan exists"


@pytest.mark.parametrize("seed", VOICE_SEEDS)
def test_engine_matches_highs_with_voice(seed, tmp_path):
    """Section 9: every ranked plan of the engine hits the HiGHS optimum under its cuts."""
    _engine_matches_highs(seed, tmp_path, voice=True)
