"""The review packet: plans.json enriched, plans.xlsx (opened with openpyxl) and
review.html rendered in headless Chromium and checked for what it shows."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import app
from solver.io import load_scenario
from solver.output import write_outputs
from solver.result import SolveParams
from solver.solve import solve
from tests.review.helpers import emp, nip, pos, rotation, scenario

CHROMIUM = Path("/usr/bin/chromium")
PARAMS = SolveParams(time_limit=20, workers=1)


@pytest.fixture(scope="module")
def packet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("packet")
    sc = load_scenario(rotation(folder, plans={"count": 2, "min_difference": 2}))
    result = solve(sc, PARAMS)
    paths = write_outputs(result, sc, folder / "out", PARAMS, shortlist_time=30, packet=True)
    return sc, result, folder / "out", paths


def test_files_written(packet):
    _, _, out, paths = packet
    assert [p.name for p in paths] == ["plans.json", "plans.csv", "training.csv", "plans.xlsx",
                                       "review.html"]
    doc = json.loads((out / "plans.json").read_text())
    first = doc["plans"][0]
    assert all("jpm" in a and "reasons" in a for a in first["assignments"])
    assert first["shortlists_complete"] and "diff" in doc["plans"][1]


def test_xlsx_sheets_and_annex(packet):
    sc, result, out, _ = packet
    book = load_workbook(out / "plans.xlsx")
    assert book.sheetnames == ["Rencana 1", "Rencana 2", "Daftar Pendek", "Lampiran SK", "Suksesi",
                               "AKP", "AKP per unit"]
    plan = book["Rencana 1"]
    assert plan.cell(1, 1).value == "NIP"
    assert plan.max_row - 1 == len(result.plans[0].assignments)
    annex = book["Lampiran SK"]
    header = [c.value for c in annex[1]]
    assert header == ["No", "NIP", "Nama", "Golongan", "Jabatan lama", "Jabatan baru",
                      "Unit kerja", "TMT"]
    moves = [a for a in result.plans[0].assignments if a.position != a.origin]
    rows = [[c.value for c in r] for r in annex.iter_rows(min_row=2, max_row=1 + len(moves))]
    assert {r[1] for r in rows} == {a.nip for a in moves}
    for r in rows:
        assert isinstance(r[1], str) and len(r[1]) == 18  # NIP kept as text, 18 digits
        assert r[7] == "2027-01-02"  # TMT = as_of
    assert annex.cell(2, 2).number_format == "@"


def _dump_dom(page: Path, tmp_path: Path) -> str:
    profile = tmp_path / "chromium-profile"
    run = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent "
                    "(apt-get install -y chromium; the Makefile installs it in CI)")
def test_review_page_renders_in_chromium(packet, tmp_path):
    sc, result, out, _ = packet
    page = out / "review.html"
    source = page.read_text()
    assert "http://" not in source.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in source and "<script" not in source
    dom = _dump_dom(page, tmp_path)
    assert "Penata — tiny" in dom and "OPTIMAL" in dom
    # both ranked plans, each with its three charts drawn as inline SVG
    for rank in (1, 2):
        assert f'id="plan-{rank}"' in dom
        for chart in ("jpm", "9box", "turnover"):
            block = dom.split(f'id="chart-{chart}-{rank}"', 1)[1]
            assert block.lstrip(">").lstrip().startswith("<svg")
    # JPM chart: "before" bars count the 6 incumbents, "after" bars the 6 placements of plan 1
    plan1 = dom.split('id="plan-1"', 1)[1].split('id="plan-2"', 1)[0]
    before = sum(int(n) for n in re.findall(r'class="bar-sebelum"[^>]*data-count="(\d+)"', plan1))
    after = sum(int(n) for n in re.findall(r'class="bar-sesudah"[^>]*data-count="(\d+)"', plan1))
    assert before == 6 and after == len(result.plans[0].assignments)
    # turnover bars per unit
    assert re.search(r'class="turnover" data-unit="U"', plan1)
    # every move of plan 1 has a row with its reasons, and a shortlist with the holder first
    for a in result.plans[0].assignments:
        if a.position != a.origin:
            assert f'data-nip="{a.nip}" data-position="{a.position}"' in plan1
            shortlist = plan1.split(f'<tr data-position="{a.position}">', 1)[1].split("</tr>")[0]
            first = re.search(r'<li class="(\w+)" data-nip="(\d+)"', shortlist)
            assert first and first.group(1) == "chosen" and first.group(2) == a.nip
    assert "Perbedaan dengan rencana 1" in dom
    assert "masa jabatan sudah mencapai batas rotasi" in dom


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")
def test_promotee_nine_box_and_infeasible_page(tmp_path):
    # Pegawai 1 (sangat_baik, tinggi: box 9) is promoted from A (level 3) into P (level 4).
    sc = scenario(tmp_path, [emp(1, grade="III/c", current_position="A",
                                 position_since="2020-01-01", performance="sangat_baik",
                                 potential="tinggi")],
                  [pos("A"), pos("P", level=4, grade_min="III/c", grade_max="IV/b",
                                 must_fill=True)], rules={"max_unit_turnover": 1})
    result = solve(sc, PARAMS)
    write_outputs(result, sc, tmp_path / "out", PARAMS, shortlist_time=10, packet=True)
    dom = _dump_dom(tmp_path / "out" / "review.html", tmp_path)
    assert re.search(r'data-box="9" data-count="1"', dom)
    assert f'data-nip="{nip(1)}" data-position="P" data-reasons="rotation_due promotion"' in dom

    bad = scenario(tmp_path / "bad", [emp(1, current_position="A",
                                          position_since="2020-01-01")],
                   [pos("A"), pos("X-17", grade_min="IV/e", grade_max="IV/e", must_fill=True)])
    result = solve(bad, PARAMS)
    write_outputs(result, bad, tmp_path / "bad" / "out", PARAMS, shortlist_time=60, packet=True)
    dom = _dump_dom(tmp_path / "bad" / "out" / "review.html", tmp_path)
    assert 'id="infeasibility"' in dom and "X-17" in dom and "INFEASIBLE" in dom


def test_cli_review_command(tmp_path):
    path = rotation(tmp_path, plans={"count": 1})
    sc = load_scenario(path)
    write_outputs(solve(sc, PARAMS), sc, tmp_path / "out", PARAMS)
    out = CliRunner().invoke(app, ["review", str(path), "--out", str(tmp_path / "out"),
                                   "--shortlist-time", "20", "--workers", "1"])
    assert out.exit_code == 0, out.output
    doc = json.loads((tmp_path / "out" / "plans.json").read_text())
    assert "shortlists" in doc["plans"][0]
    assert (tmp_path / "out" / "review.html").exists()


@pytest.fixture(scope="module")
def talent_packet(tmp_path_factory):
    """The rotation round with posts A and E critical, solved, with its packet."""
    folder = tmp_path_factory.mktemp("talent")
    sc = load_scenario(rotation(folder, critical=("A", "E"), plans={"count": 1}))
    result = solve(sc, PARAMS)
    write_outputs(result, sc, folder / "out", PARAMS, packet=True)
    doc = json.loads((folder / "out" / "plans.json").read_text())
    return sc, doc, folder / "out"


def test_xlsx_succession_and_training_sheets(talent_packet):
    from solver.talent.tables import succession_rows, training_rows, training_unit_rows
    from solver.talent.training import training_plan

    sc, doc, out = talent_packet
    book = load_workbook(out / "plans.xlsx")
    training = training_plan(sc, doc["plans"][0]["assignments"], rank=1)
    for name, rows in (("Suksesi", succession_rows(doc["succession"], sc)),
                       ("AKP", training_rows(training, sc)),
                       ("AKP per unit", training_unit_rows(training))):
        sheet = [[c.value for c in r] for r in book[name].iter_rows(min_row=2)]
        assert sheet == [[v if v != "" else None for v in row] for row in rows], name
    assert book["Suksesi"].cell(1, 1).value == "Jabatan"
    assert book["AKP"].cell(2, 3).number_format == "@"  # NIP as text
    assert {r[0] for r in succession_rows(doc["succession"], sc)} == {"A", "E"}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")
def test_review_page_shows_succession_and_training(talent_packet, tmp_path):
    sc, doc, out = talent_packet
    dom = _dump_dom(out / "review.html", tmp_path)
    section = dom.split('<section id="succession">', 1)[1].split("</section>", 1)[0]
    assert section.split('id="chart-succession">', 1)[1].lstrip().startswith("<svg")
    for entry in doc["succession"]:
        row = section.split(f'<tr data-position="{entry["position"]}"', 1)[1].split("</tr>")[0]
        assert f'data-at-risk="{"true" if entry["at_risk"] else "false"}"' in row
        assert re.findall(r'<li data-nip="(\d+)"', row) == [n["nip"] for n in entry["names"]]
    risk = sum(e["at_risk"] for e in doc["succession"])
    assert re.search(rf'class="succession-berisiko" data-count="{risk}"', section)
    training = dom.split('<section id="training">', 1)[1].split("</section>", 1)[0]
    from solver.talent.training import training_plan

    akp = training_plan(sc, doc["plans"][0]["assignments"])
    bars = re.findall(r'class="course" data-competency="([^"]+)" data-people="(\d+)" '
                      r'data-priority="(\d+)"', training)
    assert bars == [(c["competency"], str(c["people"]), str(c["priority_people"]))
                    for c in akp["courses"]]
    assert bars  # the rotation round leaves gaps to train
