"""The workspace pages without a browser: sessions, CSRF, roles, forms, headers.

A TestClient over an app on a temporary store and the tiny scenario of the API tests
(solved for real, in well under a second). The browser flow is in test_browser.py.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.db import WebSession
from api.main import create_app
from api.security import create_token, revoke_token
from api.web.downloads import AUDIT_HEADER
from tests.api.api_helpers import EMPLOYEES_CSV, POSITIONS_CSV, SCENARIO_YAML
from tests.web.helpers import csrf_of, sign_in


def tiny_files(employees: str = EMPLOYEES_CSV) -> dict[str, tuple[str, bytes]]:
    return {"scenario": ("scenario.yaml", SCENARIO_YAML.encode()),
            "employees": ("employees.csv", employees.encode()),
            "positions": ("positions.csv", POSITIONS_CSV.encode())}


@pytest.fixture
def app(tmp_path: Path):
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'web.db'}",
                               default_time_limit=20, progress_interval=0,
                               web_shortlist_time=5))


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def token(app, role: str) -> str:
    with app.state.sessions() as session:
        return create_token(session, role)[1]


def upload(client: TestClient, csrf: str, files=None) -> str:
    response = client.post("/putaran/baru", data={"csrf": csrf}, files=files or tiny_files())
    assert response.status_code == 200 and "/putaran/" in response.url.path, response.text
    return response.url.path.rsplit("/", 1)[-1]


def solve(client: TestClient, csrf: str, scenario_id: str) -> str:
    response = client.post(f"/putaran/{scenario_id}/selesaikan",
                           data={"csrf": csrf, "plans": "2", "shortlist_time": "5"})
    assert response.status_code == 200, response.text
    job_id = response.url.path.rsplit("/", 1)[-1]
    deadline = time.monotonic() + 120
    while client.get(f"/tugas/{job_id}/kemajuan").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return job_id


# --------------------------------------------------------------------------- sessions


def test_pages_send_the_unsigned_to_the_sign_in_page(client: TestClient) -> None:
    for path in ("/", "/putaran/baru", "/putaran/abc", "/tugas/abc/rencana/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/masuk", path
    assert client.get("/tugas/abc/kemajuan").status_code == 401
    assert client.get("/healthz").status_code == 200  # the API is untouched


def test_sign_in_sets_a_strict_http_only_cookie_and_wrong_tokens_are_refused(
        app, client: TestClient) -> None:
    form = client.get("/masuk")
    wrong = client.post("/masuk", data={"csrf": csrf_of(form.text), "token": "pnt_wrong"})
    assert wrong.status_code == 401 and "Token tidak dikenal" in wrong.text
    form = client.get("/masuk")
    planner = token(app, "planner")
    response = client.post("/masuk", data={"csrf": csrf_of(form.text), "token": planner},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "penata_sesi=" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert planner not in cookie and planner not in response.headers["location"]
    with app.state.sessions() as session:
        stored = session.query(WebSession).one()
    assert planner not in (stored.id_hash, stored.csrf)


def test_sign_in_form_needs_its_csrf_cookie(app, client: TestClient) -> None:
    client.get("/masuk")
    client.cookies.clear()
    response = client.post("/masuk", data={"csrf": "forged", "token": token(app, "planner")})
    assert response.status_code == 403


def test_forms_without_the_session_csrf_token_are_refused(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    assert client.post("/putaran/baru", files=tiny_files()).status_code == 403
    bad = client.post("/putaran/baru", data={"csrf": csrf[:-2] + "xx"}, files=tiny_files())
    assert bad.status_code == 403 and "token keamanan" in bad.text
    upload(client, csrf)


def test_revoked_token_and_expired_session_are_refused(app, client: TestClient) -> None:
    planner = token(app, "planner")
    sign_in(client, planner)
    with app.state.sessions() as session:
        revoke_token(session, token=planner)
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/masuk?alasan=revoked"

    sign_in(client, token(app, "planner"))
    with app.state.sessions() as session:
        for record in session.query(WebSession):
            record.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.commit()
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/masuk?alasan=expired"
    assert "sudah berakhir" in client.get("/masuk?alasan=expired").text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "viewer"))
    cookie = client.cookies.get("penata_sesi")
    client.post("/keluar", data={"csrf": csrf})
    client.cookies.set("penata_sesi", cookie)
    assert client.get("/", follow_redirects=False).status_code == 303


# --------------------------------------------------------------------------- roles


def test_roles(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    job_id = solve(client, csrf, scenario_id)

    viewer = TestClient(app)
    v_csrf = sign_in(viewer, token(app, "viewer"))
    assert viewer.get("/putaran/baru").status_code == 403
    assert viewer.post(f"/putaran/{scenario_id}/selesaikan", data={"csrf": v_csrf}
                       ).status_code == 403
    refused = viewer.post(f"/putaran/{scenario_id}/keputusan", data={
        "csrf": v_csrf, "action": "approve", "nip": "198201012005011003", "position": "003",
        "reason": "x"})
    assert refused.status_code == 403 and "pembaca" in refused.text
    page = viewer.get(f"/tugas/{job_id}/rencana/1/jabatan/003")
    assert page.status_code == 200 and "Setujui" not in page.text and "Andaikan" not in page.text

    committee = TestClient(app)
    c_csrf = sign_in(committee, token(app, "committee"))
    assert committee.post("/putaran/baru", data={"csrf": c_csrf},
                          files=tiny_files()).status_code == 403
    assert committee.post(f"/putaran/{scenario_id}/andaikan", data={
        "csrf": c_csrf, "op": "remove_employee", "nip": "198201012005011003"}).status_code == 403


# --------------------------------------------------------------------------- rounds


def test_invalid_upload_lists_every_problem_and_stores_nothing(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    broken = EMPLOYEES_CSV.replace("Andi,III/d", "Andi,V/a").replace("198101012005011002",
                                                                     "12345")
    response = client.post("/putaran/baru", data={"csrf": csrf}, files=tiny_files(broken))
    assert response.status_code == 422
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(\d*)</td><td><code>(.*?)</code>"
                      r"</td><td><code>(.*?)</code></td><td>(.*?)</td></tr>", response.text)
    assert ("employees.csv", "2", "grade", "V/a") in [r[:4] for r in rows]
    assert ("employees.csv", "3", "nip", "12345") in [r[:4] for r in rows]
    assert "daftar-putaran" not in client.get("/").text  # no round was stored
    messages = [html.unescape(m) for m in
                re.findall(r'name="message" value="([^"]*)"', response.text)]
    assert len(messages) == len(rows) == 2
    csv = client.post("/masalah.csv", data={"csrf": csrf, "message": messages})
    assert csv.headers["content-type"].startswith("text/csv")
    assert "employees.csv,2,grade,V/a" in csv.content.decode("utf-8-sig")


def test_problems_csv_cells_cannot_become_formulas(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    csv = client.post("/masalah.csv", data={
        "csrf": csrf, "message": ["=HYPERLINK(1) row 2, column @SUM: -1+1 is not valid; "
                                  "expected a number"]})
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith("'=HYPERLINK(1),2,'@SUM,'-1+1,tidak valid")


def test_missing_files_are_named(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    files = tiny_files()
    del files["positions"]
    response = client.post("/putaran/baru", data={"csrf": csrf}, files=files)
    assert response.status_code == 422 and "tabel jabatan: belum diunggah" in response.text


def test_folder_upload_finds_the_tables_by_the_yaml(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    folder = [("folder", (f"tiny/{name}", content)) for name, content in (
        ("scenario.yaml", SCENARIO_YAML.encode()), ("employees.csv", EMPLOYEES_CSV.encode()),
        ("positions.csv", POSITIONS_CSV.encode()))]
    response = client.post("/putaran/baru", data={"csrf": csrf}, files=folder)
    assert response.status_code == 200 and "3 pegawai" in response.text


def test_settings_change_in_place_before_a_solve_and_as_a_new_version_after(
        app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    page = client.get(f"/putaran/{scenario_id}")
    assert 'name="rule.max_tenure_months" value="60"' in page.text
    assert "Bulan maksimal di satu jabatan" in page.text
    form = {"csrf": csrf, "rule.max_tenure_months": "48", "weight.move": "250",
            "unit": ["Dinas A"], "level": ["3", "4"]}
    response = client.post(f"/putaran/{scenario_id}/pengaturan", data=form)
    assert response.url.path == f"/putaran/{scenario_id}"
    assert 'name="rule.max_tenure_months" value="48"' in response.text
    assert 'name="weight.move" value="250"' in response.text
    api = {"Authorization": f"Bearer {token(app, 'viewer')}"}
    stored = client.get(f"/api/v1/scenarios/{scenario_id}", headers=api).json()
    assert stored["base_id"] is None

    solve(client, csrf, scenario_id)
    form["rule.max_tenure_months"] = "36"
    response = client.post(f"/putaran/{scenario_id}/pengaturan", data=form)
    derived = response.url.path.rsplit("/", 1)[-1]
    assert derived != scenario_id
    assert client.get(f"/api/v1/scenarios/{derived}", headers=api).json()["base_id"] == \
        scenario_id
    assert 'name="rule.max_tenure_months" value="36"' in response.text

    bad = client.post(f"/putaran/{derived}/pengaturan",
                      data={**form, "rule.max_unit_turnover": "1.5"})
    assert bad.status_code == 422 and "max_unit_turnover" in bad.text


def test_job_pages_plans_and_downloads(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    job_id = solve(client, csrf, scenario_id)
    progress = client.get(f"/tugas/{job_id}/kemajuan").json()
    assert progress["status"] == "done" and progress["objective"] is not None
    page = client.get(f"/tugas/{job_id}")
    assert 'id="ringkasan-rencana"' in page.text
    api = {"Authorization": f"Bearer {token(app, 'viewer')}"}
    document = client.get(f"/api/v1/jobs/{job_id}/plans", headers=api).json()
    for plan in document["plans"]:  # the same numbers as the JSON API
        assert f"{plan['objective']:,}".replace(",", ".") in page.text
    plan = client.get(f"/tugas/{job_id}/rencana/1")
    assert plan.status_code == 200 and "<svg" in plan.text
    only_moved = client.get(f"/tugas/{job_id}/rencana/1?moved=1&q=Citra")
    assert "Citra" in only_moved.text
    none = client.get(f"/tugas/{job_id}/rencana/1?q=nobody-has-this-name")
    assert "0 jabatan ditampilkan" in none.text
    annex = client.get(f"/tugas/{job_id}/rencana/1/lampiran-sk.xlsx")
    assert annex.headers["content-disposition"].startswith("attachment")
    review = client.get(f"/tugas/{job_id}/review.html")
    assert review.status_code == 200 and b"<html" in review.content
    assert client.get(f"/tugas/{job_id}/rencana/9").status_code == 404


def test_what_if_from_a_post_shows_the_price(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    solve(client, csrf, scenario_id)
    response = client.post(f"/putaran/{scenario_id}/andaikan", data={
        "csrf": csrf, "op": "abolish_position", "position": "003"})
    job_id = response.url.path.rsplit("/", 1)[-1]
    deadline = time.monotonic() + 120
    while client.get(f"/tugas/{job_id}/kemajuan").json()["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    page = client.get(f"/tugas/{job_id}")
    assert 'id="andaikan-hasil"' in page.text and "hapus jabatan 003" in page.text
    unknown = client.post(f"/putaran/{scenario_id}/andaikan", data={
        "csrf": csrf, "op": "remove_employee", "nip": "199999999999999999"})
    assert unknown.status_code == 422 and "199999999999999999" in unknown.text


def test_committee_decision_is_in_the_audit_log(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    job_id = solve(client, csrf, scenario_id)
    committee = TestClient(app)
    c_csrf = sign_in(committee, token(app, "committee"))
    no_reason = committee.post(f"/putaran/{scenario_id}/keputusan", data={
        "csrf": c_csrf, "action": "reject", "nip": "198201012005011003", "position": "003"})
    assert no_reason.status_code == 422 and "alasan" in no_reason.text
    response = committee.post(f"/putaran/{scenario_id}/keputusan", data={
        "csrf": c_csrf, "action": "reject", "nip": "198201012005011003", "position": "003",
        "reason": "=1+1 belum siap", "by": "Ketua", "job_id": job_id,
        "back": "https://elsewhere.example/"})
    assert response.url.path == f"/putaran/{scenario_id}/keputusan"  # no open redirect
    assert "utuh" in response.text and "=1+1 belum siap" in html.unescape(response.text)
    api = {"Authorization": f"Bearer {token(app, 'committee')}"}
    log = client.get(f"/api/v1/scenarios/{scenario_id}/decisions", headers=api).json()
    assert log["verified"] and log["entries"][0]["by"].startswith("Ketua [token ")
    download = committee.get(f"/putaran/{scenario_id}/log-audit.jsonl")
    assert download.content.count(b"\n") == 1 and b'"reject"' in download.content
    workbook = committee.get(f"/putaran/{scenario_id}/log-audit.xlsx")
    assert workbook.status_code == 200
    assert "log-audit-keputusan.xlsx" in workbook.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows.index(list(AUDIT_HEADER))
    entry = dict(zip(AUDIT_HEADER, rows[header + 1], strict=True))
    assert entry["Keputusan"] == "ditolak" and entry["NIP"] == "198201012005011003"
    assert entry["Nama"] == "Citra" and entry["Jabatan"] == "Kabid (003)"
    assert entry["Hash entri"] == log["entries"][0]["hash"]
    reason = sheet.cell(header + 2, AUDIT_HEADER.index("Alasan") + 1)
    assert reason.value == "=1+1 belum siap" and reason.data_type == "s"  # text, no formula
    assert any("utuh" in str(row[1]) for row in rows[header + 2:])


def test_pages_are_csp_friendly(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    job_id = solve(client, csrf, scenario_id)
    for path in ("/", "/putaran/baru", f"/putaran/{scenario_id}", f"/tugas/{job_id}",
                 f"/tugas/{job_id}/rencana/1", f"/tugas/{job_id}/rencana/1/jabatan/003",
                 f"/tugas/{job_id}/banding?a=1&b=2", f"/putaran/{scenario_id}/keputusan"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", response.text), path
    # The JSON API has its own policy (api.middleware), not the pages' one.
    assert "script-src" not in client.get("/healthz").headers["content-security-policy"]


SIASN = Path(__file__).resolve().parents[1] / "fixtures" / "siasn-kota-kecil" / "exports"


def test_round_from_siasn_exports(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    files = [(f"siasn.{path.stem}", (path.name, path.read_bytes()))
             for path in sorted(SIASN.iterdir())]
    response = client.post("/putaran/impor", data={"csrf": csrf, "as_of": "2027-01-02",
                                                   "name": "Impor uji"}, files=files)
    assert response.status_code == 200 and "/putaran/" in response.url.path, response.text[:300]
    assert "Impor uji" in response.text and "laporan impor" in response.text
    report = client.get(response.url.path + "/laporan-impor.md")
    assert report.status_code == 200 and report.content
    expected = (SIASN.parent / "expected" / "employees.csv").read_text().count("\n") - 1
    assert f"{expected} pegawai" in response.text

    without = [f for f in files if f[0] != "siasn.pegawai"]
    missing = client.post("/putaran/impor", data={"csrf": csrf, "as_of": "2027-01-02"},
                          files=without)
    assert missing.status_code == 422 and "pegawai" in missing.text
    bad_date = client.post("/putaran/impor", data={"csrf": csrf, "as_of": "02-01-2027"},
                           files=files)
    assert bad_date.status_code == 422 and "as_of" in bad_date.text


def test_cancel_a_running_solve(tmp_path: Path) -> None:
    import threading

    from solver.result import Progress
    from solver.solve import solve as real_solve

    started = threading.Event()

    def slow(scenario, params):
        params.progress(Progress(1, 10, 20.0, 0.1))
        started.set()
        params.stop.wait(60)
        return real_solve(scenario, params.__class__(plans=1, time_limit=10))

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'cancel.db'}",
                              progress_interval=0), solve_fn=slow)
    with TestClient(app) as client:
        csrf = sign_in(client, token(app, "planner"))
        scenario_id = upload(client, csrf)
        response = client.post(f"/putaran/{scenario_id}/selesaikan",
                               data={"csrf": csrf, "shortlist_time": "0"})
        job_id = response.url.path.rsplit("/", 1)[-1]
        assert started.wait(30)
        page = client.get(f"/tugas/{job_id}")
        assert 'id="kemajuan"' in page.text and 'id="batal"' in page.text
        progress = client.get(f"/tugas/{job_id}/kemajuan").json()
        assert progress["status"] == "running" and progress["objective"] == 10
        assert progress["gap"] == 0.5
        client.post(f"/tugas/{job_id}/batal", data={"csrf": csrf})
        deadline = time.monotonic() + 60
        while client.get(f"/tugas/{job_id}/kemajuan").json()["status"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert client.get(f"/tugas/{job_id}/kemajuan").json()["status"] == "cancelled"
        again = client.post(f"/tugas/{job_id}/batal", data={"csrf": csrf})
        assert again.status_code == 409


def test_a_session_ends_with_its_token(app, client: TestClient) -> None:
    from api.db import Token

    with app.state.sessions() as session:
        _, planner = create_token(session, "planner", lifetime=dt.timedelta(minutes=5))
    sign_in(client, planner)
    with app.state.sessions() as session:
        stored = session.query(WebSession).one()
        token_record = session.query(Token).filter(Token.id == stored.token_id).one()
        assert stored.expires_at <= token_record.expires_at  # capped at the token's expiry
        token_record.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.commit()
    response = client.get("/", follow_redirects=False)
    assert response.headers["location"] == "/masuk?alasan=expired"
    form = client.get("/masuk")
    refused = client.post("/masuk", data={"csrf": csrf_of(form.text), "token": planner})
    assert refused.status_code == 401


def test_only_the_owner_may_cancel(app, client: TestClient) -> None:
    csrf = sign_in(client, token(app, "planner"))
    scenario_id = upload(client, csrf)
    job_id = solve(client, csrf, scenario_id)
    other = TestClient(app)
    o_csrf = sign_in(other, token(app, "planner"))
    refused = other.post(f"/tugas/{job_id}/batal", data={"csrf": o_csrf})
    assert refused.status_code == 403
    assert client.post(f"/tugas/{job_id}/batal", data={"csrf": csrf}).status_code == 409
