// question: What do the CPS and the police each commit on evidence-led prosecutions? Commitments whose text, or the heading they sit under, matches the pattern; matched_in says which, publisher says whose.
// parameters: pattern (string, default=evidence[ -]led) — a case-insensitive regular expression
// example: pattern=evidence[ -]led
MATCH (c:Commitment)-[:IN_DOCUMENT]->(d:PolicyDocument)-[:PUBLISHED_BY]->(publisher)
WITH c, d, publisher, '(?is).*(' + coalesce($pattern, 'evidence[ -]led') + ').*' AS re
WITH c, d, publisher, re,
     CASE WHEN c.text =~ re THEN 'text' WHEN c.sectionPath IS NOT NULL AND c.sectionPath =~ re THEN 'section' END AS matched_in
WHERE matched_in IS NOT NULL
RETURN coalesce($pattern, 'evidence[ -]led') AS pattern, d.docId AS doc_id, publisher.iri AS publisher,
       publisher.prefLabel AS publisher_name, c.iri AS commitment, c.ref AS ref, matched_in,
       c.sectionPath AS section, c.text AS text
ORDER BY publisher, doc_id, ref
