"""What a ``penata`` command imports (api/cli.py's import discipline).

Every command starts a fresh interpreter, and each module imported on the way costs
time before any work starts (the cold start the benchmark reports). The command line
itself must not pull in the web service, nor the solver before a command needs it.
Checked through ``sys.modules`` of a fresh interpreter, never by the clock.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The web service and its store: only `serve`, `worker`, `token`, `db` need them.
SERVICE = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg",
           "pydantic_settings", "prometheus_client", "httpx", "ray", "multipart")
# The engine and the writers: loaded by the commands that solve or write.
ENGINE = ("ortools", "scipy", "highspy", "jinja2", "openpyxl", "solver.solve",
          "solver.output", "solver.importer.run", "solver.review.packet")


def modules_after(code: str, tmp_path: Path) -> set[str]:
    """The top-level and solver modules loaded by ``code`` in a fresh interpreter."""
    record = tmp_path / "modules.json"
    script = (f"{code}\nimport json, sys\n"
              f"open({str(record)!r}, 'w').write(json.dumps(sorted(sys.modules)))\n")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    return set(json.loads(record.read_text()))


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules)


def run_penata(*argv: str) -> str:
    return ("import sys\nimport api.cli\n"
            f"sys.argv = ['penata', *{list(argv)!r}]\n"
            "try:\n    api.cli.main()\nexcept SystemExit:\n    pass")


def test_importing_the_command_line_loads_neither_service_nor_engine(tmp_path):
    modules = modules_after("import api.cli", tmp_path)
    assert loaded(modules, SERVICE) == []
    assert loaded(modules, ENGINE) == []
    assert "api.cli" in modules and "solver.cli" in modules


def test_help_loads_neither_service_nor_engine(tmp_path):
    modules = modules_after(run_penata("--help"), tmp_path)
    assert loaded(modules, SERVICE) == []
    assert loaded(modules, ENGINE) == []


def test_a_whole_solve_with_its_packet_loads_no_service_module(tmp_path):
    """``penata solve`` (plans, shortlists, plans.xlsx, review.html) without the web
    service, SQLAlchemy, openpyxl (the XLSX is written by solver.spreadsheetml) or
    the SIASN importer."""
    out = tmp_path / "out"
    modules = modules_after(run_penata("solve", "scenarios/demo/scenario.yaml", "--out",
                                       str(out), "--plans", "1"), tmp_path)
    assert (out / "plans.xlsx").exists() and (out / "review.html").exists()
    assert loaded(modules, SERVICE) == []
    assert loaded(modules, ("openpyxl", "solver.importer.run")) == []
    assert loaded(modules, ("solver.solve", "solver.output", "solver.review.packet")) == [
        "solver.output", "solver.review.packet", "solver.solve"]

