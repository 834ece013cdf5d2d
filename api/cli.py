"""`penata serve` and `penata token` commands (registered by solver.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the API commands to the ``penata`` CLI."""
