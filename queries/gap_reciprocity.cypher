// question: Which commitments name a partner body whose own document says nothing back (NO_RECIPROCAL): no commitment in it overlaps or implements this one, and none names the first document's publisher as lead or partner on a shared theme? A body's own documents are those it publishes or in which it is the "we".
// parameters: partner (iri, optional) — only this partner body, e.g. org/police-forces
// example: partner=org/police-forces
MATCH (c:Commitment)-[:IN_DOCUMENT]->(d:PolicyDocument)-[:PUBLISHED_BY]->(publisher),
      (c)-[:HAS_PARTNER]->(partner), (pd:PolicyDocument)
WHERE pd <> d AND partner <> publisher AND ($partner IS NULL OR partner.iri = $partner)
  AND (EXISTS { MATCH (pd)-[:PUBLISHED_BY]->(partner) }
       OR EXISTS { MATCH (own)-[:IN_DOCUMENT]->(pd) MATCH (own)-[:HAS_EXTRACTION]->(x)-[:EXTRACTED_VALUE]->(partner)
                   WHERE x.extractionRule = 'document-owner-we' })
  AND NOT EXISTS { MATCH (back)-[:IN_DOCUMENT]->(pd) MATCH (back)-[:OVERLAPS_WITH|IMPLEMENTS]-(c) }
  AND NOT EXISTS { MATCH (back)-[:IN_DOCUMENT]->(pd) MATCH (back)-[:HAS_PARTNER|HAS_LEAD]->(publisher)
                   MATCH (back)-[:HAS_THEME]->(t)<-[:HAS_THEME]-(c)
                   WHERE t.iri <> 'https://w3id.org/vawg-kg/id/theme/vawg-general' }
RETURN d.docId AS doc_id, c.iri AS commitment, c.ref AS ref, publisher.iri AS publisher, partner.iri AS partner,
       pd.docId AS partner_doc_id, 'NO_RECIPROCAL' AS reason, c.text AS text
ORDER BY doc_id, ref, partner, partner_doc_id
