"""Hostile uploads and requests (issue 20): what one planner token could try.

Each test sends real requests (a real ``penata serve`` where the process matters)
and asserts the exact status and detail, and that no answer carries the server's
files, paths or a traceback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import sqlite3
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.db import init_db
from api.main import create_app
from api.security import create_token
from reliability.common import (
    POSITIONS,
    SCENARIO_YAML,
    Server,
    cli,
    cli_token,
    csv_bytes,
    multipart,
    server_env,
    write_tiny,
)
from solver.result import SolveParams
from solver.solve import solve
from tests.builders import xlsx_bytes

# Every file the process opens while ``_OPENED`` is a list (audit hook: os.open too).
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _OPENED is not None and args and isinstance(args[0], str | bytes):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


def _client(tmp_path: Path, solve_fn: Any = None, **changes: Any) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}",
                        default_time_limit=20, progress_interval=0, rate_limit_per_minute=0)
    return TestClient(create_app(settings.model_copy(update=changes), solve_fn=solve_fn),
                      raise_server_exceptions=False)


def _token(client: TestClient, role: str = "planner") -> dict[str, str]:
    with client.app.state.sessions() as session:
        _, token = create_token(session, role)
    return {"Authorization": f"Bearer {token}"}


def _yaml_with(*lines: str) -> str:
    return SCENARIO_YAML + "".join(line + "\n" for line in lines)


def _assert_clean(text: str, *secrets: str) -> None:
    """No server file content, server path or traceback in an answer."""
    for secret in secrets:
        assert secret not in text, secret
    for fragment in ("Traceback", "/tmp/", "penata-", str(Path.cwd())):
        assert fragment not in text, fragment


# --------------------------------------------------------------------------- 1. file read


def _canary(tmp_path: Path) -> tuple[Path, str]:
    """A valid positions table outside the upload, holding a unique word."""
    rows = [list(r) for r in POSITIONS]
    rows[1][1] = "CANARY-7f3a"
    path = tmp_path / "elsewhere" / "positions.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows))
    return path, "CANARY-7f3a"


def test_a_duplicated_table_key_is_refused_and_nothing_is_opened(tmp_path: Path) -> None:
    global _OPENED
    canary, word = _canary(tmp_path)
    hostile = {
        "absolute": str(canary),
        "relative": "../../../../../../.." + str(canary),
        "proc": "/proc/self/cwd/store.db",
        "etc": "/etc/hostname",
    }
    with _client(tmp_path) as client:
        headers = _token(client)
        for name, target in hostile.items():
            write_tiny(tmp_path / name, yaml_text=_yaml_with(f"positions: {target}"))
            _OPENED = []
            try:
                response = client.post("/api/v1/scenarios", headers=headers,
                                       files=multipart(tmp_path / name))
                opened = list(_OPENED)
            finally:
                _OPENED = None
            assert response.status_code == 422, (name, response.text)
            assert response.json() == {"detail": [
                "scenario.yaml line 11: key 'positions' appears twice (first at line 4)"]}
            _assert_clean(response.text, word, target, "etc/")
            assert not any(target in path or "hostname" in path or str(canary) in path
                           for path in opened), opened


def test_a_hostile_table_path_is_only_a_name(tmp_path: Path) -> None:
    """One ``positions:`` naming a server file: the upload is stored under its own name
    and loaded from the uploaded bytes; the named file is never opened."""
    global _OPENED
    canary, word = _canary(tmp_path)
    with _client(tmp_path) as client:
        headers = _token(client)
        for index, target in enumerate((str(canary), "../../../../etc/passwd",
                                        "/proc/self/cwd/store.db")):
            yaml_text = SCENARIO_YAML.replace("positions: positions.csv",
                                              f"positions: {target}")
            write_tiny(tmp_path / f"s{index}", yaml_text=yaml_text)
            _OPENED = []
            try:
                response = client.post("/api/v1/scenarios", headers=headers,
                                       files=multipart(tmp_path / f"s{index}"))
                opened = list(_OPENED)
            finally:
                _OPENED = None
            assert response.status_code == 201, response.text
            assert response.json()["counts"] == {"employees": 3, "positions": 3,
                                                 "assessments": 2}
            assert not any(str(canary) in p or "passwd" in p or "store.db" in p and
                           "/proc/" in p for p in opened), opened
            info = client.get(f"/api/v1/scenarios/{response.json()['id']}",
                              headers=headers).json()
            paths = {f["role"]: f["path"] for f in info["files"]}
            assert paths["positions"] == "positions.csv"
            _assert_clean(json.dumps(info), word)


def test_the_json_route_never_opens_a_yaml_path(tmp_path: Path) -> None:
    global _OPENED
    canary, word = _canary(tmp_path)
    write_tiny(tmp_path / "s")
    tables = {role: (tmp_path / "s" / f"{role}.csv").read_text() for role in
              ("employees", "positions", "assessments")}
    text = _yaml_with(f"positions: {canary}")
    with _client(tmp_path) as client:
        headers = _token(client)
        _OPENED = []
        try:
            duplicated = client.post("/api/v1/scenarios", headers=headers,
                                     json={"scenario": text, **tables})
            as_object = client.post("/api/v1/scenarios", headers=headers, json={
                "scenario": {"name": "tiny", "as_of": "2027-01-02",
                             "employees": "/etc/hostname", "positions": str(canary),
                             "assessments": "../../../etc/passwd"}, **tables})
            opened = list(_OPENED)
        finally:
            _OPENED = None
    assert duplicated.status_code == 422
    assert duplicated.json() == {"detail": [
        "scenario.yaml line 11: key 'positions' appears twice (first at line 4)"]}
    assert as_object.status_code == 201, as_object.text
    assert as_object.json()["counts"] == {"employees": 3, "positions": 3, "assessments": 2}
    _assert_clean(duplicated.text + as_object.text, word)
    assert not any(str(canary) in p or "hostname" in p or "passwd" in p for p in opened)


def test_a_real_server_reads_no_file_named_by_an_upload(tmp_path: Path) -> None:
    env = server_env(tmp_path, rate_limit_per_minute=0)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    canary, word = _canary(tmp_path)
    server = Server(env, tmp_path, log_level="warning")
    try:
        for index, target in enumerate((str(canary), "/etc/hostname",
                                        f"/proc/self/cwd/{tmp_path.name}/store.db")):
            write_tiny(tmp_path / f"d{index}", yaml_text=_yaml_with(f"positions: {target}"))
            response = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                                  files=multipart(tmp_path / f"d{index}"), timeout=60)
            assert response.status_code == 422
            assert response.json() == {"detail": [
                "scenario.yaml line 11: key 'positions' appears twice (first at line 4)"]}
            _assert_clean(response.text, word, target)
        # The store is intact: its WAL files are still beside it and requests succeed.
        write_tiny(tmp_path / "ok")
        ok = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers,
                        files=multipart(tmp_path / "ok"), timeout=60)
        assert ok.status_code == 201, ok.text
    finally:
        server.stop()
    assert "Traceback" not in server.log()


def test_the_cli_refuses_a_duplicated_key_naming_both_lines(tmp_path: Path) -> None:
    path = write_tiny(tmp_path / "s", yaml_text=_yaml_with("positions: /etc/hostname"))
    run = cli("solve", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 2
    assert "scenario.yaml line 11: key 'positions' appears twice (first at line 4)" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- 2-5. bounded work


def _alias_bomb(levels: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    return _yaml_with(*lines)


def test_bounded_uploads_get_exact_422s(tmp_path: Path) -> None:
    wide = [list(r) + [f"x{i}" if n == 0 else "" for i in range(100_000)]
            for n, r in enumerate(POSITIONS)]
    cases = {
        "alias bomb": ({"scenario.yaml": _alias_bomb().encode()}, [
            "scenario.yaml line 14: YAML aliases expand to more than 10,000 values; "
            "write the values out instead"]),
        "deep yaml": ({"scenario.yaml": _yaml_with("x: " + "[" * 3000 + "]" * 3000).encode()},
                      ["scenario.yaml line 11: is nested more than 20 levels deep"]),
        "wide header": ({"positions.csv": csv_bytes(wide)}, [
            "positions.csv row 1: has 100,011 columns; the limit is 1,000"]),
        "plans over the server's limit": (
            {"scenario.yaml": SCENARIO_YAML.replace("count: 2", "count: 40").encode()},
            ["scenario.yaml key plans.count: 40 is more than this server allows; "
             "the limit is 20 (PENATA_MAX_PLANS)"]),
    }
    with _client(tmp_path) as client:
        headers = _token(client)
        for name, (files, detail) in cases.items():
            directory = tmp_path / name.replace(" ", "-")
            write_tiny(directory, files=files)
            response = client.post("/api/v1/scenarios", headers=headers,
                                   files=multipart(directory))
            assert response.status_code == 422, (name, response.text[:300])
            assert response.json() == {"detail": detail}, name
            assert len(response.content) < 2_000
            _assert_clean(response.text)


def test_an_xlsx_bomb_is_refused_by_its_uncompressed_size(tmp_path: Path) -> None:
    import zipfile

    rows: list[list[object]] = [list(r) for r in POSITIONS]
    rows += [["P", "t", "Dinas A", 3, "III/c", "III/d", 0, "", 1, 3, 4]] * 40_000
    content = xlsx_bytes(rows)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    limit = (len(content) + expanded) // 2
    assert len(content) + 10_000 < limit < expanded  # the upload fits; its XML does not
    write_tiny(tmp_path / "s")
    parts = multipart(tmp_path / "s")
    parts["positions"] = ("positions.xlsx", content)
    parts["scenario"] = ("scenario.yaml", SCENARIO_YAML.replace(
        "positions.csv", "positions.xlsx").encode())
    with _client(tmp_path, max_request_bytes=limit) as client:
        response = client.post("/api/v1/scenarios", headers=_token(client), files=parts)
    assert response.status_code == 422, response.text[:300]
    assert response.json() == {"detail": [
        f"positions.xlsx: expands to {expanded:,} bytes of XML; the limit is {limit:,}"]}


def test_xlsx_rows_over_the_limit_stop_the_stream(tmp_path: Path) -> None:
    rows: list[list[object]] = [list(r) for r in POSITIONS]
    rows += [[f"P{i}", "t", "Dinas A", 3, "III/c", "III/d", 0, "", 1, 3, 4]
             for i in range(5_000)]
    content = xlsx_bytes(rows)
    write_tiny(tmp_path / "s")
    parts = multipart(tmp_path / "s")
    parts["positions"] = ("positions.xlsx", content)
    parts["scenario"] = ("scenario.yaml", SCENARIO_YAML.replace(
        "positions.csv", "positions.xlsx").encode())
    with _client(tmp_path, max_rows=100) as client:
        response = client.post("/api/v1/scenarios", headers=_token(client), files=parts)
    assert response.status_code == 422
    assert response.json() == {"detail": [
        "positions.xlsx: has more than 100 data rows; the limit is 100 per table"]}


def test_the_scenario_plan_count_cannot_bypass_max_plans(tmp_path: Path) -> None:
    calls: list[SolveParams] = []

    def record(scenario, params: SolveParams):
        calls.append(params)
        return solve(scenario, replace(params, progress=None))

    write_tiny(tmp_path / "s", yaml_text=SCENARIO_YAML.replace("count: 2", "count: 3"))
    with _client(tmp_path, solve_fn=record, max_plans=3) as client:
        headers = _token(client)
        scenario = client.post("/api/v1/scenarios", headers=headers,
                               files=multipart(tmp_path / "s")).json()["id"]
    # A lower limit on the same store (a server restarted with PENATA_MAX_PLANS=1).
    with _client(tmp_path, solve_fn=record, max_plans=1) as client:
        headers = _token(client)
        job = client.post(f"/api/v1/scenarios/{scenario}/jobs", headers=headers).json()["id"]
        for _ in range(600):
            if client.get(f"/api/v1/jobs/{job}", headers=headers).json()["status"] == "done":
                break
        assert calls[-1].plans == 1
        assert len(client.get(f"/api/v1/jobs/{job}/plans",
                              headers=headers).json()["plans"]) == 1


# --------------------------------------------------------------------------- 6. never 500


def test_requests_that_gave_500s_get_422_or_201_on_a_real_server(tmp_path: Path) -> None:
    env = server_env(tmp_path, rate_limit_per_minute=0, default_time_limit=5)
    headers = {"Authorization": f"Bearer {cli_token(env, tmp_path)}"}
    server = Server(env, tmp_path, log_level="warning")
    json_headers = {**headers, "Content-Type": "application/json"}
    try:
        write_tiny(tmp_path / "s")
        parts = multipart(tmp_path / "s")
        long_name = "é" * 200 + ".csv"  # 400 bytes of UTF-8: over a file system's 255
        parts["employees"] = (long_name, parts["employees"][1])
        named = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers, files=parts,
                           timeout=60)
        assert named.status_code == 201, named.text
        scenario = named.json()["id"]
        paths = [f["path"] for f in httpx.get(f"{server.url}/api/v1/scenarios/{scenario}",
                                              headers=headers).json()["files"]]
        assert all(len(p.encode()) <= 200 for p in paths), paths
        deep = "[" * 5000 + "]" * 5000
        cases = [
            ("/api/v1/scenarios", '{"scenario": ' + deep + "}",
             "Request body is nested more than 32 levels deep"),
            (f"/api/v1/scenarios/{scenario}/jobs", '{"time_limit": NaN}',
             "Request body holds NaN or Infinity; JSON numbers must be finite"),
            (f"/api/v1/scenarios/{scenario}/jobs", '{"seed": Infinity}',
             "Request body holds NaN or Infinity; JSON numbers must be finite"),
            (f"/api/v1/scenarios/{scenario}/jobs", '{"plans": 1e400}',
             "Request body holds NaN or Infinity; JSON numbers must be finite"),
            (f"/api/v1/scenarios/{scenario}/what-if",
             '{"edits": [{"op": "set_rules", "rules": {"a": ' + deep + "}}]}",
             "Request body is nested more than 32 levels deep"),
            (f"/api/v1/scenarios/{scenario}/what-if",
             '{"edits": [{"op": "set_headcount", "position": "001", "headcount": -Infinity}]}',
             "Request body holds NaN or Infinity; JSON numbers must be finite"),
            (f"/api/v1/scenarios/{scenario}/decisions",
             '{"action": "approve", "nip": "1", "position": "001", "reason": NaN}',
             "Request body holds NaN or Infinity; JSON numbers must be finite"),
        ]
        for path, body, detail in cases:
            response = httpx.post(f"{server.url}{path}", headers=json_headers, content=body,
                                  timeout=60)
            assert response.status_code == 422, (path, body[:60], response.text[:300])
            assert response.json() == {"detail": [detail]}
        cell: Any = "1"
        for _ in range(40):
            cell = [cell]
        nested_cell = httpx.post(f"{server.url}/api/v1/scenarios", headers=headers, json={
            "scenario": SCENARIO_YAML, "employees": "nip\n", "positions": [{"id": cell}]},
            timeout=60)
        assert nested_cell.status_code == 422, nested_cell.text[:300]
    finally:
        server.stop()
    assert " 500 " not in server.log() and "Traceback" not in server.log()


# --------------------------------------------------------------------------- 7. errors, queue, auth


def test_error_lists_are_capped_and_echoes_clipped(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        headers = _token(client)
        write_tiny(tmp_path / "s")
        scenario = client.post("/api/v1/scenarios", headers=headers,
                               files=multipart(tmp_path / "s")).json()["id"]
        many = client.post(f"/api/v1/scenarios/{scenario}/what-if", headers=headers,
                           json={"edits": [{"op": "nope", "x": i} for i in range(10_000)]})
        assert many.status_code == 422
        detail = many.json()["detail"]
        assert len(detail) == 51
        assert detail[-1] == {"type": "too_many_errors", "loc": [],
                              "msg": "... and 9,950 more errors"}
        huge = client.post(f"/api/v1/scenarios/{scenario}/what-if", headers=headers,
                           json={"edits": [{"op": "abolish_position",
                                            "position": "Z" * 570_000}]})
        assert huge.status_code == 422
        assert len(huge.content) < 2_000
        [error] = huge.json()["detail"]
        assert error["loc"] == ["body", "edits", 0, "abolish_position", "position"]
        assert error["input"] == "Z" * 197 + "..."
        keys = client.post(f"/api/v1/scenarios/{scenario}/what-if", headers=headers, json={
            "edits": [{"op": "add_position", "row": {f"k{i}": 1 for i in range(20_000)}}]})
        assert keys.status_code == 422
        assert len(keys.content) < 2_000
        assert keys.json()["detail"][0]["type"] == "too_long"
        bad = [list(r) for r in POSITIONS] + [["", "", "", "x", "", "", "-1"]] * 5_000
        write_tiny(tmp_path / "bad", files={"positions.csv": csv_bytes(bad)})
        rows = client.post("/api/v1/scenarios", headers=headers,
                           files=multipart(tmp_path / "bad"))
        assert rows.status_code == 422 and len(rows.json()["detail"]) == 50
        damaged = multipart(tmp_path / "s")
        damaged["positions"] = ("positions.xlsx", b"PK\x03\x04" + b"\x00" * 100)
        broken = client.post("/api/v1/scenarios", headers=headers, files=damaged)
        assert broken.status_code == 422
        _assert_clean(broken.text)
        assert broken.json()["detail"] == [  # stored under the name the YAML gives it
            "positions.csv: is not a readable XLSX workbook (BadZipFile: File is not a zip "
            "file)"]


class Gate:
    """A fake solve that blocks until released or cancelled."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def __call__(self, scenario, params: SolveParams):
        while not self.release.is_set() and not params.stop.is_set():
            self.release.wait(0.02)
        return solve(scenario, replace(params, stop=None, progress=None))


def _wait(client: TestClient, headers: dict[str, str], job: str, status: str) -> None:
    for _ in range(1000):
        if client.get(f"/api/v1/jobs/{job}", headers=headers).json()["status"] == status:
            return
        threading.Event().wait(0.02)
    raise AssertionError(f"job {job} never {status}")


def test_the_queue_is_capped_and_only_owners_or_admins_cancel(tmp_path: Path) -> None:
    gate = Gate()
    with _client(tmp_path, solve_fn=gate, max_queued=2) as client:
        owner, other, admin = _token(client), _token(client), _token(client, "admin")
        write_tiny(tmp_path / "s")
        scenario = client.post("/api/v1/scenarios", headers=owner,
                               files=multipart(tmp_path / "s")).json()["id"]
        start = f"/api/v1/scenarios/{scenario}/jobs"
        running = client.post(start, headers=owner).json()["id"]
        _wait(client, owner, running, "running")
        queued = [client.post(start, headers=owner).json()["id"] for _ in range(2)]
        full = client.post(start, headers=other)
        assert full.status_code == 503
        assert full.json() == {"detail": "The job queue is full (2 jobs waiting); "
                                         "try again later"}
        assert full.headers["Retry-After"] == "30"
        what_if = client.post(f"/api/v1/scenarios/{scenario}/what-if", headers=other,
                              json={"edits": [{"op": "set_headcount", "position": "001",
                                               "headcount": 2}]})
        assert what_if.status_code in (409, 503)  # no base plan yet, or the queue
        refused = client.delete(f"/api/v1/jobs/{queued[0]}", headers=other)
        assert refused.status_code == 403
        assert refused.json() == {"detail": f"Job '{queued[0]}' was started by another "
                                            "token; only it or an admin may cancel it"}
        assert client.delete(f"/api/v1/jobs/{queued[0]}", headers=owner).status_code == 202
        assert client.delete(f"/api/v1/jobs/{queued[1]}", headers=admin).status_code == 202
        assert client.post(start, headers=other).status_code == 202  # room again
        gate.release.set()


def _asgi_post(app: Any, path: str, headers: list[tuple[bytes, bytes]],
               body_size: int) -> tuple[int, int]:
    """POST ``body_size`` bytes straight to the ASGI app; (status, body bytes it pulled)."""
    pulled = 0
    chunk = b"[" * 65536
    remaining = body_size
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled, remaining
        if remaining <= 0:
            return {"type": "http.disconnect"}
        part = chunk[: min(len(chunk), remaining)]
        remaining -= len(part)
        pulled += len(part)
        return {"type": "http.request", "body": part, "more_body": remaining > 0}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1234),
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         *headers]}
    asyncio.run(app(scope, receive, send))
    return statuses[0], pulled


@pytest.mark.parametrize("path", ["/api/v1/scenarios", "/api/v1/scenarios/x/jobs",
                                  "/api/v1/scenarios/x/what-if",
                                  "/api/v1/scenarios/x/decisions"])
def test_the_token_is_checked_before_the_body_is_read(tmp_path: Path, path: str) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'store.db'}")
    app = create_app(settings)
    init_db(app.state.engine)
    with app.state.sessions() as session:
        _, viewer = create_token(session, "viewer")
    size = 40 * 1024 * 1024
    status, pulled = _asgi_post(app, path, [], size)
    assert (status, pulled) == (401, 0)
    status, pulled = _asgi_post(app, path, [(b"authorization", b"Bearer pnt_wrong")], size)
    assert (status, pulled) == (401, 0)
    if not path.endswith("decisions"):  # a viewer may not plan: 403 before the body
        status, pulled = _asgi_post(app, path, [(b"authorization",
                                                 f"Bearer {viewer}".encode())], size)
        assert (status, pulled) == (403, 0)


# --------------------------------------------------------------------------- 8. design gaps


def test_tokens_expire(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        headers = _token(client)
        assert client.get("/api/v1/scenarios", headers=headers).status_code == 200
        with sqlite3.connect(tmp_path / "store.db") as db:
            created, expires = db.execute(
                "SELECT created_at, expires_at FROM tokens").fetchone()
            lifetime = dt.datetime.fromisoformat(expires) - dt.datetime.fromisoformat(created)
            assert abs(lifetime - dt.timedelta(days=90)) < dt.timedelta(minutes=1)
            past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).replace(tzinfo=None)
            db.execute("UPDATE tokens SET expires_at = ?", (past.isoformat(sep=" "),))
        response = client.get("/api/v1/scenarios", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid, expired or revoked token"}


def test_token_cli_sets_and_lists_expiry(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    made = cli("token", "create", "--role", "planner", "--expires-in", "12h", cwd=tmp_path,
               env=env)
    assert made.returncode == 0, made.stderr
    assert "expires in 12h" in made.stdout
    forever = cli("token", "create", "--role", "admin", "--expires-in", "never",
                  cwd=tmp_path, env=env)
    assert forever.returncode == 0 and "never expires" in forever.stdout
    bad = cli("token", "create", "--role", "planner", "--expires-in", "soon", cwd=tmp_path,
              env=env)
    assert bad.returncode == 2
    assert "--expires-in: expected a lifetime such as 90d, 12h or 30m" in bad.stderr
    listing = cli("token", "list", cwd=tmp_path, env=env).stdout.strip().splitlines()
    first, second = (line.split("\t") for line in listing)
    assert first[:2] == ["1", "planner"] and second[:2] == ["2", "admin"]
    made_at, expires = dt.datetime.fromisoformat(first[2]), dt.datetime.fromisoformat(first[3])
    assert abs(expires - made_at - dt.timedelta(hours=12)) < dt.timedelta(minutes=1)
    assert second[3] == "never" and first[4] == second[4] == "-"


@pytest.mark.parametrize(("changes", "served"), [
    ({}, True), ({"production": True}, False), ({"production": True, "docs": True}, True),
    ({"docs": False}, False)])
def test_docs_follow_the_setting(tmp_path: Path, changes: dict[str, bool],
                                 served: bool) -> None:
    with _client(tmp_path, **changes) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == (200 if served else 404), path


def test_every_response_carries_the_security_headers(tmp_path: Path) -> None:
    with _client(tmp_path, max_request_bytes=2048) as client:
        headers = _token(client)
        responses = [
            client.get("/healthz"),
            client.get("/api/v1/scenarios"),
            client.get("/api/v1/scenarios/nope", headers=headers),
            client.post("/api/v1/scenarios/nope/jobs", headers=headers, content=b"{bad"),
            client.post("/api/v1/scenarios", headers=headers, content=b"x" * 4096),
            client.get("/docs"),
        ]
    assert [r.status_code for r in responses] == [200, 401, 404, 422, 413, 200]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "default-src 'self'" in responses[1].headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in responses[-1].headers["content-security-policy"]
