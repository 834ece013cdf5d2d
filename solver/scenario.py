"""Validated scenario data (docs/model.md section 1), immutable once built.

A :class:`Scenario` is produced only by :mod:`solver.io`, which checks every
value and names the file, row and column of anything wrong. Everything
downstream (eligibility, model, checker, writers) trusts it.

Tables are pandas DataFrames with normalised, typed columns:

employees (one row per employee, in file order)
    ``nip`` str (18 digits), ``name`` str, ``grade`` str (canonical ``III/a``),
    ``grade_rank`` int 1..17, ``current_position`` str or "" (unplaced),
    ``position_since`` datetime.date or None, ``current_level`` int (0 = not given),
    ``birth_date`` datetime.date (from the column, else from the NIP),
    ``education_field`` str (trimmed, lower case, "" = none),
    ``performance`` str, ``potential`` str, ``discipline_until`` date or None,
    plus one int column per competency ``c.<name>`` (blank = 0).
    ``row`` int: the spreadsheet row the employee came from (header = row 1).

positions (one row per position, in file order)
    ``id`` str, ``title`` str, ``unit`` str, ``level`` int 1..7,
    ``grade_min``/``grade_max`` int ranks 1..17, ``headcount`` int >= 0,
    ``must_fill`` bool, ``priority`` int 1..3,
    ``education_fields`` tuple[str, ...] (lower case), ``education_required`` bool,
    ``retirement_age`` int (default filled in), ``applicants_only`` bool,
    ``critical`` bool (a critical post that keeps a succession list; default false),
    one int column per competency ``c.<name>`` (0..5), ``row`` int.

assessments: columns ``nip``, ``position``, ``score`` (int 0..10000), ``row``.

preferences (section 9, optional): ``nip``, ``position``, ``rank`` (int 1..5), ``row``.

units (section 9, optional): ``unit`` str, ``ikm_hundredths`` int 2500..10000 (the IKM
    times 100, exact: 76.61 is 7661), ``row``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import pandas as pd


class InputError(Exception):
    """Invalid input. ``errors`` holds one message per problem found."""

    def __init__(self, errors: Iterable[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


PERFORMANCE_ORDER = ("sangat_kurang", "kurang", "butuh_perbaikan", "baik", "sangat_baik")
POTENTIALS = ("rendah", "menengah", "tinggi")

GRADES = tuple(
    f"{roman}/{letter}"
    for roman, letters in (("I", "abcd"), ("II", "abcd"), ("III", "abcd"), ("IV", "abcde"))
    for letter in letters
)
GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADES, start=1)}


@dataclass(frozen=True)
class Rules:
    """Scenario rules (docs/model.md section 1, ``rules:``) with their defaults."""

    min_tenure_months: int = 24
    max_tenure_months: int = 60
    max_promotion_step: int = 1
    # Kept as an exact fraction so floor(t * n) is exact (0.29 * 100 = 29).
    max_unit_turnover: Fraction = Fraction(1, 2)
    retirement_horizon_months: int = 12
    promotion_min_performance: str = "baik"
    min_fit_for_move: int = 0
    # Section 9 (employee voice, public feedback); the defaults leave sections 4-8 unchanged.
    voluntary_moves: bool = False
    # Exact decimal, like max_unit_turnover: an IKM of 76.60 is below 76.61, 76.61 is not.
    low_ikm_below: Fraction = Fraction(7661, 100)
    low_ikm_fit_multiplier: int = 1


@dataclass(frozen=True)
class Weights:
    """Objective weights (docs/model.md section 1, ``weights:``), integers."""

    fit: int = 1
    education: int = 1000
    talent: int = 1
    move: int = 300
    vacancy: int = 5000
    overstay: int = 20000
    preference: int = 0  # section 9: + W.preference * (6 - rank) for a listed pair


@dataclass(frozen=True)
class PlanSettings:
    """How many ranked plans, and how different each must be (section 7)."""

    count: int = 3
    min_difference: int = 3


@dataclass(frozen=True)
class SuccessionSettings:
    """Succession lists for critical posts (``succession:``): list length and the
    lowest fit(e,p) a successor may have. Off the objective: no plan depends on them."""

    size: int = 3
    min_fit: int = 6800


@dataclass(frozen=True)
class Pair:
    """A decided (nip, position) pair: a lock or a forbid."""

    nip: str
    position: str


@dataclass(frozen=True)
class Scope:
    """Scope filters; ``None`` means "all"."""

    units: tuple[str, ...] | None = None
    levels: tuple[int, ...] | None = None


def empty_preferences() -> pd.DataFrame:
    """The preferences table of a scenario that names none (section 9)."""
    return pd.DataFrame({"nip": pd.Series([], dtype=object),
                         "position": pd.Series([], dtype=object),
                         "rank": pd.Series([], dtype="int64"),
                         "row": pd.Series([], dtype="int64")})


def empty_units() -> pd.DataFrame:
    """The units table of a scenario that names none (section 9)."""
    return pd.DataFrame({"unit": pd.Series([], dtype=object),
                         "ikm_hundredths": pd.Series([], dtype="int64"),
                         "row": pd.Series([], dtype="int64")})


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build it with :func:`solver.io.load_scenario`."""

    name: str
    as_of: dt.date
    employees: pd.DataFrame
    positions: pd.DataFrame
    assessments: pd.DataFrame
    competencies: tuple[str, ...]
    scope: Scope = field(default_factory=Scope)
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    plans: PlanSettings = field(default_factory=PlanSettings)
    succession: SuccessionSettings = field(default_factory=SuccessionSettings)
    locks: tuple[Pair, ...] = ()
    forbid: tuple[Pair, ...] = ()
    preferences: pd.DataFrame = field(default_factory=empty_preferences)
    units: pd.DataFrame = field(default_factory=empty_units)
    # Raw YAML mapping as read (after validation), for hashing and what-if edits.
    config: dict[str, Any] = field(default_factory=dict, compare=False)
    source: str = "scenario.yaml"

    def replace(self, **changes: Any) -> Scenario:
        """A copy with ``changes`` applied, checked again and hashed as changed.

        The references between tables and settings are validated again (locks,
        forbids, assessments, current posts, scope units), raising
        :class:`InputError` naming the setting and value. Changed settings are
        written into ``config`` in canonical form, so the input hash
        (:func:`solver.document.input_hash`) differs whenever the result may.
        """
        config = dict(self.config)
        for key in _SETTINGS & changes.keys():
            config[key] = _canonical(changes[key])
        changed = replace(self, **changes, config=config)
        problems = changed.reference_errors()
        if problems:
            raise InputError(problems)
        return changed

    def reference_errors(self) -> list[str]:
        """Every reference that names something the tables do not hold."""
        nips, posts = set(self.employees["nip"]), set(self.positions["id"])
        where = self.source
        out: list[str] = []
        locked = set(self.locks)
        for block, pairs in (("locks", self.locks), ("forbid", self.forbid)):
            for index, pair in enumerate(pairs):
                if pair.nip not in nips:
                    out.append(f"{where}: {block}.{index}.nip: NIP {pair.nip!r} is not in the "
                               "employees table")
                if pair.position not in posts:
                    out.append(f"{where}: {block}.{index}.position: position "
                               f"{pair.position!r} is not in the positions table")
                if block == "forbid" and pair in locked:
                    out.append(f"{where}: {block}.{index}: ({pair.nip}, {pair.position}) is "
                               "both locked and forbidden; remove one of them")
        held = {str(c) for c in self.employees["current_position"] if c}
        out += [f"{where}: current_position {p!r} is not in the positions table"
                for p in sorted(held - posts)]
        for name, frame in (("assessments", self.assessments),
                            ("preferences", self.preferences)):
            out += [f"{where}: {name}: NIP {n!r} is not in the employees table"
                    for n in sorted(set(frame["nip"]) - nips)]
            out += [f"{where}: {name}: position {p!r} is not in the positions table"
                    for p in sorted(set(frame["position"]) - posts)]
        units = set(self.positions["unit"])
        out += [f"{where}: scope.units: unit {u!r} is not in the positions table"
                for u in (self.scope.units or ()) if u not in units]
        return out


# Settings that Scenario.replace writes back into ``config`` (the hashed YAML).
_SETTINGS = {"name", "as_of", "scope", "rules", "weights", "plans", "locks", "forbid"}


def _canonical(value: Any) -> Any:
    """A JSON-friendly form of a setting (dataclasses by field, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return str(value)
    return value
