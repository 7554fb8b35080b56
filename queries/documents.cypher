// question: Which documents are in the graph, who published them, when, and how many commitments each holds?
// parameters: none
MATCH (document:PolicyDocument) WHERE document.docId IS NOT NULL
OPTIONAL MATCH (document)-[:PUBLISHED_BY]->(publisher)
OPTIONAL MATCH (c:Commitment)-[:IN_DOCUMENT]->(document)
RETURN document.iri AS document, document.docId AS doc_id, document.title AS title, document.issued AS issued,
       publisher.iri AS publisher, count(DISTINCT c) AS commitments
ORDER BY issued, doc_id
