"""Test helpers: a HiGHS reference model of docs/model.md and a random scenario writer.

:func:`highs_optimum` builds the whole MIP of docs/model.md sections 4-7 and 9 by
enumerating every (employee, position) pair with plain loops and solves it with
HiGHS, independently of the CP-SAT engine; the engine's plans are compared with
it in ``tests/test_highs_crosscheck.py``. Pair existence and scores are read
through :class:`solver.check.ScenarioView` (the independent checker), never
through the engine's eligibility or model modules.

:func:`random_scenario` writes small scenario folders (YAML + CSV tables in the
docs/model.md section 1 format) that mix every rule of the model.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import highspy
import numpy as np
import yaml

from solver.check import ScenarioView, add_months
from solver.scenario import GRADES, Scenario

# ----------------------------------------------------------------- HiGHS reference


def highs_solve(
    scenario: Scenario, cuts: Sequence[Sequence[tuple[str, str]]] = ()
) -> tuple[int, list[tuple[str, str]]] | None:
    """Solve the docs/model.md MIP exactly with HiGHS.

    Parameters
    ----------
    scenario
        The validated scenario.
    cuts
        Earlier plans ``A_i``; each adds ``sum_{(e,p) in A_i} x[e,p] <= |A_i| - min_difference``
        (section 7, with the scenario's ``plans.min_difference``).

    Returns
    -------
    ``(objective, assignments)`` of an optimal plan, or ``None`` when infeasible.
    """
    v = ScenarioView(scenario)

    # Section 4: enumerate every pair.
    pairs: list[tuple[str, str]] = []
    for nip in v.employees:
        for pid in v.scope_ids:
            if v.pair_problem(nip, pid) is None:
                pairs.append((nip, pid))
    index = {pair: i for i, pair in enumerate(pairs)}
    n = len(pairs)
    cost = np.array([float(v.score(nip, pid)) for nip, pid in pairs], dtype=np.float64)
    lower = np.zeros(n)
    upper = np.ones(n)

    # Locks hold (5.6): fixed to 1; a lock on a pair that cannot exist is infeasible.
    for nip, pid in v.locks:
        if (nip, pid) not in index:
            return None
        lower[index[(nip, pid)]] = 1.0

    rows: list[tuple[float, float, list[int]]] = []
    by_employee: dict[str, list[int]] = defaultdict(list)
    by_position: dict[str, list[int]] = defaultdict(list)
    for i, (nip, pid) in enumerate(pairs):
        by_employee[nip].append(i)
        by_position[pid].append(i)

    for nip in v.employees:
        if nip in v.incumbents:  # 5.1
            rows.append((1.0, 1.0, by_employee[nip]))
        else:  # 5.2
            rows.append((0.0, 1.0, by_employee[nip]))
    for pid in v.scope_ids:
        p = v.positions[pid]
        low = 1.0 if p.must_fill else 0.0  # 5.4
        rows.append((low, float(p.headcount), by_position[pid]))  # 5.3
    for _unit, (limit, nips) in v.turnover_limits().items():  # 5.5
        stays = [index[(nip, v.employees[nip].current)] for nip in nips if v.has_stay(nip)]
        # moved = n_u - sum(stay x) <= limit  <=>  sum(stay x) >= n_u - limit
        rows.append((float(len(nips) - limit), float(len(stays)), stays))
    d = scenario.plans.min_difference
    for plan in cuts:  # section 7
        members = {(str(a), str(b)) for a, b in plan}
        cols = [index[pair] for pair in members if pair in index]
        rows.append((-np.inf, float(len(members) - d), cols))

    for low, up, cols in rows:
        if low > up:
            return None
        if not cols and not (low <= 0.0 <= up):
            return None

    if n == 0:
        return -v.vacancy_constant(), []

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)  # objective is integer: a gap below 1 proves it
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.addVars(n, lower, upper)
    idx = np.arange(n, dtype=np.int32)
    h.changeColsIntegrality(n, idx, np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, idx, cost)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for low, up, cols in rows:
        if not cols:
            continue
        h.addRow(low, up, len(cols), np.array(cols, dtype=np.int32), np.ones(len(cols)))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return None
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS ended with {h.modelStatusToString(status)}")
    values = h.getSolution().col_value
    chosen = [pairs[i] for i in range(n) if values[i] > 0.5]
    # Recompute in integers: the float objective is only used as a sanity check.
    objective = sum(v.score(nip, pid) for nip, pid in chosen) - v.vacancy_constant()
    assert abs(objective - (h.getInfo().objective_function_value - v.vacancy_constant())) < 0.5
    return objective, chosen


def highs_optimum(scenario: Scenario, cuts: Sequence[Sequence[tuple[str, str]]] = ()) -> int | None:
    """Optimal objective of the docs/model.md MIP (with the given section 7 cuts), or ``None``."""
    solved = highs_solve(scenario, cuts)
    return None if solved is None else solved[0]


# ----------------------------------------------------------------- random scenarios

_UNITS = ("Dinas Kesehatan", "Bappeda", "BKPSDM", "Dinas Pendidikan")
_FIELDS = ("teknologi_informasi", "akuntansi", "kesehatan", "hukum")
_COMPETENCIES = ("integritas", "kerjasama", "komunikasi", "orientasi_hasil")
_PERFORMANCE = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
_POTENTIAL = ("tinggi", "menengah", "rendah")
# Golongan rank range per career level (roughly PP 13/2002).
_GRADE_RANGE = {1: (5, 10), 2: (9, 12), 3: (9, 13), 4: (11, 15), 5: (13, 17)}


def _grade_text(rank: int, rng: random.Random) -> str:
    text = GRADES[rank - 1]
    roll = rng.random()
    if roll < 0.1:
        return text.lower()
    if roll < 0.15:
        return text.replace("/", " / ")
    return text


def _since(rng: random.Random, as_of: dt.date) -> dt.date:
    """A TMT jabatan: mostly spread over 0-80 months, sometimes on the tenure boundaries."""
    roll = rng.random()
    if roll < 0.15:
        months = rng.choice((23, 24, 25, 59, 60, 61))
        day = add_months(as_of, -months)
        # Shift by a day either side so the day-of-month rule matters.
        return day + dt.timedelta(days=rng.choice((-1, 0, 1)))
    months = rng.randint(0, 80)
    base = add_months(as_of, -months)
    return dt.date(base.year, base.month, rng.randint(1, 28))


def _birth(rng: random.Random, as_of: dt.date, horizon_months: int) -> dt.date:
    """A birth date: mostly 25-55 years old, sometimes near retirement at the horizon."""
    horizon = add_months(as_of, horizon_months)
    if rng.random() < 0.2:
        age = rng.choice((57, 58, 59, 60))
        day = dt.date(horizon.year - age, horizon.month, min(horizon.day, 28))
        return day + dt.timedelta(days=rng.randint(-20, 20))
    year = as_of.year - rng.randint(25, 55)
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


def random_scenario(
    seed: int,
    tmp_dir: Path,
    n_employees: int | None = None,
    n_positions: int | None = None,
    voice: bool = False,
) -> Path:
    """Write a small random scenario folder under ``tmp_dir`` and return its YAML path.

    Sizes are 6-25 employees and 4-15 positions unless given. The mix includes
    incumbents and candidates (unplaced, and placed outside a scope filter),
    abolished posts, must-fill posts, priorities, education bonuses and
    requirements, open-selection posts with assessments, retirement near the
    horizon, sanctions, overstays, binding unit turnover limits, locks and
    forbids (one sometimes on a stay pair), minimum fit and varied weights.

    With ``voice`` the same scenario (same tables, same rules) also gets the
    section 9 inputs, drawn from a second random stream so the rest is
    unchanged: a preferences table (ranks 1-5, some own posts, some out of
    scope or abolished), a units table with IKM values on and around the
    threshold, and the voluntary-moves rule, IKM threshold, multiplier and
    preference weight.
    """
    rng = random.Random(seed)
    folder = Path(tmp_dir) / f"random_{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    n_emp = n_employees or rng.randint(6, 25)
    n_pos = n_positions or rng.randint(4, 15)

    if rng.random() < 0.3:
        as_of = dt.date(2027, 1, 31)  # horizon clamps to a month end
    else:
        as_of = dt.date(2026 + rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
    horizon_months = rng.choice((12, 12, 6, 1, 24))
    units = list(_UNITS[: rng.randint(2, 4)])
    base_level = rng.randint(1, 3)
    competencies = list(_COMPETENCIES[: rng.randint(0, 4)])

    # ---- positions
    positions = []
    for k in range(n_pos):
        level = min(5, base_level + rng.choice((0, 0, 1, 1, 2)))
        gmin, gmax = _GRADE_RANGE[level]
        if rng.random() < 0.3:
            gmin = rng.randint(gmin, gmax)
        headcount = 0 if rng.random() < 0.1 else rng.choice((1, 1, 1, 2, 3))
        fields = rng.sample(_FIELDS, rng.choice((0, 0, 1, 2)))
        row = {
            "id": f"P{k + 1:02d}",
            "title": f"Jabatan {k + 1}",
            "unit": rng.choice(units),
            "level": level,
            "grade_min": _grade_text(gmin, rng),
            "grade_max": _grade_text(gmax, rng),
            "headcount": headcount,
            "must_fill": "",
            "priority": rng.choice(("", 1, 2, 3)),
            "education_fields": ";".join(fields),
            "education_required": "true" if fields and rng.random() < 0.3 else "",
            "retirement_age": rng.choice(("", "", "", 60, 65)),
            "applicants_only": "true" if rng.random() < 0.1 else "",
        }
        for c in competencies:
            row[f"c.{c}"] = rng.choice(("", 0, 2, 3, 3, 4, 5))
        positions.append(row)

    # ---- scope
    scope: dict[str, list] = {}
    used_units = sorted({p["unit"] for p in positions})
    if rng.random() < 0.3 and len(used_units) > 1:
        scope["units"] = rng.sample(used_units, rng.randint(1, len(used_units) - 1))
    if rng.random() < 0.2:
        levels = sorted({p["level"] for p in positions})
        scope["levels"] = levels[: max(1, len(levels) - 1)]

    def in_scope(p: dict) -> bool:
        return ("units" not in scope or p["unit"] in scope["units"]) and (
            "levels" not in scope or p["level"] in scope["levels"]
        )

    for p in positions:
        if in_scope(p) and p["headcount"] >= 1 and rng.random() < 0.15:
            p["must_fill"] = "true"

    # ---- employees
    employees = []
    seats = {p["id"]: p["headcount"] for p in positions}
    # Leave about a third of the seats free so that most scenarios are feasible.
    placeable_seats = (2 * sum(seats.values())) // 3
    abolished_left = 2
    for k in range(n_emp):
        birth = _birth(rng, as_of, horizon_months)
        tmt = f"{birth.year + rng.randint(20, 25)}{rng.randint(1, 12):02d}"
        nip = f"{birth:%Y%m%d}{tmt}{rng.randint(1, 2)}{k + 1:03d}"
        free = [pid for pid, s in seats.items() if s > 0]
        abolished = [p["id"] for p in positions if p["headcount"] == 0]
        roll = rng.random()
        current = ""
        if abolished and abolished_left and roll < 0.1:
            current = rng.choice(abolished)
            abolished_left -= 1
        elif free and placeable_seats and roll < 0.8:
            current = rng.choice(free)
            seats[current] -= 1
            placeable_seats -= 1
        position = next((p for p in positions if p["id"] == current), None)
        level = position["level"] if position else rng.randint(base_level, base_level + 1)
        gmin, gmax = _GRADE_RANGE[min(level, 5)]
        grade = rng.randint(gmin, gmax)
        discipline = ""
        if rng.random() < 0.12:
            discipline = (as_of + dt.timedelta(days=rng.choice((-30, -1, 0, 1, 200)))).isoformat()
        row = {
            "nip": nip,
            "name": f"Pegawai {k + 1}",
            "grade": _grade_text(grade, rng),
            "current_position": current,
            "position_since": _since(rng, as_of).isoformat() if current else "",
            "current_level": "" if current else level,
            "birth_date": birth.isoformat() if rng.random() < 0.2 else "",
            "education_field": rng.choice(_FIELDS + ("",)),
            "performance": rng.choice(_PERFORMANCE + _PERFORMANCE[:2]),
            "potential": rng.choice(_POTENTIAL),
            "discipline_until": discipline,
        }
        for c in competencies:
            row[f"c.{c}"] = rng.choice(("", 1, 2, 3, 4, 5))
        employees.append(row)

    # ---- assessments
    assessments = []
    if any(p["applicants_only"] for p in positions) or rng.random() < 0.3:
        seen = set()
        for _ in range(rng.randint(1, 2 * n_emp)):
            pair = (rng.choice(employees)["nip"], rng.choice(positions)["id"])
            if pair in seen:
                continue
            seen.add(pair)
            assessments.append(
                {"nip": pair[0], "position": pair[1], "score": rng.randint(3000, 10000)}
            )

    # ---- locks and forbids
    locks = []
    forbid = []
    placeable = [p for p in positions if in_scope(p) and p["headcount"] >= 1]
    if placeable and rng.random() < 0.3:
        if rng.random() < 0.5:  # lock a stay
            stayers = [
                e for e in employees if e["current_position"] in {p["id"] for p in placeable}
            ]
            if stayers:
                e = rng.choice(stayers)
                locks.append({"nip": e["nip"], "position": e["current_position"]})
        else:  # lock anyone into a post with a free seat, whatever the rules
            open_posts = [p for p in placeable if seats[p["id"]] > 0]
            if open_posts:
                e = rng.choice(employees)
                locks.append({"nip": e["nip"], "position": rng.choice(open_posts)["id"]})
    if rng.random() < 0.4:
        for _ in range(rng.randint(1, 3)):
            pair = {"nip": rng.choice(employees)["nip"], "position": rng.choice(positions)["id"]}
            if pair not in locks and pair not in forbid:
                forbid.append(pair)
    if rng.random() < 0.3:  # a forbid on a stay pair
        placed = [e for e in employees if e["current_position"]]
        if placed:
            e = rng.choice(placed)
            pair = {"nip": e["nip"], "position": e["current_position"]}
            if pair not in locks and pair not in forbid:
                forbid.append(pair)

    # ---- YAML
    config: dict = {
        "name": f"Random scenario {seed}",
        "as_of": as_of,
        "employees": "employees.csv",
        "positions": "positions.csv",
    }
    if assessments:
        config["assessments"] = "assessments.csv"
    if scope:
        config["scope"] = scope
    rules: dict = {
        "max_unit_turnover": rng.choice((0.2, 0.25, 0.29, 0.3, 0.34, 0.5)),
    }
    if rng.random() < 0.5:
        rules["min_tenure_months"] = rng.choice((12, 24, 24))
    if rng.random() < 0.3:
        rules["max_tenure_months"] = rng.choice((36, 48, 60))
    if rng.random() < 0.2:
        rules["max_promotion_step"] = 2
    if horizon_months != 12:
        rules["retirement_horizon_months"] = horizon_months
    if rng.random() < 0.2:
        rules["promotion_min_performance"] = rng.choice(("sangat_baik", "butuh_perbaikan"))
    if rng.random() < 0.25:
        rules["min_fit_for_move"] = rng.choice((5000, 6000, 6800))
    config["rules"] = rules
    if rng.random() < 0.7:
        config["weights"] = {
            "fit": rng.choice((1, 1, 2)),
            "education": rng.choice((0, 500, 1000, 3000)),
            "talent": rng.choice((1, 2, 5)),
            "move": rng.choice((0, 300, 2000)),
            "vacancy": rng.choice((1000, 5000, 20000)),
            "overstay": rng.choice((5000, 20000)),
        }
    config["plans"] = {"count": rng.randint(2, 3), "min_difference": rng.randint(1, 3)}
    if locks:
        config["locks"] = locks
    if forbid:
        config["forbid"] = forbid

    if voice:
        _add_voice(random.Random(f"voice-{seed}"), config, employees, positions, folder)

    _write_csv(folder / "employees.csv", employees)
    _write_csv(folder / "positions.csv", positions)
    if assessments:
        _write_csv(folder / "assessments.csv", assessments)
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


def _add_voice(rng: random.Random, config: dict, employees: list[dict],
               positions: list[dict], folder: Path) -> None:
    """Section 9 inputs for a random scenario: preferences, IKM per unit, the rules."""
    preferences = []
    ids = [p["id"] for p in positions]
    for e in employees:
        if rng.random() < 0.35:
            continue
        wanted = rng.sample(ids, min(len(ids), rng.choice((1, 1, 2, 2, 3, 5))))
        if e["current_position"] and rng.random() < 0.25:  # "I would rather stay"
            wanted = list(dict.fromkeys([e["current_position"], *wanted]))[:5]
        ranks = sorted(rng.sample(range(1, 6), len(wanted))) if rng.random() < 0.3 \
            else list(range(1, len(wanted) + 1))
        for pid, rank in zip(wanted, ranks, strict=True):
            preferences.append({"nip": e["nip"], "position": pid, "rank": rank})
    units = []
    for unit in sorted({p["unit"] for p in positions}):
        if rng.random() < 0.8:
            ikm = rng.choice(("76.60", "76.61", "76.62", "64.99", "65", "88.3",
                              f"{rng.randint(2500, 10000) / 100:.2f}"))
            units.append({"unit": unit, "ikm": ikm})
    if preferences:
        _write_csv(folder / "preferences.csv", preferences)
        config["preferences"] = "preferences.csv"
    if units:
        _write_csv(folder / "units.csv", units)
        config["units"] = "units.csv"
    rules = config["rules"]
    if rng.random() < 0.4:
        rules["voluntary_moves"] = True
    if rng.random() < 0.5:
        rules["low_ikm_below"] = rng.choice((76.61, 76.62, 65, 88.31, 100))
    if rng.random() < 0.7:
        rules["low_ikm_fit_multiplier"] = rng.randint(1, 4)
    weights = config.setdefault("weights", {})
    weights["preference"] = rng.choice((0, 100, 1000, 3000, 10000))


def _write_csv(path: Path, rows: list[dict]) -> None:
    import csv

    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
