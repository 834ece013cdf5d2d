"""`penata decide` and review commands (registered by solver.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the review commands to the ``penata`` CLI."""
