"""Section 9 through the API: preferences and units uploads, what-if edits on them."""

from __future__ import annotations

from pathlib import Path

from api_helpers import NIPS, SCENARIO_YAML, solved, wait_job, write_tiny
from fastapi.testclient import TestClient

PREFERENCES_CSV = f"nip,position,rank\n{NIPS[2]},002,1\n{NIPS[1]},003,2\n"
UNITS_CSV = "unit,ikm\nDinas A,70.25\n"


def _voice_dir(tmp_path: Path, units: str = UNITS_CSV) -> Path:
    yaml_text = SCENARIO_YAML + "preferences: preferences.csv\nunits: units.csv\n"
    write_tiny(tmp_path, yaml_text=yaml_text)
    (tmp_path / "preferences.csv").write_text(PREFERENCES_CSV, encoding="utf-8")
    (tmp_path / "units.csv").write_text(units, encoding="utf-8")
    return tmp_path


def _files(directory: Path, names: tuple[str, ...]) -> dict[str, tuple[str, bytes]]:
    paths = {"scenario": "scenario.yaml", "employees": "employees.csv",
             "positions": "positions.csv", "preferences": "preferences.csv",
             "units": "units.csv"}
    return {n: (paths[n], (directory / paths[n]).read_bytes()) for n in names}


ALL = ("scenario", "employees", "positions", "preferences", "units")


def test_upload_with_preferences_and_units(client: TestClient, auth: dict,
                                           tmp_path: Path) -> None:
    directory = _voice_dir(tmp_path)
    response = client.post("/api/v1/scenarios", headers=auth["planner"],
                           files=_files(directory, ALL))
    assert response.status_code == 201, response.text
    assert response.json()["counts"] == {"employees": 3, "positions": 3, "assessments": 0,
                                         "preferences": 2, "units": 1}


def test_upload_errors_name_the_table(client: TestClient, auth: dict, tmp_path: Path) -> None:
    directory = _voice_dir(tmp_path, units="unit,ikm\nDinas A,70.255\n")
    response = client.post("/api/v1/scenarios", headers=auth["planner"],
                           files=_files(directory, ALL))
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "units.csv row 2, column ikm: '70.255' has more than 2 decimals; an IKM is "
        "reported to 2 decimals (e.g. 82.15)"]}
    response = client.post("/api/v1/scenarios", headers=auth["planner"],
                           files=_files(directory, ALL[:4]))
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "scenario.yaml key units: names 'units.csv' but no units file was uploaded"]}


def test_what_if_preferences_and_ikm(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id, _ = solved(client, auth["planner"], tiny)
    url = f"/api/v1/scenarios/{scenario_id}/what-if"
    response = client.post(url, headers=auth["planner"], json={"edits": [
        {"op": "add_preference", "nip": NIPS[2], "position": "002", "rank": 1},
        {"op": "add_preference", "nip": NIPS[1], "position": "003", "rank": 3},
        {"op": "add_preference", "nip": NIPS[1], "position": "003", "rank": 2},  # re-rank
        {"op": "set_ikm", "unit": "Dinas A", "ikm": "70.25"},
        {"op": "set_weights", "weights": {"preference": 1000}},
        {"op": "set_rules", "rules": {"low_ikm_fit_multiplier": 2}},
    ]})
    assert response.status_code == 202, response.text
    job = response.json()
    assert wait_job(client, auth["viewer"], job["id"])["status"] == "done"
    document = client.get(f"/api/v1/jobs/{job['id']}/plans", headers=auth["viewer"]).json()
    plan = document["plans"][0]
    listed = {(NIPS[2], "002"): 1, (NIPS[1], "003"): 2}  # the re-rank replaced rank 3
    assert plan["assignments"]
    for a in plan["assignments"]:
        assert a["preference_rank"] == listed.get((a["nip"], a["position"]))
    assert plan["units"][0]["unit"] == "Dinas A" and plan["units"][0]["ikm"] == "70.25"
    assert plan["units"][0]["grade"] == "C" and plan["units"][0]["fit_multiplier"] == 2
    info = client.get(f"/api/v1/scenarios/{job['scenario_id']}", headers=auth["viewer"]).json()
    assert info["counts"]["preferences"] == 2 and info["counts"]["units"] == 1

    # Removing what is not there names it.
    response = client.post(url, headers=auth["planner"], json={"edits": [
        {"op": "remove_preference", "nip": NIPS[0], "position": "003"},
        {"op": "set_ikm", "unit": "Dinas Z", "ikm": None}]})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "edits[0] (remove_preference): the preferences table has no row for NIP "
        f"'{NIPS[0]}' and position '003'",
        "edits[1] (set_ikm): the units table has no row for unit 'Dinas Z'"]}
    # An edit that breaks validation: the loader's message, naming the row.
    response = client.post(url, headers=auth["planner"], json={"edits": [
        {"op": "add_preference", "nip": NIPS[2], "position": "002", "rank": 1},
        {"op": "add_preference", "nip": NIPS[2], "position": "003", "rank": 1}]})
    assert response.status_code == 422
    assert response.json() == {"detail": [
        f"preferences.csv row 3, column rank: rank 1 is already used by NIP {NIPS[2]} on "
        "row 2; each rank at most once per employee"]}


def test_remove_employee_drops_their_preferences(client: TestClient, auth: dict,
                                                 tmp_path: Path) -> None:
    directory = _voice_dir(tmp_path)
    scenario_id = upload_all(client, auth["planner"], directory)
    response = client.post(f"/api/v1/scenarios/{scenario_id}/jobs", headers=auth["planner"])
    assert wait_job(client, auth["planner"], response.json()["id"])["status"] == "done"
    response = client.post(f"/api/v1/scenarios/{scenario_id}/what-if", headers=auth["planner"],
                           json={"edits": [{"op": "remove_employee", "nip": NIPS[2]}]})
    assert response.status_code == 202, response.text
    info = client.get(f"/api/v1/scenarios/{response.json()['scenario_id']}",
                      headers=auth["viewer"]).json()
    assert info["counts"]["preferences"] == 1  # Citra's row went with her


def upload_all(client: TestClient, headers: dict, directory: Path) -> str:
    response = client.post("/api/v1/scenarios", headers=headers, files=_files(directory, ALL))
    assert response.status_code == 201, response.text
    return response.json()["id"]

