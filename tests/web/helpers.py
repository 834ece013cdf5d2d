"""Shared helpers of the workspace tests: sign in through the form, read CSRF tokens."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "scenarios" / "demo"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
# A demo employee whose grade the broken upload spoils (employees.csv data row 1).
BROKEN_NIP = "199407172024091001"


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> str:
    """Sign in with ``token``; returns the session's CSRF token (from the rounds page)."""
    form = client.get("/masuk")
    response = client.post("/masuk", data={"csrf": csrf_of(form.text), "token": token})
    assert response.status_code == 200 and response.url.path == "/", response.text[:500]
    return csrf_of(response.text)


def demo_files(employees: bytes | None = None) -> dict[str, tuple[str, bytes]]:
    return {
        "scenario": ("scenario.yaml", (DEMO / "scenario.yaml").read_bytes()),
        "employees": ("employees.csv", employees or (DEMO / "employees.csv").read_bytes()),
        "positions": ("positions.csv", (DEMO / "positions.csv").read_bytes()),
    }


def broken_employees() -> bytes:
    """The demo employees with one impossible golongan (V/a) on data row 1."""
    text = (DEMO / "employees.csv").read_text(encoding="utf-8")
    broken = text.replace(f"{BROKEN_NIP},Hendra Wijaya,III/a", f"{BROKEN_NIP},Hendra Wijaya,V/a")
    assert broken != text
    return broken.encode("utf-8")
