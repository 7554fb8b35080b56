"""The read-only check for Cypher, shared by ``POST /cypher`` and ``vawg-kg query --cypher``.

READ access mode is not enough (procedures can write; ``LOAD CSV`` reads URLs
inside a read transaction), and Community Edition has no roles. So a query
is ``EXPLAIN``-ed first and refused unless the plan's query type is ``r`` and
no operator loads CSV or calls a procedure.
"""

from __future__ import annotations

from typing import Any

from vawg_kg.errors import ForbiddenQueryError

FORBIDDEN_OPERATORS = ("LoadCSV", "ProcedureCall", "EagerProcedureCall", "ProcedureCallRowProcessing",
                       "CallSubqueryInTransactions", "TransactionForeach", "TransactionApply")


def _operators(plan: Any) -> list[str]:
    names: list[str] = []
    stack = [plan]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        op = node.get("operatorType") if isinstance(node, dict) else getattr(node, "operator_type", None)
        children = node.get("children", []) if isinstance(node, dict) else getattr(node, "children", [])
        if op:
            names.append(str(op).split("@")[0])
        stack.extend(children or [])
    return names


def check_plan(query_type: str | None, operators: list[str]) -> None:
    """Refuse unless the plan is a pure read with no CSV loading or procedure calls (403 naming the reason)."""
    bad = sorted({op for op in operators if any(op.startswith(f) for f in FORBIDDEN_OPERATORS) or
                  "Procedure" in op or "LoadCSV" in op})
    if any("LoadCSV" in op for op in bad):
        raise ForbiddenQueryError("LOAD CSV is refused: the Cypher endpoint does not read files or URLs",
                                  reason="load_csv", operators=bad)
    if bad:
        raise ForbiddenQueryError("procedure calls (CALL ...) are refused: procedures can write or reach the "
                                  "server; query the graph with MATCH", reason="procedure_call", operators=bad)
    if query_type != "r":
        raise ForbiddenQueryError(f"only read queries are allowed; this query's plan has type {query_type!r} "
                                  "(w = writes, rw = reads and writes, s = schema)", reason="not_read_only",
                                  query_type=query_type)


def explain_and_check(session: Any, query: str, parameters: Any = None) -> None:
    """``EXPLAIN`` ``query`` in ``session`` (nothing runs) and refuse it unless it is a pure read."""
    from neo4j.exceptions import ClientError

    from vawg_kg.errors import BadRequestError, QueryParseError

    try:
        summary = session.run(f"EXPLAIN {query}", dict(parameters or {})).consume()
    except ClientError as exc:
        if "Syntax" in (exc.code or ""):
            raise QueryParseError(f"Cypher error: {exc.message}", code=exc.code) from exc
        raise BadRequestError(f"Cypher error: {exc.message}", code=exc.code) from exc
    check_plan(summary.query_type, _operators(summary.plan))
