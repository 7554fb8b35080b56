// question: How many commitments does each document make under each VAWG theme (a document × theme matrix; a missing pair is zero)?
// parameters: none
MATCH (commitment:Commitment)-[:HAS_THEME]->(theme), (commitment)-[:IN_DOCUMENT]->(document)
WHERE document.docId IS NOT NULL
RETURN document.docId AS doc_id, theme.iri AS theme, theme.prefLabel AS theme_label,
       count(DISTINCT commitment) AS commitments
ORDER BY doc_id, theme
