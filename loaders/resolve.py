"""Find vocabulary entries (organisations, legislation, themes, outcome codes, programmes) in text.

Every finder returns :class:`Match` objects whose ``start``/``end`` are offsets into the
text it was given and whose ``rule`` says which kind of evidence produced it, so the graph
can record why a commitment is said to cite an Act or involve a body.

How matching works, for every kind alike:

* one alternation per kind is compiled from the vocabulary (labels, then ``vawg:matchPhrase``
  regular expressions), each alternative in its own group so the entry it stands for is known;
  labels are plain text, so the alternation has no nested quantifiers and runs in linear time
  per starting position;
* matches sit on word boundaries; a label written in lower case matches in any case, a label
  with capitals (an acronym, a proper name such as "Refuge") only as written;
* candidates may overlap; the longest wins and overlapping shorter ones of the same kind are
  dropped (ties: the earlier one).

Which labels are used where (see the vocabulary files' headers): prose is matched against
prefLabel, altLabel, vawg:acronym and vawg:matchPhrase; ``skos:hiddenLabel`` (lead-column
codes such as "HO", documents' own headings such as "Our People") is matched only against a
whole cell or heading, by :func:`resolve_lead_cell` and :func:`theme_for_label`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vawg_kg.ontology.vocabulary import ID, Entry, Vocabulary, load_vocabulary, normalise_name

__all__ = [
    "REFERENCE_KINDS", "Match", "find_legislation", "find_organisations", "find_outcome_codes", "find_programmes", "find_themes",
    "find_unknown_organisations", "resolve_lead_cell", "theme_for_label", "unknown_organisation_iri",
]


@dataclass(frozen=True)
class Match:
    iri: str
    matched_text: str
    start: int
    end: int
    rule: str
    kind: str | None = None  # legislation only: how the reference was found (REFERENCE_KINDS)

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"impossible match offsets {self.start}-{self.end}")


# ----------------------------------------------------------------------------- patterns


def _label_regex(label: str) -> str:
    """A label as a regex: any run of whitespace, either apostrophe, any hyphen; case as documented."""
    parts: list[str] = []
    for ch in label.strip():
        if ch.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        elif ch in "'\u2019\u2018":
            parts.append("['\u2018\u2019]")
        elif ch in "-\u2010\u2011":
            parts.append("[-\u2010\u2011]")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    return body if _has_capitals(label) else f"(?i:{body})"


def _has_capitals(text: str) -> bool:
    # Capitals outside character classes and escapes, so "[Ss]talking" counts as lower case.
    stripped = re.sub(r"\[[^\]]*\]|\\.", "", text)
    return any(c.isupper() for c in stripped)


def _concept_label_regex(label: str) -> str:
    """A gazetteer or field-term label as a regex, as ``terms.ttl`` documents its labels: words joined
    by any run of spaces or hyphens, apostrophes optional, an optional plural "s". A one-word label
    with capitals (an abbreviation: "DVPO", "S41") matches only as written; any other label in any
    case ("a new stalking protection order" is a "Stalking Protection Order")."""
    words = [w for w in re.split(r"[\s\-\u2010\u2011]+", label.strip()) if w]
    parts = [re.escape(w).replace("'", "['\u2018\u2019]?") for w in words]
    body = r"[\s\-\u2010\u2011]+".join(parts)
    if words and words[-1][-1:].isalpha() and not words[-1].endswith("s"):
        body += "s?"
    return body if len(words) == 1 and _has_capitals(label) else f"(?i:{body})"


def _phrase_regex(phrase: str) -> str:
    # A space in a phrase matches any run of whitespace: PDF text wraps lines anywhere.
    body = phrase.replace(" ", r"\s+")
    return body if _has_capitals(phrase) else f"(?i:{body})"


def _phrase_name(phrase: str) -> str:
    """A short stable name for a match phrase, for the rule ("coercive-and-controlling-behaviour")."""
    text = re.sub(r"\[(.)[^\]]*\]", lambda m: m.group(1).lower(), phrase)  # [Ss] → s
    previous = None
    while previous != text:  # innermost first: an optional group is dropped, (?:a|b) → a
        previous = text
        text = re.sub(r"\((?:\?:)?[^()]*\)\?", "", text)
        text = re.sub(r"\((?:\?:)?([^()|]*)(?:\|[^()]*)?\)", r"\1", text)
    text = re.sub(r".\?", "", text)  # an optional character is dropped
    text = re.sub(r"\\.|[?*+{}\[\]()^$|]", "", text)
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return "-".join(words[:5]) or "phrase"


@dataclass(frozen=True)
class _Alternative:
    regex: str
    iri: str
    rule: str
    length: int  # for ordering: longer literal labels first


class _Matcher:
    """One compiled alternation for one kind of entry."""

    def __init__(self, alternatives: Sequence[_Alternative]) -> None:
        ordered = sorted(alternatives, key=lambda a: (-a.length, a.regex))
        self.alternatives = ordered
        # One union without capturing groups finds where a match starts (a named
        # group per alternative made Python's engine ~10x slower); the first
        # alternative that matches there, in the union's order, is the one the
        # union chose.
        self.compiled = [re.compile(rf"(?<!\w)(?:{alt.regex})(?!\w)") for alt in ordered]
        if ordered:
            body = "|".join(f"(?:{alt.regex})" for alt in ordered)
            self.pattern: re.Pattern[str] | None = re.compile(rf"(?<!\w)(?:{body})(?!\w)")
        else:
            self.pattern = None

    def _which(self, text: str, start: int, end: int) -> int:
        for i, alt in enumerate(self.compiled):
            m = alt.match(text, start)
            if m is not None and m.end() == end:
                return i
        raise AssertionError(f"no alternative reproduces the match {text[start:end]!r}")

    def candidates(self, text: str) -> list[Match]:
        """Every alternative found, including overlapping ones (at most one per start position)."""
        out: list[Match] = []
        if self.pattern is None:
            return out
        pos = 0
        while pos <= len(text):
            m = self.pattern.search(text, pos)
            if m is None:
                break
            alt = self.alternatives[self._which(text, m.start(), m.end())]
            if m.end() > m.start():
                out.append(Match(alt.iri, m.group(0), m.start(), m.end(), alt.rule))
            pos = m.start() + 1
        return out


def _select(candidates: Iterable[Match]) -> list[Match]:
    """Longest match wins; no two chosen matches overlap; result in text order."""
    chosen: list[Match] = []
    for cand in sorted(candidates, key=lambda c: (-(c.end - c.start), c.start, c.iri)):
        if all(cand.end <= c.start or cand.start >= c.end for c in chosen):
            chosen.append(cand)
    return sorted(chosen, key=lambda c: (c.start, c.end, c.iri))


def _entry_alternatives(entries: Iterable[Entry], label_rule: str, phrase_rule: str,
                        extra_labels: dict[str, tuple[tuple[str, str], ...]] | None = None) -> list[_Alternative]:
    alts: list[_Alternative] = []
    for entry in entries:
        for label in (entry.name, *entry.alt_labels):
            alts.append(_Alternative(_label_regex(label), entry.iri, label_rule, len(label)))
        for label, rule in (extra_labels or {}).get(entry.iri, ()):
            alts.append(_Alternative(_label_regex(label), entry.iri, rule, len(label)))
        for phrase in entry.match_phrases:
            rule = phrase_rule.replace("{name}", _phrase_name(phrase))
            alts.append(_Alternative(_phrase_regex(phrase), entry.iri, rule, len(phrase)))
    return alts


class _Matchers:
    """Every compiled matcher for one Vocabulary, built once."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        acronyms = {o.iri: tuple((a, "org-acronym") for a in o.acronyms) for o in vocab.organisations.values()}
        self.organisations = _Matcher(_entry_alternatives(vocab.organisations.values(), "org-label", "org-phrase",
                                                          acronyms))
        yearless: dict[str, tuple[tuple[str, str], ...]] = {}
        for act in vocab.acts:
            names = [re.sub(r"(?<!\s)\s+\d{4}$", "", label) for label in (act.name, *act.alt_labels)
                     if re.search(r"\bAct\s+\d{4}$", label)]
            yearless[act.iri] = tuple((n, "legislation-name") for n in names)
        self.legislation = _Matcher(_entry_alternatives(vocab.legislation.values(), "legislation-name",
                                                        "legislation-indirect:{name}", yearless))
        concept_alts: list[_Alternative] = []
        for concept in vocab.legal_concepts.values():
            rule = f"legislation-concept:{concept.slug}"
            concept_alts += [_Alternative(_concept_label_regex(label), concept.iri, rule, len(label))
                             for label in (concept.name, *concept.alt_labels, *concept.term_labels)]
            concept_alts += [_Alternative(_phrase_regex(phrase), concept.iri, rule, len(phrase))
                             for phrase in concept.match_phrases]
        self.legal_concepts = _Matcher(concept_alts)
        self.concepts_by_iri = {c.iri: c for c in vocab.legal_concepts.values()}
        self.themes = _Matcher(_entry_alternatives(vocab.themes.values(), "theme-label", "theme-phrase"))
        self.programmes = _Matcher(_entry_alternatives(vocab.programmes.values(), "programme-name",
                                                       "programme-phrase"))
        self.theme_headings: dict[str, str] = {}
        for theme in sorted(vocab.themes.values(), key=lambda t: t.slug):
            for label in theme.labels:
                self.theme_headings.setdefault(normalise_name(label), theme.iri)


_CACHE: dict[int, _Matchers] = {}


def _matchers(vocabulary: Vocabulary | None) -> _Matchers:
    vocab = vocabulary or load_vocabulary()
    found = _CACHE.get(id(vocab))
    if found is None or found.vocab is not vocab:
        found = _CACHE[id(vocab)] = _Matchers(vocab)
    return found


# ----------------------------------------------------------------------------- organisations


def unknown_organisation_iri(name: str) -> str:
    """IRI of an organisation the vocabulary does not know, made from its name as written."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise_name(name)).strip("-") or "unnamed"
    return f"{ID}org/{slug}"


def find_organisations(text: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """Bodies named in prose: names, acronyms, the variants the documents use ("the police")."""
    return _select(_matchers(vocabulary).organisations.candidates(text))


# Words that end the name of a body ("... Association", "... Council"). A run of capitalised
# words (joined by of/and/for/the/&) ending in one of these is taken for a body's name.
_BODY_HEADS = frozenset("""Agency Association Authority Authorities Board Boards Centre Centres Charity Commission
    Commissioner Council Councils Court Courts Department Directorate Executive Foundation Forum Group Groups
    Inspectorate Institute Ministry Network Office Panel Panels Partnership Partnerships Service Services Society
    Trust Unit Units University""".split())
_NAME_JOINERS = frozenset({"of", "and", "for", "the", "&", "on"})
_TOKEN = re.compile(r"[\w'’&-]+")
_MAX_NAME_WORDS = 8


def find_unknown_organisations(text: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """Names of bodies the vocabulary does not know ("the Advertising Standards Authority"): a run
    of capitalised words ending in a word such as Association, Council, Unit (rule ``org-unknown``,
    IRI from :func:`unknown_organisation_iri`). Runs that overlap a known organisation or a
    programme are left out. Opt-in: callers decide whether such names count as partners."""
    vocab = vocabulary or load_vocabulary()
    known = find_organisations(text, vocab) + find_programmes(text, vocab)
    tokens = list(_TOKEN.finditer(text))
    out: list[Match] = []
    for i, tok in enumerate(tokens):
        if tok.group(0) not in _BODY_HEADS:
            continue
        first = i
        j = i - 1
        while j >= 0 and i - j < _MAX_NAME_WORDS:
            word = tokens[j].group(0)
            gap = text[tokens[j].end():tokens[j + 1].start()]
            if gap.strip() or not (word[:1].isupper() or word in _NAME_JOINERS):
                break
            if word[:1].isupper():
                first = j
            j -= 1
        if first == i:
            continue  # a head word alone ("Council") is not a name
        if tokens[first].group(0).lower() == "the":
            first += 1
        words = [t.group(0) for t in tokens[first:i + 1] if t.group(0) not in _NAME_JOINERS]
        start, end = tokens[first].start(), tok.end()
        name = text[start:end]
        if len(words) < 2 or re.match(r"\s+Act\b", text[end:end + 5]):
            continue  # a lone head word, or an Act's title ("... Service Act 2007")
        if any(not (end <= k.start or start >= k.end) for k in known) or vocab.find_organisation(name) \
                or normalise_name(name) in _matchers(vocab).theme_headings:
            continue
        out.append(Match(unknown_organisation_iri(name), name, start, end, "org-unknown"))
    return _select(out)


_MARKUP = re.compile(r"</?\w+>")
# (?<!\s): a match starts at the first space of a run, never inside it, so a long run of
# spaces is scanned once instead of once per position (linear, not quadratic).
_LEAD_SEPARATORS = re.compile(r"(?<!\s)\s*/\s*|(?<!\s)\s*,\s*")
_AND = re.compile(r"(?<!\s)\s+(?:and|&)\s+")


def _spans(text: str, pattern: re.Pattern[str], offset: int) -> list[tuple[int, int]]:
    """(start, end) of the pieces of ``text`` between separators, trimmed, relative to the cell."""
    out, pos = [], 0
    for sep in pattern.finditer(text):
        out.append((pos, sep.start()))
        pos = sep.end()
    out.append((pos, len(text)))
    result = []
    for a, b in out:
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if b - trail > a + lead:
            result.append((offset + a + lead, offset + b - trail))
    return result


def resolve_lead_cell(cell: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """The organisations of an HMG Annex A LEAD cell ("HO / MOJ", "DH / NHS England / Public
    Health England"). A name the vocabulary does not know becomes an organisation with a slug
    made from its text (rule ``lead-column-unknown``); nothing in the cell is dropped."""
    vocab = vocabulary or load_vocabulary()
    clean = _MARKUP.sub(lambda m: " " * len(m.group(0)), cell)  # keep offsets
    whole = clean.strip()
    if not whole:
        return []
    start = clean.index(whole)
    org = vocab.find_organisation(whole)
    if org is not None:
        return [Match(org.iri, cell[start:start + len(whole)], start, start + len(whole), "lead-column")]
    out: list[Match] = []
    for a, b in _spans(whole, _LEAD_SEPARATORS, start):
        out.extend(_resolve_lead_piece(cell, a, b, vocab))
    return _dedupe(out)


def _resolve_lead_piece(cell: str, a: int, b: int, vocab: Vocabulary) -> list[Match]:
    piece = cell[a:b]
    org = vocab.find_organisation(piece)
    if org is not None:
        return [Match(org.iri, piece, a, b, "lead-column")]
    parts = _spans(piece, _AND, a)
    if len(parts) > 1:
        found = [(vocab.find_organisation(cell[x:y]), x, y) for x, y in parts]
        if all(o is not None for o, _, _ in found):
            return [Match(o.iri, cell[x:y], x, y, "lead-column") for o, x, y in found if o is not None]
    named = [Match(m.iri, m.matched_text, a + m.start, a + m.end, "lead-column")
             for m in find_organisations(piece, vocab)]
    if named:
        return named
    return [Match(unknown_organisation_iri(piece), piece, a, b, "lead-column-unknown")]


def _dedupe(matches: Iterable[Match]) -> list[Match]:
    seen: set[str] = set()
    out = []
    for m in matches:
        if m.iri not in seen:
            seen.add(m.iri)
            out.append(m)
    return out


# ----------------------------------------------------------------------------- legislation

# "S28 YJCEA 1999", "Section 41 YJCEA 1999", "section 76 of the Serious Crime Act 2015", "s.28".
_SECTION_BEFORE = re.compile(r"(?<![A-Za-z])(?:[Ss]ection|[Ss]ec\.|[Ss]\.|[Ss])\s?(\d{1,3}[A-Z]?)\s+(?:of\s+(?:the\s+)?)?$")
# "Serious Crime Act 2015 s76", "Serious Crime Act 2015, section 76", "YJCEA 1999 (s.28)".
_SECTION_AFTER = re.compile(r"^,?\s?\(?(?:[Ss]ection|[Ss]ec\.|[Ss]\.|[Ss])\s?(\d{1,3}[A-Z]?)\)?(?![\w])")
_YEAR_AFTER = re.compile(r"^\s+(?:\d{4})\b")


#: How a statement refers to legislation, strongest evidence first: the Act's title, a section
#: named, a statutory concept (order, notice, duty, scheme, review) or an offence type.
REFERENCE_KINDS = ("explicit", "provision", "concept", "crime-type")
# A concept label that is itself a section number ("S41", "section 28", "s.28") names a provision.
_SECTION_LABEL = re.compile(r"^(?:[Ss]ection|[Ss]ec\.|[Ss]\.?)\s?\d{1,3}[A-Z]?$")
# Words that put what follows them in the negative ("not a Domestic Violence Protection Order",
# "without a Stalking Protection Order", "rather than special measures"): a concept so mentioned
# is something not done, and must not link.
_NEGATORS = re.compile(r"(?i)\b(?:not|no|never|nor|without|instead\s+of|rather\s+than|other\s+than|except)\b")
# ... or follow it in a negative predicate ("a Stalking Protection Order was not sought").
# Linear whatever the text: a match starts only after a non-space (the concept's last character), and
# the optional word only at a word's start, so a long run of spaces or letters is crossed once.
_NEGATED_AFTER = re.compile(r"(?i)(?<![^\S\n])[^\S\n]*(?:\b\w+[^\S\n]+)??"
                            r"(?:was|were|is|are|has|have|had|will|would|could|did|does|do)"
                            r"[^\S\n]+(?:not|never)\b")
_CLAUSE_END = re.compile(r"[.;:!?()\n]")
_NEGATION_WINDOW_WORDS = 6


def _negated(text: str, start: int) -> bool:
    """True if a negating word stands among the few words before ``start`` in the same clause."""
    window = text[max(0, start - 80):start]
    ends = list(_CLAUSE_END.finditer(window))
    if ends:
        window = window[ends[-1].end():]
    words = window.split()[-_NEGATION_WINDOW_WORDS:]
    return _NEGATORS.search(" ".join(words)) is not None


def _in_url(text: str, start: int, end: int) -> bool:
    """True if the match is part of a web address ("gov.uk/.../domestic-homicide-reviews")."""
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    token = text[left:right if right >= 0 else len(text)]
    return "://" in token or "www." in token or ".uk/" in token


def _negated_after(text: str, end: int) -> bool:
    return _NEGATED_AFTER.match(text, end) is not None


def find_legislation(text: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """Every reference to legislation, each with the Act or section's IRI and how it was found
    (``Match.kind``, one of :data:`REFERENCE_KINDS`):

    * ``explicit``: an Act named by its title, with or without its year ("the DA Bill", rule
      ``legislation-name``);
    * ``provision``: a section cited with its Act ("S28 YJCEA 1999", rule ``legislation-section``)
      or on its own where the field knows which Act is meant ("S41", a gazetteer label);
    * ``concept`` / ``crime-type``: a statutory order, duty, scheme, review or an offence type of
      the gazetteer (``legislation.ttl``, rule ``legislation-concept:{slug}``), linked to the Act or
      section that creates it.

    A concept in the negative ("not a Domestic Violence Protection Order") does not link."""
    m = _matchers(vocabulary)
    candidates = [*m.legislation.candidates(text), *m.legal_concepts.candidates(text)]
    out: list[Match] = []
    for cand in _select(candidates):
        concept = m.concepts_by_iri.get(cand.iri)
        if concept is not None:
            if _negated(text, cand.start) or _negated_after(text, cand.end) or _in_url(text, cand.start, cand.end):
                continue
            kind = "provision" if _SECTION_LABEL.match(cand.matched_text) else concept.reference_kind
            out.append(Match(concept.established_by, cand.matched_text, cand.start, cand.end, cand.rule, kind))
            continue
        act = m.vocab.legislation.get(cand.iri)
        if act is None:
            continue
        if cand.rule == "legislation-name" and not re.search(r"\d{4}$", cand.matched_text) \
                and _YEAR_AFTER.match(text[cand.end:]):
            continue  # "Sexual Offences Act 1956" is not the 2003 Act
        if cand.rule == "legislation-name" and act.section is None:
            cand = _with_section(text, cand, act.iri)
        kind = "provision" if cand.rule == "legislation-section" or act.section else "explicit"
        out.append(Match(cand.iri, cand.matched_text, cand.start, cand.end, cand.rule, kind))
    # A section cited before its Act ("S28 YJCEA 1999") widens the Act's match over a concept
    # label it has swallowed ("S28"): the wider match stands for both.
    wide = [x for x in out if x.rule == "legislation-section"]
    return [x for x in out
            if not any(w is not x and w.start <= x.start and x.end <= w.end for w in wide)]


def _with_section(text: str, cand: Match, act_iri: str) -> Match:
    before = _SECTION_BEFORE.search(text[max(0, cand.start - 40):cand.start])
    if before:
        start = cand.start - (len(text[max(0, cand.start - 40):cand.start]) - before.start())
        return Match(f"{act_iri}/section/{before.group(1)}", text[start:cand.end], start, cand.end,
                     "legislation-section")
    after = _SECTION_AFTER.match(text[cand.end:cand.end + 20])
    if after:
        end = cand.end + after.end()
        return Match(f"{act_iri}/section/{after.group(1)}", text[cand.start:end], cand.start, end,
                     "legislation-section")
    return cand


# ----------------------------------------------------------------------------- themes


def find_themes(text: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """VAWG strands and cross-cutting themes signalled in prose (labels, synonyms, phrases)."""
    return _select(_matchers(vocabulary).themes.candidates(text))


_HEADING_SEPARATORS = re.compile(r"(?<!\s)\s*[/,;]\s*")  # (?<!\s): see _LEAD_SEPARATORS


def theme_for_label(label: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """Themes for a document's own strand, theme or pillar heading ("Domestic Abuse", "HBV/FM",
    "Our People" → workforce). A heading that is a theme label as a whole, or whose parts
    (split on "/" "," ";") all are, gives rule ``theme-heading``; otherwise the themes found in
    its words."""
    m = _matchers(vocabulary)
    whole = label.strip()
    if not whole:
        return []
    start = label.index(whole)
    iri = m.theme_headings.get(normalise_name(whole))
    if iri is not None:
        return [Match(iri, whole, start, start + len(whole), "theme-heading")]
    parts = _spans(whole, _HEADING_SEPARATORS, start)
    found = [(m.theme_headings.get(normalise_name(label[a:b])), a, b) for a, b in parts]
    if len(parts) > 1 and all(i is not None for i, _, _ in found):
        return _dedupe(Match(i, label[a:b], a, b, "theme-heading") for i, a, b in found if i is not None)
    return _dedupe(find_themes(label, vocabulary))


# ----------------------------------------------------------------------------- outcome codes

# Words that introduce outcome codes: "outcome codes:", "outcomes 15 or 16", "outcome 16", "Code 14 –".
_OUTCOME_TRIGGER = re.compile(r"(?<!\w)(?:[Oo]utcome(?:s|\s+codes?|\s+types?)?|[Cc]odes?)(?!\w)")
_CODE_TOKEN = re.compile(r"\s{0,3}(?:,|and|or|&|to|–|-)?\s{0,3}(\d{1,2}[A-Z]?)(?![\w/])")
_FIRST_CODE = re.compile(r"\s{1,3}(\d{1,2}[A-Z]?)(?![\w/.])")
_RANGE = re.compile(r"\s{0,3}(?:to|–|-)\s{0,3}$")
_DEFINITION_DASH = re.compile(r"^\s{0,3}[–-]\s")


def find_outcome_codes(text: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """Home Office outcome codes, only where the text talks about them: "outcome codes 14, 15
    and 16", "outcomes 15 or 16", "Code 14 – The victim declines…" (a bare "Code N" counts
    only when the text mentions outcomes or a definition follows the number). Each number is a
    match of its own; a code implied by a range ("14 to 16" → 15) spans the whole range and so
    overlaps the matches of its ends (rule ``outcome-code-range``)."""
    vocab = vocabulary or load_vocabulary()
    mentions_outcomes = re.search(r"(?i)\boutcome", text) is not None
    out: list[Match] = []
    for trigger in _OUTCOME_TRIGGER.finditer(text):
        is_code_word = trigger.group(0).lower().startswith("code")
        first = _FIRST_CODE.match(text, trigger.end())
        if first is None:
            continue
        if is_code_word and not mentions_outcomes and not _DEFINITION_DASH.match(text[first.end():]):
            continue
        tokens = [first]
        pos = first.end()
        while True:
            nxt = _CODE_TOKEN.match(text, pos)
            if nxt is None or nxt.start(1) == pos:  # a number must follow a separator
                break
            tokens.append(nxt)
            pos = nxt.end()
        previous: str | None = None
        previous_start = 0
        for tok in tokens:
            notation = tok.group(1)
            between = text[tok.start():tok.start(1)]
            if previous and previous.isdigit() and notation.isdigit() and _RANGE.search(between):
                # The codes a range implies are cited by the whole range ("14 to 16").
                for n in range(int(previous) + 1, int(notation)):
                    if str(n) in vocab.outcome_codes:
                        out.append(Match(vocab.outcome_codes[str(n)].iri, text[previous_start:tok.end(1)],
                                         previous_start, tok.end(1), "outcome-code-range"))
            if notation in vocab.outcome_codes:
                out.append(Match(vocab.outcome_codes[notation].iri, notation, tok.start(1), tok.end(1),
                                 "outcome-code-number"))
            previous, previous_start = notation, tok.start(1)
    return _dedupe(out)


# ----------------------------------------------------------------------------- programmes


def find_programmes(text: str, vocabulary: Vocabulary | None = None) -> list[Match]:
    """Named joint plans, protocols, schemes and operations ("Operation Soteria")."""
    return _select(_matchers(vocabulary).programmes.candidates(text))
