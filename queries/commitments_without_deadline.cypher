// question: Which commitments have no date (no vawg:deadline; deadline_text shows what the source says instead, if anything)?
// parameters: doc_id (string, optional) — restrict to one document
MATCH (commitment:Commitment)-[:IN_DOCUMENT]->(document)
WHERE ($doc_id IS NULL OR document.docId = $doc_id) AND document.docId IS NOT NULL
  AND commitment.ref IS NOT NULL AND commitment.text IS NOT NULL
  AND commitment.deadline IS NULL
RETURN document.docId AS doc_id, commitment.iri AS commitment, commitment.ref AS ref,
       commitment.deadlineText AS deadline_text, commitment.text AS text
ORDER BY doc_id, ref
