// question: Which commitments refer to a Home Office crime outcome code (e.g. 14, 15, 16)?
// parameters: code (string) — the outcome code's notation, e.g. 16
// example: code=16
MATCH (commitment:Commitment)-[:HAS_OUTCOME_CODE]->(outcome_code)
WHERE outcome_code.notation = $code
MATCH (commitment)-[:IN_DOCUMENT]->(document)
WHERE document.docId IS NOT NULL AND commitment.ref IS NOT NULL AND commitment.text IS NOT NULL
RETURN $code AS code, commitment.iri AS commitment, document.docId AS doc_id, commitment.ref AS ref,
       outcome_code.iri AS outcome_code, commitment.text AS text
ORDER BY doc_id, ref
