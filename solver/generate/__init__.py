"""Realistic scenario generator (issue 3).

``generate_scenario(profile, seed, out_dir)`` writes a scenario in the docs/model.md
section 1 format: ``scenario.yaml``, ``employees.csv``, ``positions.csv`` (and
``assessments.csv`` when a profile variant has one). The output depends only on
the profile, the seed and the overrides: all randomness comes from one
``numpy.random.default_rng(seed)`` and every catalogue is an ordered tuple.

Every generated scenario is feasible by construction: the generator keeps a
*witness plan* (everyone stays, holders of abolished posts move to a reserved
free seat, each vacant must-fill post gets a reserved eligible mover) checked
against the docs/model.md section 4 rules; a must-fill flag with no witness is
dropped, and a post is abolished only when its holder has a target.
"""

from __future__ import annotations

from pathlib import Path

from solver.generate.catalog import COMPETENCIES
from solver.generate.engine import (
    Generated,
    build,
    count_pairs,
    ensure_feasible,
    write,
)
from solver.generate.profiles import PROFILES, Profile

__all__ = [
    "COMPETENCIES",
    "PROFILES",
    "Generated",
    "Profile",
    "build",
    "count_pairs",
    "ensure_feasible",
    "generate_scenario",
    "generate_siasn",
    "write",
]


def generate_scenario(
    profile: str,
    seed: int,
    out_dir: Path,
    employees: int | None = None,
    **overrides: object,
) -> Path:
    """Generate a scenario for ``profile`` into ``out_dir``; return the YAML path.

    ``employees`` overrides the profile's head count; further keyword
    arguments override :class:`Profile` fields (e.g. ``scope_levels=(3, 4)``,
    ``vacancy_rate=0.1``, ``as_of=datetime.date(2027, 1, 2)``).

    Raises ``ValueError`` for an unknown profile or override.
    """
    generated = build(profile, seed, employees=employees, **overrides)
    return write(generated, Path(out_dir))


def generate_siasn(profile: str, seed: int, out_dir: Path, employees: int | None = None,
                   **overrides: object) -> Path:
    """The same round as :func:`generate_scenario` (same arguments), written as the
    SIASN-style exports ``penata import siasn`` reads; return the ``round.yaml`` path."""
    from solver.generate.siasn import write_siasn

    return write_siasn(build(profile, seed, employees=employees, **overrides), Path(out_dir))
