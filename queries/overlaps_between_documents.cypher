// question: Which commitments in one document overlap commitments in another, how strongly, and of what kind ("restates" or "related")?
// parameters: doc_a (string) — first document id, e.g. cps-vawg-action-plan-2017
//             doc_b (string) — second document id, e.g. npcc-vawg-framework-2021
//             min_score (decimal, default=0) — lowest overlap score to return
// example: doc_a=cps-vawg-action-plan-2017; doc_b=npcc-vawg-framework-2021; min_score=0
MATCH (overlap:Overlap)-[:OVERLAP_OF]->(a), (overlap)-[:OVERLAP_OF]->(b)
WHERE a <> b AND overlap.score >= $min_score
MATCH (a)-[:IN_DOCUMENT]->(:Resource {docId: $doc_a}), (b)-[:IN_DOCUMENT]->(:Resource {docId: $doc_b})
WHERE a.ref IS NOT NULL AND b.ref IS NOT NULL AND a.text IS NOT NULL AND b.text IS NOT NULL
RETURN $doc_a AS doc_a, $doc_b AS doc_b, $min_score AS min_score, overlap.iri AS overlap, overlap.score AS score,
       overlap.overlapKind AS kind, a.iri AS a, a.ref AS a_ref, b.iri AS b, b.ref AS b_ref, a.text AS a_text, b.text AS b_text
ORDER BY score DESC, a_ref, b_ref
