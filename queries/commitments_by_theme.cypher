// question: Which commitments fall under a VAWG strand or theme (optionally in one document)?
// parameters: theme (iri) — the theme, e.g. https://w3id.org/vawg-kg/id/theme/fgm (or theme/fgm)
//             doc_id (string, optional) — restrict to one document, e.g. hmg-vawg-strategy-2016
// example: theme=theme/fgm
MATCH (commitment:Commitment)-[:HAS_THEME]->(:Resource {iri: $theme})
MATCH (commitment)-[:IN_DOCUMENT]->(document)
WHERE ($doc_id IS NULL OR document.docId = $doc_id) AND document.docId IS NOT NULL
  AND commitment.ref IS NOT NULL AND commitment.text IS NOT NULL
RETURN $theme AS theme, document.docId AS doc_id, commitment.iri AS commitment, commitment.ref AS ref,
       commitment.text AS text
ORDER BY doc_id, ref
