"""Infeasibility in words: which people, posts, units and locks conflict, and what to relax.

First the certain, simple causes (an incumbent with no position left, a must-fill
post nobody may take, locks that cannot hold together). For those, the eligibility
rules of docs/model.md section 4 are applied one at a time ("funnel") to find the rule
that removes the last candidate, so the sentence can say which setting to relax.
When there are none, every hard-constraint row gets an assumption literal per
(family, entity) and CP-SAT is asked for a conflicting set of them; each member
becomes one sentence naming the person, post or unit and what to relax.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver import describe
from solver import rules as rule
from solver.derived import jpm_matrix
from solver.eligibility import Problem
from solver.model.constraints import RowBlock, sentence

# --------------------------------------------------------------------------- funnel


@dataclass(frozen=True)
class _Step:
    rule: str  # "4.1" … "4.9" (docs/model.md), or "forbid"
    label: str  # what the survivors satisfy, e.g. "hold golongan III/a–III/d"
    relax: str  # what to change when nobody survives this step


class _Facts:
    """Lookups the funnel needs beyond :class:`Problem` (computed once per explanation)."""

    def __init__(self, problem: Problem):
        sc = problem.scenario
        emp = sc.employees
        self.field = emp["education_field"].to_numpy(dtype=object)
        self.assessed = {(str(n), str(q)) for n, q in zip(sc.assessments["nip"],
                                                           sc.assessments["position"], strict=True)}
        self.scores = {(str(n), str(q)): int(v) for n, q, v in zip(
            sc.assessments["nip"], sc.assessments["position"], sc.assessments["score"],
            strict=True)}
        self.forbid = {(f.nip, f.position) for f in sc.forbid}
        self.listed = set(zip(sc.preferences["nip"], sc.preferences["position"], strict=True))
        comps = list(sc.competencies)
        self.achieved = emp[comps].to_numpy(dtype=np.int64) if comps else \
            np.zeros((len(emp), 0), np.int64)
        self.required = sc.positions[comps].to_numpy(dtype=np.int64) if comps else \
            np.zeros((len(sc.positions), 0), np.int64)

    def fit(self, problem: Problem, p: int) -> np.ndarray:
        """fit(e, p) of every employee for post ``p`` (section 6)."""
        fit = jpm_matrix(self.achieved, self.required[p][None, :])
        pid = str(problem.position_ids[p])
        if self.scores:
            for e, nip in enumerate(problem.nips):
                score = self.scores.get((str(nip), pid))
                if score is not None:
                    fit[e] = score
        return fit


def _move_funnel(problem: Problem, facts: _Facts, p: int) -> list[tuple[_Step, np.ndarray]]:
    """Employees left after each section 4 move rule for post ``p``, rule by rule
    (the rules of :mod:`solver.rules`, in their order)."""
    sc = problem.scenario
    pos, rules = sc.positions, sc.rules
    lvl = int(problem.position_level[p])
    step = rules.max_promotion_step
    pid = str(problem.position_ids[p])
    nips = problem.nips
    alive = problem.current != p
    out: list[tuple[_Step, np.ndarray]] = []

    def cut(number: str, mask: np.ndarray, label: str, relax: str) -> None:
        nonlocal alive
        alive = alive & mask
        out.append((_Step(number, label, relax), alive.copy()))

    rng = describe.grade_range(problem, p)
    cut("4.1", rule.rule_4_1_grade_range(problem.grade, problem.grade_min[p], problem.grade_max[p]),
        f"hold golongan {rng}", f"widen grade_min/grade_max of {pid} (now {rng})")
    cut("4.2", rule.rule_4_2_level_window(problem.level, lvl, step),
        f"are at career level {max(1, lvl - step)}–{lvl}",
        f"raise max_promotion_step (now {step}) or widen the grade range of {pid}")
    cut("4.3", rule.rule_4_3_promotion(problem.level, lvl, problem.may_be_promoted),
        f"may be promoted (performance at least {rules.promotion_min_performance}, no sanction)",
        f"lower promotion_min_performance (now {rules.promotion_min_performance})")
    cut("4.4", rule.rule_4_4_min_tenure(problem.placed, problem.tenure, rules.min_tenure_months,
                                 problem.post_abolished),
        f"have served at least {rules.min_tenure_months} months in post",
        f"lower min_tenure_months (now {rules.min_tenure_months})")
    cut("4.5", rule.rule_4_5_retirement(problem.age_at_horizon, problem.retirement_age[p]),
        f"are younger than {pos['retirement_age'].iat[p]} at the retirement horizon",
        f"shorten retirement_horizon_months (now {rules.retirement_horizon_months}) or set "
        f"retirement_age of {pid}")
    fields = tuple(pos["education_fields"].iat[p])
    if problem.education_required[p]:
        cut("4.6", rule.rule_4_6_required_education(True, np.isin(facts.field,
                                                           np.array(fields, dtype=object))),
            f"studied {'/'.join(fields)}", f"unset education_required of {pid} or add "
            "education fields")
    if problem.applicants_only[p]:
        applied = np.array([(str(n), pid) in facts.assessed for n in nips], dtype=bool)
        cut("4.7", rule.rule_4_7_applicants_only(True, applied),
            f"applied (have an assessment row for {pid})",
            f"add assessment rows for applicants to {pid} or unset applicants_only")
    if rules.min_fit_for_move > 0:
        cut("4.8", rule.rule_4_8_min_fit(facts.fit(problem, p), rules.min_fit_for_move),
            f"meet {pid} at fit >= {rules.min_fit_for_move}",
            f"lower min_fit_for_move (now {rules.min_fit_for_move})")
    if rules.voluntary_moves:
        asked = np.array([(str(n), pid) in facts.listed for n in nips], dtype=bool)
        cut("4.9", rule.rule_4_9_voluntary_moves(asked, problem.must_move),
            f"asked for {pid} in the preferences table (voluntary_moves: nobody is moved "
            "against their will)",
            f"nobody asked for {pid}; add a preference for it or set voluntary_moves to false")
    cut("forbid", np.array([(str(n), pid) not in facts.forbid for n in nips], dtype=bool),
        "are not forbidden from it", "lift a forbid (decided rejections)")
    return out


def _explain_funnel(problem: Problem, funnel: list[tuple[_Step, np.ndarray]]) -> str:
    """'of 12 employees, 3 hold golongan IV/a–IV/e; none of them is at …; relax: …'."""
    total = problem.n_employees
    parts = [f"of {total} employees"]
    for step, alive in funnel:
        n = int(alive.sum())
        if n == 0:
            parts.append(f"none {'of them ' if len(parts) > 1 else ''}{step.label}")
            return ", ".join(parts) + f". Relax: {step.relax}"
        parts.append(f"{n} {step.label}")
    return ", ".join(parts) + ". Relax: lift a forbid"


def _must_fill_sentence(problem: Problem, facts: _Facts, p: int) -> str:
    if problem.headcount[p] == 0:
        return (f"{describe.post(problem, p)} must be filled but has headcount 0 (abolished). "
                f"Relax: unset must_fill or give it a seat.")
    why = _explain_funnel(problem, _move_funnel(problem, facts, p))
    return f"{describe.post(problem, p)} must be filled but nobody is eligible: {why}; or unset must_fill."


def _stranded_sentence(problem: Problem, facts: _Facts, e: int) -> str:
    """An incumbent with no pair at all: why no in-scope post takes them."""
    sc = problem.scenario
    pos = sc.positions
    p0 = int(problem.current[e])
    why = ("their post is abolished (headcount 0)" if problem.headcount[p0] == 0
           else "staying is forbidden")
    seats = np.flatnonzero(problem.seats)
    lvl = int(problem.level[e])
    step = sc.rules.max_promotion_step
    in_grade = seats[rule.rule_4_1_grade_range(problem.grade[e], problem.grade_min[seats],
                                               problem.grade_max[seats])]
    in_level = in_grade[rule.rule_4_2_level_window(lvl, problem.position_level[in_grade], step)]
    grade_name = sc.employees["grade"].iat[e]
    if in_grade.size == 0:
        detail = (f"no in-scope post with a seat accepts golongan {grade_name}. Relax: widen "
                  "a post's grade range, add a post or widen the scope")
    elif in_level.size == 0:
        detail = (f"the in-scope posts accepting golongan {grade_name} "
                  f"({describe.posts(problem, in_grade.tolist())}) are outside career levels "
                  f"{lvl}–{lvl + step}. Relax: raise max_promotion_step or add a post at "
                  f"level {lvl}")
    else:
        blocked = []
        for p in in_level:
            funnel = _move_funnel(problem, facts, int(p))
            for stage, alive in funnel:
                if not alive[e]:
                    blocked.append(f"{pos['id'].iat[p]} ({stage.relax})")
                    break
        detail = ("each post that fits their golongan and level is closed to them by a rule: "
                  + "; ".join(blocked[:describe.MAX_NAMES]) + ". Relax one of these")
    return (f"{describe.employee(problem, e)} holds {describe.post(problem, p0)} but has no eligible "
            f"position: {why}, and {detail}; or lift a forbid.")


def _simple_causes(problem: Problem) -> list[str]:
    pairs = problem.pairs
    pos = problem.scenario.positions
    facts = _Facts(problem)
    reasons: list[str] = [f"{r} Relax: remove the lock or widen the scope."
                          for r in problem.broken_locks]
    has_pair = np.zeros(problem.n_employees, dtype=bool)
    has_pair[pairs.emp] = True
    for e in np.flatnonzero(problem.incumbent & ~has_pair):
        reasons.append(_stranded_sentence(problem, facts, int(e)))
    filled = np.zeros(problem.n_positions, dtype=bool)
    filled[pairs.pos] = True
    for p in np.flatnonzero(problem.must_fill & problem.in_scope & ~filled):
        reasons.append(_must_fill_sentence(problem, facts, int(p)))
    lock_idx = np.flatnonzero(pairs.lock)
    for e, n in Counter(pairs.emp[lock_idx].tolist()).items():
        if n > 1:
            posts = sorted(int(p) for p in pairs.pos[lock_idx][pairs.emp[lock_idx] == e])
            reasons.append(f"{describe.employee(problem, e)} is locked into {n} posts at once "
                           f"({describe.posts(problem, posts)}). Relax: keep one lock.")
    for p, n in Counter(pairs.pos[lock_idx].tolist()).items():
        if n > problem.headcount[p]:
            who = sorted(int(e) for e in pairs.emp[lock_idx][pairs.pos[lock_idx] == p])
            reasons.append(f"{n} people are locked into {describe.post(problem, p)} "
                           f"({describe.names(problem, who)}), which has {pos['headcount'].iat[p]} "
                           "seat(s). Relax: remove a lock or raise its headcount.")
    return reasons


# --------------------------------------------------------------------------- core


def _minimal_core(problem: Problem, blocks: Sequence[RowBlock], time_limit: float,
                  focus: set[tuple[str, int]] | None = None,
                  ) -> tuple[list[tuple[str, int]], bool] | None:
    """A conflicting set of (family, entity) rules, shrunk by deletion.

    Each row is enforced by an assumption literal of its (family, entity). CP-SAT
    returns a sufficient set; then every member is dropped in turn and kept out
    when the rest is still infeasible (each test within the remaining time; a test
    that does not finish keeps the member). The result is minimal when every test
    finished: relaxing any one member removes this conflict. With ``focus`` only those
    rows (and the pairs in them) enter the model: far smaller on a large round, and a
    conflict among some rows is a conflict of the whole model.
    """
    from ortools.sat.python import cp_model  # only when a round is infeasible

    start = time.perf_counter()
    pairs = problem.pairs
    model = cp_model.CpModel()
    xs: dict[int, cp_model.IntVar] = {}

    def x(j: int) -> cp_model.IntVar:
        if j not in xs:
            xs[j] = model.new_bool_var(f"x{j}")
        return xs[j]

    if focus is None:
        for j in range(len(pairs)):
            x(j)
    literals: dict[tuple[str, int], cp_model.IntVar] = {}
    for block in blocks:
        for entity, members, lo, hi in zip(block.entity, block.members, block.lo, block.hi,
                                           strict=True):
            key = (block.family, int(entity))
            if focus is not None and key not in focus:
                continue
            if key not in literals:
                literals[key] = model.new_bool_var(f"a_{block.family}_{entity}")
            terms = [x(int(j)) for j in members]
            upper = int(min(hi, len(terms)))
            if int(lo) > upper:
                model.add_bool_or([]).only_enforce_if(literals[key])
            elif int(lo) > 0 or upper < len(terms):
                model.add_linear_constraint(cp_model.LinearExpr.sum(terms), int(lo),
                                            upper).only_enforce_if(literals[key])
    keys = sorted(literals)
    by_index = {literals[k].index: k for k in keys}

    def infeasible(subset: list[tuple[str, int]]) -> tuple[bool | None, list[tuple[str, int]]]:
        left = time_limit - (time.perf_counter() - start)
        if left <= 0.05:
            return None, subset
        model.clear_assumptions()
        model.add_assumptions([literals[k] for k in subset])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        code = solver.solve(model)
        if code == cp_model.INFEASIBLE:
            core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()
                    if i in by_index]
            return True, sorted(set(core)) or subset
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, subset
        return None, subset

    verdict, core = infeasible(keys)
    if not verdict:
        return None
    minimal = True
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1:]
        verdict, smaller = infeasible(trial)
        if verdict:
            core = [k for k in trial if k in set(smaller)] or trial
        else:
            minimal &= verdict is not None
            i += 1
    return core, minimal


def explain_infeasibility(problem: Problem, blocks: Sequence[RowBlock],
                          time_limit: float = 30.0,
                          focus: Sequence[tuple[str, int]] = ()) -> list[str]:
    """Sentences naming a set of rules that cannot hold together, and what to relax.

    ``focus``: rows suspected to conflict (the LP's Farkas certificate); the search
    starts there and falls back to the whole model when they turn out not to.
    """
    reasons = _simple_causes(problem)
    if reasons:
        return reasons
    start = time.perf_counter()
    found = _minimal_core(problem, blocks, time_limit, set(focus)) if focus else None
    if not found or not found[0]:
        left = max(1.0, time_limit - (time.perf_counter() - start))
        found = _minimal_core(problem, blocks, left)
    if found and found[0]:
        core, minimal = found
        effect = "removes this conflict" if minimal else "may remove this conflict"
        return [f"These {len(core)} rules cannot all hold together; relaxing any one of "
                f"them {effect}:",
                *(sentence(problem, family, entity) for family, entity in core)]
    return ["The hard rules of MODEL.md section 5 cannot all hold together; no smaller "
            "conflicting set was found within the time limit."]
