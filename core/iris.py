"""The graph's IRI bases and prefixes, declared once (the brief's public contract).

Instance data lives under :data:`ID_BASE`, the ontology under :data:`ONTOLOGY_NS`;
legislation is named by legislation.gov.uk's identifier IRIs.
"""

from __future__ import annotations

ONTOLOGY_IRI = "https://w3id.org/vawg-kg/ontology"
ONTOLOGY_NS = ONTOLOGY_IRI + "#"
ID_BASE = "https://w3id.org/vawg-kg/id/"
LEGISLATION_BASE = "http://www.legislation.gov.uk/id/"

#: the prefixes every serialisation binds
PREFIXES = {"vawg": ONTOLOGY_NS, "id": ID_BASE}
