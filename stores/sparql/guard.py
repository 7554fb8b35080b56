"""Read-only SPARQL for untrusted text: one canonical text, checked before it runs.

Every query is first made canonical (:func:`normalise`): codepoint escapes
decoded once, as SPARQL 1.1 (section 19.2) says they are decoded before
parsing, line ends made LF, and characters that any parser might read as a
line end or space refused. The guard and the store then read the very same
text, so they cannot disagree on where a comment, string or IRI ends (a bare
carriage return once ended a comment for Oxigraph but not for rdflib, which
let ``SERVICE`` through). The executing worker is also cut off from the
network by the kernel (``stores.sparql.sandbox``), so a disagreement left in the
grammars themselves fails closed.

Why rdflib's parser: pyoxigraph 0.5 exposes no parser or algebra to Python
(``Store.query`` parses and runs in one call, and would make the outbound
request of a ``SERVICE`` clause), while rdflib's gives a parse tree, the
SPARQL algebra and pyparsing's line/column for errors. The cost: a query
that Oxigraph would accept but rdflib's grammar rejects is refused with 400.

Refusals (statuses as Oxigraph's server uses them):

* malformed text → :class:`QueryParseError` (400) with line and column;
* an update (INSERT/DELETE/LOAD/CLEAR/CREATE/DROP/COPY/MOVE/ADD) →
  :class:`ForbiddenQueryError` (403);
* ``SERVICE`` anywhere (subqueries, EXISTS, OPTIONAL …) → 403;
* ``FROM``/``FROM NAMED`` naming a graph the store does not hold → 403
  (rdflib would fetch it over HTTP; Oxigraph would not, but the query would
  silently mean something else).

Running (deadline, row and byte caps, the sandboxed worker processes) is
``stores.sparql.pool``; this module only decides.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from vawg_kg.errors import ForbiddenQueryError, QueryParseError, VawgError

# SPARQL 1.1 section 19.2: \uXXXX and \UXXXXXXXX are replaced before the grammar sees the text.
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# After that one pass nothing may still look like an escape, or a parser that decodes again would
# read another text than the one that was checked.
_LEFTOVER_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")
# SPARQL's white space is space, tab, CR and LF. Everything else that some parser might take for a
# line end or a space (VT, FF, NEL, LS, PS, NUL and the other controls, a BOM inside the text,
# unpaired surrogates) is refused wherever it stands.
_AMBIGUOUS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029\ufeff\ud800-\udfff]")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    algebra: Any = field(repr=False)
    from_graphs: tuple[str, ...] = ()
    from_named_graphs: tuple[str, ...] = ()
    #: True when rdflib parsed the text (a screened query was not parsed)
    parsed: bool = False


def _where(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _decode(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise QueryParseError(f"malformed SPARQL query: {match.group()} is not a Unicode character",
                              escape=match.group())
    return chr(code)


def normalise(query: str) -> str:
    """The canonical text both the guard and the store read (see the module docstring).

    Raises :class:`QueryParseError` naming the line and column of a character that is refused.
    """
    text = query[1:] if query.startswith("\ufeff") else query
    text = _CODEPOINT_ESCAPE.sub(_decode, text)
    leftover = _LEFTOVER_ESCAPE.search(text)
    if leftover:
        line, column = _where(text, leftover.start())
        raise QueryParseError(
            f"malformed SPARQL query at line {line}, column {column}: an escape spells another escape "
            f"({leftover.group()}); write the character itself", line=line, column=column)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _AMBIGUOUS.search(text)
    if bad:
        line, column = _where(text, bad.start())
        raise QueryParseError(
            f"the query holds the character U+{ord(bad.group()):04X} at line {line}, column {column}; only space, "
            "tab and line ends may separate SPARQL tokens, and this endpoint refuses other control and "
            "separator characters anywhere (inside strings too)", line=line, column=column,
            character=f"U+{ord(bad.group()):04X}")
    return text


def _walk(node: Any) -> Iterable[Any]:
    """Every CompValue, list and dict inside a parse tree or algebra, depth-first."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or type(current).__name__ == "ParseResults":
            stack.extend(list(current))


# rdflib's SPARQL grammar (pyparsing) keeps parse state on shared module-level
# objects and is not thread-safe: concurrent requests in the API's thread pool
# got spurious "malformed query" errors under load. Parsing is a few ms; it is
# serialised with this lock, while the queries themselves still run in parallel.
_PARSER_LOCK = threading.Lock()


def _parse_error(exc: Exception) -> QueryParseError:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    where = f" at line {line}, column {column}" if line is not None else ""
    return QueryParseError(f"malformed SPARQL query{where}: {msg}", line=line, column=column)


def _is_update(query: str) -> bool:
    try:
        with _PARSER_LOCK:
            parseUpdate(query)
    except Exception:
        return False
    return True


# Words that can start an update or reach out of the store. A query whose text
# holds none of them anywhere (not even inside a string, IRI or comment) and no
# \u or \U escape (SPARQL decodes those before parsing, so they could spell a
# keyword) cannot be an update, use SERVICE or name a FROM graph, whatever its
# grammar. Letters only on either side: ``?service`` or ``ex:load`` still match
# (and so take the full parse), which errs on the safe side.
_RISKY_WORDS = re.compile(
    r"(?<![A-Za-z])(?:service|from|insert|delete|load|clear|create|drop|copy|move|add|with|using)(?![A-Za-z])",
    re.IGNORECASE)
# Where a form keyword does not count: comments, strings (long ones first) and IRIs.
_NOT_CODE = re.compile(
    r"#[^\n\r]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r'|<[^<>"{}|^`\\\x00-\x20]*>')
_FORM_WORD = re.compile(r"(?<![\w:?$])(select|ask|construct|describe)(?![\w:])", re.IGNORECASE)


def screen(query: str) -> ParsedQuery | None:
    """A query that is a read by its words alone, without parsing it; None when unsure.

    Parsing with rdflib costs ~15 ms per new query text against ~2 ms for a typical
    query on Oxigraph. Most queries mention no update, SERVICE or FROM keyword at
    all, so only those that do (or hold an escape) pay for the full parse. A
    screened query that is malformed fails in the store, and
    :func:`explain_syntax_error` then gives rdflib's line and column.
    """
    if "\\u" in query or "\\U" in query or _AMBIGUOUS.search(query) or "\r" in query or \
            _RISKY_WORDS.search(query):
        return None
    match = _FORM_WORD.search(_NOT_CODE.sub(" ", query))
    if match is None:
        return None
    return ParsedQuery(query, match.group(1).upper(), None)


def check_read_only(query: str, allowed_graphs: Iterable[str] = (), *, full: bool = False) -> ParsedQuery:
    """Refuse anything that is not a self-contained read; ``full`` always parses.

    A query that :func:`screen` clears is accepted without a parse (its ``algebra``
    is None). Otherwise the verdict for an accepted query is cached by its text:
    rdflib's parser takes ~15-30 ms and dashboards repeat the same queries.
    Refusals are not cached (they raise), so they cost a parse each time. ``query``
    must be the canonical text of :func:`normalise`.
    """
    if not full and (screened := screen(query)) is not None:
        return screened
    return _check_read_only_cached(query, tuple(sorted(set(allowed_graphs))))


def explain_syntax_error(query: str, store_error: VawgError) -> VawgError:
    """The error to report for a screened query that the store refused.

    rdflib's message has the line and column; when rdflib accepts the query but
    the store did not, the store's own message stands.
    """
    try:
        check_read_only(query, full=True)
    except (QueryParseError, ForbiddenQueryError) as exc:
        return exc
    return store_error


def _check_read_only_cached(query: str, allowed_graphs: tuple[str, ...]) -> ParsedQuery:
    """The verdict for ``query``, remembered as a few bytes (form and FROM graphs) per text digest."""
    key = (hashlib.sha256(query.encode("utf-8", "surrogatepass")).digest(), allowed_graphs)
    with _VERDICTS_LOCK:
        known = _VERDICTS.get(key)
        if known is not None:
            _VERDICTS.move_to_end(key)
            return ParsedQuery(query, known[0], None, known[1], known[2], parsed=True)
    parsed = _check_read_only_uncached(query, allowed_graphs)
    with _VERDICTS_LOCK:
        _VERDICTS[key] = (parsed.form, parsed.from_graphs, parsed.from_named_graphs)
        while len(_VERDICTS) > _VERDICT_CACHE_SIZE:
            _VERDICTS.popitem(last=False)
    return parsed


# Accepted verdicts by SHA-256 of the text: bounded in count, and each entry holds no query text or
# parse tree (an lru_cache of parse results kept ~21 MiB per distinct large query).
_VERDICT_CACHE_SIZE = 4096
_VERDICTS: OrderedDict[tuple[bytes, tuple[str, ...]], tuple[str, tuple[str, ...], tuple[str, ...]]] = OrderedDict()
_VERDICTS_LOCK = threading.Lock()


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*/|urn:", re.ASCII)


def _graph_name(term: Any) -> str:
    """A FROM clause's graph as the user wrote it: an IRI, or ``prefix:local`` (not the parse node)."""
    if isinstance(term, CompValue) and term.name == "pname":
        prefix = term["prefix"] if "prefix" in term else ""
        local = term["localname"] if "localname" in term else ""
        return f"{prefix or ''}:{local or ''}"
    return str(term)


def _check_read_only_uncached(query: str, allowed_graphs: tuple[str, ...]) -> ParsedQuery:
    try:
        with _PARSER_LOCK:
            tree = parseQuery(query)
    except ParseException as exc:
        if _is_update(query):
            raise ForbiddenQueryError(
                "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, "
                "COPY, MOVE, ADD) are refused") from exc
        raise _parse_error(exc) from exc
    except Exception as exc:  # rdflib raises a few non-pyparsing errors (bad IRIs, prefixes)
        raise QueryParseError(f"malformed SPARQL query: {str(exc)[:300]}") from exc

    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            raise ForbiddenQueryError(
                "SERVICE is refused: this endpoint does not query other endpoints; "
                "fetch the remote data yourself and query it separately")

    body = tree[1]
    allowed = set(allowed_graphs)
    defaults: list[str] = []
    named: list[str] = []
    # CompValue.get() has its own signature (returns the key when absent): use `in`.
    for clause in (body["datasetClause"] if "datasetClause" in body else None) or []:
        if "default" in clause:
            defaults.append(_graph_name(clause["default"]))
        if "named" in clause:
            named.append(_graph_name(clause["named"]))
    pnames = {c for c in defaults + named if not _ABSOLUTE_IRI.match(c)}
    for iri in defaults + named:
        if iri not in allowed:
            raise ForbiddenQueryError(
                f"FROM / FROM NAMED {iri if iri in pnames else f'<{iri}>'} is refused: remote graphs are not fetched and this store holds "
                "only its own default graph; remove the FROM clause", graph=iri)

    try:
        with _PARSER_LOCK:
            algebra = translateQuery(tree)
    except Exception as exc:
        raise QueryParseError(f"invalid SPARQL query: {exc}") from exc
    form = body.name.replace("Query", "").upper()
    return ParsedQuery(query, form, algebra, tuple(defaults), tuple(named), parsed=True)
