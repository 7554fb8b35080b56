// question: Every commitment that names an organisation as a partner, including under a former name; partner and partner_name are the body the source names, via_predecessor is true when that is a former name of org.
// parameters: org (iri) — the organisation, e.g. https://w3id.org/vawg-kg/id/org/fcdo (or org/fcdo)
// example: org=org/npcc
MATCH (org:Resource {iri: $org})
MATCH (commitment:Commitment)-[:HAS_PARTNER]->(partner)-[:SUCCEEDED_BY*0..]->(org)
MATCH (commitment)-[:IN_DOCUMENT]->(document)
WHERE commitment.ref IS NOT NULL AND commitment.text IS NOT NULL AND document.docId IS NOT NULL
RETURN DISTINCT $org AS org, commitment.iri AS commitment, document.docId AS doc_id, commitment.ref AS ref,
       partner.iri AS partner, partner.prefLabel AS partner_name, partner.iri <> $org AS via_predecessor, commitment.text AS text
ORDER BY doc_id, ref, partner
