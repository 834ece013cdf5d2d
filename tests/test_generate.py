"""Structural invariants of the scenario generator and the committed library (issue 3)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from solver.generate import PROFILES, build, count_pairs, ensure_feasible, generate_scenario
from solver.generate.catalog import COMPETENCIES, GRADES, PERFORMANCE, POTENTIAL
from solver.generate.library import build_library

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
RANK = {g: i for i, g in enumerate(GRADES, start=1)}
EMP_COLUMNS = [
    "nip", "name", "grade", "current_position", "position_since", "current_level",
    "birth_date", "education_field", "performance", "potential", "discipline_until",
] + [f"c.{c}" for c in COMPETENCIES]
POS_COLUMNS = [
    "id", "title", "unit", "level", "grade_min", "grade_max", "headcount", "must_fill",
    "priority", "education_fields", "education_required", "retirement_age",
] + [f"c.{c}" for c in COMPETENCIES] + ["applicants_only", "critical"]

# moderate sizes for the per-profile checks; full sizes are exercised in test_full_sizes
CASES = [
    ("demo", 1, None),
    ("kota_binjai", 7, 1200),
    ("kota_pematangsiantar", 3, 1500),
    ("kota_tangerang_selatan", 4, 1500),
    ("kota_medan", 5, 2000),
    ("ministry", 6, 3000),
]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    profile, seed, employees = request.param
    out = tmp_path_factory.mktemp(profile)
    path = generate_scenario(profile, seed, out, employees=employees)
    doc = yaml.safe_load(path.read_text())
    emp = _read(out / doc["employees"])
    pos = _read(out / doc["positions"])
    return path, doc, emp, pos, request.param


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_columns_and_values(generated) -> None:
    _, doc, emp, pos, _ = generated
    assert list(emp.columns) == EMP_COLUMNS
    assert list(pos.columns) == POS_COLUMNS
    assert set(emp["grade"]) <= set(GRADES)
    assert set(emp["performance"]) <= set(PERFORMANCE)
    assert set(emp["potential"]) <= set(POTENTIAL)
    for comp in COMPETENCIES:
        vals = emp[f"c.{comp}"]
        assert set(vals) <= {"", "1", "2", "3", "4", "5"}
        assert set(pos[f"c.{comp}"]) <= {"0", "1", "2", "3", "4", "5"}
    assert (emp[[f"c.{c}" for c in COMPETENCIES]] == "").any(axis=1).any()  # some not assessed
    assert set(pos["level"]) <= {str(i) for i in range(1, 8)}
    assert set(pos["priority"]) <= {"1", "2", "3"}
    for col in ("must_fill", "education_required", "applicants_only", "critical"):
        assert set(pos[col]) <= {"true", "false"}
    assert set(pos["retirement_age"]) <= {"", "60", "65"}
    assert (pos["retirement_age"][pos["retirement_age"] != ""].astype(int)
            == np.where(pos["title"][pos["retirement_age"] != ""].str.contains("Utama"), 65, 60)).all()
    assert pos["id"].is_unique
    assert (pos["grade_min"].map(RANK) <= pos["grade_max"].map(RANK)).all()
    assert isinstance(doc["as_of"], dt.date)
    assert set(doc) >= {"name", "as_of", "employees", "positions", "scope", "rules", "weights", "plans"}


def test_nips_encode_birth_date_and_tmt(generated) -> None:
    _, doc, emp, _, _ = generated
    nip = emp["nip"]
    assert nip.str.fullmatch(r"\d{18}").all()
    assert nip.is_unique
    births = pd.to_datetime(nip.str[:8], format="%Y%m%d", errors="raise")
    assert (births.dt.strftime("%Y-%m-%d") == emp["birth_date"]).all()
    tmt = pd.to_datetime(nip.str[8:14] + "01", format="%Y%m%d", errors="raise")
    assert (tmt <= pd.Timestamp(doc["as_of"])).all()
    assert ((tmt - births).dt.days >= 18 * 365).all()
    assert nip.str[14].isin(["1", "2"]).all()
    serial = nip.str[15:].astype(int)
    assert ((serial >= 1) & (serial <= 999)).all()
    # the serial numbers people who share the first 15 digits
    assert (nip.groupby(nip.str[:15]).transform("count") >= serial).all()


def test_every_current_position_exists(generated) -> None:
    _, _, emp, pos, _ = generated
    placed = emp["current_position"] != ""
    assert emp.loc[placed, "current_position"].isin(set(pos["id"])).all()
    assert (emp.loc[placed, "position_since"] != "").all()
    assert (emp.loc[placed, "current_level"] == "").all()
    unplaced = emp[~placed]
    assert len(unplaced) >= 1
    assert (unplaced["position_since"] == "").all()
    assert unplaced["current_level"].isin(["2", "3", "4"]).all()


def test_headcounts_respected(generated) -> None:
    _, doc, emp, pos, _ = generated
    holders = emp.loc[emp["current_position"] != "", "current_position"].value_counts()
    hc = pos.set_index("id")["headcount"].astype(int)
    held = holders.reindex(hc.index, fill_value=0)
    abolished = hc == 0
    assert (held[~abolished] <= hc[~abolished]).all()
    assert abolished.sum() >= 1
    assert (held[abolished] >= 1).all()  # abolished posts have holders who must move
    assert (held < hc).any()  # some vacancies
    levels = set(doc["scope"].get("levels", range(1, 8)))
    in_scope = pos.set_index("id")["level"].astype(int).isin(levels)
    assert (in_scope[abolished]).all()
    mf = pos.set_index("id")["must_fill"] == "true"
    assert not (mf & abolished).any()


def test_grades_within_ranges(generated) -> None:
    _, _, emp, pos, _ = generated
    placed = emp[emp["current_position"] != ""]
    p = pos.set_index("id").loc[placed["current_position"]]
    rank = placed["grade"].map(RANK).to_numpy()
    assert (p["grade_min"].map(RANK).to_numpy() <= rank).all()
    assert (rank <= p["grade_max"].map(RANK).to_numpy()).all()


def test_nobody_past_retirement_age(generated) -> None:
    _, doc, emp, pos, _ = generated
    as_of = doc["as_of"]
    p = pos.set_index("id")
    for row in emp.itertuples(index=False):
        if row.current_position:
            level = int(p.at[row.current_position, "level"])
            bup_text = p.at[row.current_position, "retirement_age"]
        else:
            level, bup_text = int(row.current_level), ""
        bup = int(bup_text) if bup_text else (60 if level >= 5 else 58)
        assert _age(dt.date.fromisoformat(row.birth_date), as_of) < bup


def test_realistic_mix(generated) -> None:
    _, doc, emp, pos, _ = generated
    as_of = pd.Timestamp(doc["as_of"])
    since = pd.to_datetime(emp.loc[emp["position_since"] != "", "position_since"])
    months = (as_of - since).dt.days / 30.44
    assert (months > 60).mean() > 0.05  # people past five years
    assert (months < 24).mean() > 0.1
    disc = pd.to_datetime(emp.loc[emp["discipline_until"] != "", "discipline_until"])
    assert (disc >= as_of).sum() >= 1  # running sanctions
    assert (pos["must_fill"] == "true").any()
    assert (pos["education_required"] == "true").any()


def test_critical_posts(generated) -> None:
    """Heads of OPD and their secretaries, the Sekda and camat (city profiles), eselon I
    heads and kantor wilayah heads (ministry) are critical posts; pengawas posts never."""
    _, _, _, pos, (profile, _, _) = generated
    critical = pos["critical"] == "true"
    titles = pos.loc[critical, "title"]
    assert critical.any()
    assert (pos.loc[critical, "level"].astype(int) >= 4).all()
    if profile == "ministry":
        assert titles.str.startswith("Kepala Kantor Wilayah").any()
        assert titles.str.startswith("Sekretaris").any()
        return
    for start in ("Sekretaris Daerah", "Kepala Dinas", "Sekretaris Dinas", "Camat"):
        assert titles.str.startswith(start).any(), start
    assert not pos.loc[pos["title"].str.startswith("Kepala Seksi"), "critical"].eq("true").any()


def test_loads_with_engine(generated) -> None:
    io = pytest.importorskip("solver.io")
    path, _, emp, pos, _ = generated
    scenario = io.load_scenario(path)
    assert len(scenario.employees) == len(emp)
    assert len(scenario.positions) == len(pos)
    assert list(scenario.positions["id"]) == list(pos["id"])  # ids keep their leading zeros


def test_witness_exists(generated) -> None:
    """The witness plan re-derived from the written files keeps every must-fill flag."""
    profile, seed, employees = generated[4]
    g = build(profile, seed, employees=employees)
    before = g.positions["must_fill"].copy()
    ensure_feasible(g, np.random.default_rng(0))
    assert (g.positions["must_fill"] == before).all()


def test_determinism(tmp_path: Path) -> None:
    a = generate_scenario("kota_binjai", 11, tmp_path / "a", employees=800)
    b = generate_scenario("kota_binjai", 11, tmp_path / "b", employees=800)
    c = generate_scenario("kota_binjai", 12, tmp_path / "c", employees=800)
    for name in ("scenario.yaml", "employees.csv", "positions.csv"):
        assert (a.parent / name).read_bytes() == (b.parent / name).read_bytes()
    assert (a.parent / "employees.csv").read_bytes() != (c.parent / "employees.csv").read_bytes()


def test_employee_override_and_counts(tmp_path: Path) -> None:
    for n in (100, 457):
        path = generate_scenario("kota_pematangsiantar", 1, tmp_path / str(n), employees=n)
        assert len(_read(path.parent / "employees.csv")) == n


def test_unknown_profile_and_override(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown profile"):
        generate_scenario("kota_atlantis", 1, tmp_path)
    with pytest.raises(ValueError, match="unknown override"):
        generate_scenario("demo", 1, tmp_path, colour="blue")
    path = generate_scenario("demo", 1, tmp_path / "s", scope_levels=[4], vacancy_rate=0.1)
    assert yaml.safe_load(path.read_text())["scope"]["levels"] == [4]


def test_profiles_present() -> None:
    assert {"demo", "kota_binjai", "kota_pematangsiantar", "kota_tangerang_selatan",
            "kota_medan", "ministry"} <= set(PROFILES)
    assert PROFILES["kota_medan"].employees == 11_192
    assert PROFILES["kota_medan"].opd == 51
    assert PROFILES["ministry"].employees == 50_000


@pytest.mark.slow
def test_full_sizes(tmp_path: Path) -> None:
    """Every profile at its full size; the ministry (50,000) well under a minute."""
    for name, prof in PROFILES.items():
        start = time.perf_counter()
        path = generate_scenario(name, 1, tmp_path / name)
        elapsed = time.perf_counter() - start
        assert len(_read(path.parent / "employees.csv")) == prof.employees
        assert elapsed < 30, (name, elapsed)
    g = build("kota_medan", 1)
    sizes = count_pairs(g)
    assert 2000 <= sizes["scope_seats"] <= 4000  # the "M" benchmark round


def test_committed_library_matches_generator(tmp_path: Path) -> None:
    """scenarios/ is exactly what the generator builds (rebuild: python -m solver.generate.library scenarios)."""
    paths = build_library(tmp_path)
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            committed = SCENARIOS / path.relative_to(tmp_path)
            assert committed.exists(), committed
            assert committed.read_bytes() == path.read_bytes(), committed
    assert len(paths) >= 6


COMMITTED = sorted(SCENARIOS.glob("*.yaml")) + sorted(SCENARIOS.glob("*/scenario.yaml"))


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem if p.stem != "scenario" else p.parent.name for p in COMMITTED])
def test_committed_scenarios_load(path: Path) -> None:
    io = pytest.importorskip("solver.io")
    scenario = io.load_scenario(path)
    assert len(scenario.employees) > 0
    assert path.stat().st_size < 3_000_000


def test_committed_sizes_modest() -> None:
    for folder in [p for p in SCENARIOS.iterdir() if p.is_dir()]:
        assert sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) < 3_000_000
