// question: Per document, how many commitments, and how many of them name a lead, a date, or implement an earlier action?
// parameters: none
MATCH (document:PolicyDocument) WHERE document.docId IS NOT NULL
OPTIONAL MATCH (c:Commitment)-[:IN_DOCUMENT]->(document)
WITH document, c,
     CASE WHEN c IS NOT NULL AND EXISTS { (c)-[:HAS_LEAD]->() } THEN c END AS led,
     CASE WHEN c.deadline IS NOT NULL THEN c END AS dated,
     CASE WHEN c IS NOT NULL AND EXISTS { (c)-[:IMPLEMENTS]->() } THEN c END AS linked
RETURN document.docId AS doc_id, count(DISTINCT c) AS commitments, count(DISTINCT led) AS with_lead,
       count(DISTINCT dated) AS with_deadline, count(DISTINCT linked) AS implementing
ORDER BY doc_id
