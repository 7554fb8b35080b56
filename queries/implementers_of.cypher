// question: Which later commitments explicitly implement this one (e.g. which CPS actions deliver HMG 2016 action 93)?
// parameters: commitment (iri) — e.g. https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A93
// example: commitment=commitment/hmg-vawg-strategy-2016/A93
MATCH (implementer)-[:IMPLEMENTS]->(:Resource {iri: $commitment})
MATCH (implementer)-[:IN_DOCUMENT]->(document)
WHERE document.docId IS NOT NULL AND implementer.ref IS NOT NULL AND implementer.text IS NOT NULL
RETURN $commitment AS commitment, implementer.iri AS implementer, document.docId AS doc_id, implementer.ref AS ref,
       document.issued AS issued, implementer.text AS text
ORDER BY issued, doc_id, ref
