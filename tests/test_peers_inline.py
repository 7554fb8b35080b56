"""The text ``benchmarks.peers`` sends the peers for a named query gives the named query's answer.

The peers take no bindings, so each named query's example parameters are written into its text
(``benchmarks.peers.inline``): as terms where the parameter sits in the top-level group, as one
``VALUES`` row at the head of that group where it also sits in a sub-select. Compared here on the
real graph, row for row (the same rows in the same order where the query orders them), for every
named query: a comparison of speed on a text that answers something else would be worthless.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.peers import inline
from vawg_kg.queries import catalog
from vawg_kg.queries.runner import bind, run_named
from vawg_kg.stores.oxigraph import OxigraphStore


@pytest.fixture(scope="module")
def store(build_dir: Path) -> OxigraphStore:
    return OxigraphStore.ensure(build_dir)


@pytest.mark.parametrize("name", catalog.names())
def test_written_in_parameters_give_the_named_answer(name: str, store: OxigraphStore) -> None:
    query = catalog.get(name)
    params = dict(query.example or {})
    bindings = bind(query, params)
    text = inline(query.sparql, bindings)
    named = run_named(name, params, store)
    written = store.select(text)
    assert written.variables == named.variables
    assert written.rows == named.rows


def test_a_parameter_in_a_sub_select_becomes_a_values_row() -> None:
    query = ("SELECT ?doc ?n WHERE {\n  { SELECT ?doc (COUNT(*) AS ?n) WHERE { ?c <http://example.org/in> ?d . "
             "?d <http://example.org/id> ?doc } GROUP BY ?doc }\n}\nORDER BY ?doc")
    text = inline(query, {"doc": "a \"quoted\" id"})
    assert text.count("VALUES") == 1
    assert 'VALUES (?doc) { ("a \\"quoted\\" id") }' in text
    assert text.index("VALUES") < text.index("{ SELECT")  # in the top-level group, not the sub-select
    assert "GROUP BY ?doc" in text and "ORDER BY ?doc" in text
