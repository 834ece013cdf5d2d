"""What every ``penata`` command shares: the console, the exit code for bad input,
and loading a scenario so that a user mistake is a clear message, not a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from solver.io import InputError, load_scenario
from solver.scenario import Scenario

console = Console(stderr=True)
EXIT_INVALID = 2


def load_or_exit(path: Path) -> Scenario:
    """The validated scenario at ``path``, or exit 2 listing every input problem."""
    try:
        return load_scenario(path)
    except InputError as exc:
        exit_invalid(exc.errors)


def exit_invalid(messages: list[str]) -> NoReturn:
    """Print every input problem and exit 2 (a user's mistake: no traceback)."""
    console.print(f"[bold red]Invalid input[/] ({len(messages)} problem(s)):")
    for message in messages:
        console.print(f"  {message}", markup=False, highlight=False)
    raise typer.Exit(EXIT_INVALID)
