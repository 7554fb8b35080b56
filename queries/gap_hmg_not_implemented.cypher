// question: Which HM Government 2016 actions does no later document implement or overlap (HMG_NOT_IMPLEMENTED), with the lead named in the source?
// parameters: lead (iri, optional) — only actions led by this organisation (as named in 2016)
// example: lead=org/home-office
MATCH (c:Commitment)-[:IN_DOCUMENT]->(d:PolicyDocument {docId: 'hmg-vawg-strategy-2016'}), (c)-[:HAS_LEAD]->(lead)
WHERE ($lead IS NULL OR lead.iri = $lead)
  AND NOT EXISTS { MATCH (later)-[:IMPLEMENTS|OVERLAPS_WITH]->(c) MATCH (later)-[:IN_DOCUMENT]->(ld) WHERE ld.issued > d.issued }
RETURN c.iri AS commitment, c.ref AS ref, lead.iri AS lead, lead.prefLabel AS lead_name,
       c.deadlineText AS deadline_text, 'HMG_NOT_IMPLEMENTED' AS reason, c.text AS text
ORDER BY ref, lead
