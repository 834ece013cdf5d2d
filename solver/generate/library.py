"""The committed scenario library (``scenarios/``), rebuilt from the generator.

``python -m solver.generate.library scenarios`` rewrites every committed
scenario; tests check that the committed files equal a fresh build, so the
library and the generator cannot drift apart.

Layout::

    scenarios/demo/                  demo profile (scenario.yaml + CSVs)
    scenarios/binjai/                kota_binjai roster and position map (shared CSVs)
    scenarios/penyetaraan/           position map after penyetaraan jabatan
    scenarios/promosi/               position map + open-selection results
    scenarios/restrukturisasi/       position map after a single-unit restructuring
    scenarios/suara/                 career preferences and IKM per unit (section 9)
    scenarios/*.yaml                 the named what-if scenarios
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from solver.generate import catalog as C
from solver.generate.engine import (
    Generated,
    _Ctx,
    _standards,
    add_voice,
    build,
    dump_yaml,
    employees_table,
    ensure_feasible,
    positions_table,
    scenario_dict,
    write,
    write_csv,
)
from solver.generate.voice import VOICE_STREAM

DEMO_SEED = 1
BINJAI_SEED = 2027
PENYETARAAN_UNITS = (
    "Dinas Komunikasi dan Informatika",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Dinas Kependudukan dan Pencatatan Sipil",
)
RESTRUCTURE_CANDIDATES = (
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Kesehatan",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Dinas Lingkungan Hidup",
)


def _variant(g: Generated) -> Generated:
    v = copy.copy(g)
    v.positions = g.positions.copy()
    v.rules = dict(g.rules)
    v.weights = dict(g.weights)
    v.plans = dict(g.plans)
    v.notes = []
    v.assessments = None
    return v


def _new_post(v: Generated, unit: str, title: str, level: int, gmin: str, gmax: str,
              headcount: int, *, fields: str = "", bup: int = 0, must_fill: bool = False,
              priority: int = 1, kind: str = "struct") -> None:
    pos = v.positions
    ids = pos.loc[pos["unit"] == unit, "id"]
    prefix = ids.iloc[0][:3]
    seq = max(int(i[3:]) for i in ids) + 1
    row = {col: pos[col].iloc[0] for col in pos.columns}
    row.update({
        "id": f"{prefix}{seq:03d}", "title": title, "unit": unit, "level": level,
        "gmin": C.RANK[gmin], "gmax": C.RANK[gmax], "kind": kind, "weight": 0.0,
        "must_fill": must_fill, "priority": priority, "fields": fields, "required": False,
        "bup": bup, "applicants_only": False, "critical": False, "headcount": headcount,
        "holders": 0,
    })
    last = int(np.flatnonzero((pos["unit"] == unit).to_numpy())[-1])
    top, bottom = pos.iloc[: last + 1], pos.iloc[last + 1:]
    v.positions = pd.concat([top, pd.DataFrame([row]), bottom], ignore_index=True)
    _standards(v.positions)


def _remap(v: Generated, base: Generated) -> None:
    """Employees keep their positions by id after rows were inserted."""
    where = {pid: i for i, pid in enumerate(v.positions["id"])}
    ids = base.positions["id"].to_numpy()
    cur = base.employees["pos"].to_numpy()
    v.employees = base.employees.copy()
    v.employees["pos"] = np.where(cur >= 0, [where[ids[c]] if c >= 0 else -1 for c in cur], -1)


def penyetaraan(base: Generated, rng: np.random.Generator) -> Generated:
    """Administrator and pengawas posts of four OPD become functional posts."""
    v = _variant(base)
    v.name = "Penyetaraan jabatan administrasi ke fungsional, empat OPD Kota Binjai 2027"
    pos = v.positions
    for unit in PENYETARAAN_UNITS:
        in_unit = (pos["unit"] == unit) & (pos["kind"] == "struct")
        kasi = in_unit & pos["title"].str.startswith("Kepala Seksi")
        kabid = in_unit & pos["title"].str.startswith("Kepala Bidang")
        n_kasi, n_kabid = int(kasi.sum()), int(kabid.sum())
        pos.loc[kasi | kabid, "headcount"] = 0
        pos.loc[kasi | kabid, "must_fill"] = False
        fields = ";".join(C.CITY_OPD[[o[0] for o in C.CITY_OPD].index(unit)][2])
        jf_key = C.CITY_OPD[[o[0] for o in C.CITY_OPD].index(unit)][3][0]
        jf = C.JF[jf_key][0]
        _new_post(v, unit, f"{jf} Ahli Muda (hasil penyetaraan) {unit}", 3, "III/c", "III/d",
                  n_kasi, fields=fields, kind="jf")
        # penyetaraan keeps the holder's grade: the ahli madya seats take III/d
        _new_post(v, unit, f"{jf} Ahli Madya (hasil penyetaraan) {unit}", 4, "III/d", "IV/c",
                  n_kabid, fields=fields, bup=60, kind="jf")
        pos = v.positions
    _remap(v, base)
    v.scope_units = PENYETARAAN_UNITS
    v.scope_levels = (3, 4)
    # an in-place conversion on as_of: nobody is retired by it, so the horizon is off
    v.rules["retirement_horizon_months"] = 0
    ensure_feasible(v, rng)
    return v


def promosi(base: Generated, rng: np.random.Generator) -> Generated:
    """Open selection for every vacant administrator post (eselon III)."""
    v = _variant(base)
    v.name = "Seleksi terbuka dan promosi jabatan administrator (eselon III) Kota Binjai 2027"
    v.scope_units = None
    v.scope_levels = (4,)
    pos = v.positions
    holders = np.bincount(v.employees["pos"].to_numpy()[v.employees["pos"].to_numpy() >= 0],
                          minlength=len(pos))
    vacant = np.flatnonzero((pos["level"].to_numpy() == 4) & (pos["kind"].to_numpy() == "struct")
                            & (holders == 0) & (pos["headcount"].to_numpy() > 0))
    pos.loc[pos.index[vacant], "applicants_only"] = True
    pos.loc[pos.index[vacant], "must_fill"] = True
    ctx = _Ctx(v)
    comps = [f"c.{c}" for c in C.COMPETENCIES]
    achieved = v.employees[comps].fillna(0).to_numpy(dtype=np.int64)
    rows: list[dict[str, Any]] = []
    taken: set[int] = set()
    for p in vacant:
        elig = np.flatnonzero(ctx.eligible(int(p), ignore_applicants=True))
        elig = np.array([e for e in elig if e not in taken], dtype=np.int64)
        if len(elig) == 0:
            pos.loc[pos.index[p], "applicants_only"] = False
            continue
        k = min(len(elig), int(rng.integers(3, 7)))
        chosen = list(rng.choice(elig, size=k, replace=False))
        taken.update(int(e) for e in chosen[:1])
        # one applicant who does not meet the rules (grade below the range)
        low = np.flatnonzero((ctx.elevel == 3) & (ctx.grade < ctx.gmin[p]))
        if len(low):
            chosen.append(int(low[int(rng.integers(0, len(low)))]))
        req = pos.loc[pos.index[p], comps].to_numpy(dtype=np.int64)
        for e in sorted(int(x) for x in chosen):
            jpm = 10000 * np.minimum(achieved[e], req).sum() // max(int(req.sum()), 1)
            # panel score: the assessed JPM shaded by the interview, on the 0-10000 scale
            score = int(np.clip(0.55 * jpm + rng.normal(3600, 900), 3000, 9900))
            rows.append({"nip": ctx.nip[e], "position": ctx.pid[p], "score": score})
    v.assessments = pd.DataFrame(rows, columns=["nip", "position", "score"])
    ensure_feasible(v, rng)
    return v


def restrukturisasi(base: Generated, rng: np.random.Generator) -> Generated:
    """Two bidang of one OPD merge and a new bidang is formed (same seats)."""
    last: Exception | None = None
    for unit in RESTRUCTURE_CANDIDATES:
        v = _variant(base)
        pos = v.positions
        kabid = pos.index[(pos["unit"] == unit) & pos["title"].str.startswith("Kepala Bidang")]
        if len(kabid) < 3:
            continue
        names = [pos.loc[i, "title"].removeprefix("Kepala Bidang ").removesuffix(f" {unit}")
                 for i in kabid]
        b1, b2 = names[-2], names[-1]
        gone = (pos["unit"] == unit) & pos["title"].str.contains(f" {b1} | {b2} ", regex=True) & (
            pos["kind"] == "struct")
        n_kasi = int((gone & pos["title"].str.startswith("Kepala Seksi")).sum())
        pos.loc[gone, "headcount"] = 0
        pos.loc[gone, "must_fill"] = False
        fields = pos.loc[kabid[0], "fields"]
        merged = f"{b1} dan {b2}"
        fresh = "Transformasi Digital dan Inovasi Layanan"
        for b in (merged, fresh):
            _new_post(v, unit, f"Kepala Bidang {b} {unit}", 4, "III/d", "IV/a", 1, fields=fields,
                      must_fill=True, priority=2)
        half = (n_kasi + 1) // 2
        for b, n in ((merged, half), (fresh, n_kasi - half)):
            for s in C.SEKSI[:n]:
                _new_post(v, unit, f"Kepala Seksi {s} {b} {unit}", 3, "III/c", "III/d", 1,
                          fields=fields)
        _remap(v, base)
        v.name = f"Restrukturisasi {unit} Kota Binjai 2027: Bidang {b1} dan {b2} digabung"
        v.scope_units = (unit,)
        v.scope_levels = None
        try:
            ensure_feasible(v, rng)
        except ValueError as exc:  # a holder has no target: try the next OPD
            last = exc
            continue
        return v
    raise ValueError(f"no restructuring candidate works: {last}")


def _yaml(root: Path, name: str, g: Generated, files: dict[str, str], comment: str) -> None:
    (root / name).write_text(dump_yaml(scenario_dict(g, files), comment), encoding="utf-8")


def build_library(root: Path) -> list[Path]:
    """Write the committed scenario library under ``root``; return the YAML paths."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []

    demo = build("demo", DEMO_SEED)
    demo.name = "Rotasi eselon III/IV Kota Binjai 2027 (demo)"
    demo.comment = (
        "Demo: a Binjai-like slice (Sekretariat Daerah, four OPD, one kecamatan with three\n"
        "kelurahan). Round: pengawas and administrator posts (levels 3-4) of all units.\n"
        f"Generated by `penata generate --profile demo --seed {DEMO_SEED}`, renamed;\n"
        "rebuild with `python -m solver.generate.library scenarios`."
    )
    out.append(write(demo, root / "demo"))

    base = build("kota_binjai", BINJAI_SEED)
    write_csv(employees_table(base), root / "binjai" / "employees.csv")
    write_csv(positions_table(base), root / "binjai" / "positions.csv")
    shared = {"employees": "binjai/employees.csv", "positions": "binjai/positions.csv"}

    rot = _variant(base)
    rot.name = "Rotasi lima tahunan pengawas dan administrator Kota Binjai 2027"
    rot.rules["min_fit_for_move"] = 6800
    _yaml(root, "rotasi_lima_tahun.yaml", rot, shared, (
        "Five-year rotation round (Peraturan BKN 5/2019 Pasal 2(3)): every pengawas and\n"
        "administrator post of Kota Binjai (levels 3-4) is re-planned; holders past 60 months\n"
        "are penalised by weights.overstay, nobody under 24 months moves, at most half of each\n"
        "unit's incumbents move, and nobody moves into a post they meet below 68% JPM (KMS).\n"
        f"Profile kota_binjai, seed {BINJAI_SEED}."))
    out.append(root / "rotasi_lima_tahun.yaml")

    rng = np.random.default_rng(BINJAI_SEED + 1)
    pen = penyetaraan(base, rng)
    write_csv(positions_table(pen), root / "penyetaraan" / "positions.csv")
    _yaml(root, "penyetaraan_jabatan.yaml", pen,
          {"employees": "binjai/employees.csv", "positions": "penyetaraan/positions.csv"}, (
              "Penyetaraan jabatan (PermenPANRB 17/2021) in four OPD: every Kepala Bidang and\n"
              "Kepala Seksi post is abolished (headcount 0) and as many ahli madya / ahli muda\n"
              "seats are opened in the same OPD; the ahli madya seats take III/d because the\n"
              "conversion keeps the holder's grade. Every holder must move (the tenure rule is\n"
              "waived for them). retirement_horizon_months is 0: the conversion happens on as_of."))
    out.append(root / "penyetaraan_jabatan.yaml")

    pro = promosi(base, rng)
    write_csv(positions_table(pro), root / "promosi" / "positions.csv")
    assert pro.assessments is not None
    write_csv(pro.assessments, root / "promosi" / "assessments.csv")
    n_open = int(pro.positions["applicants_only"].sum())
    _yaml(root, "promosi_eselon_iii.yaml", pro,
          {"employees": "binjai/employees.csv", "positions": "promosi/positions.csv",
           "assessments": "promosi/assessments.csv"}, (
              f"Eselon III promotion round: the {n_open} vacant administrator posts are filled by\n"
              "open selection (applicants_only, must_fill); promosi/assessments.csv holds the\n"
              "panel scores (JPM scale). Each post also has one applicant below its grade range,\n"
              "who stays ineligible whatever the score. Pengawas with the grade, performance\n"
              "(at least baik) and no running sanction may be promoted one level."))
    out.append(root / "promosi_eselon_iii.yaml")

    res = restrukturisasi(base, rng)
    write_csv(positions_table(res), root / "restrukturisasi" / "positions.csv")
    _yaml(root, "restrukturisasi_unit.yaml", res,
          {"employees": "binjai/employees.csv", "positions": "restrukturisasi/positions.csv"}, (
              "Single-unit restructuring: in one OPD two bidang merge and a new bidang is formed;\n"
              "the old Kepala Bidang and Kepala Seksi posts get headcount 0 and their holders\n"
              "must move. The whole OPD (all levels) is in scope."))
    out.append(root / "restrukturisasi_unit.yaml")

    inf = _variant(pro)
    inf.name = "Seleksi terbuka tanpa hasil seleksi (sengaja tidak layak)"
    _yaml(root, "infeasible_seleksi_tanpa_pelamar.yaml", inf,
          {"employees": "binjai/employees.csv", "positions": "promosi/positions.csv"}, (
              "DELIBERATELY INFEASIBLE. Same posts as promosi_eselon_iii.yaml, but the open\n"
              "selection results (assessments) are not attached. The vacant administrator posts\n"
              "are applicants_only AND must_fill: with no assessment rows nobody may move in\n"
              "(docs/model.md section 4 rule 7), yet each must get at least one holder (section 5\n"
              "rule 4). The engine must answer INFEASIBLE (exit code 1) and name these posts."))
    out.append(root / "infeasible_seleksi_tanpa_pelamar.yaml")

    out += voice_rounds(base, root)
    return out


def voice_rounds(base: Generated, root: Path) -> list[Path]:
    """Two rounds with the section 9 inputs (career preferences, IKM per unit).

    Both read ``suara/preferences.csv`` and ``suara/units.csv``. The preferences come
    from the generator's preference stream; in addition, for every vacant must-fill
    post the feasibility witness's mover lists it (someone applied for it), so the
    voluntary round stays feasible.
    """
    v = _variant(base)
    witness = ensure_feasible(v, np.random.default_rng([BINJAI_SEED, VOICE_STREAM]))
    assert (v.positions["must_fill"] == base.positions["must_fill"]).all()
    must_fill = v.positions["must_fill"].to_numpy()
    add_voice(v, must_list={e: p for e, p in witness.items() if must_fill[p]})
    assert v.preferences is not None and v.units is not None
    write_csv(v.preferences, root / "suara" / "preferences.csv")
    write_csv(v.units, root / "suara" / "units.csv")
    files = {"employees": "binjai/employees.csv", "positions": "binjai/positions.csv",
             "preferences": "suara/preferences.csv", "units": "suara/units.csv"}
    n_people = v.preferences["nip"].nunique()
    n_low = sum(1 for ikm in v.units["ikm"] if float(ikm) < 76.61)

    heard = _variant(v)
    heard.name = "Rotasi administrator (eselon III) dengan preferensi karier dan IKM, Kota Binjai 2027"
    # The administrator posts only: the whole levels 3-4 round with these terms takes
    # CP-SAT several times longer for ranked plans 2-3 (measured 35-90 s against 4 s
    # for this round on the loaded 2-core machine).
    heard.scope_levels = (4,)
    heard.rules.update(VOICE_RULES)
    heard.rules["min_fit_for_move"] = 6800  # as rotasi_lima_tahun.yaml
    heard.weights["preference"] = VOICE_PREFERENCE_WEIGHT
    _yaml(root, "rotasi_preferensi_ikm.yaml", heard, files, (
        "Rotation of the administrator posts (eselon III, level 4) of all Kota Binjai units\n"
        f"with the employees' voice and the public's (MODEL.md section 9): {n_people} people\n"
        "stated up to five preferred posts (suara/preferences.csv; rank 1 is worth 5 points,\n"
        f"each point weighs weights.preference = {VOICE_PREFERENCE_WEIGHT}), and every unit has its IKM\n"
        f"(suara/units.csv); in the {n_low} units below 76.61 (grade C or D) competency fit counts\n"
        f"low_ikm_fit_multiplier = {VOICE_RULES['low_ikm_fit_multiplier']} times. Pengawas may apply for promotion.\n"
        "Other rules as rotasi_lima_tahun.yaml (min_fit_for_move 6800)."))

    volunteer = _variant(heard)
    volunteer.name = "Mutasi atas permintaan sendiri, pengawas dan administrator Kota Binjai 2027"
    volunteer.scope_levels = base.scope_levels  # the whole pengawas and administrator round
    volunteer.rules["voluntary_moves"] = True
    volunteer.rules["min_fit_for_move"] = 0  # whoever asked may move, even below 68% JPM
    _yaml(root, "mutasi_atas_permintaan_sendiri.yaml", volunteer, files, (
        "Voluntary round (mutasi atas permintaan sendiri) of all pengawas and administrator\n"
        "posts (levels 3-4): the preferences, IKM and weights of rotasi_preferensi_ikm.yaml,\n"
        "with rules.voluntary_moves: nobody\n"
        "moves to a post they did not list (MODEL.md section 4 rule 9); holders of abolished\n"
        "posts must move and may go anywhere rules 1-8 allow. Every vacant must-fill post has\n"
        "at least one applicant. min_fit_for_move is 0: whoever asked may move."))
    return [root / "rotasi_preferensi_ikm.yaml", root / "mutasi_atas_permintaan_sendiri.yaml"]


VOICE_RULES = {"low_ikm_fit_multiplier": 2}
VOICE_PREFERENCE_WEIGHT = 600


if __name__ == "__main__":  # pragma: no cover
    for path in build_library(Path(sys.argv[1] if len(sys.argv) > 1 else "scenarios")):
        sys.stdout.write(f"{path}\n")
