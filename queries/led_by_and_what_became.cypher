// question: Everything an organisation leads — including under a predecessor's name (vawg:succeededBy) — each with the name the source used, and what became of it: the later commitments that implement or overlap it, in date order.
// parameters: org (iri) — the organisation by today's name, e.g. org/fcdo or org/home-office
// example: org=org/fcdo
MATCH (org {iri: $org})
MATCH (c:Commitment)-[:HAS_LEAD]->(lead)-[:SUCCEEDED_BY*0..]->(org)
MATCH (c)-[:IN_DOCUMENT]->(d:PolicyDocument)
OPTIONAL MATCH (c)-[:HAS_EXTRACTION]->(x)-[:EXTRACTED_VALUE]->(lead)
  WHERE x.matchedText IS NOT NULL AND EXISTS { MATCH (x)-[:EXTRACTED_PROPERTY]->({iri: 'https://w3id.org/vawg-kg/ontology#hasLead'}) }
OPTIONAL MATCH (later:Commitment)-[r:IMPLEMENTS|OVERLAPS_WITH]->(c), (later)-[:IN_DOCUMENT]->(ld:PolicyDocument)
  WHERE ld.issued > d.issued
RETURN DISTINCT org.iri AS org, c.iri AS commitment, d.docId AS doc_id, c.ref AS ref, lead.iri AS lead,
       x.matchedText AS lead_as_named, lead <> org AS via_predecessor,
       CASE type(r) WHEN 'IMPLEMENTS' THEN 'implemented_by' WHEN 'OVERLAPS_WITH' THEN 'overlaps' END AS relation,
       later.iri AS later, ld.docId AS later_doc_id, later.ref AS later_ref, ld.issued AS later_issued, c.text AS text
ORDER BY doc_id, ref, later_issued, later_doc_id, later_ref
