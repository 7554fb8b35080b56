"""The VAWG commitments knowledge graph.

The design card's folders are subpackages of this namespace:
``vawg_kg.ontology`` (the model, declared once) → ``vawg_kg.loaders``
(parse, link, emit RDF, load stores) → ``vawg_kg.queries`` (named questions
over the stores) → ``vawg_kg.graph_api`` and ``vawg_kg.visualisations``.
Nothing lower imports anything higher.
"""

__version__ = "0.1.0"
