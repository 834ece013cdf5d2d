"""Differences between two plans of ``plans.json`` documents (moves and objective)."""

from __future__ import annotations

from typing import Any


def _moves(plan: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a["nip"], a["position"]): a for a in plan["assignments"]
            if a["position"] != a["from"]}


def plan_diff(plan: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Moves of ``plan`` not in ``base``, moves of ``base`` not in ``plan``, objective delta.

    A move is an assignment whose position differs from the employee's current one
    (placing an unplaced employee included); two moves are the same when they send
    the same NIP to the same position.
    """
    mine, theirs = _moves(plan), _moves(base)
    return {
        "moves_added": [dict(a) for key, a in mine.items() if key not in theirs],
        "moves_dropped": [dict(a) for key, a in theirs.items() if key not in mine],
        "objective_delta": int(plan["objective"]) - int(base["objective"]),
    }


def find_plan(document: dict[str, Any], rank: int) -> dict[str, Any] | None:
    for plan in document.get("plans", []):
        if plan.get("rank") == rank:
            return plan
    return None
