"""The stores: where the graph lives and how a query reaches it.

``results`` (the answer shape and its formats), ``base`` (the interface),
``oxigraph`` (the embedded SPARQL store), ``rdflib_store`` (a reference
engine for parity tests), ``sparql`` (untrusted SPARQL: the guard, the
sandboxed worker processes and their lanes), ``neo4j`` (the server manager,
the loader, the Cypher guard and executor), ``swap`` (atomic folder swaps)
and ``graph_store_client`` (publishing to a remote Graph Store). Below the
loaders, above the ontology.
"""
