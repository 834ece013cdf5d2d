"""What-if edits (solver/edits.py) on a round's input files, validated by the loader."""

from __future__ import annotations

import io

import openpyxl
import pytest
import yaml

from solver.edits import EDITS, EditError, ScenarioInput, apply_edits
from solver.io import InputError, TableSource
from tests.conftest import employee, nip, post, scenario_input


def _round() -> ScenarioInput:
    return scenario_input(
        [employee(1, current_position="A", position_since="2020-01-01"),
         employee(2, current_position="B", position_since="2021-01-01")],
        [post("A"), post("B", headcount=2)],
        [{"nip": nip(1), "position": "B", "score": 80}, {"nip": nip(2), "position": "B",
                                                         "score": 70}],
        locks=[{"nip": nip(1), "position": "A"}])


def _config(source: ScenarioInput) -> dict:
    return yaml.safe_load(source.yaml.content)


def test_set_headcount_and_abolish_change_only_the_positions_table():
    base = _round()
    derived = apply_edits(base, [{"op": "set_headcount", "position": "B", "headcount": 5},
                                 {"op": "abolish_position", "position": "A"}])
    scenario = derived.load()
    assert scenario.positions.set_index("id")["headcount"].to_dict() == {"A": 0, "B": 5}
    # Untouched files keep their bytes (and the YAML is not rewritten).
    assert derived.yaml == base.yaml
    assert derived.tables["employees"] == base.tables["employees"]
    assert derived.tables["assessments"] == base.tables["assessments"]


def test_remove_employee_drops_their_rows_and_yaml_entries():
    derived = apply_edits(_round(), [{"op": "remove_employee", "nip": nip(1)}])
    scenario = derived.load()
    assert scenario.employees["nip"].tolist() == [nip(2)]
    assert scenario.assessments["nip"].tolist() == [nip(2)]
    assert _config(derived)["locks"] == [] and scenario.locks == ()


def test_settings_edits_merge_into_the_yaml_and_re_validate():
    derived = apply_edits(_round(), [
        {"op": "set_rules", "rules": {"min_fit_for_move": 5000}},
        {"op": "set_weights", "weights": {"move": 123}},
        {"op": "set_scope", "units": ["U"], "levels": None},
        {"op": "forbid", "nip": nip(2), "position": "A"},
    ])
    config = _config(derived)
    assert config["rules"] == {"min_fit_for_move": 5000} and config["weights"] == {"move": 123}
    assert config["scope"] == {"units": ["U"]}
    assert config["forbid"] == [{"nip": nip(2), "position": "A"}]
    scenario = derived.load()
    assert scenario.rules.min_fit_for_move == 5000 and scenario.weights.move == 123
    # A value of None removes a key again (back to the default).
    again = apply_edits(derived, [{"op": "set_rules", "rules": {"min_fit_for_move": None}}])
    assert "min_fit_for_move" not in _config(again)["rules"]


def test_an_edit_the_loader_rejects_comes_back_as_the_loaders_message():
    derived = apply_edits(_round(), [{"op": "lock", "nip": nip(2), "position": "Z"}])
    with pytest.raises(InputError) as caught:
        derived.load()
    assert any("Z" in message for message in caught.value.errors)


def test_added_rows_and_new_tables():
    derived = apply_edits(_round(), [
        {"op": "add_position", "row": {"id": "C", "title": "Jabatan C", "unit": "U",
                                       "level": 3, "grade_min": "III/a",
                                       "grade_max": "III/d", "headcount": 1}},
        {"op": "add_employee", "row": employee(3, current_position="A",
                                                  position_since="2022-01-01")},
        {"op": "add_preference", "nip": nip(2), "position": "C", "rank": 1},
        {"op": "set_ikm", "unit": "U", "ikm": "76.61"},
    ])
    # The new tables get a file each, named in the YAML.
    assert derived.tables["preferences"].label == "preferences.csv"
    assert _config(derived)["units"] == "units.csv"
    scenario = derived.load()
    assert "C" in set(scenario.positions["id"]) and nip(3) in set(scenario.employees["nip"])
    assert scenario.preferences[["nip", "position"]].values.tolist() == [[nip(2), "C"]]
    assert len(scenario.units) == 1
    removed = apply_edits(derived, [{"op": "remove_preference", "nip": nip(2),
                                     "position": "C"},
                                    {"op": "set_ikm", "unit": "U", "ikm": None}])
    loaded = removed.load()
    assert loaded.preferences.empty and loaded.units.empty


def test_edits_naming_what_the_round_lacks_are_all_reported():
    with pytest.raises(EditError) as caught:
        apply_edits(_round(), [{"op": "set_headcount", "position": "Q", "headcount": 1},
                               {"op": "remove_employee", "nip": nip(9)},
                               {"op": "remove_preference", "nip": nip(1), "position": "B"},
                               {"op": "set_ikm", "unit": "U", "ikm": None},
                               {"op": "rename"}])
    assert caught.value.errors == [
        "edits[0] (set_headcount): position 'Q' is not in the positions table",
        f"edits[1] (remove_employee): NIP '{nip(9)}' is not in the employees table",
        f"edits[2] (remove_preference): the preferences table has no row for NIP "
        f"'{nip(1)}' and position 'B'",
        "edits[3] (set_ikm): the units table has no row for unit 'U'",
        "edits[4] (rename): 'rename' is not an edit",
    ]


def test_an_edited_xlsx_table_becomes_a_csv_the_yaml_names():
    base = _round()
    frame_rows = [line.split(",") for line in
                  base.tables["positions"].content.decode().splitlines()]
    book = openpyxl.Workbook()
    for row in frame_rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    config = _config(base) | {"positions": "positions.xlsx"}
    xlsx = ScenarioInput(TableSource("scenario.yaml", yaml.safe_dump(config).encode()),
                         {**base.tables, "positions": TableSource("positions.xlsx",
                                                                  buffer.getvalue())})
    derived = apply_edits(xlsx, [{"op": "set_headcount", "position": "A", "headcount": 3}])
    assert derived.tables["positions"].label == "positions.csv"
    assert _config(derived)["positions"] == "positions.csv"
    assert derived.load().positions.set_index("id")["headcount"]["A"] == 3


def test_every_api_edit_op_has_its_meaning_here():
    from typing import get_args

    from api.schemas import Edit

    union = get_args(Edit)[0]
    ops = {get_args(model.model_fields["op"].annotation)[0] for model in get_args(union)}
    assert ops == set(EDITS)
