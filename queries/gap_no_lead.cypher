// question: Which commitments have no owner: no lead at all (NO_LEAD), or a lead only implied by "we" in a document written for several bodies (LEAD_ONLY_IMPLIED: no department or body is named)?
// parameters: doc_id (string, optional) — restrict to one document
// example: doc_id=hmg-vawg-strategy-2016
MATCH (c:Commitment)-[:IN_DOCUMENT]->(d:PolicyDocument)
WHERE $doc_id IS NULL OR d.docId = $doc_id
OPTIONAL MATCH (c)-[:HAS_LEAD]->(lead)
WITH c, d, collect(lead) AS leads
OPTIONAL MATCH (c)-[:HAS_EXTRACTION]->(x)-[:EXTRACTED_PROPERTY]->(p {iri: 'https://w3id.org/vawg-kg/ontology#hasLead'})
WITH c, d, leads, collect(x.extractionRule) AS rules,
     [l IN leads WHERE l.iri IN ['https://w3id.org/vawg-kg/id/org/hm-government',
                                 'https://w3id.org/vawg-kg/id/org/police-forces']] AS collective
WITH c, d, leads, rules, collective,
     CASE WHEN size(leads) = 0 THEN 'NO_LEAD'
          WHEN size(collective) > 0 AND size(rules) > 0 AND all(r IN rules WHERE r = 'document-owner-we')
          THEN 'LEAD_ONLY_IMPLIED' END AS reason
WHERE reason IS NOT NULL
UNWIND CASE WHEN size(collective) = 0 THEN [null] ELSE collective END AS implied
RETURN d.docId AS doc_id, c.iri AS commitment, c.ref AS ref, reason, implied.iri AS implied_lead, c.text AS text
ORDER BY doc_id, ref
