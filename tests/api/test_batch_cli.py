"""``penata what-if-batch``: the API's batch from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from api_helpers import NIPS, write_tiny
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
VARIANTS = """\
# each variant is a list of what-if edits
- [{op: abolish_position, position: "002"}, {op: set_rules, rules: {max_unit_turnover: 1}}]
- [{op: abolish_position, position: "001"}]
- [{op: remove_employee, nip: "NIP"}]
""".replace("NIP", NIPS[2])


def test_the_summary_matches_each_variants_plans(tmp_path: Path) -> None:
    yaml_path = write_tiny(tmp_path / "round")
    (tmp_path / "v.yaml").write_text(VARIANTS, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["what-if-batch", str(yaml_path), "--variants",
                                 str(tmp_path / "v.yaml"), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    with (out / "summary.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["variant"] for r in rows] == ["0", "1", "2"]
    # Post 001 must be filled: abolished, the round has no plan.
    assert rows[1]["status"] == "INFEASIBLE" and rows[1]["objective_delta"] == ""
    for index in (0, 2):
        document = json.loads((out / f"variant-{index:03d}" / "plans.json").read_text())
        plan = document["plans"][0]
        assert rows[index]["status"] == document["status"] == "OPTIMAL"
        assert int(rows[index]["objective"]) == plan["objective"]
        assert int(rows[index]["objective_delta"]) == plan["diff"]["objective_delta"]
        assert int(rows[index]["moves_added"]) == len(plan["diff"]["moves_added"])
    assert all(a["position"] != "002" for a in json.loads(
        (out / "variant-000" / "plans.json").read_text())["plans"][0]["assignments"])


def test_bad_variants_exit_2_naming_the_variant_and_write_nothing(tmp_path: Path) -> None:
    yaml_path = write_tiny(tmp_path / "round")
    out = tmp_path / "out"
    cases = {
        "- [{op: abolish_position, position: XYZ}]\n":
            "variants[0]: edits[0] (abolish_position): position 'XYZ' is not in the "
            "positions table",
        "- [{op: abolish_position, position: '002'}]\n- [{op: set_headcount, position: '001'}]\n":
            "v.yaml: variants[1][0].set_headcount.headcount: Field required",
        "- []\n": "v.yaml: variants[0]: List should have at least 1 item",
        "variants: [\n": "v.yaml: not valid JSON or YAML",
    }
    for text, message in cases.items():
        (tmp_path / "v.yaml").write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["what-if-batch", str(yaml_path), "--variants",
                                     str(tmp_path / "v.yaml"), "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output
        assert not out.exists()
