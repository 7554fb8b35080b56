// question: Which commitments have no date: no vawg:deadline (NO_DEADLINE); deadline_kind and deadline_text show what the source says instead ("ongoing", "annual"...), if anything?
// parameters: doc_id (string, optional) — restrict to one document
// example: doc_id=npcc-vawg-framework-2021
MATCH (c:Commitment)-[:IN_DOCUMENT]->(d:PolicyDocument)
WHERE ($doc_id IS NULL OR d.docId = $doc_id) AND c.deadline IS NULL
RETURN d.docId AS doc_id, c.iri AS commitment, c.ref AS ref, 'NO_DEADLINE' AS reason,
       c.deadlineKind AS deadline_kind, c.deadlineText AS deadline_text, c.text AS text
ORDER BY doc_id, ref
