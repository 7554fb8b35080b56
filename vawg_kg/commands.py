"""Registers the subcommands of each layer on the one Typer app."""

from __future__ import annotations

import importlib

# Modules that define commands with `@app.command()` (import order = help order).
COMMAND_MODULES = (
    "vawg_kg.cmd_build",
    "vawg_kg.cmd_query",
    "vawg_kg.cmd_neo4j",
    "vawg_kg.cmd_serve",
    "vawg_kg.cmd_score",
    "vawg_kg.cmd_publish",
)

for name in COMMAND_MODULES:
    importlib.import_module(name)
