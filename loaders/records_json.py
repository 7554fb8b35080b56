"""Enriched statements → the public record shape of ``vawg-kg commitments`` and the API.

Fields (the contract): id, doc_id, ref, text, section, leads, partners,
deadline_raw, deadline, themes, legislation, outcome_codes, source; plus
kind, deadline_kind, implements, programmes, strand, objectives, theme_source.
Each legislation entry carries ``reference`` (explicit, provision, concept, crime-type) and
``words`` (the words that found it); each theme entry its ``source`` (text or section).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from vawg_kg.loaders.enrich import EnrichedStatement, Link

ENTITY_FIELDS = ("leads", "partners", "themes", "legislation", "outcome_codes", "programmes", "implements")
CSV_LIST_SEPARATOR = " | "


def _entities(links: list[Link]) -> list[dict[str, str]]:
    return [{"id": link.iri, "name": link.name} for link in links]


def _organisations(links: list[Link]) -> list[dict[str, str]]:
    """Organisations also carry the words the source used ("FCO", "the police"),
    so a search by today's name can show how the document named the body."""
    return [{"id": link.iri, "name": link.name, "as_written": link.matched or link.name} for link in links]


def _legislation(links: list[Link]) -> list[dict[str, str | None]]:
    """Legislation also says how each Act or section was found (``reference``: explicit, provision,
    concept, crime-type) and the words of the commitment that found it (``words``)."""
    return [{"id": link.iri, "name": link.name, "reference": link.reference, "words": link.matched}
            for link in links]


def _theme_source(links: list[Link]) -> str | None:
    if not links:
        return None
    return "text" if any(link.reference == "text" for link in links) else "section"


def record_of(st: EnrichedStatement) -> dict[str, Any]:
    ps = st.statement
    deadline = st.deadline
    objectives = ps.hints.get("objectives")
    strand = ps.hints.get("strand")
    return {
        "id": st.iri,
        "doc_id": ps.doc_id,
        "doc_published": st.document.published.isoformat(),
        "ref": ps.ref,
        "kind": ps.kind,
        "text": ps.text,
        "section": list(ps.section),
        "leads": _organisations(st.leads),
        "partners": _organisations(st.partners),
        "deadline_raw": deadline.raw.strip() if deadline and deadline.raw else None,
        "deadline": deadline.iso if deadline else None,
        "deadline_kind": deadline.kind if deadline else None,
        "themes": [{**e, "source": link.reference} for e, link in zip(_entities(st.themes), st.themes)],
        # "text" when the commitment's own words named a theme, "section" when they were silent and
        # the themes came from its heading, strand or document subject (loaders/enrich.py)
        "theme_source": _theme_source(st.themes),
        "legislation": _legislation(st.legislation),
        "outcome_codes": _entities(st.outcome_codes),
        "programmes": _entities(st.programmes),
        "implements": _entities(st.implements),
        "contributes_to": st.contributes_to,
        "strand": strand if isinstance(strand, str) else None,
        "objectives": [objectives] if isinstance(objectives, str) else list(objectives or []),
        "source": ps.span.to_dict(),
        # "low" for an undertaking read from running prose (generic parser), "high" otherwise
        "confidence": "low" if ps.hints.get("confidence") == "low" else "high",
    }


CSV_COLUMNS = (
    "id", "doc_id", "ref", "text", "section", "leads", "lead_ids", "partners", "partner_ids",
    "deadline_raw", "deadline", "themes", "theme_ids", "legislation", "legislation_ids",
    "outcome_codes", "outcome_code_ids", "implements_ids", "source_file", "source_start", "source_end",
)


def records_to_csv(records: list[dict[str, Any]]) -> str:
    """One row per record. List fields are joined with " | "; each entity list
    gives a names column (``leads``) and an IRIs column (``lead_ids``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    singular = {"leads": "lead_ids", "partners": "partner_ids", "themes": "theme_ids",
                "legislation": "legislation_ids", "outcome_codes": "outcome_code_ids"}
    for rec in records:
        row: dict[str, Any] = {k: rec.get(k) for k in ("id", "doc_id", "ref", "text", "deadline_raw", "deadline")}
        row["section"] = " > ".join(rec["section"])
        for name, ids in singular.items():
            row[name] = CSV_LIST_SEPARATOR.join(e["name"] for e in rec[name])
            row[ids] = CSV_LIST_SEPARATOR.join(e["id"] for e in rec[name])
        row["implements_ids"] = CSV_LIST_SEPARATOR.join(e["id"] for e in rec["implements"])
        row["source_file"], row["source_start"], row["source_end"] = (
            rec["source"]["file"], rec["source"]["start"], rec["source"]["end"])
        writer.writerow(row)
    return out.getvalue()
