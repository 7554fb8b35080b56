"""The one Typer app of the ``vawg-kg`` command line, and how a command reports a project error."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from vawg_kg.errors import VawgError

app = typer.Typer(no_args_is_help=True, help="The VAWG commitments knowledge graph.")
console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(func: F) -> F:
    """Print a project error as one line a user can act on and exit with its code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VawgError as exc:
            console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]
