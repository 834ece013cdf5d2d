"""Finding a plan in a stored ``plans.json`` document (the comparison itself is
:func:`solver.diff.plan_diff`)."""

from __future__ import annotations

from typing import Any


def find_plan(document: dict[str, Any], rank: int) -> dict[str, Any] | None:
    for plan in document.get("plans", []):
        if plan.get("rank") == rank:
            return plan
    return None
