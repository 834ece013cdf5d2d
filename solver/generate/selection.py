"""Open-selection scenario (seleksi terbuka JPT pratama, UU 5/2014 Pasal 115), Kota Medan.

``build_selection(root)`` writes ``root/seleksi_terbuka_medan.yaml`` and its data folder
``root/seleksi_terbuka/`` (``employees.csv``, ``positions.csv``, ``assessments.csv``);
the output depends only on ``seed`` (default :data:`SEED`), so

    python -m solver.generate.selection scenarios

rebuilds the committed files byte for byte.

How the round is made from the ``kota_medan`` profile (seed :data:`SEED`):

- the position map is cut to the JPT pratama and administrator posts (levels 4-5) and
  the roster to their holders, so the files stay small;
- six kepala OPD posts (eselon II.b, IV/b-IV/c, :data:`OPEN_UNITS`) are open: the two the
  profile leaves vacant plus four whose holders leave (dropped from the roster). They
  are ``applicants_only`` and ``must_fill``; the scope is exactly these six posts
  (``units`` = their OPD, ``levels: [5]``);
- each post gets 4-7 applicants from other OPD who meet the section 4 rules and the
  PP 11/2017 / UU 5/2014 extras the engine does not check (age at most 56, no
  disciplinary record ever, SKP at least baik, managerial experience or a functional
  post in the OPD's field): mostly administrators, about one in four new applicants
  a sitting JPT pratama (a lateral move); about one in three applicants from the
  second post on also applied for an earlier post. Two further applicants do not meet the rules
  (grade IV/a below the range; under 24 months in post) and stay ineligible whatever
  their score;
- the panel score is the assessed JPM shaded by the interview, on the 0-10000 scale;
  ``min_fit_for_move: 7000`` is the passing grade; education and talent weights are 0
  because the panel score already weighs qualifications and track record.
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
    _age_on,
    _Ctx,
    build,
    dump_yaml,
    employees_table,
    ensure_feasible,
    positions_table,
    scenario_dict,
    write_csv,
)

SEED = 2027
YAML_NAME = "seleksi_terbuka_medan.yaml"
DATA_DIR = "seleksi_terbuka"
OPEN_UNITS = (
    "Inspektorat",
    "Dinas Lingkungan Hidup",
    "Dinas Kesehatan",
    "Dinas Komunikasi dan Informatika",
    "Dinas Perhubungan",
    "Badan Pendapatan Daerah",
)
PASSING_SCORE = 7000
MAX_AGE = 56  # PP 11/2017: JPT pratama applicants at most 56 years old


def _slice(base: Generated) -> Generated:
    """Levels 4-5 of the position map, their holders minus those of the open posts."""
    v = copy.copy(base)
    pos = base.positions
    keep = np.flatnonzero(pos["level"].isin([4, 5]).to_numpy())
    open_rows = [int(i) for i in keep
                 if pos.at[pos.index[i], "level"] == 5 and pos.at[pos.index[i], "unit"] in OPEN_UNITS]
    if len(open_rows) != len(OPEN_UNITS):
        raise ValueError(f"expected one level-5 post per open unit, found {len(open_rows)}")
    new_index = {int(old): new for new, old in enumerate(keep)}
    emp = base.employees
    cur = emp["pos"].to_numpy()
    stay = np.isin(cur, keep) & ~np.isin(cur, open_rows)
    v.positions = pos.iloc[keep].reset_index(drop=True).copy()
    v.employees = emp.loc[stay].reset_index(drop=True).copy()
    v.employees["pos"] = [new_index[int(c)] for c in v.employees["pos"]]
    opened = [new_index[r] for r in open_rows]
    v.positions.loc[opened, "applicants_only"] = True
    v.positions.loc[opened, "must_fill"] = True
    v.rules = dict(base.rules)
    v.weights = dict(base.weights)
    v.plans = dict(base.plans)
    v.notes = []
    v.assessments = None
    return v


def build_selection_generated(seed: int = SEED) -> Generated:
    """The open-selection round in the generator's internal form."""
    base = build("kota_medan", seed)
    v = _slice(base)
    v.name = "Seleksi terbuka JPT pratama Kota Medan 2027"
    v.scope_units = OPEN_UNITS
    v.scope_levels = (5,)
    v.rules["min_fit_for_move"] = PASSING_SCORE
    v.weights["education"] = 0
    v.weights["talent"] = 0
    rng = np.random.default_rng(seed + 115)
    ctx = _Ctx(v)
    emp = v.employees
    age_now = _age_on(emp["birth"].to_numpy().astype("datetime64[D]"), v.as_of)
    clean = np.isnat(emp["disc"].to_numpy().astype("datetime64[D]"))
    comps = [f"c.{c}" for c in C.COMPETENCIES]
    achieved = emp[comps].fillna(0).to_numpy(dtype=np.int64)
    posts = [int(p) for p in np.flatnonzero(ctx.scope)]
    unit_of = ctx.unit[np.maximum(ctx.cur, 0)]
    struct = (v.positions["kind"].to_numpy() == "struct")[np.maximum(ctx.cur, 0)]
    good = ctx.perf >= ctx.min_perf  # SKP at least baik (PP 11/2017), lateral moves too
    rows: list[dict[str, Any]] = []
    applied: list[int] = []
    for p in posts:
        ok = ctx.eligible(p, ignore_applicants=True) & (age_now <= MAX_AGE) & clean & good
        ok &= unit_of != ctx.unit[p]  # applicants come from other OPD
        # managerial experience, or a functional post in the field of the OPD
        ok &= struct | np.isin(ctx.edu, ctx.pfields[p])
        k = int(rng.integers(4, 8))
        again = [e for e in applied if ok[e]]
        n_again = min(len(again), int(rng.binomial(k, 1 / 3))) if again else 0
        chosen = [int(e) for e in rng.choice(again, size=n_again, replace=False)] if n_again else []
        # about one in four new applicants is a sitting JPT pratama (a lateral move)
        n_jpt = int(rng.binomial(k - len(chosen), 0.25))
        for level, n in ((5, n_jpt), (4, k - len(chosen) - n_jpt)):
            fresh = [int(e) for e in np.flatnonzero(ok & (ctx.elevel == level))
                     if e not in chosen and e not in applied]
            chosen += [int(e) for e in rng.choice(fresh, size=min(n, len(fresh)), replace=False)]
        applied += [e for e in chosen if e not in applied]
        req = v.positions.loc[p, comps].to_numpy(dtype=np.int64)
        for e in sorted(chosen):
            jpm = 10000 * int(np.minimum(achieved[e], req).sum()) // max(int(req.sum()), 1)
            # panel score: assessed JPM shaded by the interview and the paper (makalah)
            score = int(np.clip(0.5 * jpm + rng.normal(3700, 700), 4000, 9900))
            rows.append({"nip": ctx.nip[e], "position": ctx.pid[p], "score": score})
    # two applicants the rules exclude, with strong panel scores
    placed4 = ctx.placed & (ctx.elevel == 4) & clean & (age_now <= MAX_AGE) & struct
    outside = ~np.isin(np.arange(len(emp)), applied)
    low_grade = np.flatnonzero(placed4 & outside & (ctx.grade == C.RANK["IV/a"])
                               & (ctx.perf >= ctx.min_perf) & (ctx.tenure >= 24))
    short = np.flatnonzero(placed4 & outside & (ctx.grade == C.RANK["IV/b"])
                           & (ctx.perf >= ctx.min_perf) & (ctx.tenure < 24))
    for pool, p in ((low_grade, posts[0]), (short, posts[1])):
        e = int(pool[int(rng.integers(0, len(pool)))])
        rows.append({"nip": ctx.nip[e], "position": ctx.pid[p],
                     "score": int(rng.integers(8800, 9300))})
    frame = pd.DataFrame(rows, columns=["nip", "position", "score"])
    v.assessments = frame.sort_values(["position", "nip"], kind="stable").reset_index(drop=True)
    ensure_feasible(v, rng)
    if v.notes:
        raise ValueError("; ".join(v.notes))
    return v


def build_selection(root: Path, seed: int = SEED) -> Path:
    """Write the open-selection scenario under ``root``; return the YAML path."""
    root = Path(root)
    v = build_selection_generated(seed)
    data = root / DATA_DIR
    write_csv(employees_table(v), data / "employees.csv")
    write_csv(positions_table(v), data / "positions.csv")
    assert v.assessments is not None
    write_csv(v.assessments, data / "assessments.csv")
    files = {"employees": f"{DATA_DIR}/employees.csv", "positions": f"{DATA_DIR}/positions.csv",
             "assessments": f"{DATA_DIR}/assessments.csv"}
    n_app = v.assessments["nip"].nunique()
    comment = (
        f"Open selection (seleksi terbuka) of {len(OPEN_UNITS)} JPT pratama posts (kepala OPD,\n"
        "eselon II.b, IV/b-IV/c) of Kota Medan, UU 5/2014 Pasal 115. The posts are\n"
        "applicants_only + must_fill; seleksi_terbuka/assessments.csv holds the panel scores\n"
        f"({len(v.assessments)} applications by {n_app} people from several OPD; a score is the\n"
        "fit of that pair instead of the JPM). min_fit_for_move 7000 is the passing grade;\n"
        "education and talent weights are 0 (the panel score already weighs them). Two\n"
        "applicants fail the rules (grade IV/a; under 24 months in post) and stay ineligible.\n"
        "The roster is the levels 4-5 slice of the kota_medan profile (seed "
        f"{seed}).\n"
        f"Rebuild with `python -m solver.generate.selection scenarios`; shortlists of three\n"
        "names per post: `penata solve` then `penata review` (docs/selection.md)."
    )
    path = root / YAML_NAME
    path.write_text(dump_yaml(scenario_dict(v, files), comment), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(f"{build_selection(Path(sys.argv[1] if len(sys.argv) > 1 else 'scenarios'))}\n")
