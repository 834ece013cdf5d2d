"""Plans as the workspace pages show them: summaries, per-post rows, comparisons.

Everything here reads a stored ``plans.json`` document (explained by the job, see
:mod:`api.jobs`) and the scenario's tables; nothing is solved. Numbers are the
document's own (objective, bound, jpm, objective_loss) or counts over it.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from api.db import ScenarioRecord
from api.files import load_files
from api.jobs import stored_files
from solver.diff import plan_diff
from solver.eligibility import Problem, build_problem
from solver.review.explain import explain_plans
from solver.review.packet import (
    BAND_LABELS,
    REASON_LABELS,
    before_jpm,
    jpm_histogram,
    nine_box_chart,
    turnover_chart,
    turnover_rows,
    vacancy_chart,
)
from solver.scenario import Scenario

RULE_HELP = {
    "min_tenure_months": "Bulan minimal di jabatan sekarang sebelum boleh dipindah.",
    "max_tenure_months": "Bulan maksimal di satu jabatan; lewat dari itu wajib dirotasi "
                         "(atau kena penalti).",
    "max_promotion_step": "Berapa jenjang paling banyak seseorang boleh naik dalam satu "
                          "putaran.",
    "max_unit_turnover": "Bagian petahana suatu unit yang paling banyak boleh dipindah "
                         "(0-1).",
    "retirement_horizon_months": "Pegawai yang pensiun dalam sekian bulan tidak dipindah "
                                 "atau dipromosikan.",
    "promotion_min_performance": "Predikat kinerja minimal untuk promosi.",
    "min_fit_for_move": "JPM minimal (basis poin, 0-10000) untuk mutasi ke jabatan lain.",
}
WEIGHT_HELP = {
    "fit": "Bobot kecocokan kompetensi (JPM) orang dengan jabatan.",
    "education": "Nilai tambah bila bidang pendidikan sesuai syarat jabatan.",
    "talent": "Bobot posisi 9-box (kinerja dan potensi) untuk promosi.",
    "move": "Biaya setiap mutasi (mendorong stabilitas).",
    "vacancy": "Biaya setiap kursi kosong, dikali prioritas jabatan.",
    "overstay": "Penalti bagi yang melewati masa jabatan maksimal tetapi tidak dipindah.",
}
LEVEL_LABELS = {1: "pelaksana", 2: "fungsional", 3: "pengawas (eselon IV)",
                4: "administrator (eselon III)", 5: "JPT pratama (eselon II)",
                6: "JPT madya", 7: "JPT utama"}


# --------------------------------------------------------------------------- round


@dataclass
class Round:
    """A stored scenario loaded once: tables, problem and name lookups."""

    record_id: str
    scenario: Scenario
    problem: Problem
    name: dict[str, str]
    grade: dict[str, str]
    current: dict[str, str]
    title: dict[str, str]
    unit: dict[str, str]
    level: dict[str, int]
    headcount: dict[str, int]
    before: list[int] = field(default_factory=list)

    def post(self, pid: str | None) -> str:
        if not pid:
            return "—"
        return f"{self.title.get(pid, '')} ({pid})" if pid in self.title else pid

    def in_scope_posts(self) -> list[str]:
        ids = self.problem.position_ids
        return [str(ids[i]) for i in np.flatnonzero(self.problem.in_scope)]


def _load_round(record: ScenarioRecord) -> Round:
    scenario = load_files(stored_files(record))
    problem = build_problem(scenario)
    emp, pos = scenario.employees, scenario.positions
    current = {str(n): str(p) for n, p in zip(emp["nip"], emp["current_position"], strict=True)
               if isinstance(p, str) and p}
    return Round(
        record_id=record.id, scenario=scenario, problem=problem,
        name=dict(zip(emp["nip"].astype(str), emp["name"].astype(str), strict=True)),
        grade=dict(zip(emp["nip"].astype(str), emp["grade"].astype(str), strict=True)),
        current=current,
        title=dict(zip(pos["id"].astype(str), pos["title"].astype(str), strict=True)),
        unit=dict(zip(pos["id"].astype(str), pos["unit"].astype(str), strict=True)),
        level={str(k): int(v) for k, v in zip(pos["id"], pos["level"], strict=True)},
        headcount={str(k): int(v) for k, v in zip(pos["id"], pos["headcount"], strict=True)},
        before=before_jpm(scenario, problem),
    )


class RoundCache:
    """The last few loaded rounds, keyed by scenario id and the stored files' bytes
    (a decision rewrites the YAML, so the key changes with it)."""

    def __init__(self, size: int = 4):
        self.size = size
        self._items: OrderedDict[tuple[str, str], Round] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, record: ScenarioRecord) -> Round:
        digest = hashlib.sha256()
        for f in record.files:
            digest.update(f.role.encode() + b"\0" + f.path.encode() + b"\0")
            digest.update(hashlib.sha256(f.content).digest())
        key = (record.id, digest.hexdigest())
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        loaded = _load_round(record)
        with self._lock:
            self._items[key] = loaded
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return loaded


# --------------------------------------------------------------------------- plans


def explained(document: dict[str, Any], rnd: Round) -> dict[str, Any]:
    """The document with explanations: as stored when the job added them, else
    computed now from the round (a document of the API's plain solves)."""
    plans = document.get("plans", [])
    if not plans or all("jpm" in a for p in plans for a in p["assignments"]):
        return document
    doc = copy.deepcopy(document)
    try:
        explain_plans(doc, rnd.scenario, rnd.problem)
    except ValueError:
        return document  # the scenario changed since the solve; show what is stored
    return doc


def find(document: dict[str, Any], rank: int) -> dict[str, Any] | None:
    return next((p for p in document.get("plans", []) if p.get("rank") == rank), None)


def _is_move(a: dict[str, Any]) -> bool:
    return a["position"] != a.get("from")


def _pct(bp: int | None) -> str:
    return "—" if bp is None else f"{bp / 100:.2f}%"


def vacancies(rnd: Round, plan: dict[str, Any] | None) -> dict[str, tuple[int, int, int]]:
    """Per unit, over its in-scope posts: seats vacant now, seats vacant after ``plan``,
    and seats vacant now that the plan fills with someone new."""
    placed: dict[str, int] = {}
    stayers: dict[str, int] = {}
    for a in (plan or {}).get("assignments", []):
        placed[a["position"]] = placed.get(a["position"], 0) + 1
        if a["position"] == a.get("from"):
            stayers[a["position"]] = stayers.get(a["position"], 0) + 1
    holders: dict[str, int] = {}
    for pid in rnd.current.values():
        holders[pid] = holders.get(pid, 0) + 1
    out: dict[str, tuple[int, int, int]] = {}
    for pid in rnd.in_scope_posts():
        seats = rnd.headcount.get(pid, 0)
        before = max(0, seats - holders.get(pid, 0))
        after = max(0, seats - placed.get(pid, 0))
        filled = min(before, placed.get(pid, 0) - stayers.get(pid, 0))
        unit = rnd.unit.get(pid, "")
        b, a, f = out.get(unit, (0, 0, 0))
        out[unit] = (b + before, a + after, f + filled)
    return out


def summary(rnd: Round, plan: dict[str, Any]) -> dict[str, Any]:
    moves = [a for a in plan["assignments"] if _is_move(a)]
    after = [int(a["jpm"]) for a in plan["assignments"] if a.get("jpm") is not None]
    per_unit = vacancies(rnd, plan)
    before_vacant = sum(b for b, _, _ in per_unit.values())
    after_vacant = sum(a for _, a, _ in per_unit.values())
    bound = plan.get("bound")
    objective = int(plan["objective"])
    gap = None
    if bound is not None and bound != 0:
        gap = abs(float(bound) - objective) / max(1.0, abs(float(bound)))
    return {
        "rank": plan["rank"], "objective": objective, "bound": bound,
        "optimal": bool(plan.get("optimal")), "gap": gap,
        "moves": len(moves),
        "promotions": sum(1 for a in plan["assignments"] if "promotion" in a.get("reasons", [])),
        "vacant_before": before_vacant, "vacant_after": after_vacant,
        "filled": sum(f for _, _, f in per_unit.values()),
        "mean_before": _pct(sum(rnd.before) // len(rnd.before)) if rnd.before else "—",
        "mean_after": _pct(sum(after) // len(after)) if after else "—",
        "explained": any("jpm" in a for a in plan["assignments"]),
        "shortlists": bool(plan.get("shortlists")),
        "shortlists_complete": bool(plan.get("shortlists_complete")),
    }


def charts(rnd: Round, plan: dict[str, Any]) -> dict[str, str]:
    """Server-drawn SVG charts of one plan (markup built by the packet's chart code)."""
    rank = plan["rank"]
    box_of = dict(zip(rnd.problem.nips.astype(str), rnd.problem.box.tolist(), strict=True))
    promotees: dict[int, int] = {}
    for a in plan["assignments"]:
        if "promotion" in a.get("reasons", []) and a["nip"] in box_of:
            box = box_of[a["nip"]]
            promotees[box] = promotees.get(box, 0) + 1
    after = [int(a["jpm"]) for a in plan["assignments"] if a.get("jpm") is not None]
    per_unit = vacancies(rnd, plan)
    vacancy_rows = [(unit, b, a) for unit, (b, a, _) in sorted(per_unit.items()) if b or a]
    return {
        "jpm": jpm_histogram(rnd.before, after, f"Distribusi JPM sebelum dan sesudah, "
                             f"rencana {rank}"),
        "ninebox": nine_box_chart(promotees, f"9-box pegawai yang dipromosikan, rencana {rank}"),
        "turnover": turnover_chart(turnover_rows(plan, rnd.problem),
                                   f"Turnover per unit terhadap batas, rencana {rank}"),
        "vacancy": vacancy_chart(vacancy_rows, f"Kursi kosong per unit, rencana {rank}"),
    }


@dataclass(frozen=True)
class Filters:
    unit: str = ""
    level: str = ""
    moved: bool = False
    promotions: bool = False
    kms: bool = False
    q: str = ""

    @property
    def active(self) -> bool:
        return bool(self.unit or self.level or self.moved or self.promotions or self.kms
                    or self.q)


def _person(rnd: Round, a: dict[str, Any]) -> dict[str, Any]:
    return {
        "nip": a["nip"], "name": rnd.name.get(a["nip"], ""), "grade": rnd.grade.get(a["nip"], ""),
        "from": a.get("from"), "from_label": rnd.post(a.get("from")),
        "moved": _is_move(a), "jpm": _pct(a.get("jpm")) if "jpm" in a else "—",
        "band": a.get("band") or "", "band_label": BAND_LABELS.get(a.get("band") or "",
                                                                   a.get("mapping") or ""),
        "gaps": a.get("gaps", []), "training": a.get("training", []),
        "reasons": [REASON_LABELS.get(r, r) for r in a.get("reasons", [])],
        "promotion": "promotion" in a.get("reasons", []),
    }


def post_rows(rnd: Round, plan: dict[str, Any], filters: Filters) -> list[dict[str, Any]]:
    """One row per in-scope post (or post the plan touches): who holds it now, whom the
    plan places there with the explanation, and the shortlist; grouped by unit."""
    placed: dict[str, list[dict[str, Any]]] = {}
    for a in plan["assignments"]:
        placed.setdefault(a["position"], []).append(a)
    holders: dict[str, list[str]] = {}
    for nip, pid in rnd.current.items():
        holders.setdefault(pid, []).append(nip)
    lists = {e["position"]: e for e in plan.get("shortlists", [])}
    posts = set(rnd.in_scope_posts()) | set(placed)
    query = filters.q.strip().lower()
    rows = []
    for pid in sorted(posts, key=lambda p: (rnd.unit.get(p, ""), -rnd.level.get(p, 0), p)):
        people = [_person(rnd, a) for a in placed.get(pid, [])]
        now = [{"nip": n, "name": rnd.name.get(n, "")} for n in sorted(holders.get(pid, []))]
        entry = lists.get(pid)
        names = [{"nip": n["nip"], "name": rnd.name.get(n["nip"], ""), "chosen": n["chosen"],
                  "loss": n["objective_loss"]} for n in (entry or {}).get("names", [])]
        moved = any(p["moved"] for p in people) or any(
            n["nip"] not in {p["nip"] for p in people} for n in now)
        row = {
            "id": pid, "title": rnd.title.get(pid, pid), "unit": rnd.unit.get(pid, ""),
            "level": rnd.level.get(pid, 0), "headcount": rnd.headcount.get(pid, 0),
            "now": now, "placed": people, "moved": moved,
            "vacant": max(0, rnd.headcount.get(pid, 0) - len(people)),
            "shortlist": names, "shortlist_complete": (entry or {}).get("complete"),
            "shortlist_note": (entry or {}).get("note", ""),
        }
        if filters.unit and row["unit"] != filters.unit:
            continue
        if filters.level and str(row["level"]) != filters.level:
            continue
        if filters.moved and not moved:
            continue
        if filters.promotions and not any(p["promotion"] for p in people):
            continue
        if filters.kms and not any(p["band"] == "KMS" for p in people):
            continue
        if query:
            haystack = [pid, row["title"]] + [p["nip"] for p in people] + \
                [p["name"] for p in people] + [n["nip"] for n in now] + [n["name"] for n in now]
            if not any(query in str(h).lower() for h in haystack):
                continue
        rows.append(row)
    return rows


def by_unit(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["unit"], []).append(row)
    return list(groups.items())


def person_view(rnd: Round, document: dict[str, Any], nip: str) -> dict[str, Any] | None:
    """One employee across the document's plans."""
    if nip not in rnd.name:
        return None
    placements = []
    for plan in document.get("plans", []):
        a = next((x for x in plan["assignments"] if x["nip"] == nip), None)
        placements.append({"rank": plan["rank"], "position": a["position"] if a else None,
                           "label": rnd.post(a["position"]) if a else "tidak ditempatkan",
                           "person": _person(rnd, a) if a else None})
    return {"nip": nip, "name": rnd.name[nip], "grade": rnd.grade.get(nip, ""),
            "current": rnd.current.get(nip), "current_label": rnd.post(rnd.current.get(nip)),
            "placements": placements}


def compare(rnd: Round, plan_a: dict[str, Any], plan_b: dict[str, Any]) -> dict[str, Any]:
    """Side by side: every person placed differently in the two plans."""
    diff = plan_diff(plan_a, plan_b)
    rows = [{"nip": d["nip"], "name": rnd.name.get(d["nip"], ""),
             "from": rnd.post(d.get("from")), "a": rnd.post(d["in_a"]),
             "b": rnd.post(d["in_b"])} for d in diff["elsewhere"]]
    rows += [{"nip": n, "name": rnd.name.get(n, ""), "from": rnd.post(rnd.current.get(n)),
              "a": "ditempatkan", "b": "tidak ditempatkan"} for n in diff["only_in_a"]]
    rows += [{"nip": n, "name": rnd.name.get(n, ""), "from": rnd.post(rnd.current.get(n)),
              "a": "tidak ditempatkan", "b": "ditempatkan"} for n in diff["only_in_b"]]
    return {"rows": rows, "objective_delta": diff["objective_delta"],
            "added": len(diff["moves_added"]), "dropped": len(diff["moves_dropped"])}


def what_if_diff(rnd: Round, plan: dict[str, Any], base_plan: dict[str, Any]) -> dict[str, Any]:
    """A what-if plan against the base plan 1: moves added and dropped and the price
    (objective delta, negative = the change costs that much)."""
    diff = plan_diff(base_plan, plan)

    def rows(moves: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"nip": m["nip"], "name": rnd.name.get(m["nip"], ""),
                 "from": rnd.post(m.get("from")), "to": rnd.post(m["position"])}
                for m in sorted(moves, key=lambda m: (m["nip"], m["position"]))]

    return {"added": rows(diff["moves_added"]), "dropped": rows(diff["moves_dropped"]),
            "price": diff["objective_delta"], "base_objective": int(base_plan["objective"]),
            "objective": int(plan["objective"])}


def annex_rows(rnd: Round, plan: dict[str, Any]) -> list[Sequence[Any]]:
    """SK annex rows of a plan's moves: No, Nama/NIP, Pangkat/Gol., Jabatan Lama,
    Jabatan Baru, Unit, alasan."""
    from api.web.downloads import pangkat_golongan

    rows: list[Sequence[Any]] = []
    moves = sorted((a for a in plan["assignments"] if _is_move(a)),
                   key=lambda a: (rnd.unit.get(a["position"], ""), a["position"], a["nip"]))
    for number, a in enumerate(moves, start=1):
        reasons = [REASON_LABELS.get(r, r) for r in a.get("reasons", [])] or ["mutasi"]
        rows.append([number, f"{rnd.name.get(a['nip'], '')}\nNIP {a['nip']}",
                     pangkat_golongan(rnd.grade.get(a["nip"], "")), rnd.post(a.get("from")),
                     rnd.post(a["position"]), rnd.unit.get(a["position"], ""),
                     "; ".join(reasons)])
    return rows


def decision_conflicts(plan: dict[str, Any] | None,
                       entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each pair's latest decision that the plan does not follow: an approved move the
    plan does not make, or a rejected move it still makes."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        latest[(str(entry.get("nip")), str(entry.get("position")))] = entry
    pairs = {(a["nip"], a["position"]) for a in (plan or {}).get("assignments", [])}
    out = []
    for (nip, position), entry in latest.items():
        in_plan = (nip, position) in pairs
        if entry.get("action") == "approve" and not in_plan:
            out.append({**entry, "problem": "disetujui, tetapi rencana tidak memuatnya"})
        elif entry.get("action") == "reject" and in_plan:
            out.append({**entry, "problem": "ditolak, tetapi rencana masih memuatnya"})
    return out
