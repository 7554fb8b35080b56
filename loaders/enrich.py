"""Parsed statements → enriched statements: leads, partners, deadline, themes,
legislation, outcome codes, programmes and explicit implements links, each
link carrying the rule that produced it and the words it matched.

One place for every document shape: parsers only say what the layout says
(``hints``); the text is read here, against the vocabularies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from vawg_kg.loaders import resolve
from vawg_kg.loaders.deadlines import Deadline, deadline_in_text, parse_deadline
from vawg_kg.loaders.documents import DocumentInfo
from vawg_kg.loaders.records import ParsedStatement
from vawg_kg.ontology.vocabulary import Vocabulary, load_vocabulary
from vawg_kg.iris import ID_BASE

HMG_DOC_ID = "hmg-vawg-strategy-2016"


@dataclass(frozen=True)
class Link:
    """A resolved reference from a statement to a vocabulary entry (or another statement)."""

    iri: str
    name: str
    rule: str
    matched: str | None = None
    reference: str | None = None  # legislation: how it was found (resolve.REFERENCE_KINDS); themes: text or section


@dataclass
class EnrichedStatement:
    statement: ParsedStatement
    document: DocumentInfo
    iri: str
    leads: list[Link] = field(default_factory=list)
    partners: list[Link] = field(default_factory=list)
    themes: list[Link] = field(default_factory=list)
    legislation: list[Link] = field(default_factory=list)
    outcome_codes: list[Link] = field(default_factory=list)
    programmes: list[Link] = field(default_factory=list)
    implements: list[Link] = field(default_factory=list)
    deadline: Deadline | None = None
    contributes_to: str | None = None

    @property
    def doc_id(self) -> str:
        return self.statement.doc_id

    @property
    def ref(self) -> str:
        return self.statement.ref

    @property
    def is_commitment(self) -> bool:
        return self.statement.kind == "commitment"


def statement_iri(doc_id: str, ref: str, kind: str) -> str:
    folder = "commitment" if kind == "commitment" else "outcome"
    return f"{ID_BASE}{folder}/{doc_id}/{quote(ref, safe='.-_')}"


def org_iri(slug: str) -> str:
    return f"{ID_BASE}org/{slug}"


def _dedupe(links: Iterable[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.iri, link)
    return list(seen.values())


_VAWG_GENERAL = f"{ID_BASE}theme/vawg-general"
# "VAWG cases", "VAWG-related offences", "VAWG problem profiles": VAWG qualifies the noun, the
# commitment is not about VAWG as a whole.
# (A match starts only after a word character, so a long run of spaces is crossed once.)
_QUALIFIER_AFTER = re.compile(r"(?i)(?<![\s-])[\s-]+(?:cases?|offences?|offending|related|problem\s+profiles?|crimes?)\b")


def _hint_list(statement: ParsedStatement, key: str) -> list[str]:
    value = statement.hints.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class Enricher:
    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocab = vocabulary or load_vocabulary()
        self.unknown_organisations: dict[str, str] = {}  # iri → label, created from the text

    def name_of(self, iri: str, fallback: str) -> str:
        for table in (
            self.vocab.organisations,
            self.vocab.themes,
            self.vocab.outcome_codes,
            self.vocab.programmes,
        ):
            for entry in table.values():
                if entry.iri == iri:
                    return entry.name
        act = self.vocab.legislation.get(iri)
        if act is not None:
            return act.name
        return self.unknown_organisations.get(iri, fallback)

    def _links(self, matches: Iterable[resolve.Match]) -> list[Link]:
        return _dedupe(Link(m.iri, self.name_of(m.iri, m.matched_text), m.rule, m.matched_text, m.kind)
                       for m in matches)

    def _legislation(self, text: str) -> list[Link]:
        """Each Act or section once, with its strongest evidence: an explicit title before a named
        provision, before a statutory concept, before an offence type (then the first in the text)."""
        rank = {kind: i for i, kind in enumerate(resolve.REFERENCE_KINDS)}
        found = sorted(resolve.find_legislation(text), key=lambda m: (rank.get(m.kind or "", len(rank)), m.start))
        return self._links(found)

    def _leads(self, st: ParsedStatement, doc: DocumentInfo) -> list[Link]:
        cells = _hint_list(st, "lead")
        if cells:
            links = self._links(m for cell in cells for m in resolve.resolve_lead_cell(cell))
            for link in links:
                if link.rule.endswith("unknown"):
                    self.unknown_organisations.setdefault(link.iri, link.matched or link.iri)
            if links:
                return links
        owner = st.hints.get("owner")
        if isinstance(owner, str):
            return [Link(org_iri(owner), self.name_of(org_iri(owner), owner), "section-owner", None)]
        return [Link(org_iri(doc.owner), self.name_of(org_iri(doc.owner), doc.owner), "document-owner-we", "we")]

    def _themes(self, st: ParsedStatement, doc: DocumentInfo) -> list[Link]:
        """The commitment's own words first, the section only where they are silent.

        * text: themes named in the commitment's words, less theme words inside a multi-word organisation name (the
          "Prosecution" of "Crown Prosecution Service" is no theme); the general VAWG theme only
          when no narrower strand is named and "VAWG" is not a mere qualifier ("VAWG cases");
        * the document's own classification of the commitment, always: its strand column (CPS
          2017) and a single-subject document's subject (CPS DA 2020 → domestic abuse);
        * section, only if the words name no theme: the theme, pillar or priority heading.
        Each link's ``reference`` says ``text`` or ``section`` (strand and subject count as section)."""
        text_links = self._text_themes(st.text)
        own = [m for label in _hint_list(st, "strand") for m in resolve.theme_for_label(label)]
        subject = [Link(f"{ID_BASE}theme/{slug}", self.name_of(f"{ID_BASE}theme/{slug}", slug),
                        "document-subject", doc.title, "section") for slug in doc.subject_themes]
        section: list[resolve.Match] = []
        if not text_links:
            headings = [*_hint_list(st, "theme"), *_hint_list(st, "pillar"), *_hint_list(st, "priority_title")]
            section = [m for label in headings for m in resolve.theme_for_label(label)]
        placed = [Link(link.iri, link.name, link.rule, link.matched, "section") for link in self._links([*own, *section])]
        strands = {t.slug for t in self.vocab.themes.values() if "vawg-general" in t.broader}
        if any(t.iri.rsplit("/", 1)[1] in strands for t in [*text_links, *subject, *placed]):
            # the most specific strand stands: "VAWG" beside a named strand is not the general theme
            text_links = [t for t in text_links if t.iri != _VAWG_GENERAL]
        themes = _dedupe([*text_links, *subject, *placed])
        return themes

    def _text_themes(self, text: str) -> list[Link]:
        # A theme word inside an organisation's name is no theme: the "Prosecution" of "Crown
        # Prosecution Service", the "Domestic Abuse" of "Domestic Abuse Commissioner".
        names = [o for o in resolve.find_organisations(text, self.vocab) if re.search(r"\s", o.matched_text)]
        found = [m for m in resolve.find_themes(text, self.vocab)
                 if not any(o.start <= m.start and m.end <= o.end for o in names)
                 and not (m.iri == _VAWG_GENERAL and _QUALIFIER_AFTER.match(text, m.end))]
        return [Link(link.iri, link.name, link.rule, link.matched, "text") for link in self._links(found)]

    def enrich(self, st: ParsedStatement, doc: DocumentInfo) -> EnrichedStatement:
        out = EnrichedStatement(st, doc, statement_iri(st.doc_id, st.ref, st.kind))
        text = st.text
        if st.kind == "commitment":
            out.leads = self._leads(st, doc)
            lead_iris = {link.iri for link in out.leads}
            column = [replace(m, rule=m.rule.replace("lead-column", "partner-column"))
                      for cell in _hint_list(st, "partners") for m in resolve.resolve_lead_cell(cell)]
            out.partners = [p for p in self._links([*column, *resolve.find_organisations(text)])
                            if p.iri not in lead_iris]
            for p in out.partners:
                if p.rule.endswith("unknown"):
                    self.unknown_organisations.setdefault(p.iri, p.matched or p.iri)
            raw_deadline = st.hints.get("delivery_date")
            if isinstance(raw_deadline, str):
                out.deadline = parse_deadline(raw_deadline, doc.published)
            else:
                out.deadline = deadline_in_text(text, doc.published)
            out.implements = [
                Link(statement_iri(HMG_DOC_ID, ref, "commitment"), ref, "explicit-column-2",
                     str(st.hints.get("implements_text") or ref))
                for ref in _hint_list(st, "implements")
            ]
            outcome_ref = st.hints.get("outcome_ref")
            if isinstance(outcome_ref, str):
                out.contributes_to = statement_iri(st.doc_id, outcome_ref, "outcome")
        out.themes = self._themes(st, doc)
        out.legislation = self._legislation(text)
        out.outcome_codes = self._links(resolve.find_outcome_codes(text))
        out.programmes = self._links(resolve.find_programmes(text))
        return out
