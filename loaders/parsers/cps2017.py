"""Parser for the CPS VAWG Strategy – Action Plans 2017–18 (shape ``cps-2017``).

The bundled file is a tab-separated table ``Strand / CPS actions in Cross Govt
VAWG Strategy / CPS 2020 Objectives / Action`` interleaved with strand heading
rows, "Key focus" rows, ``--`` filler rows and blank lines; some headings and
"Key focus" lines have lost their tabs.

**Action rows** (four cells, the Action cell non-empty) become commitments
with ref ``{strand code}.{n}``, ``n`` counting the strand's rows from 1 in file
order. The strand codes are fixed here (stable across re-parses):

======  ======================================================  ==================================
code    strand heading in the document                          column 1 spelling(s)
======  ======================================================  ==================================
VAWG    Violence against Women and Girls (VAWG)                 VAWG
DA      Domestic Abuse                                          Domestic Abuse
SH      Stalking and Harassment                                 Stalking and Harassment
RASSO   Rape and Sexual Offences                                Rape and Sexual Offences
HBVFM   So-called Honour-Based Violence and Forced Marriage     HBV and FM
FGM     Female Genital Mutilation                               FGM
CSA     Child Sexual Abuse                                      Child sexual abuse
HTMS    Human trafficking and modern slavery                    Human trafficking and modern slavery
PROST   Prostitution                                            Prostitution
======  ======================================================  ==================================

Text is the Action cell; the span covers that cell only. Hints: ``strand``
(column 1), ``theme`` (the strand heading text), ``objectives`` (column 3
split on "/", trimmed), ``implements_text`` (column 2 as written),
``implements`` (HMG 2016 Annex A refs named by column 2: each "/"-separated
part is one of the CPS actions' short names — "Policies(,) guidance and
training" → A90, "Provide Regular Oversight" → A91, "Support Victims through
the CPS|CJS" → A94, "Engage with Stakeholders" → A95 — or the cell quotes an
action's text: A93 "Continue to focus on harmful traditional practices…", and
A92 "Ensure transparency and accountability…" if it is ever quoted). Column 2
words that name no action raise ``SourceError``: the link is explicit or absent,
never guessed.

**"Key focus" rows** — the one-cell line under each strand heading saying
where the strand's work is focused (some begin "Key focus", some do not) —
are emitted as ``kind="outcome"`` statements with ref ``{strand}.FOCUS``
(``FOCUS2``… if a strand had more): they state the strand's aim, so they are
kept citable as ``vawg:StatedOutcome`` rather than dropped as prose.

Line roles: ``commitment`` (action rows), ``outcome`` (Key focus rows),
``heading`` (document title and strand headings), ``table-filler`` (the column
header row and ``--`` rows), ``blank``. A line with tabs must have exactly four
cells; any other line that is not a heading, a Key focus line or the title
raises ``SourceError`` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers._lines import Builder, split_lf_lines, split_ranges
from vawg_kg.loaders.records import ParsedDocument, StatementKind
from vawg_kg.loaders.text import clean


@dataclass(frozen=True)
class Strand:
    code: str
    heading: str
    column_labels: tuple[str, ...]


STRANDS: tuple[Strand, ...] = (
    Strand("VAWG", "Violence against Women and Girls (VAWG)", ("VAWG",)),
    Strand("DA", "Domestic Abuse", ("Domestic Abuse",)),
    Strand("SH", "Stalking and Harassment", ("Stalking and Harassment",)),
    Strand("RASSO", "Rape and Sexual Offences", ("Rape and Sexual Offences",)),
    Strand("HBVFM", "So-called Honour-Based Violence and Forced Marriage", ("HBV and FM",)),
    Strand("FGM", "Female Genital Mutilation", ("FGM",)),
    Strand("CSA", "Child Sexual Abuse", ("Child sexual abuse",)),
    Strand("HTMS", "Human trafficking and modern slavery", ("Human trafficking and modern slavery",)),
    Strand("PROST", "Prostitution", ("Prostitution",)),
)

# Column 2 short names of the HMG 2016 Annex A "CPS RESPONSE" actions.
SHORT_NAMES: dict[str, str] = {
    "policies guidance and training": "A90",
    "provide regular oversight": "A91",
    "support victims through the cps": "A94",
    "support victims through the cjs": "A94",
    "engage with stakeholders": "A95",
}
# Column 2 cells that quote an action's text (opening words, from Annex A).
QUOTED: dict[str, str] = {
    "ensure transparency and accountability of vawg prosecutions": "A92",
    "continue to focus on harmful traditional practices": "A93",
}

_FILLER = re.compile(r"^-+$")
COLUMNS = 4


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", clean(s).lower())).strip()


def _by_heading() -> dict[str, Strand]:
    return {_norm(s.heading): s for s in STRANDS}


def _by_label() -> dict[str, Strand]:
    return {_norm(label): s for s in STRANDS for label in s.column_labels}


def implements_of(cell: str) -> list[str]:
    """HMG refs named by a column 2 cell; ``ValueError`` for words that name none."""
    norm = _norm(cell)
    if not norm:
        return []
    for opening, ref in QUOTED.items():
        if norm.startswith(opening):
            return [ref]
    refs: list[str] = []
    for part in cell.split("/"):
        key = _norm(part)
        if key not in SHORT_NAMES:
            raise ValueError(part.strip())
        if SHORT_NAMES[key] not in refs:
            refs.append(SHORT_NAMES[key])
    return refs


class Cps2017Parser:
    shape = "cps-2017"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        b = Builder(text, doc_id, file, lines=split_lf_lines, edge=str.isspace)
        headings, labels = _by_heading(), _by_label()
        counts: dict[str, int] = {}
        focus_counts: dict[str, int] = {}
        heading_text: dict[str, str] = {}
        current: Strand | None = None
        seen_title = False

        def emit(ref: str, kind: StatementKind, cell: tuple[int, int], strand: Strand, n: int,
                 hints: dict[str, str | list[str]]) -> None:
            section = (heading_text.get(strand.code, strand.heading),)
            b.add(ref, kind, [cell], section, hints, n)

        def focus(n: int, cell: tuple[int, int]) -> None:
            if current is None:
                raise b.error(n, "a 'Key focus' line before any strand heading")
            focus_counts[current.code] = focus_counts.get(current.code, 0) + 1
            k = focus_counts[current.code]
            ref = f"{current.code}.FOCUS" + (str(k) if k > 1 else "")
            emit(ref, "outcome", cell, current, n,
                 {"strand": current.column_labels[0], "theme": heading_text[current.code]})
            b.claim(n, "outcome")

        for ln in b.lines:
            n = ln.number
            line = ln.raw.rstrip("\r")
            if not line.strip():
                b.claim(n, "blank")
                continue
            cells = line.split("\t")
            if len(cells) == 1:
                key = _norm(line)
                if key in headings:
                    current = headings[key]
                    heading_text[current.code] = clean(line)
                    b.claim(n, "heading")
                elif key.startswith("key focus"):
                    focus(n, (ln.start, ln.start + len(line)))
                elif not seen_title:
                    b.claim(n, "heading")  # the document title
                else:
                    raise b.error(n, f"a line without the table's {COLUMNS} tab-separated cells: {line[:60]!r}")
                seen_title = True
                continue
            seen_title = True
            if len(cells) != COLUMNS:
                raise b.error(n, f"row has {len(cells)} cells, expected {COLUMNS} "
                               "(Strand, CPS actions in Cross Govt VAWG Strategy, CPS 2020 Objectives, Action)")
            spans = split_ranges(line, ln.start)
            first = clean(cells[0])
            if all(_FILLER.match(c.strip()) or not c.strip() for c in cells):
                b.claim(n, "table-filler")
                continue
            if first.lower() == "strand" and clean(cells[3]).lower() == "action":
                b.claim(n, "table-filler")  # the column header row
                continue
            if not any(c.strip() for c in cells[1:]):
                key = _norm(first)
                if key in headings:
                    current = headings[key]
                    heading_text[current.code] = first
                    b.claim(n, "heading")
                else:
                    focus(n, spans[0])
                continue
            strand = labels.get(_norm(first))
            if strand is None:
                raise b.error(n, f"unknown strand {first!r} in column 1; add it to STRANDS in {__name__}")
            if not clean(cells[3]):
                raise b.error(n, "action row with an empty Action cell")
            if strand.code not in heading_text:
                heading_text[strand.code] = strand.heading
            current = strand
            try:
                implements = implements_of(cells[1])
            except ValueError as exc:
                raise b.error(n, f"column 2 {exc.args[0]!r} names no HMG 2016 Annex A action") from None
            counts[strand.code] = counts.get(strand.code, 0) + 1
            hints: dict[str, str | list[str]] = {
                "strand": first,
                "theme": heading_text[strand.code],
                "objectives": [p.strip() for p in clean(cells[2]).split("/") if p.strip()],
                "implements_text": cells[1].strip(),
                "implements": implements,
            }
            emit(f"{strand.code}.{counts[strand.code]}", "commitment", spans[3], strand, n, hints)
            b.claim(n, "commitment")

        if not b.statements:
            raise SourceError(f"{file}: no action rows found; is this the CPS 2017–18 action plan?", file=file)
        return b.document()


PARSER = Cps2017Parser()
