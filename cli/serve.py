"""``vawg-kg serve``: build the graph if there is none, then serve the API on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from vawg_kg.cli.app import app, console, reports_errors
from vawg_kg.paths import default_build_dir
from vawg_kg.graph_api.app import create_app
from vawg_kg.graph_api.settings import Settings
from vawg_kg.loaders.build import build_graph
from vawg_kg.stores.oxigraph import OxigraphStore


def ensure_build(build_dir: Path) -> None:
    """Build into ``build_dir`` when it holds no graph; load the Oxigraph store when it is missing or stale."""
    if not (build_dir / "commitments.json").is_file() or not (build_dir / "vawg-kg.nt").is_file():
        console.print(f"no graph in {build_dir}: building it from the bundled documents…")
        build_graph(build_dir, store_hooks=[OxigraphStore.load])
    elif not OxigraphStore.is_current(build_dir):
        console.print(f"loading the SPARQL store from {build_dir / 'vawg-kg.nt'}…")
        OxigraphStore.load(build_dir)


@app.command()
@reports_errors
def serve(
    port: Annotated[Optional[int], typer.Option("--port", help="TCP port (default 8000)")] = None,
    host: Annotated[Optional[str], typer.Option("--host", help="Interface; 127.0.0.1 unless you mean to expose it")] = None,
    build_dir: Annotated[Path, typer.Option("--build-dir", help="The build folder to serve")] = default_build_dir(),
    no_build: Annotated[bool, typer.Option("--no-build", help="Fail instead of building when there is no graph")] = False,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log a line for every request")] = False,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs), SPARQL at /sparql and the graph browser at /graph."""
    import uvicorn

    settings = Settings.from_env(host=host, port=port)
    if not no_build:
        ensure_build(build_dir)
    application = create_app(build_dir, settings)
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]serving on {settings.host}: reachable from other machines[/]")
        if not settings.trusted_hosts:
            console.print("[yellow]only Host: localhost names are answered; set VAWG_KG_TRUSTED_HOSTS to the names "
                          "clients use[/]")
    console.print(f"vawg-kg API on http://{settings.host}:{settings.port}/ (docs at /docs)")
    # h11 parses HTTP (it bounds a request head; httptools, faster, buffers an endless URL or header
    # without limit); uvloop (pinned) is the event loop; the access log is off unless asked for (one
    # formatted line per request costs about as much as answering /health).
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="info", http="h11",
                loop="uvloop", access_log=access_log, server_header=False, timeout_graceful_shutdown=5)
