// question: Which commitments does no later document in the corpus pick up (NOT_PICKED_UP_IN_CORPUS, was HMG_NOT_IMPLEMENTED and DEADLINE_PASSED_NOT_PICKED_UP): their stored status is not-picked-up (loaders/lineage.py: due by the date judged against, and no commitment of a later document implements, restates or relates to it)? Not a finding that the commitment was not delivered: its lead's own later documents may not be in the corpus.
// parameters: doc_id (string, optional) — restrict to one document
// example: doc_id=hmg-vawg-strategy-2016
MATCH (c:Commitment)-[:LINEAGE_STATUS]->(:LineageStatus {iri: 'https://w3id.org/vawg-kg/id/lineage-status/not-picked-up'}),
      (c)-[:IN_DOCUMENT]->(d:PolicyDocument)
WHERE $doc_id IS NULL OR d.docId = $doc_id
RETURN d.docId AS doc_id, c.iri AS commitment, c.ref AS ref, c.deadline AS deadline, c.deadlineText AS deadline_text,
       c.statusJudgedOn AS judged_on, 'NOT_PICKED_UP_IN_CORPUS' AS reason, c.text AS text
ORDER BY c.lineageOrder
