// question: Which commitments cite an Act, directly or through one of its sections?
// parameters: legislation (iri) — the legislation.gov.uk id, e.g. http://www.legislation.gov.uk/id/ukpga/2015/9
// example: legislation=http://www.legislation.gov.uk/id/ukpga/2015/9
MATCH (commitment:Commitment)-[:CITES_LEGISLATION]->(cited)-[:SECTION_OF*0..1]->(:Resource {iri: $legislation})
MATCH (commitment)-[:IN_DOCUMENT]->(document)
WHERE document.docId IS NOT NULL AND commitment.ref IS NOT NULL AND commitment.text IS NOT NULL
RETURN DISTINCT $legislation AS legislation, commitment.iri AS commitment, document.docId AS doc_id,
       commitment.ref AS ref, cited.iri AS cited, commitment.text AS text
ORDER BY doc_id, ref, cited
