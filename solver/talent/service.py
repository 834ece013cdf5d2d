"""Succession lists and training plans for a scenario and a ``plans.json`` document.

The one entry point the CLI (``penata succession``, ``penata training``) and the API
(``GET /api/v1/jobs/{id}/succession``, ``/training``) share: both pass a validated
scenario and the document a solve wrote, and get plain data back. A document whose
plan names a NIP or position the scenario does not have is refused with
:class:`DocumentMismatch` (it came from another scenario or another version of it).
"""

from __future__ import annotations

from typing import Any

from solver.scenario import Scenario
from solver.talent.succession import succession_plan
from solver.talent.training import training_plan


class DocumentMismatch(ValueError):
    """The plans document does not belong to the scenario, or lacks the plan asked for."""


def find_rank(doc: dict[str, Any], rank: int) -> dict[str, Any] | None:
    """Plan ``rank`` of ``doc``, or ``None``."""
    for plan in doc.get("plans", []):
        if plan.get("rank") == rank:
            return plan
    return None


def _assignments(doc: dict[str, Any], rank: int, scenario: Scenario) -> list[dict[str, Any]]:
    plan = find_rank(doc, rank)
    if plan is None:
        ranks = ", ".join(str(p.get("rank")) for p in doc.get("plans", [])) or "none"
        raise DocumentMismatch(f"the plans document has no plan of rank {rank} "
                               f"(plans: {ranks})")
    nips, ids = set(scenario.employees["nip"]), set(scenario.positions["id"])
    for a in plan.get("assignments", []):
        if str(a.get("nip")) not in nips or str(a.get("position")) not in ids:
            raise DocumentMismatch(
                f"plan {rank} assigns {a.get('nip')!r} to {a.get('position')!r}, which this "
                "scenario does not have; the plans document comes from another scenario "
                "(or another version of it)")
    return list(plan.get("assignments", []))


def document_succession(scenario: Scenario, doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Succession lists of ``scenario``, excluding plan 1's holders of ``doc`` when given
    (``None``: no plan, only the current holders are excluded)."""
    if doc is None or find_rank(doc, 1) is None:
        return succession_plan(scenario, None)
    return succession_plan(scenario, _assignments(doc, 1, scenario))


def document_training(scenario: Scenario, doc: dict[str, Any], rank: int = 1) -> dict[str, Any]:
    """The training plan (AKP) of plan ``rank`` of ``doc``."""
    return training_plan(scenario, _assignments(doc, rank, scenario), rank=rank)
