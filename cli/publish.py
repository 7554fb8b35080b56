"""``vawg-kg publish --graph-store URL``: push the build's N-Triples to a SPARQL 1.1 Graph Store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from vawg_kg.cli.app import app, console, reports_errors
from vawg_kg.paths import default_build_dir
from vawg_kg.stores.base import NT_FILE
from vawg_kg.stores.graph_store_client import PASSWORD_ENV, publish


@app.command("publish")
@reports_errors
def publish_cmd(
    graph_store: Annotated[str, typer.Option("--graph-store", help=(
        "SPARQL 1.1 Graph Store endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph) or "
        "https://host/DATASET/data (Fuseki)"))],
    graph: Annotated[Optional[str], typer.Option("--graph", help=(
        "named graph IRI to replace (default: the default graph)"))] = None,
    build_dir: Annotated[Path, typer.Option("--build-dir", help="the build folder holding vawg-kg.nt")] = default_build_dir(),
    user: Annotated[Optional[str], typer.Option("--user", help=f"HTTP basic user; password from ${PASSWORD_ENV}")] = None,
) -> None:
    """Replace a graph in a remote SPARQL 1.1 Graph Store with the build's N-Triples (HTTP PUT)."""
    result = publish(graph_store, build_dir / NT_FILE, graph, user=user, password=os.environ.get(PASSWORD_ENV))
    where = f"graph <{graph}>" if graph else "the default graph"
    console.print(f"published {result.bytes:,} bytes of N-Triples to {where} at {graph_store} "
                  f"({result.status}, {result.seconds:.1f}s)")
