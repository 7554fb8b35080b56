"""The VAWG commitments knowledge graph.

The design card's folders are subpackages of this one namespace (mapped in
``pyproject.toml``), and data flows one way through them: ``vawg_kg`` itself
(``core/``: errors, IRIs, paths) ← ``ontology`` (the model, declared once) ←
``stores`` (Oxigraph, Neo4j, the sandboxed query workers) ← ``loaders``
(parse, link, emit RDF, load the stores) ← ``queries`` (named questions) ←
``graph_api`` ← ``visualisations`` ← ``cli``. Nothing lower imports anything
higher (``tests/test_layout.py`` reads the imports).
"""

__version__ = "0.1.0"
