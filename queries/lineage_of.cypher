// question: What became of a commitment, and what did it continue: the commitments linked to it by implements (either way) or by an overlap (restates, related), earlier, at the same time or later by their documents' dates, in the corpus's one order (vawg:lineageOrder: date, document, ref), with the commitment's stored status (loaders/lineage.py); a commitment with nothing linked gives one row with its status only.
// parameters: commitment (iri) — e.g. https://w3id.org/vawg-kg/id/commitment/hmg-vawg-strategy-2016/A93
// example: commitment=commitment/hmg-vawg-strategy-2016/A93
MATCH (c:Resource {iri: $commitment})-[:IN_DOCUMENT]->(own)
WHERE own.issued IS NOT NULL
OPTIONAL MATCH (c)-[:LINEAGE_STATUS]->(status)
// A commitment with nothing linked still gives one row: its status, with no other commitment.
OPTIONAL CALL (c) {
  MATCH (c)-[:IMPLEMENTS]->(other) RETURN other, 'implements' AS relation, 0 AS rank, null AS score
  UNION
  MATCH (other)-[:IMPLEMENTS]->(c) RETURN other, 'implemented_by' AS relation, 1 AS rank, null AS score
  UNION
  MATCH (o:Overlap)-[:OVERLAP_OF]->(c) MATCH (o)-[:OVERLAP_OF]->(other) WHERE other <> c
  RETURN other, o.overlapKind AS relation, CASE o.overlapKind WHEN 'restates' THEN 2 ELSE 3 END AS rank,
         o.score AS score
}
OPTIONAL MATCH (other)-[:IN_DOCUMENT]->(document)
WHERE other <> c AND document.docId IS NOT NULL AND document.issued IS NOT NULL
  AND other.ref IS NOT NULL AND other.text IS NOT NULL
WITH c, own, status, other, relation, rank, score, document, other.lineageOrder AS position
RETURN $commitment AS commitment, status.iri AS status,
       CASE WHEN document IS NULL THEN null WHEN document.issued > own.issued THEN 'later'
            WHEN document.issued < own.issued THEN 'earlier' ELSE 'same_time' END AS direction,
       CASE WHEN document IS NULL THEN null ELSE other.iri END AS other,
       CASE WHEN document IS NULL THEN null ELSE relation END AS relation,
       document.docId AS doc_id, other.ref AS ref, document.issued AS issued,
       score, other.text AS text
ORDER BY position, rank
