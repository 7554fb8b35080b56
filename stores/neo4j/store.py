"""Cypher on Neo4j as a store: the same checks, deadline and caps as ``POST /cypher``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vawg_kg.stores.neo4j.executor import CypherExecutor, CypherLimits, graph_value
from vawg_kg.stores.neo4j.server import DEFAULT_DATABASE, ConnectionSettings, connection_settings
from vawg_kg.stores.results import QueryResult

class Neo4jStore:
    """Cypher on Neo4j through the one executor (``stores/neo4j/executor.py``) that ``POST /cypher`` uses.

    Every query gets the same checks as the API's (text, then the ``EXPLAIN`` plan against a read-only
    allow-list), runs in a read transaction with a deadline and a row cap (and a byte cap when asked),
    and comes back as a :class:`QueryResult` of plain values (nodes by their IRI, dates as ISO strings).
    """

    name = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str | None = None) -> None:
        self.uri = uri
        self.database = database or DEFAULT_DATABASE
        self.executor = CypherExecutor(ConnectionSettings(uri, user, password, self.database))

    @classmethod
    def from_settings(cls) -> Neo4jStore:
        """Connect with the project's Neo4j settings (``vawg-kg neo4j start`` writes them)."""
        settings = connection_settings()
        return cls(settings.uri, settings.user, settings.password, settings.database)

    def close(self) -> None:
        self.executor.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, cypher: str, params: Mapping[str, Any] | None = None, timeout_s: float = 30.0,
            max_rows: int = 100_000, max_bytes: int | None = None) -> QueryResult:
        answer = self.executor.run(cypher, params, CypherLimits(timeout_s, max_rows, max_bytes), convert=graph_value)
        return QueryResult(answer.columns, plain=[tuple(row) for row in answer.rows])
