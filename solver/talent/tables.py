"""Flat rows of the training plan and the succession lists, for CSV and spreadsheets.

Only reshaping: every number comes from :func:`solver.talent.training.training_plan`
or :func:`solver.talent.succession.succession_plan`; writers serialise these rows.
Machine headers (``*_COLUMNS``) for CSV, Bahasa Indonesia labels (``*_LABELS``) for
the committee's sheets; both describe the same columns.
"""

from __future__ import annotations

from typing import Any

from solver.scenario import Scenario

TRAINING_COLUMNS = ("course", "competency", "nip", "name", "position", "title", "unit", "from",
                    "move", "priority", "jpm", "actual", "target", "gap")
TRAINING_LABELS = ("Urutan pelatihan", "Kompetensi", "NIP", "Nama", "Jabatan", "Nama jabatan",
                   "Unit", "Dari", "Pindah", "Prioritas", "JPM (bp)", "Level sekarang",
                   "Level target", "Selisih level")
TRAINING_UNIT_LABELS = ("Urutan pelatihan", "Kompetensi", "Unit", "Jumlah pegawai",
                        "Total selisih level")
SUCCESSION_LABELS = ("Jabatan", "Nama jabatan", "Unit", "Pemangku", "Bulan ke BUP",
                     "Bulan ke batas 5 tahun", "Berisiko", "Urutan", "NIP", "Nama", "Fit (bp)",
                     "Kotak 9-box", "Kesiapan", "Talent pool nasional", "Kesenjangan kompetensi")


def _yes(value: bool) -> str:
    return "ya" if value else "tidak"


def training_rows(training: dict[str, Any], scenario: Scenario) -> list[list[Any]]:
    """One row per (course, participant), courses in plan order (TRAINING_COLUMNS)."""
    emp, pos = scenario.employees, scenario.positions
    name = dict(zip(emp["nip"].tolist(), emp["name"].tolist(), strict=True))
    title = dict(zip(pos["id"].tolist(), pos["title"].tolist(), strict=True))
    people = {p["nip"]: p for p in training["people"]}
    rows = []
    for number, course in enumerate(training["courses"], start=1):
        for x in course["participants"]:
            person = people[x["nip"]]
            rows.append([number, course["competency"], x["nip"], name.get(x["nip"], ""),
                         x["position"], title.get(x["position"], ""), x["unit"],
                         person["from"] or "", _yes(person["move"]), _yes(x["priority"]),
                         person["jpm"], x["actual"], x["target"], x["gap"]])
    return rows


def training_unit_rows(training: dict[str, Any]) -> list[list[Any]]:
    """One row per (competency, unit) in course order (TRAINING_UNIT_LABELS)."""
    number = {c["competency"]: i for i, c in enumerate(training["courses"], start=1)}
    return [[number[c["competency"]], c["competency"], c["unit"], c["people"], c["total_gap"]]
            for c in training["by_unit"]]


def _gap_text(gaps: list[dict[str, Any]]) -> str:
    return "; ".join(f"{g['competency']} {g['actual']}→{g['required']}" for g in gaps)


def succession_rows(succession: list[dict[str, Any]], scenario: Scenario) -> list[list[Any]]:
    """One row per (critical post, successor), a post without names gets one row
    (SUCCESSION_LABELS). Holder columns repeat on every row of the post."""
    emp, pos = scenario.employees, scenario.positions
    name = dict(zip(emp["nip"].tolist(), emp["name"].tolist(), strict=True))
    title = dict(zip(pos["id"].tolist(), pos["title"].tolist(), strict=True))
    unit = dict(zip(pos["id"].tolist(), pos["unit"].tolist(), strict=True))
    rows = []
    for entry in succession:
        outlook = entry["holders_outlook"]
        head = [entry["position"], title.get(entry["position"], ""),
                unit.get(entry["position"], ""),
                "; ".join(f"{name.get(h['nip'], '')} ({h['nip']})" for h in outlook) or "kosong",
                "; ".join(str(h["months_to_retirement"]) for h in outlook),
                "; ".join(str(h["months_to_tenure_limit"]) for h in outlook),
                _yes(entry["at_risk"])]
        if not entry["names"]:
            rows.append(head + ["", "", "tidak ada suksesor yang memenuhi syarat", "", "", "",
                                "", ""])
        for k, n in enumerate(entry["names"], start=1):
            rows.append(head + [k, n["nip"], name.get(n["nip"], ""), n["fit"], n["box"],
                                n["readiness"], _yes(n["national_pool"]), _gap_text(n["gaps"])])
    return rows
