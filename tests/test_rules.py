"""The move-pair rules 4.1-4.9 (solver/rules.py) and the three places that apply them.

Each rule is implemented once, in :mod:`solver.rules`, and applied by the pair
generation (:mod:`solver.eligibility`), the infeasibility funnel
(:mod:`solver.infeasibility`) and the scenario generator
(:mod:`solver.generate.engine`, vectorised and one pair at a time). Per rule, the
test finds the (employee, post) pairs where that rule is the only one that fails
and checks that every caller rejects exactly those for that rule, and (the funnel) blames
that rule, and that all callers accept the pairs where every rule holds.

The fixture is the generator's demo round (300 employees, scope levels 3-4) with
every rule switched on: ``min_fit_for_move`` 6000, a 60-month retirement horizon, and on a third of the in-scope
posts each, ``education_required`` and ``applicants_only`` (with assessment rows
for some people), so that each rule decides some pairs on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from solver import rules as rule
from solver.eligibility import Problem, build_problem
from solver.generate import engine
from solver.infeasibility import _Facts, _move_funnel
from solver.io import load_scenario

RULES = ("4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8")


# --------------------------------------------------------------------------- the functions


def test_each_rule_function_states_its_rule() -> None:
    # 4.1 grade_min <= grade <= grade_max (ranks: III/a = 9, III/d = 12)
    assert list(rule.rule_4_1_grade_range(np.array([8, 9, 12, 13]), 9, 12)) == \
        [False, True, True, False]
    # 4.2 level(e) <= level(p) <= level(e) + step; a demotion is never allowed
    assert list(rule.rule_4_2_level_window(3, np.array([2, 3, 4, 5]), 1)) == \
        [False, True, True, False]
    # 4.3 only a promotion (level up) needs may_be_promoted
    assert list(rule.rule_4_3_promotion(3, np.array([3, 4, 4]), np.array([False, False, True]))) \
        == [True, False, True]
    assert list(rule.may_be_promoted(np.array([3, 4, 2, 4]), 3,
                                     np.array([False, False, False, True]))) == \
        [True, True, False, False]
    # 4.4 placed: tenure >= 24 unless the post is abolished; unplaced: always
    assert list(rule.rule_4_4_min_tenure(np.array([True, True, True, False]),
                                         np.array([23, 24, 5, 0]), 24,
                                         np.array([False, False, True, False]))) == \
        [False, True, True, True]
    # 4.5 age at the horizon strictly below the post's BUP
    assert list(rule.rule_4_5_retirement(np.array([57, 58]), 58)) == [True, False]
    # 4.6 / 4.7 only bind where the post asks for it
    assert list(rule.rule_4_6_required_education(np.array([False, True, True]),
                                                 np.array([False, False, True]))) == \
        [True, False, True]
    assert list(rule.rule_4_7_applicants_only(np.array([False, True, True]),
                                              np.array([False, False, True]))) == \
        [True, False, True]
    # 4.8 fit >= min_fit_for_move; 0 switches it off
    assert list(rule.rule_4_8_min_fit(np.array([6799, 6800]), 6800)) == [False, True]
    assert bool(rule.rule_4_8_min_fit(0, 0))
    # 4.9 a listed pair, or an employee who must move (no stay pair)
    assert list(rule.rule_4_9_voluntary_moves(np.array([False, True, False, True]),
                                              np.array([False, False, True, True]))) == \
        [False, True, True, True]


# --------------------------------------------------------------------------- the callers


@dataclass
class Round:
    problem: Problem
    ctx: engine._Ctx
    emp_row: np.ndarray  # problem employee index -> generator row
    pos_row: np.ndarray  # problem position index -> generator row


@pytest.fixture(scope="module")
def round_(tmp_path_factory: pytest.TempPathFactory) -> Round:
    g = engine.build("demo", seed=11)
    g.rules["min_fit_for_move"] = 6000
    g.rules["retirement_horizon_months"] = 60
    rng = np.random.default_rng(11)
    pos = g.positions
    scope = np.flatnonzero(pos["level"].isin([3, 4]).to_numpy())
    required = rng.choice(scope, size=len(scope) // 3, replace=False)
    pos.loc[pos.index[required], "required"] = True
    pos.loc[pos.index[required], "fields"] = "teknologi_informasi;akuntansi;hukum"
    applicants = rng.choice(scope, size=len(scope) // 3, replace=False)
    pos.loc[pos.index[applicants], "applicants_only"] = True
    people = rng.choice(len(g.employees), size=120, replace=False)
    rows = [{"nip": g.employees["nip"].iat[int(e)], "position": pos["id"].iat[int(p)],
             "score": int(rng.integers(4000, 10001))}
            for e in people for p in rng.choice(applicants, size=3, replace=False)]
    g.assessments = pd.DataFrame(rows).drop_duplicates(["nip", "position"])
    return _round(g, tmp_path_factory.mktemp("rules"))


def _round(g: Any, directory: Path) -> Round:
    """The generated round ``g`` written to ``directory``, read back and built, with the
    generator's employee and post indices of every engine row."""
    problem = build_problem(load_scenario(engine.write(g, directory)))
    ctx = engine._Ctx(g)
    gen_emp = {str(n): i for i, n in enumerate(ctx.nip)}
    gen_pos = {str(p): i for i, p in enumerate(ctx.pid)}
    return Round(problem, ctx,
                 np.array([gen_emp[str(n)] for n in problem.nips]),
                 np.array([gen_pos[str(p)] for p in problem.position_ids]))


def _masks(r: Round, p: int) -> dict[str, np.ndarray]:
    """Per rule, which employees pass it for post p (computed with solver.rules)."""
    pb, sc = r.problem, r.problem.scenario
    settings = sc.rules
    facts = _Facts(pb)
    fields = np.array(tuple(sc.positions["education_fields"].iat[p]), dtype=object)
    pid = str(pb.position_ids[p])
    assessed = np.array([(str(n), pid) in facts.assessed for n in pb.nips])
    return {
        "4.1": rule.rule_4_1_grade_range(pb.grade, pb.grade_min[p], pb.grade_max[p]),
        "4.2": rule.rule_4_2_level_window(pb.level, pb.position_level[p],
                                          settings.max_promotion_step),
        "4.3": rule.rule_4_3_promotion(pb.level, pb.position_level[p], pb.may_be_promoted),
        "4.4": rule.rule_4_4_min_tenure(pb.placed, pb.tenure, settings.min_tenure_months,
                                        pb.post_abolished),
        "4.5": rule.rule_4_5_retirement(pb.age_at_horizon, pb.retirement_age[p]),
        "4.6": rule.rule_4_6_required_education(pb.education_required[p],
                                                np.isin(facts.field, fields)),
        "4.7": rule.rule_4_7_applicants_only(pb.applicants_only[p], assessed),
        "4.8": rule.rule_4_8_min_fit(facts.fit(pb, p), settings.min_fit_for_move),
    }


def _engine_pairs(r: Round, p: int) -> np.ndarray:
    pairs = r.problem.pairs
    has = np.zeros(r.problem.n_employees, dtype=bool)
    has[pairs.emp[(pairs.pos == p) & ~pairs.stay]] = True
    return has


def _funnel_rejections(r: Round, p: int, facts: _Facts
                       ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(survivors, {rule: employees first removed by that rule}) of the funnel."""
    alive = r.problem.current != p
    removed: dict[str, np.ndarray] = {}
    for step, after in _move_funnel(r.problem, facts, p):
        removed[step.rule] = alive & ~after
        alive = after
    return alive, removed


@pytest.mark.parametrize("number", RULES)
def test_the_three_callers_reject_exactly_what_the_rule_rejects(round_: Round, number: str) -> None:
    r = round_
    facts = _Facts(r.problem)
    only_this = 0
    for p in np.flatnonzero(r.problem.seats):
        masks = _masks(r, int(p))
        others = np.logical_and.reduce([m for k, m in masks.items() if k != number])
        moving = r.problem.current != p
        only = moving & others & ~masks[number]
        every = moving & others & masks[number]
        only_this += int(only.sum())

        engine_has = _engine_pairs(r, int(p))
        survivors, removed = _funnel_rejections(r, int(p), facts)
        generated = r.ctx.eligible(int(r.pos_row[p]))[r.emp_row]
        # Where only this rule fails, every caller rejects the pair, and the funnel
        # blames this rule when it is the first one the employee fails.
        assert not engine_has[only].any()
        assert not survivors[only].any()
        assert not generated[only].any()
        if only.any():
            assert removed[number][only].all()
        for e in np.flatnonzero(only)[:5]:
            assert not engine._eligible_one(r.ctx, int(r.emp_row[e]), int(r.pos_row[p]))
        # Where every rule holds, every caller accepts it.
        assert engine_has[every].all() and survivors[every].all() and generated[every].all()
        for e in np.flatnonzero(every)[:5]:
            assert engine._eligible_one(r.ctx, int(r.emp_row[e]), int(r.pos_row[p]))
    assert only_this > 0, f"the fixture has no pair that only rule {number} rejects"


def test_the_callers_agree_on_every_move_pair(round_: Round) -> None:
    r = round_
    facts = _Facts(r.problem)
    for p in np.flatnonzero(r.problem.seats):
        survivors, _ = _funnel_rejections(r, int(p), facts)
        generated = r.ctx.eligible(int(r.pos_row[p]))[r.emp_row]
        assert np.array_equal(_engine_pairs(r, int(p)), survivors)
        assert np.array_equal(survivors, generated)


def test_succession_lists_read_rules_4_1_2_3_5_6(round_: Round) -> None:
    """A successor (docs/talent.md) is someone rules 4.1, 4.2, 4.3, 4.5 and 4.6 admit, for
    every post, in scope or not; 4.4 (tenure) and 4.7 (applicants only) do not apply."""
    from solver.talent.succession import _appointable, _roster

    r = round_
    scenario = r.problem.scenario
    roster = _roster(scenario, r.problem)
    for p in range(r.problem.n_positions):
        masks = _masks(r, p)
        expected = np.logical_and.reduce([masks[k] for k in ("4.1", "4.2", "4.3", "4.5", "4.6")])
        assert np.array_equal(_appointable(scenario, roster, p), expected)


# --------------------------------------------------------------------------- rule 4.9


@pytest.fixture(scope="module")
def voluntary_round(tmp_path_factory: pytest.TempPathFactory) -> Round:
    """The demo round (2 abolished posts: their holders must move) with the generator's
    preferences and ``voluntary_moves: true``."""
    g = engine.build("demo", seed=11, voice=True)
    g.rules["voluntary_moves"] = True
    return _round(g, tmp_path_factory.mktemp("voluntary"))


def test_rule_4_9_the_three_callers_agree(voluntary_round: Round) -> None:
    r = voluntary_round
    pb = r.problem
    facts = _Facts(pb)
    assert pb.must_move.sum() >= 1  # holders of the abolished posts
    only_this = listed_moves = 0
    for p in np.flatnonzero(pb.seats):
        pid = str(pb.position_ids[p])
        asked = np.array([(str(n), pid) in facts.listed for n in pb.nips])
        mask = rule.rule_4_9_voluntary_moves(asked, pb.must_move)
        survivors, removed = _funnel_rejections(r, int(p), facts)
        engine_has = _engine_pairs(r, int(p))
        generated = r.ctx.eligible(int(r.pos_row[p]))[r.emp_row]
        assert np.array_equal(engine_has, survivors)
        assert np.array_equal(survivors, generated)
        assert not engine_has[~mask].any()  # nobody moves to a post they did not ask for
        # Without rule 4.9 these people would have the pair: the funnel blames 4.9.
        before = survivors | removed["4.9"] | removed["forbid"]
        blamed = before & ~mask & (pb.current != p)
        assert removed["4.9"][blamed].all()
        only_this += int(blamed.sum())
        listed_moves += int((engine_has & asked).sum())
        for e in np.flatnonzero(blamed)[:3]:
            assert not engine._eligible_one(r.ctx, int(r.emp_row[e]), int(r.pos_row[p]))
    assert only_this > 0 and listed_moves > 0
