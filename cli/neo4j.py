"""``vawg-kg neo4j install|start|stop|status`` and ``vawg-kg load-neo4j``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from vawg_kg.cli.app import app, console, reports_errors
from vawg_kg.paths import default_build_dir
from vawg_kg.stores.neo4j import load as neo4j_load
from vawg_kg.stores.neo4j import server
from vawg_kg.stores.neo4j.server import ConnectionSettings, connection_settings

neo4j_app = typer.Typer(no_args_is_help=True,
                        help="The project's Neo4j Community server (fetched from Maven Central, run on 127.0.0.1).")
app.add_typer(neo4j_app, name="neo4j")


@neo4j_app.command("install")
@reports_errors
def install_cmd(
    version: Annotated[Optional[str], typer.Option("--version", help="Neo4j 5.26.x version (default: pinned)")] = None,
) -> None:
    """Fetch Neo4j with Maven into the cache folder and build the launcher (no-op when done)."""
    version = version or server.PINNED
    t0 = time.monotonic()
    with console.status(f"fetching Neo4j {version} from Maven Central…"):
        home = server.install(version)
    console.print(f"Neo4j {version} installed in {home} ({time.monotonic() - t0:.1f}s)")


@neo4j_app.command("start")
@reports_errors
def start_cmd(
    port: Annotated[Optional[int], typer.Option("--port", help="Bolt port on 127.0.0.1 (default: a free one)")] = None,
    data_dir: Annotated[Optional[Path], typer.Option("--data-dir", help="Store folder (default: in the cache)")] = None,
) -> None:
    """Install if needed, start the server in the background and wait until Bolt answers."""
    with console.status("installing Neo4j (first run only)…"):
        server.install()
    t0 = time.monotonic()
    running = server.status()
    with console.status("starting Neo4j…"):
        info = server.start(port, data_dir=data_dir)
    if running is not None and running.pid == info.pid:
        console.print(f"Neo4j is already running at {info.uri} (pid {info.pid})")
    else:
        console.print(f"Neo4j {info.version} ready at [bold]{info.uri}[/] in {time.monotonic() - t0:.1f}s "
                      f"(pid {info.pid}, data {info.data_dir})")
    console.print(f"user {info.user}; the password is in {server.default_state_file()} "
                  "(`vawg-kg neo4j status --show-password`)")


@neo4j_app.command("stop")
@reports_errors
def stop_cmd() -> None:
    """Stop the server cleanly (SIGTERM; SIGKILL after 60 s)."""
    t0 = time.monotonic()
    info = server.stop()
    if info is None:
        console.print("Neo4j is not running")
    else:
        console.print(f"Neo4j at {info.uri} stopped ({time.monotonic() - t0:.1f}s)")


@neo4j_app.command("status")
@reports_errors
def status_cmd(
    show_password: Annotated[bool, typer.Option("--show-password", help="Print the generated password")] = False,
) -> None:
    """Is the project's server running, and where. Exit code 1 when it is not."""
    info = server.status()
    if info is None:
        installed = server.installed()
        console.print("Neo4j is not running" + ("" if installed else f" (and {server.PINNED} is not installed)"))
        raise typer.Exit(1)
    table = Table(show_header=False, title="Neo4j")
    for key, value in (("uri", info.uri), ("user", info.user),
                       ("password", info.password if show_password else "(hidden: --show-password)"),
                       ("database", info.database), ("version", info.version), ("pid", str(info.pid)),
                       ("data", info.data_dir), ("log", info.log_file)):
        table.add_row(key, value)
    console.print(table)


@app.command("load-neo4j")
@reports_errors
def load_neo4j(
    uri: Annotated[Optional[str], typer.Option("--uri", help="bolt://, neo4j:// or neo4j+s:// URI "
                                               "(default: VAWG_KG_NEO4J_URI, else the project's server)")] = None,
    user: Annotated[Optional[str], typer.Option("--user")] = None,
    password: Annotated[Optional[str], typer.Option("--password", help="default: VAWG_KG_NEO4J_PASSWORD")] = None,
    database: Annotated[Optional[str], typer.Option("--database")] = None,
    build_dir: Annotated[Path, typer.Option("--build-dir", help="Folder with vawg-kg.nt or .ttl")] = default_build_dir(),
) -> None:
    """Replace the graph in Neo4j with the built RDF graph (streamed from the N-Triples; staged, then
    swapped in by one transaction, so a failed load leaves the previous graph)."""

    found = connection_settings(uri=uri)
    settings = ConnectionSettings(found.uri, user or found.user,
                                  password if password is not None else found.password, database or found.database)
    path = neo4j_load.graph_file(build_dir)
    with Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        result = neo4j_load.load_build(build_dir, settings.uri, settings.user, settings.password,
                                       settings.database, progress=on_progress)
    table = Table(title=f"{path} → {result.uri} (database {result.database})")
    table.add_column("label / relationship type")
    table.add_column("count", justify="right")
    for name, count in sorted(result.labels.items()):
        table.add_row(f":{name}", str(count))
    for name, count in sorted(result.rel_types.items()):
        table.add_row(f"[:{name}]", str(count))
    console.print(table)
    console.print(f"{result.nodes} nodes, {result.relationships} relationships; seconds: {result.seconds}")
    if result.unmapped:
        console.print(f"[yellow]not loaded (not declared in the ontology):[/] {result.unmapped}")
