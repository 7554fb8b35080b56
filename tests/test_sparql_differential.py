"""The guard and the executor read the same text: a differential test over generated variants.

Each variant hides ``SERVICE`` or ``FROM`` behind line ends, separators,
comments, strings, IRIs and codepoint escapes. The text the worker would run
is :func:`normalise`'s canonical text; Oxigraph (in memory, in this process)
runs it and shows whether it evaluated the ``SERVICE`` (Oxigraph refuses port
1 by itself, so nothing is contacted) or honoured the ``FROM``. Whenever the
executor would reach out, the guard must have refused: no disagreement
between the two parsers can let a query out.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vawg_kg.errors import VawgError
from vawg_kg.stores.sparql.guard import check_read_only, normalise

# Pieces that parsers may read differently: line ends, comments, quotes, IRIs, codepoint escapes.
COMMON = ["#", "# ", " ", "\t", "\n", "\r", "\r\n", "\\u000a", "\\u000d", "\\u0023", "\\u0022", "\\u0027",
          "\\u003c", "\\u003e", "\\U0000000A", "'", '"', '"""', "'''", "<", ">", "<http://a/", "{", "}", "ex:",
          "?v", "x", "."]
# Characters the canonical form refuses outright: rarer, so that most variants reach both parsers.
RARE = ["\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\\u005Cu000a"]
PIECES = COMMON + RARE
SERVICE_WORDS = ["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERV\\u0049CE", "\\U00000053ERVICE"]
FROM_WORDS = ["FROM", "from", "\\u0046ROM"]
TARGET = "<http://127.0.0.1:1/x>"

STORE = ox.Store()
STORE.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o")))


def guard_refuses(query: str) -> bool:
    try:
        check_read_only(normalise(query), full=True)
    except VawgError:
        return True
    return False


def executor_reaches_out(canonical: str) -> bool:
    """True when Oxigraph, running this text, evaluates a SERVICE (or honours a FROM)."""
    try:
        result = STORE.query(canonical)
        rows = list(result) if isinstance(result, (ox.QuerySolutions, ox.QueryTriples)) else [bool(result)]
    except SyntaxError:
        return False
    except OSError as exc:  # evaluating SERVICE <...:1/>: Oxigraph refuses the port before any connection
        return "port 1" in str(exc) or "HTTP" in str(exc) or "service" in str(exc).lower()
    except Exception:  # noqa: BLE001 - evaluation errors of a query that did not reach out
        return False
    # FROM <x> swaps the default graph for an empty one: the one triple disappears
    return "FROM" in canonical.upper() and rows == []


def _check(query: str) -> tuple[bool, bool]:
    try:
        canonical = normalise(query)
    except VawgError:
        return True, False  # refused before any parser: never runs
    reaches = executor_reaches_out(canonical)
    refused = guard_refuses(query)
    assert refused or not reaches, repr(query)
    return refused, reaches


filler = st.lists(st.sampled_from(COMMON * 6 + RARE), min_size=0, max_size=6).map("".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=filler, word=st.sampled_from(SERVICE_WORDS), after=filler, closer=filler)
def test_service_the_guard_accepts_is_never_evaluated(before: str, word: str, after: str, closer: str) -> None:
    _check(f"SELECT ?x WHERE {{ {before} {word} {TARGET} {{ ?x ?y ?z }} {after} }}{closer}")


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=filler, word=st.sampled_from(FROM_WORDS), after=filler)
def test_from_the_guard_accepts_is_never_honoured(before: str, word: str, after: str) -> None:
    _check(f"SELECT ?s {before} {word} <http://127.0.0.1:1/g> {after}\nWHERE {{ ?s ?p ?o }}")


@pytest.mark.parametrize("sep", [p for p in PIECES if p.strip("#") == "" or p.startswith("\\")] + ["\r"])
def test_each_separator_after_a_comment(sep: str) -> None:
    """The historic bypass and its family, one by one, with both verdicts shown."""
    _check(f"SELECT ?x WHERE {{ #{sep} SERVICE {TARGET} {{ ?x ?y ?z }} \n}}")


def test_the_generator_exercises_both_sides() -> None:
    """Not vacuous: some variants are run by Oxigraph with SERVICE (and refused), some are accepted."""
    seen = [_check(q) for q in (
        f"SELECT ?x WHERE {{ SERVICE {TARGET} {{ ?x ?y ?z }} }}",
        f"SELECT ?x WHERE {{ #\r SERVICE {TARGET} {{ ?x ?y ?z }} \n}}",
        "SELECT ?x WHERE { ?x ?y ?z }",
        f"SELECT ?x WHERE {{ # SERVICE {TARGET} {{ ?x ?y ?z }}\n ?x ?y ?z }}",
    )]
    assert seen[0] == (True, True) and seen[1][0] is True
    assert seen[2] == (False, False) and seen[3] == (False, False)
