"""What untrusted Cypher may do: the checks shared by ``POST /cypher`` and ``vawg-kg query --cypher``.

READ access mode is not enough (``SHOW TRANSACTIONS`` shows other clients' queries and parameters,
``TERMINATE TRANSACTIONS`` ends them, ``SHOW SETTINGS`` reads server paths, procedures can write,
``LOAD CSV`` reads URLs — all inside a read transaction) and Community Edition has no roles. So:

1. :func:`check_text` looks at the query text before Neo4j sees it: an administration command
   (first keyword ``SHOW``, ``TERMINATE``, ``GRANT``, ``USE``, ``CREATE DATABASE`` …) is refused, and
   so are the expressions Neo4j cannot stop (``reduce``, ``range`` outside ``UNWIND``; see
   docs/bad-input.md, "Cypher (POST /cypher)").
2. :func:`check_plan` reads the ``EXPLAIN`` plan: every operator must be on
   :data:`READ_OPERATORS`, an allow-list, and the query type must be ``r``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vawg_kg.errors import ForbiddenQueryError

# The read operators of Neo4j 5.26's Cypher planner, from the Cypher manual 5 "Operators" summary and
# "Operators in detail" pages (neo4j/docs-cypher, branch 5.x,
# modules/ROOT/pages/planning-and-tuning/operators/{index,operators-detail}.adoc). Left out on purpose:
# every updating operator (Create, Merge, Set*, Delete, Foreach, the locking seeks and Assert* that only
# MERGE plans), EmptyResult and ExhaustiveLimit (planned only for updates), LoadCSV, ProcedureCall, the
# Show*/Terminate*/schema/administration operators, TransactionApply/TransactionForeach (CALL … IN
# TRANSACTIONS) and the Partitioned* operators of the parallel runtime (Enterprise only).
READ_OPERATORS = frozenset({
    # leaf operators: scans and seeks
    "AllNodesScan", "Argument", "ArgumentTracker", "EmptyRow",
    "NodeByLabelScan", "IntersectionNodeByLabelsScan", "SubtractionNodeByLabelsScan", "UnionNodeByLabelsScan",
    "NodeByIdSeek", "NodeByElementIdSeek", "NodeCountFromCountStore", "RelationshipCountFromCountStore",
    "NodeIndexSeek", "NodeIndexSeekByRange", "NodeIndexScan", "NodeIndexContainsScan", "NodeIndexEndsWithScan",
    "NodeUniqueIndexSeek", "NodeUniqueIndexSeekByRange", "MultiNodeIndexSeek",
    "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan",
    "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan",
    "DirectedUnionRelationshipTypesScan", "UndirectedUnionRelationshipTypesScan",
    "DirectedRelationshipByIdSeek", "UndirectedRelationshipByIdSeek",
    "DirectedRelationshipByElementIdSeek", "UndirectedRelationshipByElementIdSeek",
    "DirectedRelationshipIndexSeek", "UndirectedRelationshipIndexSeek",
    "DirectedRelationshipIndexSeekByRange", "UndirectedRelationshipIndexSeekByRange",
    "DirectedRelationshipIndexScan", "UndirectedRelationshipIndexScan",
    "DirectedRelationshipIndexContainsScan", "UndirectedRelationshipIndexContainsScan",
    "DirectedRelationshipIndexEndsWithScan", "UndirectedRelationshipIndexEndsWithScan",
    # nested loops and joins
    "Apply", "SemiApply", "AntiSemiApply", "LetSemiApply", "LetAntiSemiApply", "SelectOrSemiApply",
    "SelectOrAntiSemiApply", "LetSelectOrSemiApply", "LetSelectOrAntiSemiApply", "RollUpApply", "Anti",
    "Optional", "CartesianProduct", "NodeHashJoin", "NodeLeftOuterHashJoin", "NodeRightOuterHashJoin",
    "ValueHashJoin", "TriadicSelection", "TriadicBuild", "TriadicFilter",
    # traversal
    "Expand(All)", "Expand(Into)", "OptionalExpand(All)", "OptionalExpand(Into)", "VarLengthExpand(All)",
    "VarLengthExpand(Into)", "VarLengthExpand(Pruning)", "VarLengthExpand(Pruning,BFS)",
    "VarLengthExpand(Pruning,BFS,All)", "ShortestPath", "StatefulShortestPath(All)",
    "StatefulShortestPath(Into)", "Repeat(Trail)", "NullifyMetadata", "ProjectEndpoints",
    # union, aggregation, filter, order and projection
    "Union", "EagerAggregation", "OrderedAggregation", "Distinct", "OrderedDistinct", "Filter", "Projection",
    "CacheProperties", "Unwind", "Eager", "ProduceResults",
    # sort and limit
    "Sort", "PartialSort", "Top", "PartialTop", "Limit", "Skip",
})

# Operators that change the graph (the manual's "Updating" column, and the MERGE-only helpers).
WRITE_OPERATORS = frozenset({
    "Create", "Delete", "DetachDelete", "Merge", "LockingMerge", "SetLabels", "RemoveLabels", "SetProperty",
    "SetProperties", "SetNodePropertiesFromMap", "SetRelationshipPropertiesFromMap", "Foreach",
    "SubqueryForeach", "TransactionApply", "TransactionForeach", "EmptyResult", "ExhaustiveLimit",
    "AssertSameNode", "AssertSameRelationship", "AssertingMultiNodeIndexSeek", "NodeUniqueIndexSeek(Locking)",
    "DirectedRelationshipUniqueIndexSeek(Locking)",
})

# First keywords of Neo4j's administration commands (Cypher manual 5, "Administration" and "Schema").
ADMIN_KEYWORDS = frozenset({
    "SHOW", "TERMINATE", "GRANT", "DENY", "REVOKE", "ALTER", "DROP", "START", "STOP", "RENAME", "ENABLE",
    "DEALLOCATE", "REALLOCATE", "DRYRUN", "USE",
})
# CREATE is a graph write too (refused by the plan check); these second keywords make it administration.
ADMIN_CREATE = frozenset({
    "DATABASE", "COMPOSITE", "ALIAS", "USER", "ROLE", "SERVER", "INDEX", "CONSTRAINT", "LOOKUP", "TEXT",
    "RANGE", "POINT", "FULLTEXT", "VECTOR", "BTREE",
})
# Pre-parser words that may come before the statement itself.
PREFIX_KEYWORDS = frozenset({"CYPHER", "EXPLAIN", "PROFILE"})
# Functions that loop over a list inside one expression, like a list comprehension.
QUANTIFIERS = frozenset({"any", "all", "none", "single"})
# A range(a, b) written with literal bounds is allowed in an expression up to this many elements.
MAX_LITERAL_RANGE = 100_000

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
  | (?P<number>\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<symbol>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class Token:
    kind: str  # word (identifier or keyword, backticks removed), number, string or symbol
    text: str


def tokens(query: str) -> list[Token]:
    """The query's tokens, without whitespace and comments (string literals kept whole)."""
    out: list[Token] = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "symbol"
        text = match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "quoted":
            kind, text = "word", text[1:-1].replace("``", "`")
        out.append(Token(kind, text))
    return out


def _statement_start(toks: Sequence[Token]) -> int:
    """Where the statement proper starts, after pre-parser words (``CYPHER 5 runtime=slotted``, ``EXPLAIN``)."""
    i = 0
    while i < len(toks):
        if toks[i].kind == "word" and toks[i].text.upper() in PREFIX_KEYWORDS or toks[i].kind == "number":
            i += 1
        elif i + 1 < len(toks) and toks[i + 1].text == "=":
            i += 3  # a CYPHER option: key=value
        else:
            return i
    return i


def administration_keyword(query: str) -> str | None:
    """The administration command the query starts with (``SHOW``, ``CREATE DATABASE`` …), else None."""
    toks = tokens(query)
    i = _statement_start(toks)
    words = [t.text.upper() if t.kind == "word" else "" for t in toks[i:i + 4]]
    first = words[0] if words else ""
    if first in ADMIN_KEYWORDS:
        return first
    if _switches_database(toks):
        return "USE"
    if first == "CREATE" and len(words) > 1:
        second = words[3] if words[1:3] == ["OR", "REPLACE"] and len(words) > 3 else words[1]
        if second in ADMIN_CREATE:
            return f"CREATE {second}"
    return None


def _switches_database(toks: Sequence[Token]) -> bool:
    """A ``USE db`` clause anywhere (``CALL { USE other … }``, after ``UNION``), not a variable named use."""
    for i, tok in enumerate(toks[:-1]):
        if tok.kind != "word" or tok.text.upper() != "USE" or toks[i + 1].kind != "word":
            continue
        before = toks[i - 1] if i > 0 else None
        if before is None or before.text in ("{", "}") or before.text.upper() in ("UNION", "ALL"):
            return True
    return False


def _literal_range_size(args: Sequence[Token]) -> int | None:
    """The number of elements of ``range(a, b[, step])`` when its arguments are integer literals."""
    values: list[int] = []
    sign = 1
    for tok in args:
        if tok.text == "-":
            sign = -sign
        elif tok.kind == "number" and tok.text.replace("_", "").isdigit():
            values.append(sign * int(tok.text.replace("_", "")))
            sign = 1
        elif tok.text != ",":
            return None
    if len(values) not in (2, 3) or (len(values) == 3 and values[2] == 0):
        return None
    step = values[2] if len(values) == 3 else 1
    return max(0, (values[1] - values[0]) // step + 1)


def _call_arguments(toks: Sequence[Token], open_index: int) -> list[Token]:
    depth = 0
    for j in range(open_index, len(toks)):
        depth += {"(": 1, ")": -1}.get(toks[j].text, 0) if toks[j].kind == "symbol" else 0
        if depth == 0:
            return list(toks[open_index + 1:j])
    return list(toks[open_index + 1:])


def _opens_loop(toks: Sequence[Token], i: int) -> bool:
    """``[x IN …`` (a list comprehension) or ``any(x IN …`` (a quantifier) starts at token ``i``."""
    tok = toks[i]
    if tok.text == "[":
        head = toks[i + 1:i + 3]
    elif tok.text == "(" and i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text.lower() in QUANTIFIERS:
        head = toks[i + 1:i + 3]
    else:
        return False
    return len(head) == 2 and head[0].kind == "word" and head[1].kind == "word" and head[1].text.upper() == "IN"


def _nested_loop(toks: Sequence[Token]) -> bool:
    """A list comprehension or quantifier inside another one: quadratic work in one expression."""
    stack: list[bool] = []  # per open bracket: does it open a loop?
    for i, tok in enumerate(toks):
        if tok.kind != "symbol":
            continue
        if tok.text in "([{":
            loop = _opens_loop(toks, i)
            if loop and any(stack):
                return True
            stack.append(loop)
        elif tok.text in ")]}" and stack:
            stack.pop()
    return False


def unbounded_expressions(query: str) -> list[str]:
    """The loops inside one expression that Neo4j 5.26 cannot stop once they run.

    Neo4j checks for termination (and counts memory) in its operators, between rows, not while it
    evaluates one expression. Measured: ``reduce`` over ``range(1, 3000000)`` kept a core busy long
    after TERMINATE TRANSACTIONS; ``size([x IN range(1, 200000000) | x])`` took the server down with
    OutOfMemoryError; a comprehension inside another over a 45,000-item parameter ran on for 20 s after
    TERMINATE. So ``reduce`` (its accumulator can double every step), ``range`` outside ``UNWIND`` (a
    literal one of at most :data:`MAX_LITERAL_RANGE` elements is allowed) and nested comprehensions or
    quantifiers are refused; ``UNWIND`` streams rows through operators, which do stop.
    """
    toks = tokens(query)
    found = {"nested list comprehension"} if _nested_loop(toks) else set()
    for i, tok in enumerate(toks[:-1]):
        if tok.kind != "word" or toks[i + 1].text != "(":
            continue
        name = tok.text.lower()
        after_unwind = i > 0 and toks[i - 1].kind == "word" and toks[i - 1].text.upper() == "UNWIND"
        if name == "reduce":
            found.add("reduce")
        elif name == "range" and not after_unwind:
            size = _literal_range_size(_call_arguments(toks, i + 1))
            if size is None or size > MAX_LITERAL_RANGE:
                found.add("range")
    return sorted(found)


def check_text(query: str) -> None:
    """Refuse administration commands and unstoppable expressions before Neo4j sees the query (403)."""
    keyword = administration_keyword(query)
    if keyword is not None:
        raise ForbiddenQueryError(
            f"administration commands ({keyword} …) are refused: the Cypher endpoint only reads the graph",
            reason="administration_command", keyword=keyword)
    unbounded = unbounded_expressions(query)
    if unbounded:
        raise ForbiddenQueryError(
            f"{', '.join(unbounded)} in an expression is refused: Neo4j cannot stop a loop inside one expression at "
            f"the time limit. Loop with UNWIND (UNWIND range(…) AS x, UNWIND list AS x) and aggregate with sum() "
            f"or collect() instead; a range with literal bounds of at most {MAX_LITERAL_RANGE} elements is allowed",
            reason="unbounded_expression", expressions=unbounded)


def operators(plan: Any) -> list[str]:
    """Every operator name in an EXPLAIN plan (the driver's dict or object form), without the ``@db`` suffix."""
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


def _is_admin_operator(op: str) -> bool:
    return op.startswith(("Show", "Terminate", "Create", "Drop", "DoNothingIfExists")) or op == "AdministrationCommand"


def check_plan(query_type: str | None, plan_operators: Sequence[str]) -> None:
    """Refuse unless every operator is a read operator and the query type is ``r`` (403 naming the reason)."""
    ops = sorted(set(plan_operators))
    if "LoadCSV" in ops:
        raise ForbiddenQueryError("LOAD CSV is refused: the Cypher endpoint does not read files or URLs",
                                  reason="load_csv", operators=ops)
    if procedures := [op for op in ops if "Procedure" in op]:
        raise ForbiddenQueryError("procedure calls (CALL ...) are refused: procedures can write or reach the "
                                  "server; query the graph with MATCH", reason="procedure_call", operators=procedures)
    if writes := [op for op in ops if op in WRITE_OPERATORS]:
        raise ForbiddenQueryError(f"only read queries are allowed; this query's plan writes ({', '.join(writes)})",
                                  reason="not_read_only", operators=writes, query_type=query_type)
    if admin := [op for op in ops if _is_admin_operator(op)]:
        raise ForbiddenQueryError(f"administration commands ({', '.join(admin)}) are refused: the Cypher endpoint "
                                  "only reads the graph", reason="administration_command", operators=admin)
    if unknown := [op for op in ops if op not in READ_OPERATORS]:
        raise ForbiddenQueryError(f"the plan uses operators outside the read-only allow-list ({', '.join(unknown)}); "
                                  "rewrite the query with MATCH, WITH and RETURN", reason="operator_not_allowed",
                                  operators=unknown)
    if query_type != "r":
        raise ForbiddenQueryError(f"only read queries are allowed; this query's plan has type {query_type!r} "
                                  "(w = writes, rw = reads and writes, s = schema)", reason="not_read_only",
                                  query_type=query_type)
