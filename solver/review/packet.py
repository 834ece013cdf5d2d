"""The review packet beside ``plans.json``: ``plans.xlsx`` and ``review.html``.

``plans.xlsx``: one sheet per plan (every assignment with its explanation), a
``Daftar Pendek`` sheet (shortlists) and ``Lampiran SK``, a draft annex for the
appointment decree listing plan 1's moves (NIP as text, name, golongan, from, to,
unit, TMT). TMT is the scenario's ``tmt:`` key when present, else ``as_of``.

``review.html``: one self-contained page (no network, no script, no external CSS)
with the ranked plans, their differences, shortlists, per-person explanations
and inline SVG charts drawn here: JPM distribution before vs after, the 9-box of
promotees, and turnover per unit against its cap.

Both only serialise a ``plans.json`` document computed by :mod:`solver.document`.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, Template

from solver.atomic import write_atomic
from solver.derived import jpm_matrix
from solver.eligibility import Problem, build_problem
from solver.result import Result
from solver.scenario import Scenario
from solver.tabular import Sheet, xlsx_bytes
from solver.talent.succession import succession_plan
from solver.talent.tables import (
    SUCCESSION_LABELS,
    TRAINING_LABELS,
    TRAINING_UNIT_LABELS,
    succession_rows,
    training_rows,
    training_unit_rows,
)
from solver.talent.training import training_plan

REASON_LABELS = {
    "stays": "tetap di jabatan",
    "rotation_due": "masa jabatan sudah mencapai batas rotasi",
    "promotion": "promosi",
    "abolished_post": "jabatan lama dihapus",
    "locked": "dikunci oleh keputusan",
    "returning_employee": "belum menduduki jabatan (baru/kembali)",
}
BAND_LABELS = {"MS": "Memenuhi Syarat", "MMS": "Masih Memenuhi Syarat",
               "KMS": "Kurang Memenuhi Syarat"}


# --------------------------------------------------------------------------- enrich


def result_from_document(doc: dict[str, Any]) -> Result:
    """Rebuild a :class:`Result` from a ``plans.json`` document (to review it without
    solving again). The document must come from the scenario as it is now."""
    from solver.result import Assignment, Plan

    plans = [Plan(rank=int(p["rank"]), objective=int(p["objective"]), bound=int(p["bound"]),
                  optimal=bool(p.get("optimal", False)),
                  assignments=tuple(Assignment(a["nip"], a["position"], a.get("from"))
                                    for a in p["assignments"]))
             for p in doc.get("plans", [])]
    return Result(scenario=doc.get("scenario", ""), status=doc.get("status", "UNKNOWN"),
                  plans=plans, infeasibility=list(doc.get("infeasibility", [])),
                  runtime=float(doc.get("run", {}).get("runtime_s", 0.0)),
                  stats={k: v for k, v in doc.get("run", {}).items() if k != "runtime_s"})


# --------------------------------------------------------------------------- tables


class _Names:
    def __init__(self, scenario: Scenario):
        emp, pos = scenario.employees, scenario.positions
        self.name = dict(zip(emp["nip"].tolist(), emp["name"].tolist(), strict=True))
        self.grade = dict(zip(emp["nip"].tolist(), emp["grade"].tolist(), strict=True))
        self.title = dict(zip(pos["id"].tolist(), pos["title"].tolist(), strict=True))
        self.unit = dict(zip(pos["id"].tolist(), pos["unit"].tolist(), strict=True))
        self.level = dict(zip(pos["id"].tolist(), pos["level"].tolist(), strict=True))

    def post(self, pid: str | None) -> str:
        if not pid:
            return "—"
        return f"{pid} {self.title.get(pid, '')}".strip()


def _tmt(scenario: Scenario) -> str:
    value = scenario.config.get("tmt") if scenario.config else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value) if value else scenario.as_of.isoformat()


def _pct(bp: int | None) -> str:
    return "" if bp is None else f"{bp / 100:.2f}%"


def xlsx_document(doc: dict[str, Any], scenario: Scenario) -> bytes:
    """``plans.xlsx``: sheets ``Rencana 1..N``, ``Daftar Pendek``, ``Suara & IKM`` (section 9,
    when given), ``Lampiran SK``, ``Suksesi`` and (with a plan) ``AKP`` and ``AKP per unit``,
    written by :func:`solver.tabular.xlsx_bytes` (user text is never a formula)."""
    names = _Names(scenario)
    sheets = []
    for plan in doc.get("plans", []):
        rows = []
        for a in plan["assignments"]:
            moved = a["position"] != a.get("from")
            rows.append([
                str(a["nip"]), names.name.get(a["nip"], ""), names.grade.get(a["nip"], ""),
                a.get("from") or "", a["position"], names.title.get(a["position"], ""),
                names.unit.get(a["position"], ""), "pindah" if moved else "tetap",
                a.get("jpm"), a.get("band") or a.get("mapping") or "", a.get("fit_source", ""),
                ", ".join(a.get("reasons", [])), "; ".join(a.get("training", [])),
            ])
        sheets.append(Sheet(f"Rencana {plan['rank']}",
                            ["NIP", "Nama", "Golongan", "Dari", "Ke", "Jabatan", "Unit", "Status",
                             "JPM (bp)", "Band", "Sumber fit", "Alasan", "Kebutuhan pelatihan"],
                            rows))
    short_rows = []
    for plan in doc.get("plans", []):
        for entry in plan.get("shortlists", []):
            for k, name in enumerate(entry["names"], start=1):
                short_rows.append([plan["rank"], entry["position"],
                                   names.title.get(entry["position"], ""), k, str(name["nip"]),
                                   names.name.get(name["nip"], ""),
                                   "dipilih" if name["chosen"] else "alternatif",
                                   name["objective_loss"],
                                   "lengkap" if entry["complete"] else "belum lengkap"])
    sheets.append(Sheet("Daftar Pendek", ["Rencana", "Jabatan", "Nama jabatan", "Urutan", "NIP",
                                          "Nama", "Status", "Kehilangan objektif", "Daftar"],
                        short_rows))
    voice = _voice_sheet(doc)
    if voice is not None:
        sheets.append(voice)
    annex = []
    plans = doc.get("plans", [])
    tmt = _tmt(scenario)
    if plans:
        moves = [a for a in plans[0]["assignments"] if a["position"] != a.get("from")]
        for k, a in enumerate(moves, start=1):
            annex.append([k, str(a["nip"]), names.name.get(a["nip"], ""),
                          names.grade.get(a["nip"], ""), names.post(a.get("from")),
                          names.post(a["position"]), names.unit.get(a["position"], ""), tmt])
    sheets.append(Sheet("Lampiran SK", ["No", "NIP", "Nama", "Golongan", "Jabatan lama",
                                        "Jabatan baru", "Unit kerja", "TMT"], annex,
                        footer=[[], ["", "DRAF — lampiran keputusan, rencana peringkat 1; "
                                     "belum ditetapkan."]]))
    succession, training = talent_outputs(doc, scenario)
    sheets.append(Sheet("Suksesi", SUCCESSION_LABELS, succession_rows(succession, scenario)))
    if training is not None:
        sheets.append(Sheet("AKP", TRAINING_LABELS, training_rows(training, scenario)))
        sheets.append(Sheet("AKP per unit", TRAINING_UNIT_LABELS, training_unit_rows(training)))
    return xlsx_bytes(sheets)


def talent_outputs(doc: dict[str, Any], scenario: Scenario, problem: Problem | None = None
                   ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The document's succession lists (recomputed for a document written before they
    existed) and the training plan of plan 1 (``None`` without plans)."""
    plans = doc.get("plans", [])
    succession = doc.get("succession")
    if succession is None:
        succession = succession_plan(scenario, plans[0]["assignments"] if plans else None,
                                     problem)
    training = training_plan(scenario, plans[0]["assignments"], rank=1) if plans else None
    return succession, training


def _voice_sheet(doc: dict[str, Any]) -> Sheet | None:
    """The "Suara & IKM" sheet: per plan the voice counts and the per-unit IKM and JPM
    (only when the scenario has a preferences or units table)."""
    plans = [p for p in doc.get("plans", []) if "units" in p or "voice" in p]
    if not plans:
        return None
    rows: list[list[Any]] = []
    for plan in plans:
        voice = plan.get("voice")
        if voice:
            for k in ("1", "2", "3", "4", "5"):
                rows.append([plan["rank"], f"Pindah ke pilihan ke-{k}", None, None,
                             voice["movers_by_choice"][k], None, None])
            for key, label in (("moved_without_asking", "Pindah tanpa mengajukan"),
                               ("had_to_move", "di antaranya wajib pindah"),
                               ("stayed_by_own_wish", "Tetap atas keinginan sendiri"),
                               ("stayed_though_asked_to_move", "Mengajukan pindah, tetap")):
                rows.append([plan["rank"], label, None, None, voice[key], None, None])
        if plan.get("stability"):
            rows.append([plan["rank"], "Pasangan sama-sama diuntungkan (informasi)", None,
                         None, plan["stability"]["count"], None, None])
        for u in plan.get("units", []):
            rows.append([plan["rank"], u["unit"], u["ikm"], u["grade"], u["fit_multiplier"],
                         u["jpm_before"], u["jpm_after"]])
    return Sheet("Suara & IKM", ["Rencana", "Butir / unit", "IKM", "Mutu",
                                 "Jumlah / pengali fit", "JPM sebelum (bp)",
                                 "JPM sesudah (bp)"], rows)


# --------------------------------------------------------------------------- charts


def _svg_open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}">')


def jpm_histogram(before: list[int], after: list[int], label: str) -> str:
    """Grouped bars of JPM in 10% bins (the last bin includes 100%)."""
    def bins(values: list[int]) -> list[int]:
        counts = [0] * 10
        for v in values:
            counts[min(9, int(v) // 1000)] += 1
        return counts

    b, a = bins(before), bins(after)
    width, height, left, bottom, top = 560, 240, 40, 40, 20
    peak = max([1, *b, *a])
    slot = (width - left - 10) / 10
    bar = slot * 0.38
    parts = [_svg_open(width, height, label)]
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" '
                 f'y2="{height - bottom}" stroke="#333"/>')
    for i in range(10):
        x = left + i * slot
        for k, (count, colour, name) in enumerate(((b[i], "#9aa5b1", "sebelum"),
                                                   (a[i], "#1f6f8b", "sesudah"))):
            h = (height - bottom - top) * count / peak
            parts.append(f'<rect class="bar-{name}" data-bin="{i}" data-count="{count}" '
                         f'x="{x + 4 + k * bar:.1f}" y="{height - bottom - h:.1f}" '
                         f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                         f'<title>{name} {i * 10}-{i * 10 + 10}%: {count}</title></rect>')
            if count:
                parts.append(f'<text x="{x + 4 + k * bar + bar / 2:.1f}" '
                             f'y="{height - bottom - h - 3:.1f}" font-size="9" '
                             f'text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                     f'text-anchor="middle">{i * 10}–{i * 10 + 10}</text>')
    for threshold, name in ((6800, "KMS|MMS"), (8000, "MMS|MS")):
        x = left + threshold / 1000 * slot
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" '
                     f'stroke="#c0392b" stroke-dasharray="3,3"/><text x="{x + 2:.1f}" '
                     f'y="{top + 8}" font-size="9" fill="#c0392b">{name}</text>')
    parts.append(f'<text x="{left}" y="{height - 6}" font-size="11">JPM (%) — '
                 f'<tspan fill="#9aa5b1">■ sebelum ({len(before)})</tspan> '
                 f'<tspan fill="#1f6f8b">■ sesudah ({len(after)})</tspan></text>')
    parts.append("</svg>")
    return "".join(parts)


# rows top to bottom: above, as, below expectation; columns: rendah, menengah, tinggi
_GRID = [[4, 7, 9], [2, 5, 8], [1, 3, 6]]


def nine_box_chart(counts: dict[int, int], label: str) -> str:
    cell, left, top = 90, 110, 10
    width, height = left + 3 * cell + 10, top + 3 * cell + 40
    peak = max([1, *counts.values()])
    parts = [_svg_open(width, height, label)]
    rows = ("di atas ekspektasi", "sesuai ekspektasi", "di bawah ekspektasi")
    for r, row in enumerate(_GRID):
        parts.append(f'<text x="{left - 6}" y="{top + r * cell + cell / 2}" font-size="10" '
                     f'text-anchor="end">{rows[r]}</text>')
        for c, box in enumerate(row):
            n = counts.get(box, 0)
            shade = 0.08 + 0.8 * n / peak if n else 0.03
            parts.append(f'<rect class="box" data-box="{box}" data-count="{n}" '
                         f'x="{left + c * cell}" y="{top + r * cell}" width="{cell - 2}" '
                         f'height="{cell - 2}" fill="#1f6f8b" fill-opacity="{shade:.2f}" '
                         f'stroke="#333"/><text x="{left + c * cell + 6}" '
                         f'y="{top + r * cell + 14}" font-size="10">kotak {box}</text>'
                         f'<text x="{left + c * cell + cell / 2 - 1}" '
                         f'y="{top + r * cell + cell / 2 + 8}" font-size="22" '
                         f'text-anchor="middle">{n}</text>')
    for c, name in enumerate(("rendah", "menengah", "tinggi")):
        parts.append(f'<text x="{left + c * cell + cell / 2}" y="{top + 3 * cell + 16}" '
                     f'font-size="10" text-anchor="middle">potensi {name}</text>')
    parts.append("</svg>")
    return "".join(parts)


def turnover_chart(rows: list[tuple[str, int, int, int]], label: str) -> str:
    """rows: (unit, moved, incumbents, cap); bars of moved/incumbents with the cap marked."""
    bar_h, left, right = 22, 250, 90
    width = 640
    height = 20 + bar_h * max(1, len(rows)) + 24
    scale = width - left - right
    parts = [_svg_open(width, height, label)]
    for i, (unit, moved, n_u, cap) in enumerate(rows):
        y = 10 + i * bar_h
        share = moved / n_u if n_u else 0.0
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="10" text-anchor="end">'
                     f'{html.escape(unit if len(unit) <= 38 else unit[:37] + "…")}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{scale}" height="{bar_h - 8}" '
                     f'fill="#eef2f5"/>')
        parts.append(f'<rect class="turnover" data-unit="{html.escape(unit)}" '
                     f'data-moved="{moved}" data-cap="{cap}" x="{left}" y="{y + 3}" '
                     f'width="{scale * share:.1f}" height="{bar_h - 8}" fill="#1f6f8b"/>')
        cx = left + scale * (cap / n_u if n_u else 0)
        parts.append(f'<line x1="{cx:.1f}" y1="{y}" x2="{cx:.1f}" y2="{y + bar_h - 2}" '
                     f'stroke="#c0392b" stroke-width="2"/>')
        parts.append(f'<text x="{left + scale + 6}" y="{y + 14}" font-size="11">'
                     f'{moved}/{n_u} (≤{cap})</text>')
    parts.append(f'<text x="10" y="{height - 6}" font-size="11">petahana yang dipindah / '
                 'jumlah petahana; garis merah = batas max_unit_turnover</text>')
    parts.append("</svg>")
    return "".join(parts)


def vacancy_chart(rows: list[tuple[str, int, int]], label: str) -> str:
    """rows: (unit, vacant seats before, vacant seats after); paired horizontal bars."""
    bar_h, left, right, width = 26, 250, 60, 640
    height = 20 + bar_h * max(1, len(rows)) + 24
    scale = width - left - right
    peak = max([1, *(max(b, a) for _, b, a in rows)])
    parts = [_svg_open(width, height, label)]
    for i, (unit, before, after) in enumerate(rows):
        y = 10 + i * bar_h
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="10" text-anchor="end">'
                     f'{html.escape(unit if len(unit) <= 38 else unit[:37] + "…")}</text>')
        for k, (count, colour, name) in enumerate(((before, "#9aa5b1", "sebelum"),
                                                   (after, "#1f6f8b", "sesudah"))):
            parts.append(f'<rect class="vacancy-{name}" data-unit="{html.escape(unit)}" '
                         f'data-count="{count}" x="{left}" y="{y + 2 + k * 11}" '
                         f'width="{scale * count / peak:.1f}" height="10" fill="{colour}">'
                         f'<title>{name}: {count}</title></rect>')
        parts.append(f'<text x="{left + scale + 6}" y="{y + 14}" font-size="11">'
                     f'{before} → {after}</text>')
    parts.append(f'<text x="10" y="{height - 6}" font-size="11">kursi kosong per unit — '
                 '<tspan fill="#5d6d7e">■ sebelum</tspan> '
                 '<tspan fill="#1f6f8b">■ sesudah</tspan></text>')
    parts.append("</svg>")
    return "".join(parts)


def training_chart(courses: list[dict[str, Any]], label: str) -> str:
    """One bar per course (plan order): people who need it, the priority movers (into a
    post met below 80%) as the bar's dark part; total level gap written beside it."""
    bar_h, left, right, width = 24, 230, 250, 760
    height = 12 + bar_h * max(1, len(courses)) + 26
    scale = width - left - right
    peak = max([1, *(c["people"] for c in courses)])
    parts = [_svg_open(width, height, label)]
    for i, c in enumerate(courses):
        y = 8 + i * bar_h
        total = scale * c["people"] / peak
        urgent = scale * c["priority_people"] / peak
        name = c["competency"]
        parts.append(f'<text x="{left - 6}" y="{y + 15}" font-size="11" text-anchor="end">'
                     f'{i + 1}. {html.escape(name if len(name) <= 34 else name[:33] + "…")}</text>')
        parts.append(f'<rect class="course" data-competency="{html.escape(name)}" '
                     f'data-people="{c["people"]}" data-priority="{c["priority_people"]}" '
                     f'x="{left}" y="{y + 4}" width="{total:.1f}" height="{bar_h - 8}" '
                     f'fill="#7fb3c8"/>')
        parts.append(f'<rect x="{left}" y="{y + 4}" width="{urgent:.1f}" height="{bar_h - 8}" '
                     f'fill="#c0392b"/>')
        parts.append(f'<text x="{left + total + 6:.1f}" y="{y + 15}" font-size="10">'
                     f'{c["people"]} orang ({c["priority_people"]} prioritas), selisih '
                     f'{c["total_gap"]} level</text>')
    parts.append(f'<text x="10" y="{height - 8}" font-size="11">'
                 '<tspan fill="#c0392b">■ prioritas: pindah ke jabatan dengan JPM &lt; 80%</tspan> '
                 '<tspan fill="#7fb3c8">■ pegawai lain di bawah standar</tspan></text>')
    parts.append("</svg>")
    return "".join(parts)


def succession_chart(entries: list[dict[str, Any]], label: str) -> str:
    """Critical posts by status: at risk, no ready successor (not at risk), at least one
    ready successor; one stacked bar, counts written in."""
    risk = sum(1 for e in entries if e["at_risk"])
    bare = sum(1 for e in entries if not e["at_risk"] and e["ready"] == 0)
    ready = len(entries) - risk - bare
    width, height, left, scale = 640, 86, 10, 620
    parts = [_svg_open(width, height, label)]
    x = float(left)
    for count, colour, name in ((risk, "#c0392b", "berisiko"),
                                (bare, "#e0a040", "tanpa suksesor siap"),
                                (ready, "#1e8449", "ada suksesor siap")):
        w = scale * count / max(1, len(entries))
        parts.append(f'<rect class="succession-{name.replace(" ", "-")}" data-count="{count}" '
                     f'x="{x:.1f}" y="10" width="{w:.1f}" height="30" fill="{colour}">'
                     f'<title>{name}: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + w / 2:.1f}" y="30" font-size="13" fill="#fff" '
                         f'text-anchor="middle">{count}</text>')
        x += w
    parts.append(f'<text x="{left}" y="62" font-size="11">{len(entries)} jabatan kritis — '
                 '<tspan fill="#c0392b">■ berisiko</tspan> '
                 '<tspan fill="#e0a040">■ tanpa suksesor siap</tspan> '
                 '<tspan fill="#1e8449">■ ada suksesor siap</tspan></text>')
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- page


def before_jpm(scenario: Scenario, problem: Problem) -> list[int]:
    """JPM of every in-scope incumbent in the post they hold now."""
    inc = np.flatnonzero(problem.incumbent)
    comps = list(scenario.competencies)
    if inc.size == 0:
        return []
    if not comps:
        return [10000] * int(inc.size)
    e_comp = scenario.employees[comps].to_numpy(dtype=np.int64)[inc]
    p_comp = scenario.positions[comps].to_numpy(dtype=np.int64)[problem.current[inc]]
    return [int(v) for v in jpm_matrix(e_comp, p_comp)]


def turnover_rows(plan: dict[str, Any], problem: Problem) -> list[tuple[str, int, int, int]]:
    placed = {a["nip"]: a["position"] for a in plan["assignments"]}
    rows = []
    for unit, members, cap in zip(problem.turnover_units, problem.turnover_members,
                                  problem.turnover_caps, strict=True):
        moved = sum(1 for e in members
                    if placed.get(str(problem.nips[e])) != str(problem.position_ids[
                        problem.current[e]]))
        rows.append((str(unit), moved, int(members.size), int(cap)))
    return rows


def _plan_view(plan: dict[str, Any], scenario: Scenario, problem: Problem, names: _Names,
               before: list[int]) -> dict[str, Any]:
    box_of = dict(zip(problem.nips.astype(str), problem.box.tolist(), strict=True))
    moves: list[dict[str, Any]] = []
    stays: list[dict[str, Any]] = []
    for a in plan["assignments"]:
        row = {
            "nip": a["nip"], "name": names.name.get(a["nip"], ""),
            "grade": names.grade.get(a["nip"], ""),
            "from": names.post(a.get("from")), "to": names.post(a["position"]),
            "unit": names.unit.get(a["position"], ""), "position": a["position"],
            "jpm": _pct(a.get("jpm")), "band": a.get("band") or "",
            "band_label": BAND_LABELS.get(a.get("band") or "", a.get("mapping") or ""),
            "fit_source": "asesmen" if a.get("fit_source") == "assessment" else "kompetensi",
            "reasons": [REASON_LABELS.get(r, r) for r in a.get("reasons", [])],
            "reason_codes": " ".join(a.get("reasons", [])),
            "training": a.get("training", []),
        }
        (stays if a["position"] == a.get("from") else moves).append(row)
    promotees: dict[int, int] = {}
    for a in plan["assignments"]:
        if "promotion" in a.get("reasons", []):
            box = box_of[a["nip"]]
            promotees[box] = promotees.get(box, 0) + 1
    after = [int(a["jpm"]) for a in plan["assignments"] if a.get("jpm") is not None]
    shortlist_rows = []
    for entry in plan.get("shortlists", []):
        shortlist_rows.append({
            "position": names.post(entry["position"]), "id": entry["position"],
            "complete": entry["complete"], "note": entry.get("note", ""),
            "names": [{"nip": n["nip"], "name": names.name.get(n["nip"], ""),
                       "chosen": n["chosen"], "loss": n["objective_loss"]}
                      for n in entry["names"]],
        })
    diff = plan.get("diff")
    rank = plan["rank"]
    return {
        "rank": rank, "objective": plan["objective"], "bound": plan.get("bound"),
        "optimal": plan.get("optimal"), "moves": moves, "stays": stays,
        "promotions": sum(promotees.values()),
        "diff": diff, "shortlists": shortlist_rows,
        "shortlists_complete": plan.get("shortlists_complete"),
        "shortlists_pending": plan.get("shortlists_pending", False),
        "jpm_svg": jpm_histogram(before, after, f"JPM sebelum dan sesudah, rencana {rank}"),
        "mean_before": _pct(sum(before) // len(before)) if before else "—",
        "mean_after": _pct(sum(after) // len(after)) if after else "—",
        "box_svg": nine_box_chart(promotees, f"9-box promosi, rencana {rank}"),
        "turnover_svg": turnover_chart(turnover_rows(plan, problem),
                                       f"turnover per unit, rencana {rank}"),
        **_voice_view(plan, names),
    }


def _talent_view(doc: dict[str, Any], scenario: Scenario, problem: Problem,
                 names: _Names) -> dict[str, Any]:
    """Rows of the succession and training sections of the page."""
    succession, training = talent_outputs(doc, scenario, problem)
    horizon = scenario.rules.retirement_horizon_months
    posts = []
    for entry in succession:
        posts.append({
            "id": entry["position"], "post": names.post(entry["position"]),
            "unit": names.unit.get(entry["position"], ""), "at_risk": entry["at_risk"],
            "ready": entry["ready"],
            "holders": [{"nip": h["nip"], "name": names.name.get(h["nip"], ""),
                         "bup": h["months_to_retirement"],
                         "limit": h["months_to_tenure_limit"], "leaving": h["leaving"]}
                        for h in entry["holders_outlook"]],
            "names": [{"nip": n["nip"], "name": names.name.get(n["nip"], ""),
                       "fit": _pct(n["fit"]), "box": n["box"], "readiness": n["readiness"],
                       "ready": n["readiness"] == "siap", "pool": n["national_pool"],
                       "gaps": ", ".join(f"{g['competency']} {g['actual']}→{g['required']}"
                                         for g in n["gaps"])}
                      for n in entry["names"]],
        })
    view: dict[str, Any] = {
        "posts": posts, "horizon": horizon, "size": scenario.succession.size,
        "min_fit": _pct(scenario.succession.min_fit),
        "succession_svg": succession_chart(succession, "status suksesi jabatan kritis")
        if succession else "",
        "training": None,
    }
    if training is not None:
        view["training"] = {
            "courses": training["courses"], "by_unit": training["by_unit"],
            "people": [{**p, "name": names.name.get(p["nip"], ""), "to": names.post(p["position"]),
                        "jpm_text": _pct(p["jpm"]),
                        "needs_text": "; ".join(f"{n['competency']} {n['actual']}→{n['target']}"
                                                for n in p["needs"])}
                       for p in training["people"]],
            "svg": training_chart(training["courses"], "kebutuhan pelatihan, rencana 1"),
        }
    return view


IKM_GRADE_LABELS = {"A": "A (sangat baik)", "B": "B (baik)", "C": "C (kurang baik)",
                    "D": "D (tidak baik)"}
STABILITY_ROWS = 200  # the page lists this many pairs; plans.json has them all


def _voice_view(plan: dict[str, Any], names: _Names) -> dict[str, Any]:
    """Section 9 blocks of a plan (absent unless the scenario has its tables)."""
    units = [{**u, "grade_label": IKM_GRADE_LABELS.get(u["grade"] or "", "—"),
              "ikm": u["ikm"] or "—", "before": _pct(u["jpm_before"]),
              "after": _pct(u["jpm_after"])} for u in plan.get("units", [])]
    stability = plan.get("stability")
    pairs = []
    if stability:
        for q in stability["pairs"][:STABILITY_ROWS]:
            pairs.append({**q, "name": names.name.get(q["nip"], ""),
                          "post": names.post(q["position"]),
                          "placed": names.post(q["placed_in"]) if q["placed_in"] else "—",
                          "displaced": (names.name.get(q["displaces"], q["displaces"])
                                        if q["displaces"] else "kursi kosong")})
    return {"voice": plan.get("voice"), "units": units, "stability": stability,
            "stability_rows": pairs}


TEMPLATE = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Penata — review {{ name }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1b2631;max-width:1200px}
h1{font-size:1.5rem}h2{border-bottom:2px solid #1f6f8b;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #ccd;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#eef2f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
.MS{color:#1e8449;font-weight:600}.MMS{color:#b9770e;font-weight:600}.KMS{color:#c0392b;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}.charts figure{margin:0;max-width:640px}.charts svg{display:block}
figcaption{font-size:.8rem;color:#555}.warn{color:#c0392b}.chosen{font-weight:600}
.small{font-size:.8rem;color:#555}ul.tight,ol.tight{margin:0;padding-left:1.1rem}
tr.risk td{background:#fdecea}li.ready{color:#1e8449}
</style></head><body>
<h1 id="title">Penata — {{ name }}</h1>
<p id="status">Status: <strong>{{ status }}</strong>{% if as_of %} · per {{ as_of }}{% endif %}
{% if input_sha %} · input sha256 <code>{{ input_sha[:16] }}…</code>{% endif %}</p>
{% if infeasibility %}<section id="infeasibility"><h2>Tidak ada rencana yang layak</h2><ul>
{% for r in infeasibility %}<li>{{ r }}</li>{% endfor %}</ul></section>{% endif %}
{% if plans %}
<h2>Rencana berperingkat</h2>
<table id="plans-summary"><tr><th>Rencana</th><th>Objektif</th><th>Batas</th><th>Terbukti optimal</th>
<th>Mutasi</th><th>Promosi</th><th>Selisih vs rencana 1</th></tr>
{% for p in plans %}<tr data-rank="{{ p.rank }}"><td><a href="#plan-{{ p.rank }}">{{ p.rank }}</a></td>
<td class="num">{{ "{:,}".format(p.objective) }}</td><td class="num">{{ "{:,}".format(p.bound) if p.bound is not none else "" }}</td>
<td>{{ "ya" if p.optimal else "tidak" }}</td><td class="num">{{ p.moves|length }}</td>
<td class="num">{{ p.promotions }}</td><td class="num">{{ "{:,}".format(p.diff.objective_delta) if p.diff else "—" }}</td></tr>{% endfor %}
</table>
{% endif %}
{% for p in plans %}
<section class="plan" id="plan-{{ p.rank }}">
<h2>Rencana {{ p.rank }}</h2>
<div class="charts">
<figure id="chart-jpm-{{ p.rank }}">{{ p.jpm_svg|safe }}<figcaption>Distribusi JPM: petahana di jabatan saat ini (sebelum, rata-rata {{ p.mean_before }}) vs semua penempatan rencana ini (sesudah, rata-rata {{ p.mean_after }}).</figcaption></figure>
<figure id="chart-9box-{{ p.rank }}">{{ p.box_svg|safe }}<figcaption>9-box pegawai yang dipromosikan ({{ p.promotions }}).</figcaption></figure>
<figure id="chart-turnover-{{ p.rank }}">{{ p.turnover_svg|safe }}<figcaption>Turnover per unit.</figcaption></figure>
</div>
{% if p.diff %}<h3>Perbedaan dengan rencana {{ p.diff.vs_rank }}</h3>
<p class="diff">Selisih objektif: <strong>{{ "{:,}".format(p.diff.objective_delta) }}</strong>;
{{ p.diff.elsewhere|length }} orang ditempatkan berbeda, {{ p.diff.moves_added|length }} mutasi baru,
{{ p.diff.moves_dropped|length }} mutasi dibatalkan.</p>
{% if p.diff.elsewhere %}<table class="diff-table"><tr><th>NIP</th><th>Rencana {{ p.diff.vs_rank }}</th><th>Rencana {{ p.rank }}</th></tr>
{% for d in p.diff.elsewhere %}<tr><td>{{ d.nip }}</td><td>{{ d.in_a }}</td><td>{{ d.in_b }}</td></tr>{% endfor %}</table>{% endif %}
{% endif %}
{% if p.voice or p.units %}<h3>Suara pegawai dan kepuasan masyarakat</h3>
{% if p.voice %}<table class="voice"><tr><th>Pindah ke pilihan ke-1</th><th>ke-2</th><th>ke-3</th><th>ke-4</th><th>ke-5</th><th>Pindah tanpa mengajukan</th><th>di antaranya wajib pindah</th><th>Tetap atas keinginan sendiri</th><th>Mengajukan pindah, tetap</th></tr>
<tr>{% for k in ["1", "2", "3", "4", "5"] %}<td class="num">{{ p.voice.movers_by_choice[k] }}</td>{% endfor %}<td class="num">{{ p.voice.moved_without_asking }}</td><td class="num">{{ p.voice.had_to_move }}</td><td class="num">{{ p.voice.stayed_by_own_wish }}</td><td class="num">{{ p.voice.stayed_though_asked_to_move }}</td></tr></table>{% endif %}
{% if p.units %}<table class="units"><tr><th>Unit</th><th>IKM</th><th>Mutu pelayanan</th><th>Pengali fit</th><th>Rata-rata JPM sebelum</th><th>sesudah</th></tr>
{% for u in p.units %}<tr data-unit="{{ u.unit }}"><td>{{ u.unit }}</td><td class="num">{{ u.ikm }}</td><td>{{ u.grade_label }}</td><td class="num">{{ u.fit_multiplier }}</td><td class="num">{{ u.before }} ({{ u.holders_before }})</td><td class="num">{{ u.after }} ({{ u.holders_after }})</td></tr>{% endfor %}</table>{% endif %}
{% if p.stability %}<p id="stability-{{ p.rank }}">Pasangan pegawai–jabatan yang sama-sama diuntungkan bila ditukar (informasi, bukan bagian objektif; batas turnover unit dan wajib-isi tidak diperiksa): <strong>{{ p.stability.count }}</strong>.</p>
{% if p.stability_rows %}<details><summary>Daftar pasangan{% if p.stability.count > p.stability_rows|length %} ({{ p.stability_rows|length }} pertama dari {{ p.stability.count }}; semuanya di plans.json){% endif %}</summary><table class="stability"><tr><th>NIP</th><th>Nama</th><th>Jabatan yang diminta</th><th>Pilihan ke-</th><th>Ditempatkan di</th><th>Menggeser</th></tr>
{% for q in p.stability_rows %}<tr data-nip="{{ q.nip }}"><td>{{ q.nip }}</td><td>{{ q.name }}</td><td>{{ q.post }}</td><td class="num">{{ q.rank }}</td><td>{{ q.placed }}</td><td>{{ q.displaced }}</td></tr>{% endfor %}</table></details>{% endif %}{% endif %}
{% endif %}<h3>Daftar pendek (3 nama per jabatan)</h3>
{% if p.shortlists_pending %}<p class="warn">Daftar pendek sedang dihitung; berkas ini diperbarui setelah selesai.</p>
{% elif not p.shortlists %}<p class="small">Tidak ada jabatan yang diisi dengan mutasi, atau daftar pendek tidak dihitung.</p>{% endif %}
{% if p.shortlists and not p.shortlists_complete and not p.shortlists_pending %}<p class="warn">Sebagian daftar pendek belum lengkap (batas waktu habis atau rencana belum terbukti optimal); tidak ada angka perkiraan yang ditampilkan.</p>{% endif %}
{% if p.shortlists %}<table class="shortlists"><tr><th>Jabatan</th><th>Nama (kehilangan objektif, tepat)</th><th>Catatan</th></tr>
{% for s in p.shortlists %}<tr data-position="{{ s.id }}"><td>{{ s.position }}</td><td><ol class="tight">
{% for n in s.names %}<li class="{{ 'chosen' if n.chosen else 'alt' }}" data-nip="{{ n.nip }}" data-loss="{{ n.loss }}">{{ n.name }} ({{ n.nip }}): {% if n.chosen %}dipilih, 0{% elif n.loss == 0 %}0 (setara){% else %}−{{ "{:,}".format(n.loss) }}{% endif %}</li>{% endfor %}
</ol></td><td>{{ "" if s.complete else "belum lengkap: " }}{{ s.note }}</td></tr>{% endfor %}</table>{% endif %}
<h3>Mutasi dan alasannya ({{ p.moves|length }})</h3>
<table class="moves"><tr><th>NIP</th><th>Nama</th><th>Gol.</th><th>Dari</th><th>Ke</th><th>Unit</th><th>JPM</th><th>Band</th><th>Fit</th><th>Alasan</th><th>Kebutuhan pelatihan</th></tr>
{% for m in p.moves %}<tr class="move" data-nip="{{ m.nip }}" data-position="{{ m.position }}" data-reasons="{{ m.reason_codes }}">
<td>{{ m.nip }}</td><td>{{ m.name }}</td><td>{{ m.grade }}</td><td>{{ m.from }}</td><td>{{ m.to }}</td><td>{{ m.unit }}</td>
<td class="num">{{ m.jpm }}</td><td class="{{ m.band }}" title="{{ m.band_label }}">{{ m.band }}</td><td>{{ m.fit_source }}</td>
<td><ul class="tight">{% for r in m.reasons %}<li>{{ r }}</li>{% endfor %}</ul></td>
<td><ul class="tight">{% for t in m.training %}<li>{{ t }}</li>{% endfor %}</ul></td></tr>{% endfor %}
</table>
<details><summary>Tetap di jabatan ({{ p.stays|length }})</summary>
<table class="stays"><tr><th>NIP</th><th>Nama</th><th>Jabatan</th><th>JPM</th><th>Pemetaan</th><th>Alasan</th><th>Kebutuhan pelatihan</th></tr>
{% for m in p.stays %}<tr data-nip="{{ m.nip }}"><td>{{ m.nip }}</td><td>{{ m.name }}</td><td>{{ m.to }}</td><td class="num">{{ m.jpm }}</td><td>{{ m.band_label }}</td>
<td>{{ m.reasons|join(", ") }}</td><td>{{ m.training|join("; ") }}</td></tr>{% endfor %}</table></details>
</section>
{% endfor %}
<section id="succession"><h2>Suksesi jabatan kritis</h2>
{% if not talent.posts %}<p class="small">Tidak ada jabatan yang ditandai kritis (kolom <code>critical</code> pada tabel jabatan).</p>{% else %}
<p class="small">Kelompok suksesi instansi: pegawai kotak 7, 8, 9 (kotak 9 = talent pool nasional) yang memenuhi syarat pangkat, jenjang, promosi, usia dan pendidikan jabatan itu per {{ as_of }}, bukan pemangku sekarang maupun pemangku menurut rencana 1, dengan fit ≥ {{ talent.min_fit }}; paling banyak {{ talent.size }} nama, urut fit, kotak, NIP. Siap = fit ≥ 80% (MS). Berisiko = tidak ada suksesor siap, dan pemangkunya pensiun/mencapai batas 5 tahun dalam {{ talent.horizon }} bulan atau jabatan kosong (juga menurut rencana 1).</p>
<figure id="chart-succession">{{ talent.succession_svg|safe }}<figcaption>Status suksesi jabatan kritis.</figcaption></figure>
<table class="succession"><tr><th>Jabatan</th><th>Unit</th><th>Pemangku (bulan ke BUP / ke batas 5 tahun)</th><th>Suksesor (fit, kotak, kesiapan)</th><th>Status</th></tr>
{% for s in talent.posts %}<tr data-position="{{ s.id }}" data-at-risk="{{ 'true' if s.at_risk else 'false' }}"{% if s.at_risk %} class="risk"{% endif %}>
<td>{{ s.post }}</td><td>{{ s.unit }}</td>
<td>{% if not s.holders %}kosong{% endif %}<ul class="tight">{% for h in s.holders %}<li{% if h.leaving %} class="warn"{% endif %}>{{ h.name }} ({{ h.nip }}): {{ h.bup }} / {{ h.limit }}</li>{% endfor %}</ul></td>
<td>{% if not s.names %}<span class="warn">tidak ada yang memenuhi syarat</span>{% endif %}<ol class="tight">
{% for n in s.names %}<li data-nip="{{ n.nip }}" class="{{ 'ready' if n.ready else 'dev' }}">{{ n.name }} ({{ n.nip }}): {{ n.fit }}, kotak {{ n.box }}{% if n.pool %} (talent pool nasional){% endif %}, <strong>{{ n.readiness }}</strong>{% if n.gaps %}<br><span class="small">kesenjangan: {{ n.gaps }}</span>{% endif %}</li>{% endfor %}
</ol></td><td>{{ "berisiko" if s.at_risk else ("siap" if s.ready else "perlu pengembangan") }}</td></tr>{% endfor %}
</table>{% endif %}
</section>
{% if talent.training %}<section id="training"><h2>Analisis kebutuhan pelatihan (rencana 1)</h2>
<p class="small">Untuk setiap penempatan rencana 1 (termasuk yang tetap), setiap kompetensi yang dipersyaratkan jabatan tetapi level pegawai di bawah standar. Urutan pelatihan: jumlah pegawai prioritas (pindah ke jabatan dengan JPM &lt; 80%), lalu jumlah pegawai, lalu total selisih level.</p>
{% if not talent.training.courses %}<p>Semua pegawai yang ditempatkan memenuhi standar kompetensi jabatannya.</p>{% else %}
<figure id="chart-training">{{ talent.training.svg|safe }}<figcaption>Pegawai per pelatihan; merah = prioritas.</figcaption></figure>
<table class="courses"><tr><th>No</th><th>Kompetensi</th><th>Pegawai</th><th>Prioritas</th><th>Total selisih level</th></tr>
{% for c in talent.training.courses %}<tr data-competency="{{ c.competency }}"><td class="num">{{ loop.index }}</td><td>{{ c.competency }}</td><td class="num">{{ c.people }}</td><td class="num">{{ c.priority_people }}</td><td class="num">{{ c.total_gap }}</td></tr>{% endfor %}
</table>
<details><summary>Per kompetensi dan unit ({{ talent.training.by_unit|length }} baris)</summary>
<table class="training-units"><tr><th>Kompetensi</th><th>Unit</th><th>Pegawai</th><th>Total selisih level</th></tr>
{% for c in talent.training.by_unit %}<tr><td>{{ c.competency }}</td><td>{{ c.unit }}</td><td class="num">{{ c.people }}</td><td class="num">{{ c.total_gap }}</td></tr>{% endfor %}</table></details>
<details><summary>Per pegawai ({{ talent.training.people|length }})</summary>
<table class="training-people"><tr><th>NIP</th><th>Nama</th><th>Jabatan (rencana 1)</th><th>JPM</th><th>Prioritas</th><th>Pelatihan (level sekarang→target)</th></tr>
{% for p in talent.training.people %}<tr data-nip="{{ p.nip }}"><td>{{ p.nip }}</td><td>{{ p.name }}</td><td>{{ p.to }}</td><td class="num">{{ p.jpm_text }}</td><td>{{ "ya" if p.priority else "" }}</td><td>{{ p.needs_text }}</td></tr>{% endfor %}</table></details>
{% endif %}</section>{% endif %}
<footer class="small"><p>JPM = ⌊10000 · Σ min(capaian, standar) / Σ standar⌋ basis poin (MODEL.md §6). Band pengisian: MS ≥ 80%, MMS 68–80%, KMS &lt; 68%.
Kehilangan objektif = objektif rencana − optimum bila orang tersebut dikunci pada jabatan itu (dihitung ulang, tepat).</p></footer>
</body></html>
"""


@functools.cache
def _template() -> Template:
    """The page's template, compiled once a process (a packet written with shortlists
    pending and again when they are done, or many by a server)."""
    return Environment(autoescape=True).from_string(TEMPLATE)


def render_html(doc: dict[str, Any], scenario: Scenario, problem: Problem | None = None) -> str:
    problem = problem if problem is not None else build_problem(scenario)
    names = _Names(scenario)
    before = before_jpm(scenario, problem)
    return _template().render(
        name=doc.get("scenario", scenario.name), status=doc.get("status", ""),
        as_of=scenario.as_of.isoformat(),
        input_sha=doc.get("provenance", {}).get("input_sha256", ""),
        infeasibility=doc.get("infeasibility", []),
        plans=[_plan_view(p, scenario, problem, names, before) for p in doc.get("plans", [])],
        talent=_talent_view(doc, scenario, problem, names),
    )


def write_review_packet(doc: dict[str, Any], scenario: Scenario, out_dir: Path,
                        problem: Problem | None = None) -> list[Path]:
    """Write ``plans.xlsx`` and ``review.html`` for an (explained) ``plans.json`` document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    problem = problem if problem is not None else build_problem(scenario)
    xlsx = out_dir / "plans.xlsx"
    write_atomic(xlsx, xlsx_document(doc, scenario))
    page = out_dir / "review.html"
    write_atomic(page, render_html(doc, scenario, problem))
    return [xlsx, page]
