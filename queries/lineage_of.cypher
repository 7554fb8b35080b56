// question: What became of a commitment, and what did it continue: every commitment linked to it by implements or overlapsWith, either way, in date order of their documents.
// parameters: commitment (iri) — e.g. https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A93
// example: commitment=commitment/hmg-vawg-strategy-2016/A93
MATCH (c:Resource {iri: $commitment})-[:IN_DOCUMENT]->(own)
WHERE own.issued IS NOT NULL
CALL (c) {
  MATCH (other)-[:IMPLEMENTS]->(c) RETURN other, 'implemented_by' AS relation
  UNION
  MATCH (c)-[:IMPLEMENTS]->(other) RETURN other, 'implements' AS relation
  UNION
  MATCH (c)-[:OVERLAPS_WITH]-(other) RETURN other, 'overlaps' AS relation
}
MATCH (other)-[:IN_DOCUMENT]->(document)
WHERE other <> c AND document.docId IS NOT NULL AND document.issued IS NOT NULL
  AND other.ref IS NOT NULL AND other.text IS NOT NULL
RETURN DISTINCT $commitment AS commitment, relation,
       CASE WHEN document.issued > own.issued THEN 'later'
            WHEN document.issued < own.issued THEN 'earlier' ELSE 'same_time' END AS direction,
       other.iri AS other, document.docId AS doc_id, other.ref AS ref, document.issued AS issued, other.text AS text
ORDER BY issued, doc_id, ref, relation
