"""Property-based fuzzing of the input files (CSV, XLSX, YAML).

Promise: a user's file never crashes Penata. ``load_scenario`` either returns a
scenario or raises :class:`InputError` whose every message starts with the file's
name, and names row and column when the problem is in a table cell; the CLI exits
2 without a traceback and writes nothing; the API answers 422, never 500.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from api.config import Settings
from api.main import create_app
from api.security import create_token
from reliability.common import (
    ASSESSMENTS,
    EMPLOYEES,
    POSITIONS,
    SCENARIO_YAML,
    TABLE_MESSAGE,
    TABLES,
    check_messages,
    cli,
    csv_bytes,
    multipart,
    write_tiny,
)
from solver.io import InputError, load_scenario
from tests.builders import xlsx_bytes

FUZZ = settings(max_examples=50, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
FILE_NAMES = {"scenario.yaml", *TABLES}

# ----------------------------------------------------------------------------- values

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "NaN", "nan", "None", "null", "inf", "-inf", "1e308", "-1",
                     "0", "1.5", "9" * 40, "-" + "9" * 30, "III/z", "V/a", "2027-02-30",
                     "0000-00-00", "true", "ya", "TIDAK", "#N/A", "=1+1", "\u00a0", "\ufeff",
                     "１２", "٣", "198001012005011001", "001", "\t", "x" * 300]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
table_names = st.sampled_from(sorted(TABLES))


def _loads(directory: Path) -> list[str] | None:
    """The InputError messages of loading ``directory``'s scenario, None when it loads."""
    try:
        load_scenario(directory / "scenario.yaml")
    except InputError as exc:
        return exc.errors
    return None


@pytest.fixture
def scratch() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="penata-fuzz-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _fresh(base: Path) -> Path:
    directory = Path(tempfile.mkdtemp(dir=base))
    return directory


# ----------------------------------------------------------------------------- cells


@FUZZ
@given(name=table_names, data=st.data(), value=nasty_text)
def test_a_bad_cell_is_reported_by_file_row_and_column(scratch: Path, name: str, data,
                                                       value: str) -> None:
    rows = [list(r) for r in TABLES[name]]
    r = data.draw(st.integers(1, len(rows) - 1), label="row")
    c = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    rows[r][c] = value
    directory = _fresh(scratch)
    write_tiny(directory, files={name: csv_bytes(rows)})
    errors = _loads(directory)
    if errors is None:
        return
    check_messages(errors, FILE_NAMES)
    for message in errors:
        match = TABLE_MESSAGE.match(message)
        assert match and match["row"] and match["column"], message


@FUZZ
@given(name=table_names, data=st.data(),
       cells=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), nasty_text),
                      min_size=1, max_size=6))
def test_many_bad_cells_never_crash(scratch: Path, name: str, data, cells) -> None:
    rows = [list(r) for r in TABLES[name]]
    for r, c, value in cells:
        rows[r % len(rows)][c % len(rows[0])] = value
    directory = _fresh(scratch)
    write_tiny(directory, files={name: csv_bytes(rows)})
    errors = _loads(directory)
    if errors is not None:
        check_messages(errors, FILE_NAMES)
        for message in errors:
            match = TABLE_MESSAGE.match(message)
            assert match and match["row"], message  # header or data row


# ----------------------------------------------------------------------------- structure


def _structural(rows: list[list[str]], op: str, k: int, delimiter: str) -> bytes:
    rows = [list(r) for r in rows]
    width = len(rows[0])
    column = k % width
    if op == "drop_column":
        rows = [r[:column] + r[column + 1:] for r in rows]
    elif op == "duplicate_column":
        rows = [r + [r[column]] for r in rows]
    elif op == "rename_header":
        rows[0][column] = rows[0][column].upper() + " x"
    elif op == "blank_header":
        rows[0][column] = ""
    elif op == "short_row":
        rows[1 + k % (len(rows) - 1)] = rows[1 + k % (len(rows) - 1)][: k % width]
    elif op == "long_row":
        rows[1 + k % (len(rows) - 1)] += ["extra"] * (1 + k % 3)
    elif op == "blank_rows":
        rows.insert(1 + k % (len(rows) - 1), [""] * width)
    elif op == "header_only":
        rows = rows[:1]
    elif op == "duplicate_row":
        rows.append(list(rows[1 + k % (len(rows) - 1)]))
    content = csv_bytes(rows, delimiter)
    if op == "bom":
        content = b"\xef\xbb\xbf" + content
    elif op == "double_bom":
        content = b"\xef\xbb\xbf\xef\xbb\xbf" + content
    elif op == "latin1":
        content = content.replace(b"Andi", "Andí".encode("latin-1")).replace(
            b"Dinas", "Dinás".encode("latin-1")).replace(b"nip", "níp".encode("latin-1"))
    elif op == "nul":
        content = content[: k % len(content)] + b"\x00" + content[k % len(content):]
    elif op == "truncate":
        content = content[: k % len(content)]
    elif op == "stray_delimiters":
        lines = content.split(b"\n")
        index = k % len(lines)
        lines[index] = lines[index] + b",,;\"" + b"," * (k % 4)
        content = b"\n".join(lines)
    elif op == "unbalanced_quote":
        lines = content.split(b"\n")
        index = k % len(lines)
        lines[index] = b'"' + lines[index]
        content = b"\n".join(lines)
    elif op == "crlf":
        content = content.replace(b"\n", b"\r\n")
    elif op == "cr_only":
        content = content.replace(b"\n", b"\r")
    elif op == "utf16":
        content = content.decode("utf-8").encode("utf-16")
    elif op == "random_bytes":
        content = bytes((k * 37 + i * 101) % 256 for i in range(64 + k))
    return content


STRUCTURAL_OPS = ["drop_column", "duplicate_column", "rename_header", "blank_header",
                  "short_row", "long_row", "blank_rows", "header_only", "duplicate_row", "bom",
                  "double_bom", "latin1", "nul", "truncate", "stray_delimiters",
                  "unbalanced_quote", "crlf", "cr_only", "utf16", "random_bytes"]


@FUZZ
@given(name=table_names, ops=st.lists(st.sampled_from(STRUCTURAL_OPS), min_size=1, max_size=3),
       k=st.integers(0, 10_000), delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_broken_table_structure_is_an_input_error(scratch: Path, name: str, ops: list[str],
                                                  k: int, delimiter: str) -> None:
    content = csv_bytes(TABLES[name], delimiter)
    for op in ops:
        rows = _reparse(content)
        content = _structural(rows, op, k, delimiter) if rows else content
    directory = _fresh(scratch)
    write_tiny(directory, files={name: content})
    errors = _loads(directory)
    if errors is not None:
        check_messages(errors, FILE_NAMES)


def _reparse(content: bytes) -> list[list[str]] | None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text.replace("\x00", ""))))
    except csv.Error:
        return None
    return rows if rows and rows[0] and len(rows) > 1 else None


# ----------------------------------------------------------------------------- XLSX

xlsx_values = st.one_of(
    nasty_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.datetimes(),
    st.dates(),
)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["employees.csv", "positions.csv"]), data=st.data(),
       cells=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20), xlsx_values),
                      max_size=4),
       damage=st.sampled_from(["none", "truncate", "flip", "append"]))
def test_xlsx_cells_and_damaged_workbooks(scratch: Path, name: str, data, cells,
                                          damage: str) -> None:
    rows: list[list[object]] = [list(r) for r in TABLES[name]]
    for r, c, value in cells:
        if isinstance(value, str) and any(ch in value for ch in "\x00\x01\x02\x03\x0b\x0c"):
            value = value.replace("\x00", "?")
        rows[r % len(rows)][c % len(rows[0])] = value
    try:
        content = xlsx_bytes(rows)
    except (ValueError, TypeError, openpyxl.utils.exceptions.IllegalCharacterError):
        assume(False)
        raise
    if damage == "truncate":
        content = content[: len(content) // 2]
    elif damage == "flip":
        middle = len(content) // 2
        content = content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1:]
    elif damage == "append":
        content += b"trailing garbage"
    table = name.replace(".csv", ".xlsx")
    directory = _fresh(scratch)
    yaml_text = SCENARIO_YAML.replace(name, table)
    write_tiny(directory, yaml_text=yaml_text, files={table: content})
    errors = _loads(directory)
    if errors is not None:
        check_messages(errors, FILE_NAMES | {table})


# ----------------------------------------------------------------------------- YAML

yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20),
              st.floats(allow_nan=True), st.text(max_size=30), st.dates()),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=8,
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=8,
)
YAML_KEYS = ["name", "as_of", "employees", "positions", "assessments", "rules", "weights",
             "plans", "scope", "locks", "forbid", "rules.max_unit_turnover",
             "rules.min_tenure_months", "rules.promotion_min_performance", "plans.count",
             "weights.move", "scope.units", "scope.levels", "locks.0", "forbid.0.nip",
             "unknown_key"]


def _set(config: dict, dotted: str, value: object) -> None:
    parts = dotted.split(".")
    node: object = config
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {} if part != "locks" and part != "forbid" else [{}])
        elif isinstance(node, list):
            node = node[int(part)] if int(part) < len(node) else {}
    if isinstance(node, dict):
        node[parts[-1]] = value
    elif isinstance(node, list) and node:
        node[0] = value


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(YAML_KEYS), yaml_values), min_size=1,
                      max_size=3))
def test_yaml_values_of_any_type(scratch: Path, edits) -> None:
    config = yaml.safe_load(SCENARIO_YAML)
    for key, value in edits:
        _set(config, key, value)
    try:
        text = yaml.safe_dump(config, allow_unicode=True)
    except yaml.YAMLError:
        assume(False)
        raise
    directory = _fresh(scratch)
    write_tiny(directory, yaml_text=text)
    errors = _loads(directory)
    if errors is not None:
        names = set(FILE_NAMES)
        for key in ("employees", "positions", "assessments"):
            if isinstance(config.get(key), str):
                names.add(config[key].strip())
        check_messages(errors, names)


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                     st.sampled_from([b"\xef\xbb\xbf" + SCENARIO_YAML.encode(),
                                      SCENARIO_YAML.encode()[:57],
                                      SCENARIO_YAML.encode().replace(b"tiny", b"t\xe9ny"),
                                      b"- a\n- b\n", b"{", b"name: [", b"&a [*a]",
                                      b"a: &a [*a, *a]\nb: *a\n",
                                      b"!!python/object:os.system {}"])))
def test_yaml_bytes(scratch: Path, raw: bytes) -> None:
    directory = _fresh(scratch)
    write_tiny(directory)
    (directory / "scenario.yaml").write_bytes(raw)
    errors = _loads(directory)
    if errors is not None:
        check_messages(errors, FILE_NAMES)


# ----------------------------------------------------------------------------- huge values


@pytest.mark.parametrize("column", ["name", "nip", "grade"])
def test_a_10_mb_cell(scratch: Path, column: str) -> None:
    rows = [list(r) for r in EMPLOYEES]
    rows[2][EMPLOYEES[0].index(column)] = "x" * (10 * 1024 * 1024)
    write_tiny(scratch, files={"employees.csv": csv_bytes(rows)})
    errors = _loads(scratch)
    assert errors is not None
    check_messages(errors, FILE_NAMES)
    match = TABLE_MESSAGE.match(errors[0])
    assert match and match["file"] == "employees.csv" and match["row"] == "3", errors


def test_a_10_mb_cell_inxlsx_bytes(scratch: Path) -> None:
    rows: list[list[object]] = [list(r) for r in POSITIONS]
    rows[1][POSITIONS[0].index("headcount")] = "9" * (10 * 1024 * 1024)
    write_tiny(scratch, yaml_text=SCENARIO_YAML.replace("positions.csv", "positions.xlsx"),
               files={"positions.xlsx": xlsx_bytes(rows)})
    errors = _loads(scratch)
    assert errors is not None
    check_messages(errors, FILE_NAMES | {"positions.xlsx"})
    match = TABLE_MESSAGE.match(errors[0])
    assert match and match["row"] == "2" and match["column"] == "headcount", errors


def test_many_rows_of_errors_are_capped(scratch: Path) -> None:
    rows = [EMPLOYEES[0]] + [["bad"] * len(EMPLOYEES[0]) for _ in range(5000)]
    write_tiny(scratch, files={"employees.csv": csv_bytes(rows)})
    errors = _loads(scratch)
    assert errors is not None and len(errors) <= 50
    check_messages(errors, FILE_NAMES)


# ----------------------------------------------------------------------------- API


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    directory = tmp_path_factory.mktemp("fuzz-api")
    app = create_app(Settings(database_url=f"sqlite:///{directory / 'store.db'}",
                              rate_limit_per_minute=0))
    with TestClient(app, raise_server_exceptions=False) as client:
        with app.state.sessions() as session:
            _, token = create_token(session, "planner")
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=table_names, ops=st.lists(st.sampled_from(STRUCTURAL_OPS), max_size=2),
       cells=st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), nasty_text),
                      max_size=3),
       k=st.integers(0, 10_000))
def test_api_upload_answers_201_or_422(api: TestClient, scratch: Path, name: str,
                                       ops: list[str], cells, k: int) -> None:
    rows = [list(r) for r in TABLES[name]]
    for r, c, value in cells:
        rows[r % len(rows)][c % len(rows[0])] = value
    content = csv_bytes(rows)
    for op in ops:
        parsed = _reparse(content)
        content = _structural(parsed, op, k, ",") if parsed else content
    directory = _fresh(scratch)
    write_tiny(directory, files={name: content})
    response = api.post("/api/v1/scenarios", files=multipart(directory))
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail
        check_messages(detail, FILE_NAMES)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=st.one_of(
    st.dictionaries(st.sampled_from(["scenario", "employees", "positions", "assessments",
                                     "x"]), json_values, max_size=5),
    json_values,
    st.fixed_dictionaries({"scenario": json_values, "employees": st.lists(
        st.dictionaries(st.sampled_from(EMPLOYEES[0]), nasty_text), max_size=3),
        "positions": st.text(max_size=100)}),
))
def test_api_json_upload_never_500(api: TestClient, body) -> None:
    response = api.post("/api/v1/scenarios", json=body)
    assert response.status_code in (201, 422), response.text


# ----------------------------------------------------------------------------- CLI


CLI_CASES = {
    "bad_cell": {"employees.csv": csv_bytes(
        [EMPLOYEES[0], ["19800101200501100X", *EMPLOYEES[1][1:]], *EMPLOYEES[2:]])},
    "latin1": {"positions.csv": csv_bytes(POSITIONS).replace(b"Dinas", b"Din\xe1s")},
    "missing_column": {"assessments.csv": csv_bytes([[r[0], r[2]] for r in ASSESSMENTS])},
    "ten_mb_cell": {"employees.csv": csv_bytes(
        [EMPLOYEES[0], [*EMPLOYEES[1][:6], "z" * (10 * 1024 * 1024), *EMPLOYEES[1][7:]]])},
    "yaml": {"scenario.yaml": b"name: [\nas_of: 2027-13-45\n"},
}


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_exits_2_without_traceback_or_output(tmp_path: Path, case: str) -> None:
    directory = tmp_path / "scenario"
    write_tiny(directory, files=CLI_CASES[case])
    out = tmp_path / "out"
    result = cli("solve", str(directory / "scenario.yaml"), "--out", str(out),
                 "--time-limit", "5", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Invalid input" in result.stderr
    assert not out.exists(), list(out.iterdir())
