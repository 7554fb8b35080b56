// question: Everything an organisation leads, including what it led under a former name (DFID/FCO for FCDO, DCLG for MHCLG ...); lead and lead_name are the body the source names, via_predecessor is true when that is a former name of org.
// parameters: org (iri) — the organisation, e.g. https://w3id.org/vawg-kg/id/org/fcdo (or org/fcdo)
// example: org=org/fcdo
MATCH (org:Resource {iri: $org})
MATCH (commitment:Commitment)-[:HAS_LEAD]->(lead)-[:SUCCEEDED_BY*0..]->(org)
MATCH (commitment)-[:IN_DOCUMENT]->(document)
WHERE commitment.ref IS NOT NULL AND commitment.text IS NOT NULL AND document.docId IS NOT NULL
RETURN DISTINCT $org AS org, commitment.iri AS commitment, document.docId AS doc_id, commitment.ref AS ref,
       lead.iri AS lead, lead.prefLabel AS lead_name, lead.iri <> $org AS via_predecessor, commitment.text AS text
ORDER BY doc_id, ref, lead
