"""Infeasibility in words: which people, posts, units and locks conflict, and what to relax.

First the certain, simple causes (an incumbent with no position left, a must-fill
post nobody may take, locks that cannot hold together). For those, the eligibility
rules of MODEL.md section 4 are applied one at a time ("funnel") to find the rule
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
from ortools.sat.python import cp_model

from solver.derived import PERFORMANCE_RANK, add_months, age_on
from solver.eligibility import Problem
from solver.model.constraints import RowBlock
from solver.scenario import GRADES

MAX_NAMES = 5


def _employee(problem: Problem, e: int) -> str:
    emp = problem.scenario.employees
    return f"{emp['name'].iat[e]} ({emp['nip'].iat[e]})"


def _post(problem: Problem, p: int) -> str:
    pos = problem.scenario.positions
    return f"{pos['id'].iat[p]} ({pos['title'].iat[p]}, {pos['unit'].iat[p]})"


def _grade_range(problem: Problem, p: int) -> str:
    pos = problem.scenario.positions
    lo, hi = GRADES[pos["grade_min"].iat[p] - 1], GRADES[pos["grade_max"].iat[p] - 1]
    return lo if lo == hi else f"{lo}–{hi}"


def _names(problem: Problem, emps: Sequence[int]) -> str:
    shown = [_employee(problem, int(e)) for e in list(emps)[:MAX_NAMES]]
    more = len(emps) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _posts(problem: Problem, posts: Sequence[int]) -> str:
    ids = problem.scenario.positions["id"]
    shown = [str(ids.iat[int(p)]) for p in list(posts)[:MAX_NAMES]]
    more = len(posts) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


# --------------------------------------------------------------------------- funnel


@dataclass(frozen=True)
class _Step:
    label: str  # what the survivors satisfy, e.g. "hold golongan III/a–III/d"
    relax: str  # what to change when nobody survives this step


class _Facts:
    """Per-employee values the section 4 rules need (vectors, computed once)."""

    def __init__(self, problem: Problem):
        sc = problem.scenario
        emp, rules = sc.employees, sc.rules
        self.grade = emp["grade_rank"].to_numpy(dtype=np.int64)
        horizon = add_months(sc.as_of, rules.retirement_horizon_months)
        self.age_h = np.array([age_on(b, horizon) for b in emp["birth_date"]], dtype=np.int64)
        until = [d.toordinal() if d is not None else 0 for d in emp["discipline_until"]]
        disciplined = np.array(until, dtype=np.int64) >= sc.as_of.toordinal()
        perf = np.array([PERFORMANCE_RANK[p] for p in emp["performance"]], dtype=np.int64)
        self.promo_ok = (perf >= PERFORMANCE_RANK[rules.promotion_min_performance]) & ~disciplined
        placed = problem.current >= 0
        heads = sc.positions["headcount"].to_numpy(dtype=np.int64)
        abolished = placed & problem.incumbent & (heads[np.where(placed, problem.current, 0)] == 0)
        self.tenure_ok = ~placed | (problem.tenure >= rules.min_tenure_months) | abolished
        self.field = emp["education_field"].to_numpy(dtype=object)
        self.assessed = {(str(n), str(q)) for n, q in zip(sc.assessments["nip"],
                                                           sc.assessments["position"], strict=True)}
        self.forbid = {(f.nip, f.position) for f in sc.forbid}


def _move_funnel(problem: Problem, facts: _Facts, p: int) -> list[tuple[_Step, np.ndarray]]:
    """Employees left after each section 4 move rule for post ``p``, rule by rule."""
    sc = problem.scenario
    pos, rules = sc.positions, sc.rules
    lvl = int(pos["level"].iat[p])
    step = rules.max_promotion_step
    pid = str(pos["id"].iat[p])
    nips = problem.nips
    alive = problem.current != p
    out: list[tuple[_Step, np.ndarray]] = []

    def cut(mask: np.ndarray, label: str, relax: str) -> None:
        nonlocal alive
        alive = alive & mask
        out.append((_Step(label, relax), alive.copy()))

    rng = _grade_range(problem, p)
    cut((pos["grade_min"].iat[p] <= facts.grade) & (facts.grade <= pos["grade_max"].iat[p]),
        f"hold golongan {rng}", f"widen grade_min/grade_max of {pid} (now {rng})")
    cut((problem.level <= lvl) & (lvl <= problem.level + step),
        f"are at career level {max(1, lvl - step)}–{lvl}",
        f"raise max_promotion_step (now {step}) or widen the grade range of {pid}")
    cut((problem.level == lvl) | facts.promo_ok,
        f"may be promoted (performance at least {rules.promotion_min_performance}, no sanction)",
        f"lower promotion_min_performance (now {rules.promotion_min_performance})")
    cut(facts.tenure_ok, f"have served at least {rules.min_tenure_months} months in post",
        f"lower min_tenure_months (now {rules.min_tenure_months})")
    cut(facts.age_h < int(pos["retirement_age"].iat[p]),
        f"are younger than {pos['retirement_age'].iat[p]} at the retirement horizon",
        f"shorten retirement_horizon_months (now {rules.retirement_horizon_months}) or set "
        f"retirement_age of {pid}")
    fields = tuple(pos["education_fields"].iat[p])
    if bool(pos["education_required"].iat[p]):
        cut(np.isin(facts.field, np.array(fields, dtype=object)),
            f"studied {'/'.join(fields)}", f"unset education_required of {pid} or add "
            "education fields")
    if bool(pos["applicants_only"].iat[p]):
        cut(np.array([(str(n), pid) in facts.assessed for n in nips], dtype=bool),
            f"applied (have an assessment row for {pid})",
            f"add assessment rows for applicants to {pid} or unset applicants_only")
    if rules.min_fit_for_move > 0:
        has_pair = np.zeros(problem.n_employees, dtype=bool)
        has_pair[problem.pairs.emp[problem.pairs.pos == p]] = True
        # Everything before this rule holds for the survivors; a survivor without a
        # pair (and not forbidden) was removed by min_fit_for_move.
        forbidden = np.array([(str(n), pid) in facts.forbid for n in nips], dtype=bool)
        cut(has_pair | forbidden, f"meet {pid} at fit >= {rules.min_fit_for_move}",
            f"lower min_fit_for_move (now {rules.min_fit_for_move})")
    cut(np.array([(str(n), pid) not in facts.forbid for n in nips], dtype=bool),
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
    pos = problem.scenario.positions
    if pos["headcount"].iat[p] == 0:
        return (f"{_post(problem, p)} must be filled but has headcount 0 (abolished). "
                f"Relax: unset must_fill or give it a seat.")
    why = _explain_funnel(problem, _move_funnel(problem, facts, p))
    return f"{_post(problem, p)} must be filled but nobody is eligible: {why}; or unset must_fill."


def _stranded_sentence(problem: Problem, facts: _Facts, e: int) -> str:
    """An incumbent with no pair at all: why no in-scope post takes them."""
    sc = problem.scenario
    pos = sc.positions
    p0 = int(problem.current[e])
    why = ("their post is abolished (headcount 0)" if pos["headcount"].iat[p0] == 0
           else "staying is forbidden")
    seats = np.flatnonzero(problem.seats)
    lvl, grade = int(problem.level[e]), int(facts.grade[e])
    step = sc.rules.max_promotion_step
    levels = pos["level"].to_numpy(dtype=np.int64)
    gmin = pos["grade_min"].to_numpy(dtype=np.int64)
    gmax = pos["grade_max"].to_numpy(dtype=np.int64)
    in_grade = seats[(gmin[seats] <= grade) & (grade <= gmax[seats])]
    in_level = in_grade[(levels[in_grade] >= lvl) & (levels[in_grade] <= lvl + step)]
    grade_name = sc.employees["grade"].iat[e]
    if in_grade.size == 0:
        detail = (f"no in-scope post with a seat accepts golongan {grade_name}. Relax: widen "
                  "a post's grade range, add a post or widen the scope")
    elif in_level.size == 0:
        detail = (f"the in-scope posts accepting golongan {grade_name} "
                  f"({_posts(problem, in_grade)}) are outside career levels "
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
                  + "; ".join(blocked[:MAX_NAMES]) + ". Relax one of these")
    return (f"{_employee(problem, e)} holds {_post(problem, p0)} but has no eligible "
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
    for p in np.flatnonzero(pos["must_fill"].to_numpy(bool) & problem.in_scope & ~filled):
        reasons.append(_must_fill_sentence(problem, facts, int(p)))
    lock_idx = np.flatnonzero(pairs.lock)
    for e, n in Counter(pairs.emp[lock_idx].tolist()).items():
        if n > 1:
            posts = sorted(int(p) for p in pairs.pos[lock_idx][pairs.emp[lock_idx] == e])
            reasons.append(f"{_employee(problem, e)} is locked into {n} posts at once "
                           f"({_posts(problem, posts)}). Relax: keep one lock.")
    for p, n in Counter(pairs.pos[lock_idx].tolist()).items():
        if n > pos["headcount"].iat[p]:
            who = sorted(int(e) for e in pairs.emp[lock_idx][pairs.pos[lock_idx] == p])
            reasons.append(f"{n} people are locked into {_post(problem, p)} "
                           f"({_names(problem, who)}), which has {pos['headcount'].iat[p]} "
                           "seat(s). Relax: remove a lock or raise its headcount.")
    return reasons


# --------------------------------------------------------------------------- core


def _sentence(problem: Problem, family: str, entity: int) -> str:
    """One member of a conflicting set: the rule, who it concerns, what to relax."""
    scenario = problem.scenario
    pos = scenario.positions
    pairs = problem.pairs
    if family == "incumbent":
        e = entity
        options = sorted({int(p) for p in pairs.pos[pairs.emp == e]})
        return (f"{_employee(problem, e)}, incumbent of {_post(problem, int(problem.current[e]))}, "
                f"must take exactly one in-scope position and may take only "
                f"{_posts(problem, options) or 'none'}. Relax: widen grade ranges or "
                "lower min_tenure_months so more posts accept them, or lift a forbid.")
    if family == "candidate":
        return f"{_employee(problem, entity)} may take at most one position."
    if family == "headcount":
        wanted = sorted({int(e) for e in pairs.emp[(pairs.pos == entity) & pairs.lock]})
        locked = f" (locked in: {_names(problem, wanted)})" if wanted else ""
        return (f"{_post(problem, entity)} has only {pos['headcount'].iat[entity]} seat(s)"
                f"{locked}. Relax: raise its headcount.")
    if family == "must_fill":
        who = sorted({int(e) for e in pairs.emp[pairs.pos == entity]})
        return (f"{_post(problem, entity)} must be filled (must_fill) and only "
                f"{len(who)} people may take it: {_names(problem, who)}. Relax: unset "
                f"must_fill or widen its grade range (now golongan {_grade_range(problem, entity)}).")
    if family == "turnover":
        unit = problem.turnover_units[entity]
        n_u = problem.turnover_members[entity].size
        cap = problem.turnover_caps[entity]
        return (f"Unit {unit} may move at most {cap} of its {n_u} incumbents "
                f"(max_unit_turnover {float(scenario.rules.max_unit_turnover):g}). Relax: raise "
                "max_unit_turnover, or reject moves out of this unit that other rules force.")
    if family == "lock":
        if entity < 0:
            return problem.broken_locks[-1 - entity] + " Relax: remove the lock."
        idx = np.flatnonzero(pairs.lock)[entity]
        e, p = int(pairs.emp[idx]), int(pairs.pos[idx])
        return (f"Lock (approved decision): {_employee(problem, e)} → {_post(problem, p)}. "
                "Relax: remove this lock from the scenario.")
    if family == "cut":
        return "This plan must differ from the earlier ranked plans (plans.min_difference)."
    return f"{family} {entity}"


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
                *(_sentence(problem, family, entity) for family, entity in core)]
    return ["The hard rules of MODEL.md section 5 cannot all hold together; no smaller "
            "conflicting set was found within the time limit."]
