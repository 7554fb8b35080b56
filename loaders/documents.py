"""The bundled documents: identity and bibliographic facts (from data/SOURCES.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from vawg_kg.errors import SourceError

DOC_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    file: str
    title: str
    publisher: str  # organisation slug in the organisations vocabulary
    published: date  # first day of the month of publication when only the month is known
    shape: str  # which parser reads it
    owner: str  # organisation slug meant by "we" in the document
    # Themes every statement of a single-subject document is about (its title says so).
    subject_themes: tuple[str, ...] = ()


BUNDLED: tuple[DocumentInfo, ...] = (
    DocumentInfo(
        "hmg-vawg-strategy-2016",
        "hmg-vawg-strategy-2016.md",
        "Ending Violence against Women and Girls: Strategy 2016–2020",
        "home-office",
        date(2016, 3, 1),
        "hmg-2016",
        "hm-government",
    ),
    DocumentInfo(
        "cps-vawg-action-plan-2017",
        "cps-vawg-action-plan-2017.tsv",
        "CPS VAWG Strategy – Action Plans 2017–18",
        "cps",
        date(2017, 1, 1),
        "cps-2017",
        "cps",
    ),
    DocumentInfo(
        "cps-da-programme-2020",
        "cps-da-programme-2020.txt",
        "Domestic abuse – CPS programme for 2020–2021",
        "cps",
        date(2020, 1, 1),
        "cps-da-2020",
        "cps",
        ("domestic-abuse",),
    ),
    DocumentInfo(
        "npcc-vawg-framework-2021",
        "npcc-vawg-framework-2021.txt",
        "Policing violence against women and girls – National framework for delivery: Year 1",
        "npcc",
        date(2021, 12, 1),
        "npcc-2021",
        "police-forces",
    ),
    DocumentInfo(
        "cps-vawg-strategy-2025",
        "cps-vawg-strategy-2025.txt",
        "Violence Against Women and Girls Strategy 2025–2030",
        "cps",
        date(2025, 1, 1),
        "cps-2025",
        "cps",
    ),
)


def check_doc_id(doc_id: str) -> str:
    # fullmatch: ``$`` alone would let a trailing newline into IRIs and file names
    if not DOC_ID_PATTERN.fullmatch(doc_id) or len(doc_id) > 80:
        raise SourceError(
            f"--doc-id {doc_id!r} is not valid: use lower-case letters, digits and single hyphens "
            "(e.g. 'home-office-vawg-plan-2022'), at most 80 characters"
        )
    return doc_id


def bundled_by_id() -> dict[str, DocumentInfo]:
    return {d.doc_id: d for d in BUNDLED}
