"""A SPARQL 1.1 Graph Store HTTP client: push the build's N-Triples to a remote store.

Uses the SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/):
``PUT URL?graph=IRI`` (or ``PUT URL?default``) with ``Content-Type: application/n-triples``
replaces that graph with the dump, so publishing twice leaves one copy. Any conforming
server takes it — Oxigraph (``/store``), Apache Jena Fuseki (``/DATASET/data``),
GraphDB (``/repositories/REPO/rdf-graphs/service``), Virtuoso (``/sparql-graph-crud``).
The file is streamed, not read into memory, so a dump of tens of millions of triples
publishes from a small machine. Standard library only (urllib): no extra dependency.
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from vawg_kg.errors import BuildError, StoreError, StoreUnavailableError

CONTENT_TYPE = "application/n-triples"
PASSWORD_ENV = "VAWG_KG_GRAPH_STORE_PASSWORD"


@dataclass(frozen=True)
class PublishResult:
    url: str
    graph: str | None
    bytes: int
    status: int
    seconds: float


def target_url(store_url: str, graph: str | None) -> str:
    """``store_url?graph=<IRI>`` (percent-encoded) or ``store_url?default``, keeping any query it already has."""
    parts = urllib.parse.urlsplit(store_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreUnavailableError(f"--graph-store must be an http(s) URL of a Graph Store endpoint, not {store_url!r}")
    extra = f"graph={urllib.parse.quote(graph, safe='')}" if graph else "default"
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def publish(store_url: str, nt_file: Path, graph: str | None = None, *, user: str | None = None,
            password: str | None = None, timeout_s: float = 600.0) -> PublishResult:
    """PUT ``nt_file`` into ``graph`` (the default graph when None); raise a project error on refusal."""
    nt_file = Path(nt_file)
    if not nt_file.is_file():
        raise BuildError(f"{nt_file} does not exist; run `vawg-kg build --out {nt_file.parent}` first")
    url = target_url(store_url, graph)
    size = nt_file.stat().st_size
    headers = {"Content-Type": CONTENT_TYPE, "Content-Length": str(size)}
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    started = time.monotonic()
    with open(nt_file, "rb") as body:
        request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - http(s) checked above
                status = response.status
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            if exc.code in (401, 403):
                raise StoreUnavailableError(
                    f"the graph store at {store_url} refused the upload ({exc.code} {exc.reason}): {detail}. "
                    f"Give --user and set {PASSWORD_ENV}, or use an endpoint that accepts writes.",
                    url=url, status=exc.code) from exc
            if exc.code in (404, 405):
                raise StoreUnavailableError(
                    f"{store_url} does not accept Graph Store PUTs ({exc.code} {exc.reason}); give the server's "
                    "Graph Store endpoint (Oxigraph: /store, Fuseki: /DATASET/data). " + detail,
                    url=url, status=exc.code) from exc
            raise StoreError(f"the graph store at {store_url} answered {exc.code} {exc.reason}: {detail}",
                             url=url, status=exc.code) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreUnavailableError(
                f"cannot reach the graph store at {store_url}: {reason}. Is the server running and the URL right?",
                url=url) from exc
    return PublishResult(url=url, graph=graph, bytes=size, status=status,
                         seconds=round(time.monotonic() - started, 3))
