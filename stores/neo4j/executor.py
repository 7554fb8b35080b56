"""One executor for Cypher from outside: ``POST /cypher`` and :meth:`Neo4jStore.run` (CLI, named questions).

Per query: :func:`cypher_guard.check_text`; a lane (:class:`vawg_kg.stores.lanes.Lane`: so many at once, a bounded queue,
429 beyond it); then a worker thread runs one READ transaction tagged with the request's id
(``metaData.vawg_kg_request``): ``EXPLAIN`` and :func:`cypher_guard.check_plan` inside it, then the
query, streaming records a few at a time through the row cap, the byte cap (the rows' JSON size) and
the value conversion. One deadline covers all of it, the wait for a lane included.

At the deadline the caller gets :class:`QueryTimeoutError` at once, and a supervising driver (its own
connections) finds the transaction by its tag (``SHOW TRANSACTIONS``) and ``TERMINATE``s it, again
with back-off until the worker returns. The lane stays taken until then: Neo4j stops operators at a
termination but not a loop inside one expression (docs/bad-input.md, "Cypher (POST /cypher)"), and a
lane held by such a query keeps their number bounded.

Neo4j's own error text reaches the caller only for errors in the caller's statement (syntax, types,
arithmetic); anything on the server's side gets our message, and Neo4j's travels as the error's
``internal`` text, which the API logs under the request id and never sends.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j
from neo4j.exceptions import (AuthError, ClientError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable,
                              SessionExpired, TransientError)
from neo4j.graph import Node, Path, Relationship

from vawg_kg.errors import (BadRequestError, ForbiddenQueryError, QueryParseError, QueryTimeoutError,
                            ResultTooLargeError, StoreError, StoreUnavailableError, VawgError)
from vawg_kg.stores.neo4j.server import ConnectionSettings
from vawg_kg.stores.neo4j.guard import check_plan, check_text, operators
from vawg_kg.stores.lanes import Lane

log = logging.getLogger("vawg_kg.graph_api")

START_HINT = "start it with `vawg-kg neo4j start` (then `vawg-kg load-neo4j`)"
TAG_KEY = "vawg_kg_request"
#: records pulled per round trip: a row can be large (a 200 kB parameter returned 2,000 times)
FETCH_SIZE = 50
#: the supervisor tries TERMINATE again after these pauses (seconds), then every last one
REAP_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
_SHOW = ("SHOW TRANSACTIONS YIELD transactionId, metaData "
         f"WHERE metaData.{TAG_KEY} = $tag RETURN transactionId")

Convert = Callable[[Any], Any]


# --- values ------------------------------------------------------------------------------------------

def json_value(value: Any) -> Any:
    """A Neo4j value as JSON: nodes and relationships as objects, temporal values as ISO strings."""
    if isinstance(value, Node):
        return {"id": value.element_id, "labels": sorted(value.labels), "properties": json_value(dict(value))}
    if isinstance(value, Relationship):
        return {"id": value.element_id, "type": value.type, "properties": json_value(dict(value))}
    if isinstance(value, Path):
        return {"nodes": [json_value(n) for n in value.nodes],
                "relationships": [json_value(r) for r in value.relationships]}
    if hasattr(value, "iso_format"):  # dates, times, durations (a Duration is a tuple: ask first)
        return value.iso_format()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")  # JSON has no NaN
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # points, byte arrays


def graph_value(value: Any) -> Any:
    """A Neo4j value as the named questions compare it: nodes by their IRI, temporal values as ISO strings."""
    if isinstance(value, Node):
        return value.get("iri", value.element_id)
    if isinstance(value, Relationship):
        return value.type
    if isinstance(value, list):
        return [graph_value(v) for v in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


# --- limits, answers, lanes ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CypherLimits:
    timeout_s: float
    max_rows: int
    #: the rows' JSON size (UTF-8 bytes) the answer may reach; None: no byte cap
    max_bytes: int | None = None


@dataclass
class CypherAnswer:
    columns: list[str]
    rows: list[list[Any]]


def _lane_timed_out() -> QueryTimeoutError:
    return QueryTimeoutError("the Cypher query waited for a free lane until its time limit ran out; try again shortly",
                             waited=True)


@dataclass
class _Job:
    query: str
    parameters: dict[str, Any]
    limits: CypherLimits
    convert: Convert
    deadline: float
    tag: str = field(default_factory=lambda: uuid.uuid4().hex)
    done: threading.Event = field(default_factory=threading.Event)
    cancelled: threading.Event = field(default_factory=threading.Event)
    answer: CypherAnswer | None = None
    error: Exception | None = None

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


class _Budget:
    """The row cap and the byte cap, counted as the rows arrive."""

    def __init__(self, limits: CypherLimits, columns: list[str]) -> None:
        self.limits = limits
        self.rows = 0
        self.bytes = len(json.dumps({"columns": columns, "rows": [], "total": 0}))

    def add(self, row: list[Any]) -> None:
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise ResultTooLargeError(f"the query returns more than {self.limits.max_rows} rows; add LIMIT "
                                      "or narrow it", max_rows=self.limits.max_rows)
        if self.limits.max_bytes is None:
            return
        self.bytes += len(json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=str).encode()) + 1
        if self.bytes > self.limits.max_bytes:
            raise ResultTooLargeError(
                f"the answer is larger than {self.limits.max_bytes} bytes (after {self.rows} rows); return fewer "
                "or shorter values, or add LIMIT", max_bytes=self.limits.max_bytes, rows_read=self.rows)


# --- errors ------------------------------------------------------------------------------------------

def _timeout(limits: CypherLimits) -> QueryTimeoutError:
    return QueryTimeoutError(f"the Cypher query ran longer than {limits.timeout_s:g}s and was stopped; narrow it "
                             "or add LIMIT", timeout_s=limits.timeout_s)


def _unavailable(message: str, retry_after_s: int, internal: str, **details: Any) -> StoreUnavailableError:
    exc = StoreUnavailableError(message, internal=internal, retry_after_s=retry_after_s, **details)
    setattr(exc, "retry_after_s", retry_after_s)  # for a Retry-After header (as TooManyRequestsError has)
    return exc


def _statement_error(code: str, message: str) -> VawgError:
    """The caller's statement is at fault: Neo4j's description helps them fix it."""
    if code.endswith(".SyntaxError"):
        return QueryParseError(f"Cypher syntax error: {message[:1000]}", code=code)
    if code.endswith(".AccessMode"):
        return ForbiddenQueryError("only read queries are allowed; Neo4j refused a write in a read transaction",
                                   reason="not_read_only", code=code)
    if code.endswith((".UnsupportedAdministrationCommand", ".NotSystemDatabaseError")):
        return ForbiddenQueryError("administration commands are refused: the Cypher endpoint only reads the graph",
                                   reason="administration_command", code=code)
    return BadRequestError(f"Cypher error: {message[:1000]}", code=code)


def _server_error(exc: Neo4jError, code: str, internal: str) -> VawgError:
    """Neo4j or its configuration is at fault: our message; Neo4j's is ``internal`` (logged, never sent)."""
    if isinstance(exc, AuthError) or code.startswith("Neo.ClientError.Security."):
        return _unavailable("Neo4j is refusing the API's login for now (too many failed logins for this user, or "
                            "the credentials changed); try again in a few seconds, and check the `vawg-kg neo4j` "
                            "settings if it persists", 5, internal, code=code)
    if "OutOfMemory" in code:
        return ResultTooLargeError("the query needs more memory than Neo4j gives one transaction; narrow it or "
                                   "add LIMIT", internal=internal, reason="memory_limit", code=code)
    if code.endswith((".Terminated", ".TransactionTerminated", ".LockClientStopped")):
        return _unavailable("Neo4j ended the transaction before it finished; try again", 1, internal, code=code)
    if code.startswith("Neo.ClientError.Database."):
        return _unavailable("the configured Neo4j database is not available; check VAWG_KG_NEO4J_DATABASE "
                            "(Neo4j Community has one user database, 'neo4j')", 5, internal, code=code)
    if isinstance(exc, TransientError):
        return _unavailable("Neo4j is busy or briefly unavailable; try again shortly", 2, internal, code=code)
    if isinstance(exc, ClientError):
        return BadRequestError("Neo4j refused the request; check the parameters' values", internal=internal,
                               code=code)
    return StoreError("Neo4j failed to run the query", internal=internal, code=code)


def map_error(exc: Exception, job: _Job) -> VawgError:
    """A driver or server error as a project error (Neo4j's own text only for the caller's statement)."""
    code = str(getattr(exc, "code", "") or "")
    if job.cancelled.is_set() or "TransactionTimedOut" in code:
        return _timeout(job.limits)
    if isinstance(exc, Neo4jError) and code.startswith("Neo.ClientError.Statement."):
        return _statement_error(code, str(exc.message or ""))
    internal = f"Cypher request {job.tag}: {code or type(exc).__name__}: {getattr(exc, 'message', None) or exc}"
    if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
        return _unavailable(f"Neo4j is not reachable; {START_HINT}", 5, internal)
    if isinstance(exc, Neo4jError):
        return _server_error(exc, code, internal)
    return StoreError("the Neo4j driver failed to run the query", internal=internal)


# --- the executor --------------------------------------------------------------------------------------

def _driver(settings: ConnectionSettings, timeout_s: float) -> neo4j.Driver:
    try:
        return neo4j.GraphDatabase.driver(
            settings.uri, auth=(settings.user, settings.password), connection_timeout=timeout_s,
            connection_acquisition_timeout=timeout_s, max_transaction_retry_time=0,
            liveness_check_timeout=0)  # a pooled connection is checked before use: Neo4j may have restarted
    except (ValueError, ConfigurationError) as exc:
        raise StoreUnavailableError("the configured Neo4j URI is not usable; set VAWG_KG_NEO4J_URI to bolt://HOST:PORT "
                                    "(or start the project's server with `vawg-kg neo4j start`)",
                                    internal=f"{settings.uri!r}: {exc}") from exc


class _Supervisor:
    """Finds a request's transaction by its tag and terminates it, on connections of its own."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.database = settings.database
        self.driver = _driver(settings, 2.0)

    def terminate(self, tag: str) -> list[str]:
        with self.driver.session(database=self.database) as session:
            ids = [str(r["transactionId"]) for r in session.run(neo4j.Query(_SHOW, timeout=2.0), tag=tag)]
            if ids:
                session.run(neo4j.Query("TERMINATE TRANSACTIONS $ids", timeout=2.0), ids=ids).consume()
        return ids


class CypherExecutor:
    """Runs checked, read-only Cypher on one Neo4j with a deadline, a row cap and a byte cap."""

    def __init__(self, settings: ConnectionSettings, lanes: Lane | None = None) -> None:
        self.settings = settings
        self.lanes = lanes
        self._driver = _driver(settings, 3.0)
        self._supervisor = _Supervisor(settings)

    def close(self) -> None:
        self._driver.close()
        self._supervisor.driver.close()

    def run(self, query: str, parameters: Mapping[str, Any] | None, limits: CypherLimits,
            convert: Convert = json_value) -> CypherAnswer:
        """The answer, or a project error; returns (or raises QueryTimeoutError) by the deadline."""
        check_text(query)
        job = _Job(query, dict(parameters or {}), limits, convert, time.monotonic() + limits.timeout_s)
        if self.lanes is not None:
            self.lanes.acquire(job.deadline, _lane_timed_out, retry_after_s=max(1, math.ceil(limits.timeout_s)))
        threading.Thread(target=self._work, args=(job,), name=f"cypher-{job.tag[:8]}", daemon=True).start()
        if not job.done.wait(max(0.0, job.remaining())):
            job.cancelled.set()
            threading.Thread(target=self._reap, args=(job,), name=f"cypher-reap-{job.tag[:8]}", daemon=True).start()
            raise _timeout(limits)
        if job.error is not None:
            raise job.error
        assert job.answer is not None
        return job.answer

    def _work(self, job: _Job) -> None:
        try:
            job.answer = self._execute(job)
        except Exception as exc:  # handed to the caller's thread, which raises it
            job.error = exc
        finally:
            job.done.set()
            if self.lanes is not None:
                self.lanes.release()

    def _execute(self, job: _Job) -> CypherAnswer:
        try:
            with self._driver.session(database=self.settings.database, default_access_mode=neo4j.READ_ACCESS,
                                      fetch_size=FETCH_SIZE) as session:
                if job.remaining() <= 0:
                    raise _timeout(job.limits)
                tx = session.begin_transaction(metadata={TAG_KEY: job.tag}, timeout=max(0.001, job.remaining()))
                try:
                    return self._explain_and_run(tx, job)
                finally:
                    tx.close()  # a rollback: nothing was written, and the rest of a stopped stream is discarded
        except VawgError:
            raise
        except OverflowError as exc:  # the driver cannot send an integer outside 64 bits
            raise BadRequestError(f"a parameter value cannot be sent to Neo4j ({exc}); integers must fit in 64 "
                                  "bits", parameter="parameters") from exc
        except (Neo4jError, DriverError, OSError) as exc:
            raise map_error(exc, job) from exc

    def _explain_and_run(self, tx: neo4j.Transaction, job: _Job) -> CypherAnswer:
        summary = tx.run(f"EXPLAIN {job.query}", job.parameters).consume()
        check_plan(summary.query_type, operators(summary.plan))
        if summary.database not in (None, self.settings.database):
            raise ForbiddenQueryError(f"the query runs on database {summary.database!r}; the Cypher endpoint reads "
                                      f"{self.settings.database!r} only", reason="administration_command")
        if job.cancelled.is_set():
            raise _timeout(job.limits)
        result = tx.run(job.query, job.parameters)
        columns = list(result.keys())
        budget = _Budget(job.limits, columns)
        rows: list[list[Any]] = []
        for record in result:
            if job.cancelled.is_set():
                raise _timeout(job.limits)
            row = [job.convert(v) for v in record.values()]
            budget.add(row)
            rows.append(row)
        return CypherAnswer(columns, rows)

    def _reap(self, job: _Job) -> None:
        """TERMINATE the job's transaction until the worker returns (it may not have begun at the deadline)."""
        late = time.monotonic()
        for pause in itertools.chain(REAP_PAUSES, itertools.repeat(REAP_PAUSES[-1])):
            try:
                ids = self._supervisor.terminate(job.tag)
            except (Neo4jError, DriverError, OSError) as exc:
                ids = []
                log.warning("Cypher request %s: could not terminate its transaction: %s", job.tag, exc)
            if job.done.wait(pause):
                return
            if ids and pause >= 2.0:
                log.warning("Cypher request %s: Neo4j transaction %s still running %.0fs after TERMINATE (Neo4j does "
                            "not stop a loop inside one expression); its lane stays taken until it ends",
                            job.tag, ", ".join(ids), time.monotonic() - late)
