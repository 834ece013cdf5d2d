"""POST/GET /api/v1/scenarios: multipart and JSON uploads, validation messages."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pandas as pd
import pytest
from api_helpers import (
    EMPLOYEES_CSV,
    POSITIONS_CSV,
    SCENARIO_YAML,
    multipart,
    upload,
    write_tiny,
)
from fastapi.testclient import TestClient

from solver.io import InputError, load_scenario

URL = "/api/v1/scenarios"


def cli_errors(yaml_path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_scenario(yaml_path)
    return info.value.errors


def test_multipart_upload(client: TestClient, auth: dict, tiny: Path) -> None:
    response = client.post(URL, headers=auth["planner"], files=multipart(tiny))
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "tiny"
    assert body["counts"] == {"employees": 3, "positions": 3, "assessments": 0}
    info = client.get(f"{URL}/{body['id']}", headers=auth["viewer"]).json()
    assert info["base_id"] is None and info["edits"] is None
    assert [(f["role"], f["path"]) for f in info["files"]] == [
        ("scenario", "scenario.yaml"), ("employees", "employees.csv"),
        ("positions", "positions.csv")]
    listing = client.get(URL, headers=auth["viewer"]).json()
    assert [s["id"] for s in listing] == [body["id"]]


def test_upload_is_stored_byte_for_byte(client: TestClient, auth: dict, tiny: Path) -> None:
    scenario_id = upload(client, auth["planner"], tiny)
    with client.app.state.sessions() as session:
        from api.db import ScenarioRecord

        record = session.get(ScenarioRecord, scenario_id)
        stored = {f.role: f.content for f in record.files}
    assert stored["employees"] == (tiny / "employees.csv").read_bytes()
    assert stored["scenario"] == (tiny / "scenario.yaml").read_bytes()


def test_uploaded_names_differ_from_yaml(client: TestClient, auth: dict, tiny: Path) -> None:
    files = multipart(tiny)
    files["employees"] = ("pegawai 2027.csv", files["employees"][1])
    response = client.post(URL, headers=auth["planner"], files=files)
    assert response.status_code == 201
    info = client.get(f"{URL}/{response.json()['id']}", headers=auth["viewer"]).json()
    employees = next(f for f in info["files"] if f["role"] == "employees")
    # Stored where the YAML looks for it; the upload's own name is kept too.
    assert employees["path"] == "employees.csv"
    assert employees["original_name"] == "pegawai 2027.csv"


def test_yaml_path_outside_the_directory_is_rewritten(client: TestClient, auth: dict,
                                                      tmp_path: Path) -> None:
    yaml_text = SCENARIO_YAML.replace("employees: employees.csv",
                                      "employees: ../../etc/employees.csv")
    directory = tmp_path / "up"
    write_tiny(directory, yaml_text=yaml_text)
    response = client.post(URL, headers=auth["planner"], files=multipart(directory))
    assert response.status_code == 201, response.text
    info = client.get(f"{URL}/{response.json()['id']}", headers=auth["viewer"]).json()
    paths = {f["role"]: f["path"] for f in info["files"]}
    assert paths["employees"] == "employees.csv"


def test_yaml_without_table_keys_takes_uploaded_names(client: TestClient, auth: dict,
                                                      tmp_path: Path) -> None:
    yaml_text = "name: tiny\nas_of: 2027-01-02\n"
    directory = tmp_path / "up"
    write_tiny(directory, yaml_text=yaml_text)
    response = client.post(URL, headers=auth["planner"], files=multipart(directory))
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["employees"] == 3


def test_xlsx_upload(client: TestClient, auth: dict, tiny: Path) -> None:
    frame = pd.read_csv(io.StringIO(EMPLOYEES_CSV), dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    files = multipart(tiny)
    files["employees"] = ("employees.xlsx", buffer.getvalue())
    files["scenario"] = ("scenario.yaml", SCENARIO_YAML.replace(
        "employees.csv", "employees.xlsx").encode())
    response = client.post(URL, headers=auth["planner"], files=files)
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["employees"] == 3


def test_json_upload_with_csv_text(client: TestClient, auth: dict) -> None:
    response = client.post(URL, headers=auth["planner"], json={
        "scenario": SCENARIO_YAML, "employees": EMPLOYEES_CSV, "positions": POSITIONS_CSV})
    assert response.status_code == 201, response.text
    assert response.json()["counts"] == {"employees": 3, "positions": 3, "assessments": 0}


def test_json_upload_with_rows_and_object_yaml(client: TestClient, auth: dict) -> None:
    employees = pd.read_csv(io.StringIO(EMPLOYEES_CSV), dtype=str,
                            keep_default_na=False).to_dict("records")
    positions = pd.read_csv(io.StringIO(POSITIONS_CSV), dtype=str,
                            keep_default_na=False).to_dict("records")
    positions[0]["must_fill"] = True
    response = client.post(URL, headers=auth["planner"], json={
        "scenario": {"name": "rows", "as_of": "2027-01-02"},
        "employees": employees, "positions": positions,
        "assessments": [{"nip": "198201012005011003", "position": "002", "score": 9000}]})
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "rows"
    assert response.json()["counts"] == {"employees": 3, "positions": 3, "assessments": 1}


def test_json_upload_with_base64_xlsx(client: TestClient, auth: dict) -> None:
    frame = pd.read_csv(io.StringIO(POSITIONS_CSV), dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    response = client.post(URL, headers=auth["planner"], json={
        "scenario": SCENARIO_YAML.replace("positions.csv", "positions.xlsx"),
        "employees": EMPLOYEES_CSV,
        "positions": {"filename": "positions.xlsx",
                      "content_base64": base64.b64encode(buffer.getvalue()).decode()}})
    assert response.status_code == 201, response.text


def test_json_bad_base64(client: TestClient, auth: dict) -> None:
    response = client.post(URL, headers=auth["planner"], json={
        "scenario": SCENARIO_YAML, "employees": EMPLOYEES_CSV,
        "positions": {"filename": "p.xlsx", "content_base64": "@@@"}})
    assert response.status_code == 422
    assert response.json() == {"detail": ["positions: content_base64 is not valid base64"]}


def test_json_missing_table_is_422(client: TestClient, auth: dict) -> None:
    response = client.post(URL, headers=auth["planner"], json={
        "scenario": SCENARIO_YAML, "employees": EMPLOYEES_CSV})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["positions"]


def test_invalid_json_is_422(client: TestClient, auth: dict) -> None:
    response = client.post(URL, headers={**auth["planner"], "Content-Type": "application/json"},
                           content=b"{not json")
    assert response.status_code == 422
    assert response.json() == {"detail": ["Request body is not valid JSON"]}


def test_other_media_type_is_415(client: TestClient, auth: dict) -> None:
    response = client.post(URL, headers={**auth["planner"], "Content-Type": "text/plain"},
                           content=b"hello")
    assert response.status_code == 415
    assert response.json() == {"detail": "Send multipart/form-data (scenario, employees, "
                               "positions, optional assessments) or application/json"}


def test_missing_multipart_part(client: TestClient, auth: dict, tiny: Path) -> None:
    response = client.post(URL, headers=auth["planner"],
                           files=multipart(tiny, ("scenario", "employees")))
    assert response.status_code == 422
    assert response.json() == {
        "detail": ["Multipart field 'positions' is missing; upload it as a file"]}


def test_invalid_rows_give_the_cli_messages(client: TestClient, auth: dict,
                                            tmp_path: Path) -> None:
    employees = EMPLOYEES_CSV.replace("III/c,002", "III/x,002").replace(
        "198201012005011003,Citra", "19820101,Citra")
    directory = tmp_path / "bad"
    yaml_path = write_tiny(directory, employees=employees)
    response = client.post(URL, headers=auth["planner"], files=multipart(directory))
    assert response.status_code == 422
    expected = cli_errors(yaml_path)
    assert response.json() == {"detail": expected}
    assert response.json()["detail"] == [
        "employees.csv row 4, column nip: '19820101' is not a NIP; expected 18 digits",
        "employees.csv row 3, column grade: 'III/x' is not valid; expected a golongan "
        "I/a … IV/e",
    ]


def test_invalid_yaml_gives_the_cli_messages(client: TestClient, auth: dict,
                                             tmp_path: Path) -> None:
    yaml_text = SCENARIO_YAML + "rules:\n  max_unit_turnover: 2\n  bogus: 1\n"
    directory = tmp_path / "bad"
    yaml_path = write_tiny(directory, yaml_text=yaml_text)
    response = client.post(URL, headers=auth["planner"], files=multipart(directory))
    assert response.status_code == 422
    assert response.json() == {"detail": cli_errors(yaml_path)}
    assert response.json()["detail"][0] == (
        "scenario.yaml line 9, key rules.max_unit_turnover: 2 is out of range; expected a "
        "number between 0 and 1")


def test_yaml_syntax_error(client: TestClient, auth: dict, tmp_path: Path) -> None:
    directory = tmp_path / "bad"
    yaml_path = write_tiny(directory, yaml_text="name: [unclosed\n")
    response = client.post(URL, headers=auth["planner"], files=multipart(directory))
    assert response.status_code == 422
    assert response.json() == {"detail": cli_errors(yaml_path)}


def test_named_assessments_missing(client: TestClient, auth: dict, tmp_path: Path) -> None:
    directory = tmp_path / "bad"
    write_tiny(directory, yaml_text=SCENARIO_YAML + "assessments: nilai.csv\n")
    response = client.post(URL, headers=auth["planner"], files=multipart(directory))
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "scenario.yaml key assessments: names 'nilai.csv' but no assessments file was "
        "uploaded"]}


def test_unknown_scenario_is_404(client: TestClient, auth: dict) -> None:
    response = client.get(f"{URL}/nope", headers=auth["viewer"])
    assert response.status_code == 404
    assert response.json() == {"detail": "Scenario 'nope' not found"}
    for path in (f"{URL}/nope/jobs",):
        response = client.get(path, headers=auth["viewer"])
        assert response.json() == {"detail": "Scenario 'nope' not found"}
    response = client.post(f"{URL}/nope/jobs", headers=auth["planner"])
    assert response.status_code == 404
    assert response.json() == {"detail": "Scenario 'nope' not found"}
