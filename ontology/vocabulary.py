"""The controlled vocabularies (``ontology/vocabularies/*.ttl``), loaded once into typed objects.

Organisations (W3C ORG, with their renames and mergers as ``org:ChangeEvent``), Acts
and sections (legislation.gov.uk identifier IRIs), Home Office crime outcome codes,
VAWG themes (SKOS) and named programmes. ``loaders.resolve`` finds these entries in
text; the build adds :func:`vocabulary_graph` to the output graph.

Succession is read from the change events, and the inverse links (``org:changedBy``,
``org:resultedFrom``) and the shortcut ``vawg:succeededBy`` are materialised here, once,
rather than written by hand beside each event: the events are the single statement of
fact. A search by today's name reaches every earlier name through :meth:`Vocabulary.predecessors`.

This module imports nothing from the higher layers (loaders, queries, API).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDFS, SKOS

from vawg_kg.errors import OntologyError
from vawg_kg.iris import ID_BASE, LEGISLATION_BASE
from vawg_kg.ontology.terms import VAWG

ID = ID_BASE
LEGISLATION_IRI = re.compile(
    r"^http://www\.legislation\.gov\.uk/id/(ukpga|asp|anaw|nia|uksi)/(\d{4})/(\d+)(?:/section/(\d+[A-Z]*))?$"
)
VOCABULARY_FILES = ("organisations.ttl", "legislation.ttl", "outcome_codes.ttl", "themes.ttl", "programmes.ttl",
                    "terms.ttl")
TERM_SCHEME = f"{ID_BASE}term"
ACTION_TYPE_SCHEME = f"{ID_BASE}action-type"

# A quantified group that itself contains a quantifier, e.g. "(a+)*" or "(?:x*y)+":
# the shape that makes a regex backtrack exponentially. Match phrases must not have it.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


def vocabulary_dir() -> Path:
    return Path(__file__).resolve().parent / "vocabularies"


def normalise_name(text: str) -> str:
    """Case-, apostrophe-, dash- and space-insensitive key for a name ("the" dropped)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+", " ", text).strip().casefold()
    return re.sub(r"^the ", "", text)


# ----------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """What every vocabulary entry has: its IRI, its name and every label it is known by."""

    iri: str
    name: str
    alt_labels: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()
    match_phrases: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """prefLabel first, then altLabels and hiddenLabels (and acronyms, on subclasses)."""
        return (self.name, *self.alt_labels, *self.hidden_labels)


@dataclass(frozen=True)
class Org(Entry):
    slug: str = ""
    acronyms: tuple[str, ...] = ()
    is_current: bool = True

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.name, *self.alt_labels, *self.acronyms, *self.hidden_labels)


@dataclass(frozen=True)
class Act(Entry):
    """An Act, or a section of one (``section`` set, ``section_of`` the Act's IRI)."""

    slug: str = ""  # "ukpga/2015/9" or "ukpga/2015/9/section/76"
    legislation_type: str = ""
    year: int = 0
    chapter: int = 0
    section: str | None = None
    section_of: str | None = None

    @property
    def act_iri(self) -> str:
        return self.section_of or self.iri


@dataclass(frozen=True)
class LegalConcept(Entry):
    """A statutory concept, order, duty, scheme, review or offence type of ``legislation.ttl`` and the
    Act or section that creates it. ``term_labels`` are the labels of the field terms it is
    ``skos:exactMatch`` to (``terms.ttl``: "DVPO", "s28"), declared there once and matched here too."""

    slug: str = ""
    established_by: str = ""  # legislation.gov.uk identifier IRI of the Act or section
    provision: str = ""
    reference_kind: str = "concept"  # or "crime-type"
    term_labels: tuple[str, ...] = ()
    coverage: str | None = None  # jurisdiction, where not England and Wales


LEGAL_CONCEPT_KINDS = ("concept", "crime-type")


@dataclass(frozen=True)
class Theme(Entry):
    slug: str = ""
    broader: tuple[str, ...] = ()  # slugs
    definition: str | None = None


@dataclass(frozen=True)
class OutcomeCode(Entry):
    notation: str = ""
    definition: str = ""

    @property
    def slug(self) -> str:
        return self.notation.lower()


@dataclass(frozen=True)
class Programme(Entry):
    slug: str = ""


@dataclass(frozen=True)
class Term(Entry):
    """A concept of ``terms.ttl``: a field term (its abbreviations and synonyms as labels) or a kind
    of undertaking (the words that signal it as labels). ``name`` is the canonical wording."""

    slug: str = ""
    scheme: str = ""


@dataclass(frozen=True)
class OrgChange:
    iri: str
    slug: str
    label: str
    date: date
    original: tuple[str, ...]  # organisation slugs
    resulting: tuple[str, ...]


# ----------------------------------------------------------------------------- vocabulary


@dataclass
class Vocabulary:
    organisations: dict[str, Org]
    legislation: dict[str, Act]  # IRI → Act or section
    themes: dict[str, Theme]
    outcome_codes: dict[str, OutcomeCode]  # notation ("14", "1A") → code
    programmes: dict[str, Programme]
    changes: dict[str, OrgChange]
    graph: Graph = field(repr=False)
    terms: dict[str, Term] = field(default_factory=dict)  # slug → field term (abbreviations, synonyms)
    action_types: dict[str, Term] = field(default_factory=dict)  # slug → kind of undertaking
    legal_concepts: dict[str, LegalConcept] = field(default_factory=dict)  # slug → statutory concept
    _by_name: dict[str, str] = field(default_factory=dict, repr=False)
    _succeeded_by: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _preceded_by: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for org in sorted(self.organisations.values(), key=lambda o: o.slug):
            for label in org.labels:
                self._by_name.setdefault(normalise_name(label), org.slug)
        after: dict[str, set[str]] = {}
        before: dict[str, set[str]] = {}
        for change in self.changes.values():
            for old in change.original:
                for new in change.resulting:
                    if old != new:
                        after.setdefault(old, set()).add(new)
                        before.setdefault(new, set()).add(old)
        self._succeeded_by = {k: tuple(sorted(v)) for k, v in after.items()}
        self._preceded_by = {k: tuple(sorted(v)) for k, v in before.items()}

    # -- organisations

    def find_organisation(self, name: str) -> Org | None:
        """The organisation whose prefLabel, altLabel, acronym or lead-column code is ``name``
        (case-, apostrophe- and space-insensitive; a leading "the" is ignored), or its slug."""
        key = normalise_name(name)
        slug = self._by_name.get(key)
        if slug is None and key in self.organisations:
            slug = key
        return self.organisations.get(slug) if slug else None

    def successors(self, slug: str) -> list[str]:
        """Every body ``slug`` became, directly or through later changes (never ``slug`` itself)."""
        return self._closure(slug, self._succeeded_by)

    def predecessors(self, slug: str) -> list[str]:
        """Every body that became ``slug``, directly or through earlier changes (never ``slug`` itself)."""
        return self._closure(slug, self._preceded_by)

    def search_organisations(self, name: str) -> list[Org]:
        """The organisation called ``name`` and every earlier body it continues, so that a search
        by today's name (FCDO) also finds commitments of the old ones (FCO, DFID)."""
        org = self.find_organisation(name)
        if org is None:
            return []
        return [org, *(self.organisations[s] for s in self.predecessors(org.slug))]

    def current_names(self, slug: str) -> list[Org]:
        """The current bodies that carry on ``slug`` today (``slug`` itself if it is current)."""
        found = [self.organisations[s] for s in [slug, *self.successors(slug)] if s in self.organisations]
        return [o for o in found if o.is_current]

    @staticmethod
    def _closure(start: str, edges: dict[str, tuple[str, ...]]) -> list[str]:
        seen: list[str] = []
        queue = list(edges.get(start, ()))
        while queue:
            slug = queue.pop(0)
            if slug == start or slug in seen:
                continue  # renames can come back to a name (MHCLG → DLUHC → MHCLG)
            seen.append(slug)
            queue.extend(edges.get(slug, ()))
        return seen

    # -- legislation

    def legislation_entry(self, iri: str) -> Act | None:
        """The Act or section for ``iri``; a section of a known Act that the vocabulary does not
        list is made up on the fly (its IRI is still a valid legislation.gov.uk identifier)."""
        if iri in self.legislation:
            return self.legislation[iri]
        m = LEGISLATION_IRI.match(iri)
        if not m or not m.group(4):
            return None
        act = self.legislation.get(iri.split("/section/")[0])
        if act is None:
            return None
        return Act(iri=iri, name=f"{act.name}, section {m.group(4)}", slug=iri[len(LEGISLATION_BASE):],
                   legislation_type=act.legislation_type, year=act.year, chapter=act.chapter,
                   section=m.group(4), section_of=act.iri)

    @property
    def acts(self) -> list[Act]:
        return [a for a in self.legislation.values() if a.section is None]

    # -- any entry

    def entry(self, iri: str) -> Entry | None:
        """The vocabulary entry (of any kind) with this IRI."""
        for table in (self.organisations, self.themes, self.outcome_codes, self.programmes, self.terms,
                      self.action_types, self.legal_concepts):
            for e in table.values():
                if e.iri == iri:
                    return e
        return self.legislation_entry(iri)

    def counts(self) -> dict[str, int]:
        return {
            "organisations": len(self.organisations),
            "organisation_changes": len(self.changes),
            "acts": len(self.acts),
            "legislation_sections": len(self.legislation) - len(self.acts),
            "outcome_codes": len(self.outcome_codes),
            "themes": len(self.themes),
            "programmes": len(self.programmes),
            "terms": len(self.terms),
            "action_types": len(self.action_types),
            "legal_concepts": len(self.legal_concepts),
        }


# ----------------------------------------------------------------------------- loading


def _subjects(g: Graph, cls: URIRef) -> list[URIRef]:
    """Subjects typed ``cls``, sorted; a blank node is refused (vocabulary entries need IRIs)."""
    found = set(g.subjects(RDF.type, cls))
    for node in found:
        if not isinstance(node, URIRef):
            raise OntologyError(f"a {cls} without an IRI (blank node) in the vocabularies; give it an IRI")
    return sorted(n for n in found if isinstance(n, URIRef))


def _iris(g: Graph, s: URIRef, p: URIRef) -> list[str]:
    return sorted(str(o) for o in g.objects(s, p) if isinstance(o, URIRef))


def _texts(g: Graph, s: URIRef, p: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in g.objects(s, p)))


def _one(g: Graph, s: URIRef, p: URIRef, where: str) -> str:
    values = _texts(g, s, p)
    if len(values) != 1:
        raise OntologyError(f"{where}: {s} needs exactly one {p.n3(g.namespace_manager)}, has {len(values)}",
                            subject=str(s))
    return values[0]


def _tail(iri: str, folder: str, where: str) -> str:
    prefix = f"{ID}{folder}/"
    if not iri.startswith(prefix) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", iri[len(prefix):].lower()):
        raise OntologyError(f"{where}: {iri} is not an IRI of the form {prefix}{{slug}}", subject=iri)
    return iri[len(prefix):]


def _phrases(g: Graph, s: URIRef, where: str) -> tuple[str, ...]:
    phrases = _texts(g, s, VAWG.matchPhrase)
    for phrase in phrases:
        try:
            re.compile(phrase)
        except re.error as exc:
            raise OntologyError(f"{where}: {s} has a match phrase that is not a regular expression "
                                f"({exc}): {phrase!r}", subject=str(s)) from exc
        if _NESTED_QUANTIFIER.search(phrase) or "(?=" in phrase or "(?!" in phrase or "(?<" in phrase:
            raise OntologyError(f"{where}: {s} has a match phrase with a nested quantifier or lookaround, "
                                f"which can make matching slow; rewrite it: {phrase!r}", subject=str(s))
    return phrases


def _parse(files: Iterable[Path]) -> Graph:
    g = Graph()
    for path in files:
        try:
            g.parse(path, format="turtle")
        except FileNotFoundError as exc:
            raise OntologyError(f"{path}: vocabulary file is missing") from exc
        except Exception as exc:  # rdflib's BadSyntax names the line
            raise OntologyError(f"{path}: cannot parse: {exc}", file=str(path)) from exc
    return g


def _organisations(g: Graph, where: str) -> dict[str, Org]:
    out: dict[str, Org] = {}
    for s in _subjects(g, VAWG.Organisation):
        slug = _tail(str(s), "org", where)
        current = _texts(g, s, VAWG.isCurrent)
        if len(current) != 1 or current[0] not in ("true", "false"):
            raise OntologyError(f"{where}: organisation {slug} needs vawg:isCurrent true or false", subject=str(s))
        out[slug] = Org(iri=str(s), slug=slug, name=_one(g, s, SKOS.prefLabel, where),
                        alt_labels=_texts(g, s, SKOS.altLabel), hidden_labels=_texts(g, s, SKOS.hiddenLabel),
                        acronyms=_texts(g, s, VAWG.acronym), match_phrases=_phrases(g, s, where),
                        is_current=current[0] == "true")
    return out


def _changes(g: Graph, orgs: dict[str, Org], where: str) -> dict[str, OrgChange]:
    out: dict[str, OrgChange] = {}
    for s in _subjects(g, ORG.ChangeEvent):
        slug = _tail(str(s), "org-change", where)

        def slugs(p: URIRef) -> tuple[str, ...]:
            found = tuple(_tail(o, "org", where) for o in _iris(g, s, p))
            missing = [x for x in found if x not in orgs]
            if not found or missing:
                raise OntologyError(f"{where}: change {slug} must name known organisations in "
                                    f"{p.n3(g.namespace_manager)} (unknown: {missing or 'none given'})",
                                    subject=str(s))
            return found

        raw_date = _one(g, s, DCTERMS.date, where)
        try:
            when = date.fromisoformat(raw_date)
        except ValueError as exc:
            raise OntologyError(f"{where}: change {slug} has a date that is not YYYY-MM-DD: {raw_date}") from exc
        out[slug] = OrgChange(iri=str(s), slug=slug, label=_one(g, s, RDFS.label, where), date=when,
                              original=slugs(ORG.originalOrganization), resulting=slugs(ORG.resultingOrganization))
    return out


def _legislation(g: Graph, where: str) -> dict[str, Act]:
    out: dict[str, Act] = {}
    for s in sorted(set(_subjects(g, VAWG.Legislation)) | set(_subjects(g, VAWG.LegislationSection))):
        iri = str(s)
        m = LEGISLATION_IRI.match(iri)
        if not m:
            raise OntologyError(f"{where}: {iri} is not a legislation.gov.uk identifier IRI "
                                f"(http://www.legislation.gov.uk/id/{{type}}/{{year}}/{{chapter}}[/section/{{n}}])",
                                subject=iri)
        kind, year, chapter, section = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        section_of = None
        if section is not None:
            section_of = _one(g, s, VAWG.sectionOf, where)
            if section_of != iri.split("/section/")[0] or _one(g, s, VAWG.sectionNumber, where) != section:
                raise OntologyError(f"{where}: section {iri} disagrees with its vawg:sectionOf or vawg:sectionNumber",
                                    subject=iri)
        else:
            declared = (_one(g, s, VAWG.legislationType, where), int(_one(g, s, VAWG.year, where)),
                        int(_one(g, s, VAWG.chapter, where)))
            if declared != (kind, year, chapter):
                raise OntologyError(f"{where}: {iri} declares type/year/chapter {declared} that disagree with its IRI",
                                    subject=iri)
        out[iri] = Act(iri=iri, slug=iri[len(LEGISLATION_BASE):], name=_one(g, s, SKOS.prefLabel, where),
                       alt_labels=_texts(g, s, SKOS.altLabel), hidden_labels=_texts(g, s, SKOS.hiddenLabel),
                       match_phrases=_phrases(g, s, where), legislation_type=kind, year=year, chapter=chapter,
                       section=section, section_of=section_of)
    for act in out.values():
        if act.section_of and act.section_of not in out:
            raise OntologyError(f"{where}: section {act.iri} belongs to an Act the vocabulary does not declare")
    return out


def _themes(g: Graph, where: str) -> dict[str, Theme]:
    out: dict[str, Theme] = {}
    for s in _subjects(g, VAWG.Theme):
        slug = _tail(str(s), "theme", where)
        broader = tuple(_tail(o, "theme", where) for o in _iris(g, s, SKOS.broader))
        definitions = _texts(g, s, SKOS.definition)
        out[slug] = Theme(iri=str(s), slug=slug, name=_one(g, s, SKOS.prefLabel, where),
                          alt_labels=_texts(g, s, SKOS.altLabel), hidden_labels=_texts(g, s, SKOS.hiddenLabel),
                          match_phrases=_phrases(g, s, where), broader=broader,
                          definition=definitions[0] if definitions else None)
    for theme in out.values():
        unknown = [b for b in theme.broader if b not in out]
        if unknown:
            raise OntologyError(f"{where}: theme {theme.slug} has unknown broader theme(s) {unknown}")
    return out


def _outcome_codes(g: Graph, where: str) -> dict[str, OutcomeCode]:
    out: dict[str, OutcomeCode] = {}
    for s in _subjects(g, VAWG.OutcomeCode):
        notation = _one(g, s, SKOS.notation, where)
        if _tail(str(s), "outcome-code", where) != notation.lower():
            raise OntologyError(f"{where}: outcome code {s} must end with its notation in lower case ({notation.lower()})")
        out[notation] = OutcomeCode(iri=str(s), notation=notation, name=_one(g, s, SKOS.prefLabel, where),
                                    alt_labels=_texts(g, s, SKOS.altLabel),
                                    definition=_one(g, s, SKOS.definition, where))
    return out


def _programmes(g: Graph, where: str) -> dict[str, Programme]:
    out: dict[str, Programme] = {}
    for s in _subjects(g, VAWG.Programme):
        slug = _tail(str(s), "programme", where)
        out[slug] = Programme(iri=str(s), slug=slug, name=_one(g, s, SKOS.prefLabel, where),
                              alt_labels=_texts(g, s, SKOS.altLabel), hidden_labels=_texts(g, s, SKOS.hiddenLabel),
                              match_phrases=_phrases(g, s, where))
    return out


def _terms(g: Graph, scheme: str, folder: str, where: str) -> dict[str, Term]:
    """The concepts ``skos:inScheme`` of ``scheme`` (``terms.ttl``), by slug."""
    out: dict[str, Term] = {}
    for s in sorted(x for x in g.subjects(SKOS.inScheme, URIRef(scheme)) if isinstance(x, URIRef)):
        slug = _tail(str(s), folder, where)
        name = _one(g, s, SKOS.prefLabel, where)
        labels = _texts(g, s, SKOS.altLabel)
        if not labels:
            raise OntologyError(f"{where}: {s} has no skos:altLabel (nothing to match)", subject=str(s))
        out[slug] = Term(iri=str(s), slug=slug, name=name, alt_labels=labels, scheme=scheme)
    seen: dict[str, str] = {}
    for term in out.values():
        for label in term.labels:
            key = label if label != label.lower() else label.casefold()
            if seen.setdefault(key, term.slug) != term.slug:
                raise OntologyError(f"{where}: the label {label!r} belongs to both {seen[key]} and {term.slug}")
    return out


def _legal_concepts(g: Graph, legislation: dict[str, Act], terms: dict[str, Term],
                    where: str) -> dict[str, LegalConcept]:
    """The gazetteer of ``legislation.ttl``: each concept names a declared Act or section, says which
    kind of reference naming it is, and borrows the labels of the field terms it exactly matches."""
    out: dict[str, LegalConcept] = {}
    by_iri = {t.iri: t for t in terms.values()}
    for s in _subjects(g, VAWG.LegalConcept):
        slug = _tail(str(s), "legal-concept", where)
        target = _one(g, s, VAWG.establishedBy, where)
        if target not in legislation:
            raise OntologyError(f"{where}: legal concept {slug} is established by {target}, which the vocabulary "
                                "does not declare; add the Act or section first", subject=str(s))
        kind = _one(g, s, VAWG.referenceKind, where)
        if kind not in LEGAL_CONCEPT_KINDS:
            raise OntologyError(f"{where}: legal concept {slug} has vawg:referenceKind {kind!r}; use one of "
                                f"{', '.join(LEGAL_CONCEPT_KINDS)}", subject=str(s))
        term_labels: list[str] = []
        for match in _iris(g, s, SKOS.exactMatch):
            term = by_iri.get(match)
            if term is None:
                raise OntologyError(f"{where}: legal concept {slug} has skos:exactMatch {match}, which is not a "
                                    "field term of terms.ttl", subject=str(s))
            term_labels += term.labels
        coverage = _texts(g, s, DCTERMS.coverage)
        out[slug] = LegalConcept(iri=str(s), slug=slug, name=_one(g, s, SKOS.prefLabel, where),
                                 alt_labels=_texts(g, s, SKOS.altLabel), match_phrases=_phrases(g, s, where),
                                 established_by=target, provision=_one(g, s, VAWG.provision, where),
                                 reference_kind=kind, term_labels=tuple(term_labels),
                                 coverage=coverage[0] if coverage else None)
    return out


def _materialise(g: Graph, changes: dict[str, OrgChange], orgs: dict[str, Org]) -> None:
    """Add the inverse ORG links and vawg:succeededBy that the change events imply."""
    for change in changes.values():
        event = URIRef(change.iri)
        for old in change.original:
            g.add((URIRef(orgs[old].iri), ORG.changedBy, event))
        for new in change.resulting:
            g.add((URIRef(orgs[new].iri), ORG.resultedFrom, event))
        for old in change.original:
            for new in change.resulting:
                if old != new:
                    g.add((URIRef(orgs[old].iri), VAWG.succeededBy, URIRef(orgs[new].iri)))
    for org in orgs.values():
        g.add((URIRef(org.iri), RDF.type, ORG.Organization))


def build_vocabulary(directory: Path | None = None) -> Vocabulary:
    """Read and check the vocabulary files in ``directory`` (default: the bundled ones)."""
    directory = directory or vocabulary_dir()
    files = [directory / name for name in VOCABULARY_FILES]
    g = _parse(files)
    g.bind("vawg", VAWG)
    g.bind("org", ORG)
    g.bind("skos", SKOS)
    where = str(directory)
    orgs = _organisations(g, f"{directory / 'organisations.ttl'}")
    changes = _changes(g, orgs, f"{directory / 'organisations.ttl'}")
    legislation = _legislation(g, f"{directory / 'legislation.ttl'}")
    themes = _themes(g, f"{directory / 'themes.ttl'}")
    codes = _outcome_codes(g, f"{directory / 'outcome_codes.ttl'}")
    programmes = _programmes(g, f"{directory / 'programmes.ttl'}")
    terms = _terms(g, TERM_SCHEME, "term", f"{directory / 'terms.ttl'}")
    action_types = _terms(g, ACTION_TYPE_SCHEME, "action-type", f"{directory / 'terms.ttl'}")
    legal_concepts = _legal_concepts(g, legislation, terms, f"{directory / 'legislation.ttl'}")
    if not orgs or not legislation or not themes or not codes:
        raise OntologyError(f"{where}: a vocabulary is empty")
    _materialise(g, changes, orgs)
    return Vocabulary(organisations=orgs, legislation=legislation, themes=themes, outcome_codes=codes,
                      programmes=programmes, changes=changes, graph=g, terms=terms,
                      action_types=action_types, legal_concepts=legal_concepts)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The bundled vocabularies, read once per process."""
    return build_vocabulary()


def vocabulary_graph() -> Graph:
    """A copy of the vocabularies as RDF, with the ORG inverse links and vawg:succeededBy materialised."""
    out = Graph()
    for prefix, ns in load_vocabulary().graph.namespaces():
        out.bind(prefix, ns)
    out += load_vocabulary().graph
    return out


__all__ = [
    "ACTION_TYPE_SCHEME", "LEGAL_CONCEPT_KINDS", "TERM_SCHEME", "Act", "Entry", "LegalConcept", "Org", "OrgChange", "OutcomeCode", "Programme", "Term",
    "Theme", "Vocabulary",
    "build_vocabulary", "load_vocabulary", "normalise_name", "vocabulary_graph",
]
