"""CPS "Domestic abuse – CPS programme for 2020–2021": web page text.

One line per paragraph or bullet (``  • ``). The page has two passes over the
same five themes (Our People, Digital Capability, Strategic Partnerships,
Casework Quality, Public Confidence, numbered 1–5 in that order):

* "Overarching Aims and Outcomes": each theme's bullets are stated outcomes,
  kind "outcome", ref ``T{theme}.O{n}``;
* "Programme details": each theme's "We will:" bullets are commitments, ref
  ``T{theme}.{n}``, hint ``theme`` (the theme's name).

One more undertaking sits outside the lists, in the unheaded closing part on
delivery: "We will also provide regular updates to our Violence Against
Women and Girls External Consultation Group ..." — ref ``GOV.1``. Other
"We will ..." sentences inside prose paragraphs restate a bullet of the same
theme and stay prose. The site's navigation lines are boilerplate.
"""

from __future__ import annotations

import re

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers._lines import Builder
from vawg_kg.loaders.records import ParsedDocument

THEMES = (
    "Our People",
    "Digital Capability",
    "Strategic Partnerships",
    "Casework Quality",
    "Public Confidence",
)
OUTCOMES_HEADING = "Overarching Aims and Outcomes"
DETAILS_HEADING = "Programme details"
HEADINGS = (
    "Domestic abuse - CPS programme for 2020-2021",
    "Domestic abuse: Context and challenges",
    "CPS 2020-21 domestic abuse programme",
    OUTCOMES_HEADING,
    DETAILS_HEADING,
)
NAVIGATION = ("Skip to main content", "Accessibility controls", "Text size", "Main content area", "Scroll to top")
_BULLET = re.compile(r"^\s*[•\u2022]\s")
_CLOSING_WILL = re.compile(r"^We will also\b")


class CpsDa2020Parser:
    shape = "cps-da-2020"

    def parse(self, text: str, doc_id: str, file: str) -> ParsedDocument:
        b = Builder(text, doc_id, file)
        top: str | None = None
        theme: int | None = None
        in_we_will = False
        counts: dict[str, int] = {}
        seen: set[tuple[str, int]] = set()

        def next_ref(prefix: str) -> str:
            counts[prefix] = counts.get(prefix, 0) + 1
            return f"{prefix}{counts[prefix]}"

        for line in b.lines:
            t = line.text
            if not t:
                b.claim(line, "blank")
            elif t in NAVIGATION:
                b.claim(line, "boilerplate")
            elif t in HEADINGS:
                top = t if t in (OUTCOMES_HEADING, DETAILS_HEADING) else None
                theme, in_we_will = None, False
                b.claim(line, "heading")
            elif t in THEMES and top:
                theme, in_we_will = THEMES.index(t) + 1, False
                seen.add((top, theme))
                b.claim(line, "heading")
            elif t == "We will:" and theme and top == DETAILS_HEADING:
                in_we_will = True
                b.claim(line, "heading")
            elif _BULLET.match(line.raw) and theme and top == OUTCOMES_HEADING:
                ref = next_ref(f"T{theme}.O")
                b.add(ref, "outcome", [(line.start, line.end)], (top, THEMES[theme - 1]),
                      {"theme": THEMES[theme - 1]}, line.number)
                b.claim(line, "outcome")
            elif _BULLET.match(line.raw) and theme and in_we_will:
                ref = next_ref(f"T{theme}.")
                b.add(ref, "commitment", [(line.start, line.end)], (top or "", THEMES[theme - 1]),
                      {"theme": THEMES[theme - 1]}, line.number)
                b.claim(line, "commitment")
            elif _BULLET.match(line.raw) and top in (OUTCOMES_HEADING, DETAILS_HEADING):
                raise SourceError(f"{file}:{line.number}: bullet outside a theme or a 'We will:' list")
            elif _CLOSING_WILL.match(t) and top == DETAILS_HEADING:
                b.add(next_ref("GOV."), "commitment", [(line.start, line.end)], (DETAILS_HEADING,),
                      {}, line.number)
                b.claim(line, "commitment")
            else:
                in_we_will = False  # prose after a list closes it; the theme runs on
                b.claim(line, "prose")
        missing = [name for i, name in enumerate(THEMES, 1) for top_name in (OUTCOMES_HEADING, DETAILS_HEADING)
                   if (top_name, i) not in seen]
        if missing:
            raise SourceError(f"{file}: theme heading(s) not found: {', '.join(sorted(set(missing)))}")
        return b.document()


PARSER = CpsDa2020Parser()
