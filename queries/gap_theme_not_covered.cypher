// question: Which VAWG themes does one document cover (with how many commitments) that another document does not cover at all (THEME_NOT_COVERED)? The catch-all theme vawg-general is left out.
// parameters: doc_a (string, optional) — the document that covers the theme
//             doc_b (string, optional) — the document that does not
// example: doc_a=hmg-vawg-strategy-2016; doc_b=npcc-vawg-framework-2021
MATCH (c:Commitment)-[:HAS_THEME]->(t), (c)-[:IN_DOCUMENT]->(a:PolicyDocument), (b:PolicyDocument)
WHERE a <> b AND t.iri <> 'https://w3id.org/vawg-kg/id/theme/vawg-general'
  AND ($doc_a IS NULL OR a.docId = $doc_a) AND ($doc_b IS NULL OR b.docId = $doc_b)
  AND NOT EXISTS { MATCH (o:Commitment)-[:HAS_THEME]->(t) MATCH (o)-[:IN_DOCUMENT]->(b) }
RETURN a.docId AS doc_a, b.docId AS doc_b, t.iri AS theme, t.prefLabel AS theme_label,
       'THEME_NOT_COVERED' AS reason, count(DISTINCT c) AS commitments_in_a
ORDER BY doc_a, doc_b, theme
