"""Build a scenario: position map, roster, feasibility witness, files."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from solver import rules as rule
from solver.derived import PERFORMANCE_RANK, add_months, jpm_matrix
from solver.generate import catalog as C
from solver.generate.profiles import PROFILES, Profile
from solver.generate.voice import preferences_table, units_table, voice_rng

R = C.RANK
DEFAULT_RULES: dict[str, Any] = {
    "min_tenure_months": 24,
    "max_tenure_months": 60,
    "max_promotion_step": 1,
    "max_unit_turnover": 0.5,
    "retirement_horizon_months": 12,
    "promotion_min_performance": "baik",
    "min_fit_for_move": 0,
}
DEFAULT_WEIGHTS: dict[str, int] = {
    "fit": 1,
    "education": 1000,
    "talent": 1,
    "move": 300,
    "vacancy": 5000,
    "overstay": 20000,
}
# Competency standard (SKJ) per career level; managerial posts get integritas and
# pengambilan_keputusan one level higher from administrator up. The per-level table
# of PermenPANRB 38/2017 is not confirmed here (DOMAIN.md), so this is a plausible shape.
STANDARD = {1: 2, 2: 2, 3: 3, 4: 3, 5: 4, 6: 4, 7: 5}


# --------------------------------------------------------------------------- positions


class _Posts:
    """Accumulates position rows."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.unit_codes: dict[str, int] = {}
        self.unit_seq: dict[str, int] = {}

    def add(
        self,
        unit: str,
        title: str,
        level: int,
        gmin: str,
        gmax: str,
        kind: str,
        *,
        weight: float = 0.0,
        must_fill: bool = False,
        priority: int = 1,
        fields: tuple[str, ...] = (),
        required: bool = False,
        bup: int = 0,
        critical: bool = False,
    ) -> None:
        if unit not in self.unit_codes:
            self.unit_codes[unit] = len(self.unit_codes) + 1
            self.unit_seq[unit] = 0
        self.unit_seq[unit] += 1
        pid = f"{self.unit_codes[unit]:03d}{self.unit_seq[unit]:03d}"
        self.rows.append(
            {
                "id": pid,
                "title": title,
                "unit": unit,
                "level": level,
                "gmin": R[gmin],
                "gmax": R[gmax],
                "kind": kind,
                "weight": weight,
                "must_fill": must_fill,
                "priority": priority,
                "fields": ";".join(fields),
                "required": required,
                "bup": bup,
                "applicants_only": False,
                "critical": critical,
            }
        )

    def jf(self, unit: str, key: str, rng: np.random.Generator, scale: float,
           suffix: str = "", madya: bool = True, utama: bool = False) -> None:
        name, fields, required, kind, weight, _ = C.JF[key]
        w = weight * scale
        where = f" {suffix}" if suffix else ""
        prio = 2 if key in ("guru", "dokter") else 1
        if kind in ("ahli", "both"):
            self.add(unit, f"{name} Ahli Pertama{where}", 2, "III/a", "III/b", "jf",
                     weight=w * 1.0 * _jit(rng), fields=fields, required=required, priority=prio)
            self.add(unit, f"{name} Ahli Muda{where}", 3, "III/c", "III/d", "jf",
                     weight=w * 0.8 * _jit(rng), fields=fields, required=required, priority=prio)
            if madya:
                self.add(unit, f"{name} Ahli Madya{where}", 4, "IV/a", "IV/c", "jf",
                         weight=w * 0.25 * _jit(rng), fields=fields, required=required,
                         priority=prio, bup=60)
            if utama:
                self.add(unit, f"{name} Ahli Utama{where}", 5, "IV/d", "IV/e", "jf",
                         weight=w * 0.03 * _jit(rng), fields=fields, required=required,
                         priority=prio, bup=65)
        if kind in ("terampil", "both"):
            self.add(unit, f"{name} Terampil{where}", 1, "II/b", "II/d", "jf",
                     weight=w * 0.6 * _jit(rng), fields=fields, required=False)
            self.add(unit, f"{name} Mahir{where}", 1, "III/a", "III/b", "jf",
                     weight=w * 0.4 * _jit(rng), fields=fields, required=False)
            self.add(unit, f"{name} Penyelia{where}", 1, "III/c", "III/d", "jf",
                     weight=w * 0.2 * _jit(rng), fields=fields, required=False)

    def pelaksana(self, unit: str, rng: np.random.Generator, scale: float, n: int = 7,
                  suffix: str = "") -> None:
        where = f" {suffix}" if suffix else ""
        for title, gmin, gmax, weight in C.PELAKSANA[:n]:
            self.add(unit, f"{title}{where}", 1, gmin, gmax, "pel", weight=weight * scale * _jit(rng))


def _jit(rng: np.random.Generator) -> float:
    return float(rng.lognormal(0.0, 0.35))


def _dinas(p: _Posts, rng: np.random.Generator, prof: Profile, opd: tuple, kec_names: list[str]) -> None:
    name, head, fields, jfs, size, bidang = opd
    # the head of the OPD and its secretary are the agency's critical posts
    # (PermenPANRB 3/2020 succession planning)
    p.add(name, f"{head} {name}" if head != "Inspektur" else "Inspektur", 5, "IV/b", "IV/c",
          "struct", must_fill=True, priority=3, fields=fields, critical=True)
    sek_title = "Sekretaris" if name != "Rumah Sakit Umum Daerah" else "Wakil Direktur Umum dan Keuangan"
    p.add(name, f"{sek_title} {name}", 4, "IV/a", "IV/b", "struct", must_fill=True, priority=2,
          fields=C.GENERAL_FIELDS, critical=True)
    nsub = 2 if prof.bidang[1] <= 3 else 3
    for sb in C.SUBBAG[:nsub]:
        p.add(name, f"Kepala Subbagian {sb} {name}", 3, "III/c", "III/d", "struct",
              fields=C.GENERAL_FIELDS)
    nb = int(rng.integers(prof.bidang[0], prof.bidang[1] + 1))
    names = list(bidang) + [b for b in C.GENERIC_BIDANG if b not in bidang]
    # technical OPD list the education qualification of bidang posts as a requirement
    # (anjab "kualifikasi pendidikan"); the others treat it as a bonus
    strict = bool(rng.random() < 0.6)
    for b in names[:nb]:
        btitle = b if b.startswith("Inspektur Pembantu") else f"Kepala Bidang {b}"
        p.add(name, f"{btitle} {name}", 4, "III/d", "IV/a", "struct", must_fill=True,
              priority=2, fields=fields, required=strict)
        ns = int(rng.integers(prof.seksi[0], prof.seksi[1] + 1))
        for s in C.SEKSI[:ns]:
            p.add(name, f"Kepala Seksi {s} {b} {name}", 3, "III/c", "III/d", "struct",
                  fields=fields, required=strict)
    share = size / sum(C.JF[k][4] for k in jfs)
    for key in jfs:
        if C.JF[key][5]:
            for kec in kec_names:
                wh = "Puskesmas" if key in ("perawat", "bidan", "dokter") else "Kecamatan"
                if name == "Rumah Sakit Umum Daerah":
                    continue
                if key == "guru":
                    for school, f in (("SD", 0.6), ("SMP", 0.4)):
                        p.jf(name, key, rng, share * f / len(kec_names),
                             suffix=f"{school} {wh} {kec}")
                else:
                    p.jf(name, key, rng, share / len(kec_names), suffix=f"{wh} {kec}",
                         madya=False)
            if name == "Rumah Sakit Umum Daerah":
                p.jf(name, key, rng, share * 3, suffix="RSUD")
        else:
            p.jf(name, key, rng, share)
    p.pelaksana(name, rng, 0.15 * size + 0.6)


def _city(prof: Profile, rng: np.random.Generator) -> _Posts:
    p = _Posts()
    known = list(C.KECAMATAN_NAMES.get(prof.place, ()))
    kec_names = [known[i] if i < len(known) else f"Kecamatan {i + 1:02d}" for i in range(prof.kecamatan)]
    kec_names = [k.removeprefix("Kecamatan ") for k in kec_names]
    # Sekretariat Daerah
    u = "Sekretariat Daerah"
    p.add(u, "Sekretaris Daerah", 5, "IV/c", "IV/d", "struct", must_fill=True, priority=3,
          fields=C.GENERAL_FIELDS, critical=True)
    nas = 3 if prof.setda_bagian >= 6 else 1
    for a, t in enumerate(("Pemerintahan dan Kesejahteraan Rakyat", "Perekonomian dan Pembangunan",
                           "Administrasi Umum")[:nas]):
        p.add(u, f"Asisten {'I' * (a + 1)} {t}", 5, "IV/b", "IV/c", "struct", must_fill=True,
              priority=2, fields=C.GENERAL_FIELDS, critical=True)
    if prof.setda_bagian >= 6:
        for t in ("Hukum dan Politik", "Ekonomi dan Keuangan", "Kemasyarakatan dan SDM"):
            p.add(u, f"Staf Ahli Bidang {t}", 5, "IV/b", "IV/c", "struct", priority=1,
                  fields=C.GENERAL_FIELDS)
    for bag in C.SETDA_BAGIAN[: prof.setda_bagian]:
        p.add(u, f"Kepala Bagian {bag}", 4, "IV/a", "IV/b", "struct", must_fill=True, priority=2,
              fields=C.GENERAL_FIELDS)
        for s in range(2 if prof.setda_bagian < 6 else 3):
            p.add(u, f"Kepala Subbagian {C.SEKSI[s]} Bagian {bag}", 3, "III/c", "III/d", "struct",
                  fields=C.GENERAL_FIELDS)
    p.jf(u, "analis_kebijakan", rng, 0.8)
    p.jf(u, "perancang", rng, 0.3, madya=False)
    p.pelaksana(u, rng, 1.2)
    n_dinas = max(1, prof.opd - 1 - prof.kecamatan)
    for opd in C.CITY_OPD[:n_dinas]:
        _dinas(p, rng, prof, opd, kec_names)
    # kecamatan and kelurahan
    base, extra = divmod(prof.kelurahan, max(1, prof.kecamatan))
    for k, kec in enumerate(kec_names):
        u = f"Kecamatan {kec}"
        p.add(u, f"Camat {kec}", 4, "IV/a", "IV/b", "struct", must_fill=True, priority=3,
              fields=("ilmu_pemerintahan", "administrasi_publik"), critical=True)
        p.add(u, f"Sekretaris Kecamatan {kec}", 4, "III/d", "IV/a", "struct", must_fill=True,
              priority=2, fields=("ilmu_pemerintahan", "administrasi_publik"))
        nsk = 3 if prof.kecamatan == 1 else len(C.KECAMATAN_SEKSI)
        for sk in C.KECAMATAN_SEKSI[:nsk]:
            p.add(u, f"Kepala Seksi {sk} Kecamatan {kec}", 3, "III/c", "III/d", "struct",
                  fields=("ilmu_pemerintahan", "administrasi_publik"))
        p.pelaksana(u, rng, 0.6, n=5)
        nkel = base + (1 if k < extra else 0)
        for j in range(nkel):
            kel = f"{kec} {j + 1:02d}" if prof.kecamatan > 1 else f"{kec} {'ABCDEFGH'[j]}"
            p.add(u, f"Lurah {kel}", 3, "III/c", "III/d", "struct", must_fill=True, priority=2,
                  fields=("ilmu_pemerintahan", "administrasi_publik"))
            p.add(u, f"Sekretaris Kelurahan {kel}", 3, "III/b", "III/c", "struct",
                  fields=C.GENERAL_FIELDS)
            nks = 2 if prof.kecamatan == 1 else 3
            for sl in C.KELURAHAN_SEKSI[:nks]:
                p.add(u, f"Kepala Seksi {sl} Kelurahan {kel}", 3, "III/b", "III/c", "struct",
                      fields=C.GENERAL_FIELDS)
            p.pelaksana(u, rng, 0.25, n=1, suffix=f"Kelurahan {kel}")
    return p


def _ministry(prof: Profile, rng: np.random.Generator) -> _Posts:
    p = _Posts()
    for e1, head, kind2, subs in C.MINISTRY_ESELON1:
        u = f"Sekretariat {e1}" if e1 != "Sekretariat Jenderal" else "Sekretariat Jenderal"
        p.add(u, head if e1 != "Sekretariat Jenderal" else "Sekretaris Jenderal", 6, "IV/d", "IV/e",
              "struct", must_fill=True, priority=3, fields=C.GENERAL_FIELDS, critical=True)
        if e1 != "Sekretariat Jenderal":
            p.add(u, f"Sekretaris {e1}", 5, "IV/c", "IV/d", "struct", must_fill=True, priority=3,
                  fields=C.GENERAL_FIELDS, critical=True)
        for b in C.SUBBAG:
            p.add(u, f"Kepala Bagian {b} {e1}", 4, "IV/a", "IV/b", "struct", must_fill=True,
                  priority=2, fields=C.GENERAL_FIELDS)
            for s in C.SEKSI[:2]:
                p.add(u, f"Kepala Subbagian {s} Bagian {b} {e1}", 3, "III/c", "III/d", "struct",
                      fields=C.GENERAL_FIELDS)
        p.jf(u, "analis_kebijakan", rng, 3.0, utama=True)
        p.jf(u, "pranata_komputer", rng, 1.0)
        p.jf(u, "perancang", rng, 0.5)
        p.pelaksana(u, rng, 3.0)
        for s in subs:
            u2 = f"{kind2} {s}" if e1 != "Inspektorat Jenderal" else f"Inspektorat {s}"
            title = {"Biro": "Kepala Biro", "Pusat": "Kepala Pusat",
                     "Direktorat": "Direktur"}.get(kind2, "Inspektur")
            p.add(u2, f"{title} {s}", 5, "IV/c", "IV/d", "struct", must_fill=True, priority=3,
                  fields=C.GENERAL_FIELDS, critical=True)
            nb = int(rng.integers(prof.bidang[0], prof.bidang[1] + 1))
            for bi in range(nb):
                sub = f"Subdirektorat {C.GENERIC_BIDANG[bi]}"
                p.add(u2, f"Kepala {sub} {u2}", 4, "IV/a", "IV/b", "struct", must_fill=True,
                      priority=2, fields=C.GENERAL_FIELDS)
                ns = int(rng.integers(prof.seksi[0], prof.seksi[1] + 1))
                for k in range(ns):
                    p.add(u2, f"Kepala Seksi {C.SEKSI[k]} {sub} {u2}", 3, "III/c", "III/d",
                          "struct", fields=C.GENERAL_FIELDS)
            jf = "auditor" if e1 == "Inspektorat Jenderal" else "analis_kebijakan"
            p.jf(u2, jf, rng, 4.0, utama=True)
            p.jf(u2, "perencana", rng, 1.0)
            p.jf(u2, "analis_sdm" if kind2 == "Biro" else "pranata_keuangan", rng, 1.0)
            p.pelaksana(u2, rng, 2.0)
    for prov in C.PROVINCES[: prof.opd]:
        u = f"Kantor Wilayah {prov}"
        p.add(u, f"Kepala Kantor Wilayah {prov}", 5, "IV/b", "IV/c", "struct", must_fill=True,
              priority=3, fields=C.GENERAL_FIELDS, critical=True)
        p.add(u, f"Kepala Bagian Umum Kantor Wilayah {prov}", 4, "IV/a", "IV/b", "struct",
              must_fill=True, priority=2, fields=C.GENERAL_FIELDS)
        for b in C.GENERIC_BIDANG[:4]:
            p.add(u, f"Kepala Bidang {b} Kantor Wilayah {prov}", 4, "III/d", "IV/a", "struct",
                  must_fill=True, priority=2, fields=C.GENERAL_FIELDS)
            for s in C.SEKSI[:2]:
                p.add(u, f"Kepala Seksi {s} {b} Kantor Wilayah {prov}", 3, "III/c", "III/d",
                      "struct", fields=C.GENERAL_FIELDS)
        p.jf(u, "penyuluh", rng, 3.0)
        p.jf(u, "pranata_keuangan", rng, 1.0)
        p.pelaksana(u, rng, 2.0)
        for k in range(prof.kelurahan):
            u2 = f"Kantor {prov} {k + 1:02d}"
            p.add(u2, f"Kepala {u2}", 4, "IV/a", "IV/b", "struct", must_fill=True, priority=2,
                  fields=C.GENERAL_FIELDS)
            p.add(u2, f"Kepala Subbagian Tata Usaha {u2}", 3, "III/c", "III/d", "struct",
                  fields=C.GENERAL_FIELDS)
            for s in C.SEKSI[:3]:
                p.add(u2, f"Kepala Seksi {s} {u2}", 3, "III/c", "III/d", "struct",
                      fields=C.GENERAL_FIELDS)
            p.jf(u2, "penyuluh", rng, 8.0, madya=False)
            p.jf(u2, "pranata_keuangan", rng, 1.0, madya=False)
            p.pelaksana(u2, rng, 2.0, n=4)
    return p


def _standards(pos: pd.DataFrame) -> None:
    base = pos["level"].map(STANDARD).to_numpy()
    managerial = (pos["kind"] == "struct").to_numpy() & (pos["level"].to_numpy() >= 4)
    for k, comp in enumerate(C.COMPETENCIES):
        col = base.copy()
        if comp in ("integritas", "pengambilan_keputusan"):
            col = np.where(managerial, np.minimum(col + 1, 5), col)
        if comp in ("pengembangan_diri_dan_orang_lain", "mengelola_perubahan"):
            col = np.where(pos["level"].to_numpy() == 1, 0, col)
        pos[f"c.{comp}"] = col.astype(np.int64)
        del k


# --------------------------------------------------------------------------- dates


def _ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, day


def _age_on(birth: np.ndarray, on: dt.date) -> np.ndarray:
    y, m, d = _ymd(birth)
    return on.year - y - ((on.month < m) | ((on.month == m) & (on.day < d))).astype(np.int64)


def _months_between(start: np.ndarray, end: dt.date) -> np.ndarray:
    y, m, d = _ymd(start)
    return 12 * (end.year - y) + (end.month - m) - (end.day < d).astype(np.int64)


# --------------------------------------------------------------------------- roster


@dataclass
class Generated:
    """A generated scenario, still in internal form (grade ranks, numpy dates)."""

    profile: Profile
    seed: int
    positions: pd.DataFrame
    employees: pd.DataFrame
    assessments: pd.DataFrame | None = None
    preferences: pd.DataFrame | None = None  # section 9: nip, position, rank
    units: pd.DataFrame | None = None  # section 9: unit, ikm (text, 2 decimals)
    name: str = ""
    scope_units: tuple[str, ...] | None = None
    scope_levels: tuple[int, ...] | None = None
    rules: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_RULES))
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    plans: dict[str, int] = field(default_factory=lambda: {"count": 3, "min_difference": 3})
    notes: list[str] = field(default_factory=list)
    comment: str = ""

    @property
    def as_of(self) -> dt.date:
        return self.profile.as_of


def _holders_and_headcounts(pos: pd.DataFrame, prof: Profile, n_placed: int,
                            rng: np.random.Generator) -> None:
    """ABK-style seats: each variable post gets a share of the workload hours; at
    1,250 effective hours per person-year the seats follow. Vacancies are drawn at
    ``vacancy_rate``."""
    struct = (pos["kind"] == "struct").to_numpy()
    n = len(pos)
    holders = np.zeros(n, dtype=np.int64)
    vacant = rng.random(n) < prof.vacancy_rate
    holders[struct & ~vacant] = 1
    remaining = n_placed - int(holders.sum())
    var = np.flatnonzero(~struct)
    if remaining < 0:
        # tiny roster: drop structural holders from the end
        filled = np.flatnonzero(holders)[::-1]
        holders[filled[: -remaining]] = 0
        remaining = 0
    w = pos["weight"].to_numpy()[var]
    hours = w / w.sum() * remaining * 1250.0
    exact = hours / 1250.0
    base = np.floor(exact).astype(np.int64)
    short = remaining - int(base.sum())
    order = np.lexsort((np.arange(len(var)), -(exact - base)))
    base[order[:short]] += 1
    holders[var] = base
    extra = rng.binomial(np.maximum(base, 1), prof.vacancy_rate / (1 - prof.vacancy_rate))
    headcount = np.ones(n, dtype=np.int64)
    headcount[var] = np.maximum(base + extra, 1)
    pos["headcount"] = headcount
    pos["holders"] = holders


def _choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted choice: index per row of a (n, k) weight matrix."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return (cum < u[:, None]).sum(axis=1)


def _roster(pos: pd.DataFrame, prof: Profile, n_total: int, rng: np.random.Generator) -> pd.DataFrame:
    as_of = np.datetime64(prof.as_of, "D")
    n_unplaced = int(round(n_total * prof.unplaced_rate))
    post = np.repeat(np.arange(len(pos)), pos["holders"].to_numpy())
    n_placed = len(post)
    n = n_placed + n_unplaced
    level = np.concatenate([pos["level"].to_numpy()[post],
                            rng.choice([2, 3, 4], size=n_unplaced, p=[0.4, 0.45, 0.15])])
    gmin = np.concatenate([pos["gmin"].to_numpy()[post],
                           np.select([level[n_placed:] == 2, level[n_placed:] == 3], [9, 11], 12)])
    gmax = np.concatenate([pos["gmax"].to_numpy()[post],
                           np.select([level[n_placed:] == 2, level[n_placed:] == 3], [10, 12], 13)])
    kind = np.concatenate([pos["kind"].to_numpy()[post], np.full(n_unplaced, "jf", dtype=object)])
    bup_pos = pos["bup"].to_numpy()
    bup = np.concatenate([np.where(bup_pos[post] > 0, bup_pos[post],
                                   np.where(pos["level"].to_numpy()[post] >= 5, 60, 58)),
                          np.full(n_unplaced, 58)])
    # grade: uniform in range, pelaksana skewed to the middle
    grade = gmin + np.floor(rng.random(n) * (gmax - gmin + 1)).astype(np.int64)
    pel = kind == "pel"
    tri = np.round(rng.triangular(0, 0.55, 1, n) * (gmax - gmin)).astype(np.int64) + gmin
    grade = np.where(pel, tri, grade)
    # education consistent with grade and post
    entry = np.array(C.EDUCATION_ENTRY)
    wts = np.tile(np.array(C.EDUCATION_WEIGHT, dtype=float), (n, 1))
    wts[entry[None, :] > grade[:, None]] = 0.0
    min_edu = np.select([(kind == "struct") & (level >= 4), (kind == "struct") & (level == 3),
                         (kind == "jf") & (level >= 2)], [4, 3, 4], 0)
    wts[np.arange(7)[None, :] < min_edu[:, None]] = 0.0
    wts[:, 5] *= np.where(level >= 5, 4.0, np.where(level >= 4, 2.0, 1.0))
    wts[n_placed:, 5] *= 20.0  # returning from study leave: mostly S2
    empty = wts.sum(axis=1) == 0
    wts[empty, 0] = 1.0
    edu = _choice(rng, wts)
    entry_grade = entry[edu]
    lo = np.array([a for a, _ in C.EDUCATION_ENTRY_AGE])[edu]
    hi = np.array([b for _, b in C.EDUCATION_ENTRY_AGE])[edu]
    entry_age = lo + rng.random(n) * (hi - lo)
    steps = np.maximum(grade - entry_grade, 0)
    service = steps * rng.uniform(3.0, 4.5, n) + rng.uniform(0.3, 4.0, n)
    service += np.where(pel, rng.uniform(0, 10, n), 0.0)
    # returning from study leave: at least a few years of service before the leave
    service = np.where(np.arange(n) >= n_placed, np.maximum(service, rng.uniform(4, 10, n)), service)
    age = entry_age + service
    cap = bup - rng.uniform(0.05, 3.0, n)
    over = age > cap
    age = np.where(over, cap, age)
    entry_age = np.where(over, np.maximum(18.5, age - service), entry_age)
    service = age - entry_age
    birth = as_of - np.round(age * 365.2425).astype("timedelta64[D]")
    for _ in range(5):  # exact whole-year age must stay below the BUP
        bad = _age_on(birth, prof.as_of) >= bup
        if not bad.any():
            break
        birth = np.where(bad, birth + np.timedelta64(40, "D"), birth)
    tmt = birth + np.round(entry_age * 365.2425).astype("timedelta64[D]")
    tmt = np.minimum(tmt, as_of - np.timedelta64(60, "D"))
    tmt = tmt.astype("datetime64[M]").astype("datetime64[D]")  # TMT CPNS is the 1st of a month
    # tenure in the current post
    scale = np.where(kind == "struct", 17.0, 28.0)
    tenure_days = np.round(rng.gamma(2.0, scale, n) * 30.44).astype("timedelta64[D]")
    since = as_of - tenure_days
    since = np.maximum(since, tmt + np.timedelta64(365, "D"))
    since = np.minimum(since, as_of)
    since = np.where(since < tmt, tmt, since)
    # sex, names
    female_share = np.where(np.isin(edu, [4]) & (kind == "jf"), 0.62, 0.45)
    female = rng.random(n) < female_share
    first = np.where(female, np.array(C.FEMALE, dtype=object)[rng.integers(0, len(C.FEMALE), n)],
                     np.array(C.MALE, dtype=object)[rng.integers(0, len(C.MALE), n)])
    fam = np.array(C.FAMILY, dtype=object)[rng.integers(0, len(C.FAMILY), n)]
    name = first + " " + fam
    # NIP: birth YYYYMMDD + TMT YYYYMM + sex + serial
    by, bm, bd = _ymd(birth)
    ty, tm, _ = _ymd(tmt)
    sex = np.where(female, 2, 1)
    key = by * 10**10 + bm * 10**8 + bd * 10**6 + ty * 100 + tm
    key = key * 10 + sex
    serial = pd.Series(key).groupby(key).cumcount().to_numpy() + 1
    nip = np.char.mod("%015d", key).astype(object) + np.char.mod("%03d", serial).astype(object)
    # education field
    fields_of_post = pos["fields"].to_numpy()[post]
    req_of_post = pos["required"].to_numpy()[post]
    gen = np.array(C.GENERAL_FIELDS, dtype=object)
    low = np.array(C.LOW_FIELDS, dtype=object)
    edu_field = np.where(edu >= 3, gen[rng.integers(0, len(gen), n)], "umum")
    edu_field = np.where(edu == 3, low[rng.integers(0, len(low), n)], edu_field)
    pick = rng.random(n)
    own = pick < np.concatenate([np.where(req_of_post, 1.0, 0.75), np.zeros(n_unplaced)])
    u = rng.random(n)
    edu_field = edu_field.astype(object)
    for i in np.flatnonzero(own[:n_placed] & (edu[:n_placed] >= 3)):
        opts = fields_of_post[i].split(";") if fields_of_post[i] else []
        if opts:
            edu_field[i] = opts[int(u[i] * len(opts))]
    # performance, potential, discipline
    perf = np.array(C.PERFORMANCE, dtype=object)[rng.choice(5, n, p=C.PERFORMANCE_P)]
    pot = np.array(C.POTENTIAL, dtype=object)[rng.choice(3, n, p=C.POTENTIAL_P)]
    r = rng.random(n)
    active = r < prof.discipline_rate
    expired = (r >= prof.discipline_rate) & (r < prof.discipline_rate * 1.8)
    disc = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    disc[active] = as_of + rng.integers(20, 365, active.sum()).astype("timedelta64[D]")
    disc[expired] = as_of - rng.integers(20, 700, expired.sum()).astype("timedelta64[D]")
    perf = np.where(active & (rng.random(n) < 0.7),
                    np.array(["butuh_perbaikan", "kurang"], dtype=object)[rng.integers(0, 2, n)], perf)
    df = pd.DataFrame({
        "nip": nip,
        "name": name,
        "grade": grade,
        "pos": np.concatenate([post, np.full(n_unplaced, -1)]),
        "since": np.where(np.arange(n) < n_placed, since, np.datetime64("NaT")),
        "clevel": np.where(np.arange(n) < n_placed, 0, level),
        "birth": birth,
        "edu": edu_field,
        "edu_level": np.array(C.EDUCATION, dtype=object)[edu],
        "perf": perf,
        "pot": pot,
        "disc": disc,
    })
    # competencies: assessed for most, blank = not assessed
    assessed = rng.random(n) < np.where((kind == "struct") & (level >= 3), 0.95, 0.65)
    lvl_std = np.vectorize(STANDARD.get)(level).astype(float)
    bonus = np.select([pot == "tinggi", pot == "menengah"], [0.6, 0.1], -0.4)
    bonus += np.select([perf == "sangat_baik", perf == "baik"], [0.3, 0.1], -0.3)
    for comp in C.COMPETENCIES:
        val = np.clip(np.round(lvl_std + bonus + rng.normal(0.0, 0.75, n)), 1, 5).astype(np.int64)
        blank = ~assessed | (rng.random(n) < 0.02)
        df[f"c.{comp}"] = pd.array(np.where(blank, 0, val), dtype="Int64")
        df.loc[blank, f"c.{comp}"] = pd.NA
    # shuffle the file order so that position order does not leak into row order
    order = rng.permutation(n)
    return df.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------- rules


class _Ctx:
    """Arrays for the section 4 eligibility rules on a :class:`Generated`."""

    def __init__(self, g: Generated) -> None:
        pos, emp = g.positions, g.employees
        self.g = g
        rules = g.rules
        self.as_of = g.as_of
        self.scope = np.ones(len(pos), dtype=bool)
        if g.scope_units is not None:
            self.scope &= pos["unit"].isin(list(g.scope_units)).to_numpy()
        if g.scope_levels is not None:
            self.scope &= pos["level"].isin(list(g.scope_levels)).to_numpy()
        self.plevel = pos["level"].to_numpy()
        self.gmin = pos["gmin"].to_numpy()
        self.gmax = pos["gmax"].to_numpy()
        self.hc = pos["headcount"].to_numpy().copy()
        self.bup = np.where(pos["bup"].to_numpy() > 0, pos["bup"].to_numpy(),
                            np.where(self.plevel >= 5, 60, 58))
        self.pfields = [tuple(f for f in s.split(";") if f) for s in pos["fields"]]
        self.required = pos["required"].to_numpy()
        self.applicants = pos["applicants_only"].to_numpy()
        self.must = pos["must_fill"].to_numpy().copy()
        self.unit = pos["unit"].to_numpy()
        self.cur = emp["pos"].to_numpy()
        placed = self.cur >= 0
        self.placed = placed
        self.elevel = np.where(placed, self.plevel[np.maximum(self.cur, 0)], emp["clevel"].to_numpy())
        self.grade = emp["grade"].to_numpy()
        since = emp["since"].to_numpy().astype("datetime64[D]")
        self.tenure = np.where(placed, _months_between(np.where(placed, since, np.datetime64(self.as_of)),
                                                       self.as_of), -1)
        horizon = add_months(self.as_of, int(rules["retirement_horizon_months"]))
        self.age_h = _age_on(emp["birth"].to_numpy().astype("datetime64[D]"), horizon)
        disc = emp["disc"].to_numpy().astype("datetime64[D]")
        self.disciplined = ~np.isnat(disc) & (disc >= np.datetime64(self.as_of))
        self.perf = emp["perf"].map(PERFORMANCE_RANK).to_numpy()
        self.min_perf = PERFORMANCE_RANK[rules["promotion_min_performance"]]
        self.promotable = rule.may_be_promoted(self.perf, self.min_perf, self.disciplined)
        self.edu = emp["edu"].to_numpy()
        self.incumbent = placed & self.scope[np.maximum(self.cur, 0)]
        self.cur_abolished = self.incumbent & (self.hc[np.maximum(self.cur, 0)] == 0)
        # Section 9: the listed (nip, position) pairs, for rule 4.9 (voluntary rounds).
        self.voluntary = bool(rules.get("voluntary_moves", False))
        self.listed: set[tuple[str, str]] = set()
        if g.preferences is not None:
            self.listed = set(zip(g.preferences["nip"], g.preferences["position"], strict=True))
        self.pairs: set[tuple[str, str]] = set()
        if g.assessments is not None:
            self.pairs = set(zip(g.assessments["nip"], g.assessments["position"], strict=True))
        self.nip = emp["nip"].to_numpy()
        self.pid = pos["id"].to_numpy()
        comps = [f"c.{c}" for c in C.COMPETENCIES]
        self.achieved = emp[comps].fillna(0).to_numpy(dtype=np.int64)
        self.standard = pos[comps].to_numpy(dtype=np.int64)
        self.min_fit = int(rules["min_fit_for_move"])
        self.scores: dict[tuple[str, str], int] = {}
        if g.assessments is not None:
            self.scores = {(n, q): int(sc) for n, q, sc in zip(
                g.assessments["nip"], g.assessments["position"], g.assessments["score"],
                strict=True)}

    def fit(self, p: int) -> np.ndarray:
        """fit(e, p) for every employee (docs/model.md section 6)."""
        jpm = jpm_matrix(self.achieved, self.standard[p][None, :])
        if self.scores:
            pid = self.pid[p]
            for i, n in enumerate(self.nip):
                sc = self.scores.get((n, pid))
                if sc is not None:
                    jpm[i] = sc
        return jpm

    def eligible(self, p: int, *, ignore_applicants: bool = False) -> np.ndarray:
        """Move pairs (e, p) of every employee e: rules 4.1-4.9 of docs/model.md
        (:mod:`solver.rules`); ``ignore_applicants`` leaves rule 4.7 out."""
        r = self.g.rules
        lp = self.plevel[p]
        m = rule.rule_4_1_grade_range(self.grade, self.gmin[p], self.gmax[p])
        m &= rule.rule_4_2_level_window(self.elevel, lp, int(r["max_promotion_step"]))
        m &= rule.rule_4_3_promotion(self.elevel, lp, self.promotable)
        m &= rule.rule_4_4_min_tenure(self.placed, self.tenure, int(r["min_tenure_months"]),
                                      self.cur_abolished)
        m &= rule.rule_4_5_retirement(self.age_h, self.bup[p])
        if self.required[p]:
            m &= rule.rule_4_6_required_education(True, np.isin(self.edu, self.pfields[p]))
        if self.applicants[p] and not ignore_applicants:
            pid = self.pid[p]
            m &= rule.rule_4_7_applicants_only(
                True, np.array([(n, pid) in self.pairs for n in self.nip], dtype=bool))
        if self.min_fit > 0:
            m &= rule.rule_4_8_min_fit(self.fit(p), self.min_fit)
        if self.voluntary:
            pid = self.pid[p]
            m &= rule.rule_4_9_voluntary_moves(
                np.array([(n, pid) in self.listed for n in self.nip], dtype=bool),
                self.cur_abolished)
        m &= self.cur != p
        return m


def count_pairs(g: Generated) -> dict[str, int]:
    """Sizes of the decision problem: in-scope posts and seats, incumbents, pairs."""
    ctx = _Ctx(g)
    live = np.flatnonzero(ctx.scope & (ctx.hc >= 1))
    moves = sum(int(ctx.eligible(int(p)).sum()) for p in live)
    stays = int((ctx.incumbent & ~ctx.cur_abolished).sum())
    return {
        "employees": len(g.employees),
        "positions": len(g.positions),
        "scope_posts": int(ctx.scope.sum()),
        "scope_seats": int(ctx.hc[ctx.scope].sum()),
        "incumbents": int(ctx.incumbent.sum()),
        "pairs": moves + stays,
    }


def ensure_feasible(g: Generated, rng: np.random.Generator, abolish: int = 0,
                    abolish_posts: list[int] | None = None) -> dict[int, int]:
    """Abolish posts and keep must-fill flags only where a witness plan exists.

    The witness plan: every incumbent stays, except holders of abolished posts
    (each moves to a free in-scope seat it is eligible for) and one eligible mover
    per vacant must-fill post (an outsider if possible, else an incumbent within
    its unit's turnover budget whose own post stays filled). Must-fill flags on
    vacant posts without a witness are cleared (noted in ``g.notes``). Returns
    the witness moves {employee row: position row}.
    """
    pos = g.positions
    ctx = _Ctx(g)
    n_pos = len(pos)
    holders = np.bincount(ctx.cur[ctx.placed], minlength=n_pos)
    holders_left = holders.copy()
    incoming = np.zeros(n_pos, dtype=np.int64)
    turnover = Fraction(str(g.rules["max_unit_turnover"]))
    units = sorted(set(ctx.unit[ctx.scope]))
    n_u = dict.fromkeys(units, 0)
    for e in np.flatnonzero(ctx.incumbent):
        n_u[ctx.unit[ctx.cur[e]]] += 1
    budget = {u: int(turnover * n) for u, n in n_u.items()}
    moved = dict.fromkeys(units, 0)
    forced = dict.fromkeys(units, 0)
    witness: dict[int, int] = {}

    def free() -> np.ndarray:
        return ctx.hc - holders - incoming

    def place_forced(e: int) -> bool:
        live = np.flatnonzero(ctx.scope & (free() > 0) & (ctx.hc > 0))
        ok = [int(p) for p in live if p != ctx.cur[e] and _eligible_one(ctx, e, int(p))]
        if not ok:
            return False
        # prefer a seat at the same level in the same unit, then at the same level
        c = ctx.cur[e]
        tier = [(ctx.plevel[q] != ctx.plevel[c]) * 2 + (ctx.unit[q] != ctx.unit[c]) for q in ok]
        best = [q for q, t in zip(ok, tier, strict=True) if t == min(tier)]
        p = best[int(rng.integers(0, len(best)))]
        witness[e] = p
        incoming[p] += 1
        holders_left[ctx.cur[e]] -= 1
        u = ctx.unit[ctx.cur[e]]
        forced[u] += 1
        moved[u] += 1
        return True

    for e in np.flatnonzero(ctx.cur_abolished):  # posts abolished by a variant
        if not place_forced(int(e)):
            raise ValueError(
                f"no target for holder {ctx.nip[e]} of abolished post {ctx.pid[ctx.cur[e]]}")
    if abolish_posts is not None:
        wanted = list(abolish_posts)
        abolish = len(wanted)
    else:
        cand = np.flatnonzero(ctx.scope & (pos["kind"].to_numpy() == "struct") & (ctx.hc == 1)
                              & (holders == 1) & (ctx.plevel <= 4))
        wanted = [int(c) for c in rng.permutation(cand)] if abolish else []
    done = 0
    for p in wanted:
        if done >= abolish:
            break
        hold = [int(e) for e in np.flatnonzero(ctx.cur == p)]
        snapshot = (holders_left.copy(), incoming.copy(), dict(moved), dict(forced), dict(witness))
        saved_hc = int(ctx.hc[p])
        ctx.hc[p] = 0
        ctx.cur_abolished[hold] = True
        if all(place_forced(e) for e in hold):
            pos.loc[pos.index[p], "headcount"] = 0
            pos.loc[pos.index[p], "must_fill"] = False
            ctx.must[p] = False
            done += 1
            continue
        ctx.hc[p] = saved_hc
        ctx.cur_abolished[hold] = False
        holders_left[:], incoming[:] = snapshot[0], snapshot[1]
        moved.clear()
        moved.update(snapshot[2])
        forced.clear()
        forced.update(snapshot[3])
        witness.clear()
        witness.update(snapshot[4])
        if abolish_posts is not None:
            raise ValueError(f"cannot abolish post {ctx.pid[p]}: a holder has no target")
    used = set(witness)
    for p_ in np.flatnonzero(ctx.scope & ctx.must & (ctx.hc > 0)):
        p = int(p_)
        if holders_left[p] + incoming[p] > 0:
            continue
        elig = ctx.eligible(int(p))
        outsiders = [int(e) for e in np.flatnonzero(elig & ~ctx.incumbent) if e not in used]
        pick = None
        if outsiders:
            pick = outsiders[int(rng.integers(0, len(outsiders)))]
        else:
            for e in np.flatnonzero(elig & ctx.incumbent):
                c = ctx.cur[e]
                u = ctx.unit[c]
                if e in used or moved[u] + 1 > max(budget[u], forced[u]):
                    continue
                if ctx.must[c] and holders_left[c] + incoming[c] <= 1:
                    continue
                pick = int(e)
                moved[u] += 1
                holders_left[c] -= 1
                break
        if pick is None:
            pos.loc[pos.index[p], "must_fill"] = False
            ctx.must[p] = False
            g.notes.append(f"must_fill dropped on {ctx.pid[p]}: no eligible mover")
            continue
        witness[pick] = int(p)
        used.add(pick)
        incoming[p] += 1
    return witness


def _eligible_one(ctx: _Ctx, e: int, p: int) -> bool:
    """Whether the move pair (e, p) exists: rules 4.1-4.9 (:mod:`solver.rules`) on one
    employee and one post (the caller excludes e's own post)."""
    r = ctx.g.rules
    lp = ctx.plevel[p]
    checks = (
        lambda: rule.rule_4_1_grade_range(ctx.grade[e], ctx.gmin[p], ctx.gmax[p]),
        lambda: rule.rule_4_2_level_window(ctx.elevel[e], lp, int(r["max_promotion_step"])),
        lambda: rule.rule_4_3_promotion(ctx.elevel[e], lp, ctx.promotable[e]),
        lambda: rule.rule_4_4_min_tenure(ctx.placed[e], ctx.tenure[e],
                                         int(r["min_tenure_months"]), ctx.cur_abolished[e]),
        lambda: rule.rule_4_5_retirement(ctx.age_h[e], ctx.bup[p]),
        lambda: rule.rule_4_6_required_education(ctx.required[p],
                                                 ctx.edu[e] in ctx.pfields[p]),
        lambda: rule.rule_4_7_applicants_only(ctx.applicants[p],
                                              (ctx.nip[e], ctx.pid[p]) in ctx.pairs),
        lambda: ctx.min_fit <= 0 or rule.rule_4_8_min_fit(_fit_one(ctx, e, p), ctx.min_fit),
        lambda: not ctx.voluntary or rule.rule_4_9_voluntary_moves(
            (ctx.nip[e], ctx.pid[p]) in ctx.listed, ctx.cur_abolished[e]),
    )
    return all(bool(check()) for check in checks)


def _fit_one(ctx: _Ctx, e: int, p: int) -> int:
    """fit(e, p) of one pair (section 6): the assessment score, else jpm."""
    jpm = int(jpm_matrix(ctx.achieved[e][None, :], ctx.standard[p][None, :])[0])
    return ctx.scores.get((ctx.nip[e], ctx.pid[p]), jpm)


# --------------------------------------------------------------------------- build / write


def build(profile: str, seed: int, employees: int | None = None, **overrides: Any) -> Generated:
    """Generate the internal form of a scenario (see :func:`write`)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; known profiles: {', '.join(sorted(PROFILES))}")
    prof = PROFILES[profile]
    names = {f.name for f in dataclasses.fields(Profile)}
    bad = sorted(set(overrides) - names)
    if bad:
        raise ValueError(f"unknown override(s) {', '.join(bad)}; allowed: {', '.join(sorted(names))}")
    if "scope_levels" in overrides and overrides["scope_levels"] is not None:
        overrides["scope_levels"] = tuple(int(x) for x in overrides["scope_levels"])  # type: ignore[union-attr]
    if "scope_units" in overrides and overrides["scope_units"] is not None:
        overrides["scope_units"] = tuple(str(x) for x in overrides["scope_units"])  # type: ignore[union-attr]
    if employees is not None:
        if int(employees) < 20:
            raise ValueError("employees must be at least 20")
        overrides["employees"] = int(employees)
    prof = dataclasses.replace(prof, **overrides)
    rng = np.random.default_rng(seed)
    posts = _ministry(prof, rng) if prof.kind == "ministry" else _city(prof, rng)
    pos = pd.DataFrame(posts.rows)
    _standards(pos)
    n_unplaced = int(round(prof.employees * prof.unplaced_rate))
    _holders_and_headcounts(pos, prof, prof.employees - n_unplaced, rng)
    emp = _roster(pos, prof, prof.employees, rng)
    g = Generated(
        profile=prof,
        seed=seed,
        positions=pos,
        employees=emp,
        name=f"Rotasi jabatan {prof.title} {prof.year_label} (seed {seed})",
        scope_units=prof.scope_units,
        scope_levels=prof.scope_levels,
    )
    ensure_feasible(g, rng, abolish=prof.abolished)
    if prof.voice:
        add_voice(g)
    return g


def add_voice(g: Generated, must_list: dict[int, int] | None = None) -> None:
    """Attach the section 9 tables (preferences, IKM per unit), from their own stream."""
    rng = voice_rng(g.seed)
    g.units = units_table(g.positions, rng)
    g.preferences = preferences_table(g.positions, g.employees, g.scope_levels, rng, must_list)


def _date_str(values: Any) -> list[str]:
    arr = np.asarray(values).astype("datetime64[D]")
    return ["" if np.isnat(v) else str(v) for v in arr]


def positions_table(g: Generated) -> pd.DataFrame:
    pos = g.positions
    out = pd.DataFrame({
        "id": pos["id"],
        "title": pos["title"],
        "unit": pos["unit"],
        "level": pos["level"].astype(int),
        "grade_min": [C.GRADES[r - 1] for r in pos["gmin"]],
        "grade_max": [C.GRADES[r - 1] for r in pos["gmax"]],
        "headcount": pos["headcount"].astype(int),
        "must_fill": np.where(pos["must_fill"], "true", "false"),
        "priority": pos["priority"].astype(int),
        "education_fields": pos["fields"],
        "education_required": np.where(pos["required"], "true", "false"),
        "retirement_age": [str(b) if b else "" for b in pos["bup"]],
    })
    for comp in C.COMPETENCIES:
        out[f"c.{comp}"] = pos[f"c.{comp}"].astype(int)
    out["applicants_only"] = np.where(pos["applicants_only"], "true", "false")
    out["critical"] = np.where(pos["critical"], "true", "false")
    return out


def employees_table(g: Generated) -> pd.DataFrame:
    emp, pos = g.employees, g.positions
    ids = pos["id"].to_numpy()
    cur = emp["pos"].to_numpy()
    out = pd.DataFrame({
        "nip": emp["nip"],
        "name": emp["name"],
        "grade": [C.GRADES[r - 1] for r in emp["grade"]],
        "current_position": np.where(cur >= 0, ids[np.maximum(cur, 0)], ""),
        "position_since": _date_str(emp["since"]),
        "current_level": [str(v) if v else "" for v in emp["clevel"]],
        "birth_date": _date_str(emp["birth"]),
        "education_field": emp["edu"],
        "performance": emp["perf"],
        "potential": emp["pot"],
        "discipline_until": _date_str(emp["disc"]),
    })
    for comp in C.COMPETENCIES:
        out[f"c.{comp}"] = emp[f"c.{comp}"]
    return out


def scenario_dict(g: Generated, files: dict[str, str]) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    if g.scope_units is not None:
        scope["units"] = list(g.scope_units)
    if g.scope_levels is not None:
        scope["levels"] = [int(v) for v in g.scope_levels]
    doc: dict[str, Any] = {"name": g.name, "as_of": g.as_of}
    doc.update(files)
    doc["scope"] = scope
    doc["rules"] = dict(g.rules)
    doc["weights"] = dict(g.weights)
    doc["plans"] = dict(g.plans)
    doc["locks"] = []
    doc["forbid"] = []
    return doc


def dump_yaml(doc: dict[str, Any], comment: str = "") -> str:
    head = "".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines())
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")


def write(g: Generated, out_dir: Path) -> Path:
    """Write ``scenario.yaml``, ``employees.csv``, ``positions.csv`` (and
    ``assessments.csv``, ``preferences.csv``, ``units.csv`` when present) into
    ``out_dir``; return the YAML path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(employees_table(g), out_dir / "employees.csv")
    write_csv(positions_table(g), out_dir / "positions.csv")
    files = {"employees": "employees.csv", "positions": "positions.csv"}
    if g.assessments is not None:
        write_csv(g.assessments[["nip", "position", "score"]], out_dir / "assessments.csv")
        files["assessments"] = "assessments.csv"
    if g.preferences is not None:
        write_csv(g.preferences, out_dir / "preferences.csv")
        files["preferences"] = "preferences.csv"
    if g.units is not None:
        write_csv(g.units, out_dir / "units.csv")
        files["units"] = "units.csv"
    path = out_dir / "scenario.yaml"
    comment = g.comment or (
        f"Generated by `penata generate --profile {g.profile.name} --seed {g.seed}` "
        f"({len(g.employees)} employees, {len(g.positions)} positions)."
    )
    path.write_text(dump_yaml(scenario_dict(g, files), comment), encoding="utf-8")
    return path
