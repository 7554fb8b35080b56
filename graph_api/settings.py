"""API settings: safe defaults, each overridable by a ``VAWG_KG_*`` environment variable.

Defaults keep the server closed: loopback only, no CORS origins, bounded
request bodies and query strings, and a timeout and row cap on every query.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any


def _env(name: str, default: Any, cast: Any = str) -> Any:
    raw = os.environ.get(f"VAWG_KG_{name}")
    if raw is None or raw == "":
        return default
    return cast(raw)


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(o.strip() for o in raw.split(",") if o.strip())


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    #: SPARQL and named-query wall-clock limit (seconds) and result-row cap
    query_timeout_s: float = 10.0
    max_rows: int = 10_000
    #: saved (trusted) named queries, incl. the gap queries behind /gaps; results are cached, and
    #: their row cap is far above the SPARQL one (at hundreds of documents a gap list has tens of thousands)
    named_query_timeout_s: float = 120.0
    named_query_max_rows: int = 1_000_000
    #: Cypher limits (Neo4j transaction timeout and row cap)
    cypher_timeout_s: float = 10.0
    cypher_max_rows: int = 10_000
    #: request body (bytes), query string (characters) and query text limits
    max_body_bytes: int = 256 * 1024
    max_query_string: int = 16 * 1024
    #: CORS is closed unless origins are listed (comma-separated in VAWG_KG_CORS_ORIGINS)
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    #: memory for repeated GET answers (bytes; 0 turns the response cache off)
    response_cache_bytes: int = 32 * 1024 * 1024
    #: the largest answer a SPARQL or Cypher query may build (bytes, in the requested format), else 413
    max_result_bytes: int = 8 * 1024 * 1024
    #: the longest query text accepted (characters); parsing is bounded by the query timeout as well
    max_query_chars: int = 64 * 1024
    #: Host header values answered (comma-separated in VAWG_KG_TRUSTED_HOSTS; ``*.example.org`` allowed);
    #: empty means the bound host and the localhost names
    trusted_hosts: tuple[str, ...] = field(default_factory=tuple)
    #: worker processes for ad-hoc SPARQL (/sparql, /id) and, separately, for the build's own named
    #: queries and /gaps, so ad-hoc queries cannot starve them
    sparql_workers: int = 2
    named_query_workers: int = 1
    #: heap limit of each SPARQL worker process (bytes): a query that needs more fails alone
    query_worker_memory_bytes: int = 2 * 1024 * 1024 * 1024
    #: Cypher requests run at once
    cypher_concurrency: int = 2
    #: requests that may wait for a busy lane; beyond that 429 with Retry-After
    query_queue: int = 8
    #: requests that may wait for an ad-hoc /sparql worker (a waiting request costs a future on the event
    #: loop, not a thread, so the line can be longer than the others); beyond that 429 with Retry-After
    sparql_queue: int = 64

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        base = cls(
            host=_env("HOST", cls.host),
            port=_env("PORT", cls.port, int),
            query_timeout_s=_env("QUERY_TIMEOUT", cls.query_timeout_s, float),
            max_rows=_env("MAX_ROWS", cls.max_rows, int),
            named_query_timeout_s=_env("NAMED_QUERY_TIMEOUT", cls.named_query_timeout_s, float),
            named_query_max_rows=_env("NAMED_QUERY_MAX_ROWS", cls.named_query_max_rows, int),
            cypher_timeout_s=_env("CYPHER_TIMEOUT", cls.cypher_timeout_s, float),
            cypher_max_rows=_env("CYPHER_MAX_ROWS", cls.cypher_max_rows, int),
            max_body_bytes=_env("MAX_BODY_BYTES", cls.max_body_bytes, int),
            max_query_string=_env("MAX_QUERY_STRING", cls.max_query_string, int),
            cors_origins=_env("CORS_ORIGINS", (), _origins),
            response_cache_bytes=_env("RESPONSE_CACHE_BYTES", cls.response_cache_bytes, int),
            max_result_bytes=_env("MAX_RESULT_BYTES", cls.max_result_bytes, int),
            max_query_chars=_env("MAX_QUERY_CHARS", cls.max_query_chars, int),
            trusted_hosts=_env("TRUSTED_HOSTS", (), _origins),
            sparql_workers=_env("SPARQL_WORKERS", cls.sparql_workers, int),
            named_query_workers=_env("NAMED_QUERY_WORKERS", cls.named_query_workers, int),
            query_worker_memory_bytes=_env("QUERY_WORKER_MEMORY", cls.query_worker_memory_bytes, int),
            cypher_concurrency=_env("CYPHER_CONCURRENCY", cls.cypher_concurrency, int),
            query_queue=_env("QUERY_QUEUE", cls.query_queue, int),
            sparql_queue=_env("SPARQL_QUEUE", cls.sparql_queue, int),
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})
