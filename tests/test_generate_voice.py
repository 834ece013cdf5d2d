"""The generator's section 9 tables (solver/generate/voice.py): only when asked, realistic."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from solver.generate import generate_scenario
from solver.io import load_scenario

TABLES = ("scenario.yaml", "employees.csv", "positions.csv")


@pytest.fixture(scope="module")
def binjai(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """kota_binjai seed 7 at 1,200 employees, generated without and with the voice tables."""
    root = tmp_path_factory.mktemp("voice")
    plain = generate_scenario("kota_binjai", 7, root / "plain", employees=1200)
    voice = generate_scenario("kota_binjai", 7, root / "voice", employees=1200, voice=True)
    return plain, voice


def test_off_by_default_and_other_tables_unchanged(binjai) -> None:
    plain, voice = binjai
    assert not (plain.parent / "preferences.csv").exists()
    assert not (plain.parent / "units.csv").exists()
    for name in ("employees.csv", "positions.csv"):
        assert (plain.parent / name).read_bytes() == (voice.parent / name).read_bytes()
    extra = set(voice.read_text().splitlines()) - set(plain.read_text().splitlines())
    assert extra == {"preferences: preferences.csv", "units: units.csv"}


def test_deterministic(binjai, tmp_path: Path) -> None:
    _, voice = binjai
    again = generate_scenario("kota_binjai", 7, tmp_path, employees=1200, voice=True)
    for name in ("preferences.csv", "units.csv"):
        assert (voice.parent / name).read_bytes() == (again.parent / name).read_bytes()


def test_tables_validate_and_look_like_a_preference_form(binjai) -> None:
    _, voice = binjai
    sc = load_scenario(voice)  # validation: known NIPs/posts, ranks 1-5 once each, IKM range
    prefs = sc.preferences
    emp = sc.employees.set_index("nip")
    pos = sc.positions.set_index("id")
    listed = prefs.groupby("nip").size()
    assert 0.8 <= (listed <= 3).mean(), listed.value_counts()  # most list 1-3 posts
    assert listed.max() <= 5
    # ranks are 1..k per respondent
    assert (prefs.groupby("nip")["rank"].max() == listed).all()
    own = prefs["position"].to_numpy() == emp.loc[prefs["nip"], "current_position"].to_numpy()
    assert 0.03 <= own.mean() <= 0.2  # some list their own post
    level = pos["level"]
    cur_level = [level[c] if c else lv for c, lv in
                 zip(emp.loc[prefs["nip"], "current_position"],
                     emp.loc[prefs["nip"], "current_level"], strict=True)]
    step = level[prefs["position"]].to_numpy() - pd.Series(cur_level).to_numpy()
    assert ((step == 0) | (step == 1)).all()  # near their level: same or one up
    same_unit = (pos.loc[prefs["position"], "unit"].to_numpy()
                 == pos.reindex(emp.loc[prefs["nip"], "current_position"])["unit"].to_numpy())
    assert same_unit.mean() >= 0.5  # mostly in their own unit
    # the round is levels 3-4: nearly every respondent is at level 2, 3 or 4
    respondent_level = pd.Series(cur_level, index=prefs["nip"]).groupby(level=0).first()
    assert respondent_level.between(2, 4).mean() >= 0.9


def test_ikm_per_unit_around_city_figures(binjai) -> None:
    _, voice = binjai
    sc = load_scenario(voice)
    units = sc.units
    assert set(units["unit"]) == set(sc.positions["unit"])  # every unit has its IKM
    ikm = units["ikm_hundredths"]
    assert 7700 <= ikm.mean() <= 8500  # around grade B
    low = (ikm < 7661).mean()
    assert 0.03 <= low <= 0.45, low  # some units are C (or D)
