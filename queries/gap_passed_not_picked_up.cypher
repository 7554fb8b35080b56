// question: Which commitments had a deadline that had passed by the publication of a later document that does not pick them up (no commitment in it implements or overlaps them)? One row per commitment and later document.
// parameters: later_doc_id (string, optional) — only this later document
// example: later_doc_id=cps-vawg-strategy-2025
MATCH (c:Commitment)-[:IN_DOCUMENT]->(d:PolicyDocument), (later:PolicyDocument)
WHERE c.deadline IS NOT NULL AND later.issued > d.issued AND c.deadline < later.issued
  AND ($later_doc_id IS NULL OR later.docId = $later_doc_id)
  AND NOT EXISTS { MATCH (picked)-[:IN_DOCUMENT]->(later) MATCH (picked)-[:IMPLEMENTS|OVERLAPS_WITH]->(c) }
RETURN d.docId AS doc_id, c.iri AS commitment, c.ref AS ref, c.deadline AS deadline,
       later.docId AS later_doc_id, later.issued AS later_issued, 'DEADLINE_PASSED_NOT_PICKED_UP' AS reason, c.text AS text
ORDER BY doc_id, ref, later_issued
