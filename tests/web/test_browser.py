"""The workspace end to end in real headless Chromium (Playwright, Debian's browser).

One ``penata serve`` process on a temporary store; a planner, a committee member and
a viewer use it as they would, each in their own browser context. Screenshots of
every main page go to ``out/screenshots/`` (not committed; look at them).

Skips, saying why, when /usr/bin/chromium or the playwright package is absent. Never
downloads a browser (no ``playwright install``).
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.common import Server, cli_token, server_env
from tests.web.helpers import BROKEN_NIP, DEMO, REPO, broken_employees

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "out" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                               "(pip install -e '.[dev]')")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent "
                       "(apt-get install -y chromium; `make test` installs it)"),
    pytest.mark.timeout(600),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A running server, one token per role, and a Chromium instance."""
    directory = tmp_path_factory.mktemp("workspace")
    env = server_env(directory, web_shortlist_time=60, progress_interval=0.2,
                     default_time_limit=60)
    tokens = {role: cli_token(env, directory, role) for role in ("planner", "committee",
                                                                "viewer")}
    server = Server(env, directory)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=ARGS)
        try:
            yield {"server": server, "tokens": tokens, "browser": browser,
                   "dir": directory, "db": directory / "store.db", "state": {}}
        finally:
            browser.close()
            server.stop()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def new_page(world: dict):
    context = world["browser"].new_context(viewport={"width": 1360, "height": 900},
                                           accept_downloads=True, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    # Script errors and CSP refusals; a page answered 401/422 on purpose is not one.
    page.on("console", lambda m: errors.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors  # type: ignore[attr-defined]
    return page


def sign_in(page, world: dict, role: str) -> None:
    page.goto(world["server"].url + "/")
    assert page.url.endswith("/masuk")
    page.get_by_label("Token").fill(world["tokens"][role])
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(world["server"].url + "/")


def test_planner_round_from_upload_to_what_if_and_annex(world: dict) -> None:
    url = world["server"].url
    page = new_page(world)

    # A wrong token is refused, and the token is never in the address bar.
    page.goto(url + "/")
    shot(page, "01-masuk")
    page.get_by_label("Token").fill("pnt_not-a-token")
    page.get_by_role("button", name="Masuk").click()
    assert "Token tidak dikenal" in page.locator("#galat-masuk").inner_text()
    assert "pnt_" not in page.url
    sign_in(page, world, "planner")
    assert "perencana" in page.locator("#peran").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "penata_sesi")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    # Upload with a broken employees table: the problem table says what to fix.
    page.get_by_role("link", name="Putaran baru").first.click()
    broken = world["dir"] / "broken" / "employees.csv"
    broken.parent.mkdir()
    broken.write_bytes(broken_employees())
    page.get_by_label("Berkas skenario (.yaml)").set_input_files(str(DEMO / "scenario.yaml"))
    page.get_by_label("Tabel pegawai").set_input_files(str(broken))
    page.get_by_label("Tabel jabatan").set_input_files(str(DEMO / "positions.csv"))
    page.get_by_role("button", name="Unggah dan periksa").click()
    table = page.locator("#tabel-masalah")
    table.wait_for()
    row = table.locator("tbody tr").first
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[:4] == ["employees.csv", "2", "grade", "V/a"], cells
    assert "golongan" in cells[4]
    shot(page, "02-masalah-input")
    with page.expect_download() as download:
        page.locator("#unduh-masalah").click()
    problems_csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "employees.csv,2,grade,V/a" in problems_csv

    # The planner fixes the file and uploads again: the round is stored.
    page.get_by_label("Berkas skenario (.yaml)").set_input_files(str(DEMO / "scenario.yaml"))
    page.get_by_label("Tabel pegawai").set_input_files(str(DEMO / "employees.csv"))
    page.get_by_label("Tabel jabatan").set_input_files(str(DEMO / "positions.csv"))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url(re.compile(r".*/putaran/[0-9a-f]{32}$"))
    round_url = page.url
    world["state"]["round"] = round_url
    assert page.get_by_label("max_tenure_months").input_value() == "60"
    assert "Bulan maksimal di satu jabatan" in page.locator("#form-pengaturan").inner_text()
    shot(page, "03-putaran")

    # Solve: two ranked plans with shortlists; the progress page turns into the results.
    page.get_by_label("Jumlah rencana berperingkat").fill("2")
    page.get_by_role("button", name="Selesaikan putaran").click()
    page.wait_for_url(re.compile(r".*/tugas/[0-9a-f]{32}$"))
    job_url = page.url
    world["state"]["job"] = job_url
    if page.locator("#kemajuan").count():
        shot(page, "04-kemajuan")
    page.locator("#ringkasan-rencana").wait_for(timeout=300_000)
    ranks = page.locator("#ringkasan-rencana tbody tr")
    assert ranks.count() == 2
    world["state"]["objectives"] = [
        int(ranks.nth(i).locator("td").nth(1).inner_text().replace(".", "")) for i in (0, 1)]
    assert world["state"]["objectives"][0] >= world["state"]["objectives"][1]
    shot(page, "05-hasil")

    # Plans side by side with the differences highlighted.
    page.get_by_role("button", name="Bandingkan").click()
    page.locator("#banding-orang").wait_for()
    assert page.locator("#banding-orang tr.changed").count() >= 1
    shot(page, "06-banding")

    # Plan 2: charts, filters, posts with their three names.
    page.goto(job_url + "/rencana/2")
    for chart in ("#grafik-jpm", "#grafik-9box", "#grafik-turnover", "#grafik-kosong"):
        assert page.locator(f"{chart} svg").count() == 1, chart
    shot(page, "07-rencana-2")
    page.get_by_label("hanya yang berubah").check()
    page.get_by_role("button", name="Saring").click()
    shown = int(page.locator("#jumlah-tampil").inner_text().split()[0])
    assert 0 < shown < page.locator("tr[data-position]").count() + 1000
    assert page.locator("tr[data-position]").count() == shown
    page.get_by_label("Cari NIP, nama atau jabatan").fill(BROKEN_NIP)
    page.get_by_role("button", name="Saring").click()
    assert BROKEN_NIP in page.content()

    # A post of plan 2 whose shortlist has another name: lock that name (what-if).
    page.goto(job_url + "/rencana/2?moved=1")
    row = page.locator("tr[data-position]:has(ol.tight li:not(.chosen))").first
    assert row.count() == 1, "plan 2 has no post with a shortlisted alternative"
    row.locator("td").first.locator("a").click()
    page.locator("#daftar-pendek").wait_for()
    shot(page, "08-jabatan")
    alternative = page.locator("#daftar-pendek tbody tr:not(.chosen)").first
    alt_nip = alternative.get_attribute("data-nip")
    alt_loss = int(alternative.get_attribute("data-loss"))
    alternative.get_by_role("button", name="Andaikan: kunci nama ini di sini").click()
    page.wait_for_url(re.compile(r".*/tugas/[0-9a-f]{32}$"))
    page.locator("#andaikan-hasil").wait_for(timeout=300_000)
    result = page.locator("#andaikan-hasil").inner_text()
    price = int(page.locator("#harga").inner_text().replace(".", "").replace("−", "-"))
    # A lock only removes plans: the new plan 1 scores at most the base plan 1. The
    # locked move is new unless the base plan 1 already made it (then it costs 0).
    assert price <= 0
    # loss = z2 - opt2(e) and opt1(e) >= opt2(e) (plan 2 adds a cut), so the lock costs
    # the base plan 1 at most loss + (z1 - z2).
    z1, z2 = world["state"]["objectives"]
    assert -price <= alt_loss + (z1 - z2)
    assert alt_nip in page.locator("#andaikan-hasil .diff-added").inner_text() or price == 0
    assert alt_loss >= 0 and "Harga perubahan" in result
    shot(page, "09-andaikan")

    # The rounds list shows the round, its latest solve and the what-if derived from it.
    page.goto(url + "/")
    assert page.locator("#daftar-putaran tbody tr").count() == 1
    assert "kunci NIP" in page.locator("#daftar-putaran").inner_text()
    shot(page, "00-daftar-putaran")

    # The SK annex of plan 1: the columns regional governments use, one row per move.
    page.goto(job_url)
    with page.expect_download() as download:
        page.locator("#unduh-lampiran").click()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book["Lampiran SK"]
    header = [c.value for c in sheet[3]]
    assert header == ["No", "Nama / NIP", "Pangkat / Gol.", "Jabatan Lama", "Jabatan Baru",
                      "Unit Kerja", "Alasan"]
    moves = int(page.locator("#ringkasan-rencana tbody tr").first.locator("td")
                .nth(4).inner_text())
    numbers = [sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1)]
    assert [n for n in numbers if isinstance(n, int)] == list(range(1, moves + 1))
    assert not page.console_errors, page.console_errors  # CSP or script errors


def test_committee_decides_and_the_audit_log_verifies(world: dict) -> None:
    if "job" not in world["state"]:
        pytest.skip("the planner test did not get as far as a solved round")
    page = new_page(world)
    sign_in(page, world, "committee")
    job_url = world["state"]["job"]
    page.goto(job_url + "/rencana/1?moved=1")
    posts = page.locator("tr.changed[data-position]")
    assert posts.count() >= 2
    first = posts.nth(0).get_attribute("data-position")
    second = posts.nth(1).get_attribute("data-position")

    # Approve the first move.
    page.goto(f"{job_url}/rencana/1/jabatan/{first}")
    card = page.locator("article.card:has(button:has-text('Setujui'))").first
    card.get_by_label("Nama pemutus").fill("Ketua Baperjakat")
    card.get_by_role("button", name="Setujui").click()
    page.wait_for_load_state()

    # Rejecting without a reason is refused; with a reason it is recorded.
    page.goto(f"{job_url}/rencana/1/jabatan/{second}")
    card = page.locator("article.card:has(button:has-text('Tolak'))").first
    rejected_nip = card.get_attribute("data-nip")
    card.get_by_role("button", name="Tolak").click()
    assert "alasan" in page.locator(".alert").inner_text()
    page.goto(f"{job_url}/rencana/1/jabatan/{second}")
    card = page.locator("article.card:has(button:has-text('Tolak'))").first
    card.get_by_label("Nama pemutus").fill("Sekretaris Baperjakat")
    card.get_by_label("Alasan (wajib bila menolak)").fill("Masih dibutuhkan di unit asal")
    card.get_by_role("button", name="Tolak").click()
    page.wait_for_load_state()

    page.goto(world["state"]["round"] + "/keputusan")
    assert "utuh" in page.locator("#verifikasi").inner_text()
    log = page.locator("#log-audit tbody tr")
    assert log.count() == 2
    assert "Masih dibutuhkan di unit asal" in log.nth(1).inner_text()
    assert "Ketua Baperjakat" in log.nth(0).inner_text()
    # The rejected move is still in the plan: a conflict until the round is re-solved.
    assert rejected_nip in page.locator("#konflik").inner_text()
    shot(page, "10-keputusan")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSONL (untuk memeriksa rantai hash)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and '"action": "reject"' in lines[1]

    # An expired session is refused: back to the sign-in page, which says why.
    with sqlite3.connect(world["db"]) as db:
        db.execute("UPDATE web_sessions SET expires_at = '2000-01-01 00:00:00' "
                   "WHERE role = 'committee'")
    page.goto(world["state"]["round"])
    assert page.url.endswith("/masuk?alasan=expired")
    assert "sudah berakhir" in page.content()
    assert not page.console_errors, page.console_errors


def test_viewer_reads_but_cannot_decide(world: dict) -> None:
    if "job" not in world["state"]:
        pytest.skip("the planner test did not get as far as a solved round")
    page = new_page(world)
    sign_in(page, world, "viewer")
    job_url = world["state"]["job"]
    page.goto(job_url + "/rencana/1?moved=1")
    position = page.locator("tr.changed[data-position]").first.get_attribute("data-position")
    page.goto(f"{job_url}/rencana/1/jabatan/{position}")
    assert page.get_by_role("button", name="Setujui").count() == 0
    assert page.get_by_role("button", name="Tolak").count() == 0
    nip = page.locator("article.card").first.get_attribute("data-nip")
    csrf = page.locator("input[name=csrf]").first.input_value()
    round_id = world["state"]["round"].rsplit("/", 1)[-1]
    # Posting the form by hand (with a valid CSRF token) is refused too.
    status = page.evaluate(
        """async ([url, csrf, nip, position]) => {
            const body = new URLSearchParams({csrf, nip, position, action: "approve",
                                              reason: "x"});
            const r = await fetch(url, {method: "POST", body});
            return r.status;
        }""", [f"/putaran/{round_id}/keputusan", csrf, nip, position])
    assert status == 403
    assert page.get_by_role("button", name="Selesaikan putaran").count() == 0
    page.goto(world["state"]["round"])
    assert page.locator("#form-selesaikan").count() == 0
    log = world["server"].log()
    for token in world["tokens"].values():
        assert token not in log
