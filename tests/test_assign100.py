"""External check: linear assignment instances as open-selection scenarios.

OR-Library ``assign100`` (J. E. Beasley; n = 100, published optimum 305) becomes a
scenario of n unplaced employees (candidates, docs/model.md section 3), n one-seat posts and
an assessment ``1000 - cost`` for every pair. With default weights (fit 1, move 300,
vacancy 5000, priority 1; no education fields, no promotion, so no talent bonus):

    score(e, p) = fit(e, p) - W.move · move(e, p) + W.vacancy · priority(p)
                = (1000 - c[e, p]) - 300 + 5000            (> 0 for every pair)
    objective   = Σ_chosen score - W.vacancy · Σ_p priority(p) · headcount(p)
                = Σ_chosen (1000 - c - 300 + 5000) - 5000 · n
                = Σ_chosen (1000 - c) - 300 · n            (when every post is filled)

Candidates take at most one post and no post is must-fill (section 5), so the optimum is
a perfect assignment only because every pair scores > 0: each empty seat costs more than
any pair. Then plan 1 = n · (1000 - 300) - min Σ c = n · 700 - 305 for assign100.

Random n×n instances check the same against scipy's ``linear_sum_assignment``, and an
instance with vacancy 0 (some pairs unprofitable, so the optimum leaves people out)
against the oracle on ``max(score, 0)``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from solver.check import check_plan
from solver.io import load_scenario
from solver.result import SolveParams
from solver.scenario import Scenario
from solver.solve import solve
from tests.builders import nip, person, post, write_scenario

ASSIGN100 = Path("/work/shared/external/orlib/assign100.txt")
if not ASSIGN100.is_file():  # the repo's sibling checkout of the shared folder
    ASSIGN100 = Path(__file__).resolve().parents[2] / "shared/external/orlib/assign100.txt"
ASSIGN100_OPTIMUM = 305
MOVE, VACANCY = 300, 5000  # docs/model.md defaults


def read_orlib(path: Path) -> np.ndarray:
    """OR-Library assignment format: n, then n×n costs row by row (whitespace separated)."""
    tokens = path.read_text().split()
    n = int(tokens[0])
    costs = np.array([int(t) for t in tokens[1: 1 + n * n]], dtype=np.int64)
    assert len(costs) == n * n, f"{path}: expected {n * n} costs, found {len(costs)}"
    return costs.reshape(n, n)


def assignment_scenario(tmp: Path, fit: np.ndarray, **config: object) -> Scenario:
    """n unplaced level-3 employees, n one-seat level-3 posts, fit[e, p] assessed for all."""
    n = fit.shape[0]
    assert fit.shape == (n, n) and fit.min() >= 0 and fit.max() <= 10000
    employees = [person(e + 1, current_level=3, grade="III/c") for e in range(n)]
    positions = [post(f"P{p:03d}", grade_min="III/c", grade_max="III/d") for p in range(n)]
    assessments = [{"nip": nip(e + 1), "position": f"P{p:03d}", "score": int(fit[e, p])}
                   for e in range(n) for p in range(n)]
    return load_scenario(write_scenario(tmp, employees, positions, assessments, **config))


def solve_plan1(scenario: Scenario) -> tuple[int, list[tuple[str, str]]]:
    result = solve(scenario, SolveParams(plans=1, time_limit=120))
    assert result.status == "OPTIMAL", result.summary()
    plan = result.plans[0]
    assert plan.optimal and plan.bound == plan.objective
    pairs = [(a.nip, a.position) for a in plan.assignments]
    report = check_plan(scenario, pairs)
    assert report.ok, report.violations
    assert report.objective == plan.objective
    return plan.objective, pairs


def test_orlib_assign100(tmp_path: Path) -> None:
    if not ASSIGN100.is_file():
        pytest.skip(f"{ASSIGN100} not available")
    costs = read_orlib(ASSIGN100)
    n = costs.shape[0]
    assert n == 100
    # the oracle agrees with the published optimum
    rows, cols = linear_sum_assignment(costs)
    assert int(costs[rows, cols].sum()) == ASSIGN100_OPTIMUM
    # every pair is profitable: score = 1000 - c - 300 + 5000 > 0
    assert int((1000 - costs - MOVE + VACANCY).min()) > 0
    scenario = assignment_scenario(tmp_path, 1000 - costs)
    objective, pairs = solve_plan1(scenario)
    # Σ (1000 - c) - 300 n with Σ c = 305
    assert objective == n * (1000 - MOVE) - ASSIGN100_OPTIMUM == 69695
    assert len(pairs) == n  # a perfect assignment
    assert len({p for _, p in pairs}) == n
    cost_of = {(nip(e + 1), f"P{p:03d}"): int(costs[e, p]) for e in range(n) for p in range(n)}
    assert sum(cost_of[pair] for pair in pairs) == ASSIGN100_OPTIMUM


@pytest.mark.parametrize(("n", "seed"), [(20, 1), (20, 2), (35, 3), (50, 4), (60, 5)])
def test_random_against_scipy(tmp_path: Path, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    fit = rng.integers(0, 10001, size=(n, n))
    score = fit - MOVE + VACANCY  # per pair, before the constant -VACANCY·n
    assert int(score.min()) > 0  # so the optimum fills every post
    rows, cols = linear_sum_assignment(score, maximize=True)
    expected = int(score[rows, cols].sum()) - VACANCY * n
    objective, pairs = solve_plan1(assignment_scenario(tmp_path, fit))
    assert objective == expected
    assert len(pairs) == n


@pytest.mark.parametrize(("n", "seed"), [(25, 11), (40, 12)])
def test_random_with_unprofitable_pairs(tmp_path: Path, n: int, seed: int) -> None:
    """vacancy 0: a pair with fit < 300 loses, so its person is better left unplaced."""
    rng = np.random.default_rng(seed)
    fit = rng.integers(0, 1000, size=(n, n))
    score = fit - MOVE
    assert int(score.min()) < 0
    # leaving e and p unmatched is worth 0, the same as a pair scored max(score, 0)
    rows, cols = linear_sum_assignment(np.maximum(score, 0), maximize=True)
    expected = int(np.maximum(score, 0)[rows, cols].sum())
    weights = {"fit": 1, "education": 1000, "talent": 1, "move": MOVE, "vacancy": 0,
               "overstay": 20000}
    objective, pairs = solve_plan1(assignment_scenario(tmp_path, fit, weights=weights))
    assert objective == expected
    chosen = [(int(a[-3:]) - 1, int(b[1:])) for a, b in pairs]  # nip serial, P<index>
    assert all(score[e, p] >= 0 for e, p in chosen)
