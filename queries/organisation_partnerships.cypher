// question: Who works with whom: for each lead organisation and partner organisation, on how many commitments?
// parameters: none
MATCH (commitment:Commitment)-[:HAS_LEAD]->(lead), (commitment)-[:HAS_PARTNER]->(partner)
WHERE lead <> partner
RETURN lead.iri AS lead, lead.prefLabel AS lead_name, partner.iri AS partner, partner.prefLabel AS partner_name,
       count(DISTINCT commitment) AS commitments
ORDER BY commitments DESC, lead, partner
