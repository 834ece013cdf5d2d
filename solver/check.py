"""Independent checker of a placement plan (docs/model.md sections 3-7 and 9).

Recomputes, from the validated :class:`~solver.scenario.Scenario` alone, whether a
plan (the ``(nip, position)`` pairs with ``x = 1``, stays included) obeys every
rule, and what its objective is. It shares no code with the eligibility and
model modules on purpose: tests compare the two, so a misreading of docs/model.md in
one shows up as a disagreement.

Everything is plain integer arithmetic over per-employee and per-position
dictionaries; only the pairs of the plan are scored, so it runs in linear time
on large scenarios.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from solver.scenario import PERFORMANCE_ORDER, Scenario

# Box index (docs/model.md section 3) keyed by (performance row, potential column).
_BOX = {
    ("below", "rendah"): 1,
    ("as", "rendah"): 2,
    ("below", "menengah"): 3,
    ("above", "rendah"): 4,
    ("as", "menengah"): 5,
    ("below", "tinggi"): 6,
    ("above", "menengah"): 7,
    ("as", "tinggi"): 8,
    ("above", "tinggi"): 9,
}
# Talent bonus per box (docs/model.md section 6).
_BONUS = {9: 1000, 8: 800, 7: 600, 6: 400, 5: 200}


# ----------------------------------------------------------------- derived values


def tenure_months(since: dt.date, as_of: dt.date) -> int:
    """Whole months from ``since`` to ``as_of`` (docs/model.md section 3).

    ``12*(Y2-Y1) + (M2-M1)``, minus 1 when the day of ``as_of`` is before the day
    of ``since``: 2025-01-31 to 2027-01-30 is 24 - 1 = 23 months.
    """
    months = 12 * (as_of.year - since.year) + (as_of.month - since.month)
    if as_of.day < since.day:
        months -= 1
    return months


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``, same day of month clamped to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of life on ``day``."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def box(performance: str, potential: str) -> int:
    """9-box index 1..9 (docs/model.md section 3)."""
    if performance == "sangat_baik":
        row = "above"
    elif performance == "baik":
        row = "as"
    else:
        row = "below"
    return _BOX[(row, potential)]


def talent_bonus(performance: str, potential: str) -> int:
    """``bonus(e)``: 1000, 800, 600, 400, 200 for boxes 9..5, else 0."""
    return _BONUS.get(box(performance, potential), 0)


def jpm(achieved: dict[str, int], required: dict[str, int]) -> int:
    """Job Person Match in basis points, capped per competency (docs/model.md section 6).

    ``floor(10000 * sum_k min(a_k, r_k) / sum_k r_k)`` over ``k`` with ``r_k > 0``;
    10000 when the post requires nothing. A competency missing from ``achieved``
    counts as 0.
    """
    total = 0
    met = 0
    for name, level in required.items():
        if level > 0:
            total += level
            met += min(achieved.get(name, 0), level)
    if total == 0:
        return 10000
    return (10000 * met) // total


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(value != value)  # NaN / NaT
    except (TypeError, ValueError):
        return False


def _as_date(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):  # pandas Timestamp
        return value.date()
    return dt.date.fromisoformat(str(value))


def _int(value: Any) -> int:
    if _blank(value):
        return 0
    return int(value)


def _text(value: Any) -> str:
    if _blank(value):
        return ""
    return str(value).strip()


# ----------------------------------------------------------------- scenario view


@dataclass
class _Employee:
    nip: str
    grade: int
    current: str  # "" when unplaced
    since: dt.date | None
    level: int
    birth: dt.date
    education: str
    performance: str
    potential: str
    disciplined: bool
    competencies: dict[str, int]
    tenure: int | None = None
    age_at_horizon: int = 0
    bonus: int = 0


@dataclass
class _Position:
    id: str
    unit: str
    level: int
    grade_min: int
    grade_max: int
    headcount: int
    must_fill: bool
    priority: int
    education_fields: frozenset[str]
    education_required: bool
    retirement_age: int
    applicants_only: bool
    required: dict[str, int]
    in_scope: bool = False


class ScenarioView:
    """Per-employee and per-position facts of a scenario, computed once.

    Public so that test helpers can enumerate pairs with the same reading of
    docs/model.md as the checker (:meth:`pair_problem`, :meth:`score`).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        rules = scenario.rules
        self.as_of = scenario.as_of
        self.horizon = add_months(scenario.as_of, rules.retirement_horizon_months)
        self.min_perf = PERFORMANCE_ORDER.index(rules.promotion_min_performance.strip().lower())
        # Competency columns ``c.<name>`` of either table (scenario.competencies may
        # carry the prefix or not, so read the tables themselves).
        comps = tuple(
            dict.fromkeys(
                str(col)[2:]
                for col in [*scenario.positions.columns, *scenario.employees.columns]
                if str(col).startswith("c.")
            )
        )

        self.positions: dict[str, _Position] = {}
        pos_cols = set(scenario.positions.columns)
        for row in scenario.positions.to_dict("records"):
            fields = row.get("education_fields") or ()
            if isinstance(fields, str):
                fields = tuple(f for f in fields.split(";"))
            p = _Position(
                id=str(row["id"]),
                unit=str(row["unit"]),
                level=int(row["level"]),
                grade_min=int(row["grade_min"]),
                grade_max=int(row["grade_max"]),
                headcount=int(row["headcount"]),
                must_fill=bool(row.get("must_fill", False)),
                priority=_int(row.get("priority", 1)) or 1,
                education_fields=frozenset(f.strip().lower() for f in fields if f and f.strip()),
                education_required=bool(row.get("education_required", False)),
                retirement_age=int(row["retirement_age"]),
                applicants_only=bool(row.get("applicants_only", False)),
                required={c: _int(row.get(f"c.{c}")) for c in comps if f"c.{c}" in pos_cols},
            )
            scope = scenario.scope
            p.in_scope = (scope.units is None or p.unit in scope.units) and (
                scope.levels is None or p.level in scope.levels
            )
            self.positions[p.id] = p

        self.employees: dict[str, _Employee] = {}
        emp_cols = set(scenario.employees.columns)
        for row in scenario.employees.to_dict("records"):
            current = _text(row.get("current_position"))
            since = _as_date(row.get("position_since"))
            until = _as_date(row.get("discipline_until"))
            level = self.positions[current].level if current else _int(row.get("current_level"))
            e = _Employee(
                nip=str(row["nip"]),
                grade=int(row["grade_rank"]),
                current=current,
                since=since,
                level=level,
                birth=_as_date(row["birth_date"]),  # type: ignore[arg-type]
                education=_text(row.get("education_field")).lower(),
                performance=str(row["performance"]).strip().lower(),
                potential=str(row["potential"]).strip().lower(),
                disciplined=until is not None and until >= self.as_of,
                competencies={c: _int(row.get(f"c.{c}")) for c in comps if f"c.{c}" in emp_cols},
            )
            if current and since is not None:
                e.tenure = tenure_months(since, self.as_of)
            e.age_at_horizon = age_on(e.birth, self.horizon)
            e.bonus = talent_bonus(e.performance, e.potential)
            self.employees[e.nip] = e

        self.assessed: dict[tuple[str, str], int] = {}
        if scenario.assessments is not None and len(scenario.assessments):
            for row in scenario.assessments.to_dict("records"):
                self.assessed[(str(row["nip"]), str(row["position"]))] = int(row["score"])

        # Section 9: requested posts and public satisfaction per unit.
        self.preference_rank: dict[tuple[str, str], int] = {}
        for row in scenario.preferences.to_dict("records"):
            self.preference_rank[(str(row["nip"]), str(row["position"]))] = int(row["rank"])
        self.ikm_hundredths: dict[str, int] = {
            str(row["unit"]): int(row["ikm_hundredths"])
            for row in scenario.units.to_dict("records")
        }

        self.locks = {(pair.nip, pair.position) for pair in scenario.locks}
        self.forbid = {(pair.nip, pair.position) for pair in scenario.forbid}

        self.scope_ids = [pid for pid, p in self.positions.items() if p.in_scope]
        self.incumbents = {
            nip
            for nip, e in self.employees.items()
            if e.current and self.positions[e.current].in_scope
        }

    # -- section 3 / 4 --------------------------------------------------------

    def fit(self, nip: str, pid: str) -> int:
        """``fit(e,p)``: the assessment score if any, else ``jpm(e,p)``."""
        score = self.assessed.get((nip, pid))
        if score is not None:
            return score
        return jpm(self.employees[nip].competencies, self.positions[pid].required)

    def preference(self, nip: str, pid: str) -> int:
        """``pref(e,p)`` of section 9: ``6 - rank`` for a listed pair, else 0."""
        rank = self.preference_rank.get((nip, pid))
        return 0 if rank is None else 6 - rank

    def fit_multiplier(self, pid: str) -> int:
        """``m(p)`` of section 9: the multiplier where the unit's IKM is below the threshold.

        Compared as exact decimals: IKM 76.60 (7660 hundredths) is below 76.61.
        """
        rules = self.scenario.rules
        ikm = self.ikm_hundredths.get(self.positions[pid].unit)
        if ikm is not None and Fraction(ikm, 100) < Fraction(rules.low_ikm_below):
            return rules.low_ikm_fit_multiplier
        return 1

    def has_stay(self, nip: str) -> bool:
        """Whether the stay pair ``(e, current(e))`` exists (section 4)."""
        e = self.employees[nip]
        if not e.current:
            return False
        p = self.positions[e.current]
        if not p.in_scope or p.headcount < 1:
            return False
        if (nip, e.current) in self.locks:
            return True
        return (nip, e.current) not in self.forbid

    def pair_problem(self, nip: str, pid: str) -> str | None:
        """Why the pair ``(e,p)`` does not exist (section 4), or ``None`` if it does."""
        e = self.employees.get(nip)
        p = self.positions.get(pid)
        if e is None:
            return f"unknown employee {nip}"
        if p is None:
            return f"unknown position {pid}"
        if not p.in_scope:
            return f"position {pid} (unit {p.unit}, level {p.level}) is outside the scope"
        if p.headcount < 1:
            return f"position {pid} has headcount {p.headcount} (abolished)"
        if (nip, pid) in self.locks:
            return None
        if (nip, pid) in self.forbid:
            return f"pair ({nip}, {pid}) is forbidden"
        if pid == e.current:
            return None
        rules = self.scenario.rules
        # 1. grade range
        if not (p.grade_min <= e.grade <= p.grade_max):
            return (
                f"{nip} grade rank {e.grade} outside {pid} range "
                f"{p.grade_min}..{p.grade_max} (rule 1)"
            )
        # 2. level: no demotion, at most max_promotion_step up
        if not (e.level <= p.level <= e.level + rules.max_promotion_step):
            return (
                f"{nip} level {e.level} to {pid} level {p.level} breaks the level rule "
                f"(max step {rules.max_promotion_step}) (rule 2)"
            )
        # 3. promotion: performance and discipline
        if p.level > e.level:
            if PERFORMANCE_ORDER.index(e.performance) < self.min_perf:
                return (
                    f"{nip} performance {e.performance} below "
                    f"{rules.promotion_min_performance} for promotion to {pid} (rule 3)"
                )
            if e.disciplined:
                return f"{nip} is under a disciplinary sanction, no promotion to {pid} (rule 3)"
        # 4. minimum tenure, unless the current post is abolished in scope
        if e.current:
            cur = self.positions[e.current]
            abolished = cur.in_scope and cur.headcount == 0
            if not abolished and (e.tenure is None or e.tenure < rules.min_tenure_months):
                return (
                    f"{nip} tenure {e.tenure} months < {rules.min_tenure_months} "
                    f"in {e.current}, cannot move to {pid} (rule 4)"
                )
        # 5. retirement
        if not (e.age_at_horizon < p.retirement_age):
            return (
                f"{nip} is {e.age_at_horizon} on {self.horizon}, not below {pid} "
                f"retirement age {p.retirement_age} (rule 5)"
            )
        # 6. education required
        if p.education_required and e.education not in p.education_fields:
            return (
                f"{nip} education {e.education!r} not in {pid} required fields "
                f"{sorted(p.education_fields)} (rule 6)"
            )
        # 7. applicants only
        if p.applicants_only and (nip, pid) not in self.assessed:
            return f"{nip} has no assessment for applicants-only post {pid} (rule 7)"
        # 8. minimum fit
        fit = self.fit(nip, pid)
        if fit < rules.min_fit_for_move:
            return f"{nip} fit {fit} for {pid} < min_fit_for_move {rules.min_fit_for_move} (rule 8)"
        # 9. voluntary round: only requested moves, unless the employee must move
        if rules.voluntary_moves and (nip, pid) not in self.preference_rank:
            must_move = nip in self.incumbents and not self.has_stay(nip)
            if not must_move:
                return f"{nip} did not ask for {pid} and voluntary_moves is on (rule 9)"
        return None

    # -- section 6 -------------------------------------------------------------

    def score(self, nip: str, pid: str) -> int:
        """``score(e,p)`` of section 6 (the pair is assumed to exist)."""
        w = self.scenario.weights
        e = self.employees[nip]
        p = self.positions[pid]
        edu = 1 if p.education_fields and e.education in p.education_fields else 0
        promo = 1 if p.level > e.level else 0
        move = 1 if pid != e.current else 0
        over = (
            1
            if pid == e.current
            and e.tenure is not None
            and e.tenure >= self.scenario.rules.max_tenure_months
            else 0
        )
        return (
            w.fit * self.fit_multiplier(pid) * self.fit(nip, pid)
            + w.preference * self.preference(nip, pid)
            + w.education * edu
            + w.talent * promo * e.bonus
            - w.move * move
            - w.overstay * over
            + w.vacancy * p.priority
        )

    def vacancy_constant(self) -> int:
        """``W.vacancy * sum_{p in S} priority(p) * headcount(p)``."""
        w = self.scenario.weights
        return w.vacancy * sum(
            self.positions[pid].priority * self.positions[pid].headcount for pid in self.scope_ids
        )

    def turnover_limits(self) -> dict[str, tuple[int, list[str]]]:
        """Per unit: (max incumbents not kept, incumbents of the unit) (section 5.5)."""
        members: dict[str, list[str]] = defaultdict(list)
        for nip in self.incumbents:
            members[self.positions[self.employees[nip].current].unit].append(nip)
        t = self.scenario.rules.max_unit_turnover
        limits = {}
        for unit, nips in members.items():
            forced = sum(1 for nip in nips if not self.has_stay(nip))
            limit = max(math.floor(t * len(nips)), forced)
            limits[unit] = (limit, sorted(nips))
        return limits


# ----------------------------------------------------------------- the checker


@dataclass(frozen=True)
class CheckReport:
    """Result of :func:`check_plan`: recomputed objective and every broken rule."""

    objective: int
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def check_plan(
    scenario: Scenario, assignments: Iterable[tuple[str, str]], view: ScenarioView | None = None
) -> CheckReport:
    """Check a plan against docs/model.md sections 4-5 and recompute its objective (section 6).

    Parameters
    ----------
    scenario
        The validated scenario.
    assignments
        The ``(nip, position)`` pairs with ``x = 1``, stays included.
    view
        A precomputed :class:`ScenarioView` of ``scenario`` (optional, for speed).
    """
    v = view if view is not None else ScenarioView(scenario)
    pairs = [(str(n), str(p)) for n, p in assignments]
    violations: list[str] = []

    counts = Counter(pairs)
    for pair, k in counts.items():
        if k > 1:
            violations.append(f"pair ({pair[0]}, {pair[1]}) listed {k} times")
    unique = list(dict.fromkeys(pairs))

    objective = -v.vacancy_constant()
    per_employee: dict[str, list[str]] = defaultdict(list)
    per_position: Counter[str] = Counter()
    for nip, pid in unique:
        problem = v.pair_problem(nip, pid)
        if problem is not None:
            violations.append(f"pair ({nip}, {pid}) does not exist: {problem}")
            if nip not in v.employees or pid not in v.positions:
                continue
        objective += v.score(nip, pid)
        per_employee[nip].append(pid)
        per_position[pid] += 1

    # 5.1 / 5.2
    for nip in v.employees:
        taken = per_employee.get(nip, [])
        if nip in v.incumbents and len(taken) != 1:
            e = v.employees[nip]
            violations.append(
                f"incumbent {nip} (in {e.current}, unit {v.positions[e.current].unit}) "
                f"takes {len(taken)} positions, must take exactly 1: {taken}"
            )
        elif nip not in v.incumbents and len(taken) > 1:
            violations.append(f"candidate {nip} takes {len(taken)} positions (max 1): {taken}")

    # 5.3 / 5.4
    for pid in v.scope_ids:
        p = v.positions[pid]
        n = per_position.get(pid, 0)
        if n > p.headcount:
            violations.append(
                f"position {pid} (unit {p.unit}) has {n} holders, headcount {p.headcount}"
            )
        if p.must_fill and n < 1:
            violations.append(f"must-fill position {pid} (unit {p.unit}) is empty")

    # 5.5 turnover
    for unit, (limit, nips) in sorted(v.turnover_limits().items()):
        moved = [nip for nip in nips if v.employees[nip].current not in per_employee.get(nip, [])]
        if len(moved) > limit:
            violations.append(
                f"unit {unit}: {len(moved)} of {len(nips)} incumbents not kept, "
                f"limit {limit} (max_unit_turnover {v.scenario.rules.max_unit_turnover}): "
                f"{moved}"
            )

    # 5.6 locks
    chosen = set(unique)
    for nip, pid in sorted(v.locks):
        if (nip, pid) not in chosen:
            violations.append(f"lock ({nip}, {pid}) does not hold")

    return CheckReport(objective=objective, violations=violations)


def check_ranked(
    scenario: Scenario, plans: list[list[tuple[str, str]]], min_difference: int
) -> list[str]:
    """Check the section 7 cuts between ranked plans.

    Plan ``j`` may share at most ``|A_i| - min_difference`` pairs with every
    earlier plan ``i``. Returns the violations in words (empty when all hold).
    """
    del scenario  # the cuts depend on the plans only
    sets = [set((str(n), str(p)) for n, p in plan) for plan in plans]
    violations = []
    for j in range(len(sets)):
        for i in range(j):
            shared = len(sets[i] & sets[j])
            allowed = len(sets[i]) - min_difference
            if shared > allowed:
                violations.append(
                    f"plan {j + 1} shares {shared} assignments with plan {i + 1}, "
                    f"at most {allowed} allowed (|A_{i + 1}| = {len(sets[i])}, "
                    f"min_difference {min_difference})"
                )
    return violations
