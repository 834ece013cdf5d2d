"""The one comparison of two plans (of one ``plans.json`` or of two: a what-if against
its base), in one shape.

``plans.json`` gives every plan after the first a ``diff`` against plan 1
(:mod:`solver.review.explain`); a what-if job gives each plan a ``diff`` against the
base scenario's plan 1 instead; the API's plan-diff route and the workspace's pages
read the same shape.
"""

from __future__ import annotations

from typing import Any


def _placements(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["nip"]: a for a in plan["assignments"]}


def _is_move(a: dict[str, Any]) -> bool:
    return a["position"] != a.get("from")


def plan_diff(plan_a: dict[str, Any], plan_b: dict[str, Any]) -> dict[str, Any]:
    """What changes from ``plan_a`` to ``plan_b`` (two plans of a ``plans.json``).

    ``objective_delta`` is ``objective(b) − objective(a)`` (<= 0 when a ranks first).
    ``elsewhere``: people placed in both plans but in different posts.
    ``moves_added`` / ``moves_dropped``: moves of b not in a / of a not in b.
    ``only_in_a`` / ``only_in_b``: candidates placed in one plan only.
    Lists are sorted by NIP then position.
    """
    a, b = _placements(plan_a), _placements(plan_b)
    moves_a = {(x["nip"], x["position"]) for x in plan_a["assignments"] if _is_move(x)}
    moves_b = {(x["nip"], x["position"]) for x in plan_b["assignments"] if _is_move(x)}
    elsewhere = [{"nip": nip, "from": a[nip].get("from"), "in_a": a[nip]["position"],
                  "in_b": b[nip]["position"]}
                 for nip in sorted(a.keys() & b.keys()) if a[nip]["position"] != b[nip]["position"]]

    def listing(keys: set[tuple[str, str]], source: dict[str, dict[str, Any]]) -> list[dict]:
        return [{"nip": n, "position": p, "from": source[n].get("from")} for n, p in sorted(keys)]

    return {
        "vs_rank": plan_a["rank"],
        "objective_delta": int(plan_b["objective"]) - int(plan_a["objective"]),
        "elsewhere": elsewhere,
        "moves_added": listing(moves_b - moves_a, b),
        "moves_dropped": listing(moves_a - moves_b, a),
        "only_in_a": sorted(a.keys() - b.keys()),
        "only_in_b": sorted(b.keys() - a.keys()),
    }
