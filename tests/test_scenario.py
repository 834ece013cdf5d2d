"""Scenario.replace: the copy is validated again and hashed as changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.document import input_hash
from solver.io import load_scenario
from solver.scenario import InputError, Pair

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo" / "scenario.yaml"


@pytest.fixture(scope="module")
def demo():
    return load_scenario(DEMO)


def test_a_replaced_setting_changes_the_input_hash(demo) -> None:
    nip = str(demo.employees["nip"].iat[0])
    post = str(demo.positions["id"].iat[0])
    locked = demo.replace(locks=(*demo.locks, Pair(nip, post)))
    assert input_hash(locked) != input_hash(demo)
    assert locked.config["locks"][-1] == {"nip": nip, "position": post}
    # Lifting it again gives the same settings as the file; the YAML's own form differs,
    # so only equal content is promised, not an equal hash to the loaded file.
    assert input_hash(locked.replace(locks=demo.locks)) == \
        input_hash(demo.replace(locks=demo.locks))
    heavier = demo.replace(weights=demo.weights.__class__(**{**demo.weights.__dict__,
                                                             "move": 1000}))
    assert input_hash(heavier) != input_hash(demo)
    assert heavier.config["weights"]["move"] == 1000


def test_an_unchanged_copy_keeps_the_hash(demo) -> None:
    assert input_hash(demo.replace()) == input_hash(demo)


def test_replace_validates_the_references_again(demo) -> None:
    post = str(demo.positions["id"].iat[0])
    with pytest.raises(InputError) as info:
        demo.replace(locks=(Pair("199001012020011001", post),))
    assert info.value.errors == [
        f"{demo.source}: locks.0.nip: NIP '199001012020011001' is not in the employees table"]
    nip = str(demo.employees["nip"].iat[0])
    with pytest.raises(InputError) as info:
        demo.replace(locks=(Pair(nip, post),), forbid=(Pair(nip, post),))
    assert "both locked and forbidden" in info.value.errors[0]
    with pytest.raises(InputError) as info:
        demo.replace(positions=demo.positions.iloc[1:].reset_index(drop=True))
    assert any("is not in the positions table" in e for e in info.value.errors)


def test_the_hash_follows_table_content_not_the_frame_object(demo) -> None:
    """input_hash keeps the text of recent tables: an equal table read again hashes as
    the first (same text), a changed cell in a table hashed before hashes differently."""
    import dataclasses

    again = dataclasses.replace(demo, employees=demo.employees.copy())
    assert input_hash(again) == input_hash(demo)
    changed = demo.employees.copy()
    changed.loc[0, "name"] = "Nama Lain"
    assert input_hash(dataclasses.replace(demo, employees=changed)) != input_hash(demo)
    assert input_hash(demo) == input_hash(again)
