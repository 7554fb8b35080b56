"""Reviewers' judgements on links between commitments: read, checked, decided, appended.

A judgements file (``data/judgements.jsonl`` in the repository, shipped as package data; the
build's ``--judgements PATH`` names another) holds one JSON object a line::

    {"a": "hmg-vawg-strategy-2016/A93", "b": "cps-vawg-action-plan-2017/FGM.1",
     "relation": "related", "decision": "rejected", "by": "alice",
     "at": "2026-12-04T23:40:00+00:00", "why": "same theme, different undertaking", "score": 0.41}

* ``a``, ``b``: commitments as ``doc_id/ref`` (the labelled pairs' form; a full commitment IRI is
  accepted too). For ``implements``, ``b`` is the commitment that delivers ``a``.
* ``relation``: ``restates`` or ``related`` (an overlap, of that kind) or ``implements``.
* ``decision``: ``confirmed`` (the link is always present, with the judged kind), ``rejected``
  (never present: rejecting an overlap removes it whatever its kind; to change the kind, confirm
  the right one) or ``unsure`` (recorded, changes nothing).
* ``by`` (who), ``at`` (when, ISO 8601), ``why`` (optional reason), ``score`` (optional: the
  model's probability when the judgement was made, or null).

The file is append-only in spirit: for one link (an overlap is one link whatever its kind; an
implements link is one per direction) the last confirmed or rejected line wins. A judgement
naming a commitment the build does not have is *stale*: the build lists it in its report and
warns, and applies nothing for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from vawg_kg.errors import JudgementsError
from vawg_kg.iris import ID_BASE
from vawg_kg.loaders.enrich import statement_iri
from vawg_kg.paths import package_dir

FILE_NAME = "judgements.jsonl"
OVERLAP_RELATIONS = ("restates", "related")
RELATIONS = (*OVERLAP_RELATIONS, "implements")
DECISIONS = ("confirmed", "rejected", "unsure")
REQUIRED = ("a", "b", "relation", "decision", "by", "at")
OPTIONAL = ("why", "score")
FIELDS = (*REQUIRED, *OPTIONAL)
COMMITMENT_BASE = f"{ID_BASE}commitment/"
REVIEWER_BASE = f"{ID_BASE}reviewer/"
JUDGED_RULE = "reviewer-judgement"  # the extraction rule of an implements link a reviewer confirmed


def default_file() -> Path:
    """The judgements file the build reads unless told otherwise: ``data/judgements.jsonl`` of the
    package (the repository's file in a checkout). It may be absent from an installed wheel."""
    return package_dir("data") / FILE_NAME


@dataclass(frozen=True)
class Judgement:
    a: str  # "doc_id/ref"
    b: str
    relation: str
    decision: str
    by: str
    at: str  # ISO 8601, as written
    why: str = ""
    score: float | None = None
    file: str = ""
    line: int = 0

    @property
    def a_iri(self) -> str:
        return iri_of(self.a)

    @property
    def b_iri(self) -> str:
        return iri_of(self.b)

    @property
    def is_overlap(self) -> bool:
        return self.relation in OVERLAP_RELATIONS

    @property
    def key(self) -> tuple[str, str, str]:
        """Which link this judges: ("overlap", first IRI, second IRI) or ("implements", a, b)."""
        if self.is_overlap:
            first, second = sorted((self.a_iri, self.b_iri))
            return ("overlap", first, second)
        return ("implements", self.a_iri, self.b_iri)

    @property
    def at_iso(self) -> str:
        """``at`` as an xsd:dateTime lexical form."""
        return datetime.fromisoformat(self.at).isoformat()

    @property
    def reviewer_iri(self) -> str:
        return REVIEWER_BASE + (re.sub(r"[^a-z0-9]+", "-", self.by.lower()).strip("-") or "anonymous")

    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        """The line as the file keeps it."""
        out: dict[str, Any] = {"a": self.a, "b": self.b, "relation": self.relation, "decision": self.decision,
                               "by": self.by, "at": self.at, "why": self.why, "score": self.score}
        return out

    def provenance(self) -> dict[str, Any]:
        """What a judged link carries about its judgement (links.json, the API)."""
        return {"decision": self.decision, "relation": self.relation, "by": self.by, "at": self.at,
                "why": self.why, "score_at_judgement": self.score, "reviewer": self.reviewer_iri}


def iri_of(ref: str) -> str:
    """``doc_id/ref`` (or a commitment IRI) → the commitment's IRI."""
    if ref.startswith(COMMITMENT_BASE):
        return ref
    doc_id, _, local = ref.partition("/")
    return statement_iri(doc_id, local, "commitment")


def key_of(iri: str) -> str:
    """A commitment IRI → ``doc_id/ref`` (the inverse of :func:`iri_of` for the refs the parsers give)."""
    return unquote(iri[len(COMMITMENT_BASE):]) if iri.startswith(COMMITMENT_BASE) else iri


_PAIR_ID = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*/\S+\Z")  # anchored: linear even where searched


def _fail(path: Path, line: int, message: str) -> JudgementsError:
    return JudgementsError(f"{path}:{line}: {message}", file=str(path), line=line)


def parse_line(text: str, path: Path, line: int) -> Judgement:
    """One line of a judgements file, checked; errors name the file, the line and the field."""
    try:
        row = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, line, f"not valid JSON ({exc.msg} at column {exc.colno}); "
                                "each line is one JSON object") from None
    if not isinstance(row, dict):
        raise _fail(path, line, f"a judgement is a JSON object, not {type(row).__name__}")
    unknown = sorted(set(row) - set(FIELDS))
    if unknown:
        raise _fail(path, line, f"unknown field {', '.join(map(repr, unknown))}; the fields are {', '.join(FIELDS)}")
    missing = [k for k in REQUIRED if k not in row]
    if missing:
        raise _fail(path, line, f"missing field {', '.join(map(repr, missing))}; required: {', '.join(REQUIRED)}")
    for name in (*REQUIRED, "why"):
        if name in row and not isinstance(row[name], str):
            raise _fail(path, line, f"field {name!r} must be a string, not {json.dumps(row[name])}")
    for name in ("a", "b"):
        value = row[name]
        if not (value.startswith(COMMITMENT_BASE) or _PAIR_ID.fullmatch(value)):
            raise _fail(path, line, f"field {name!r}: {value!r} is not a commitment; write it as doc_id/ref, "
                                    "e.g. 'hmg-vawg-strategy-2016/A93'")
    if iri_of(row["a"]) == iri_of(row["b"]):
        raise _fail(path, line, f"'a' and 'b' are the same commitment ({row['a']})")
    if row["decision"] not in DECISIONS:
        raise _fail(path, line, f"unknown decision {row['decision']!r}; use one of {', '.join(DECISIONS)}")
    if row["relation"] not in RELATIONS:
        raise _fail(path, line, f"unknown relation {row['relation']!r}; use one of {', '.join(RELATIONS)}")
    if not row["by"].strip():
        raise _fail(path, line, "field 'by' is empty: say who judged")
    try:
        datetime.fromisoformat(row["at"])
    except ValueError:
        raise _fail(path, line, f"field 'at': {row['at']!r} is not an ISO 8601 date and time "
                                "(e.g. 2026-12-04T23:40:00+00:00)") from None
    score = row.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1):
        raise _fail(path, line, f"field 'score': {json.dumps(score)} is not a probability from 0 to 1 (or null)")
    return Judgement(row["a"], row["b"], row["relation"], row["decision"], row["by"], row["at"],
                     row.get("why") or "", None if score is None else float(score), str(path), line)


def read(path: Path) -> list[Judgement]:
    """Every judgement in the file, in file order (blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise JudgementsError(f"{path}: no such judgements file; give an existing file to --judgements "
                              "(an empty file means no judgements)", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise JudgementsError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path)) from None
    return [parse_line(raw, path, n) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]


def load(path: Path | None, default: Path | None = None) -> tuple[list[Judgement], str | None]:
    """The judgements a build applies and the file they came from: ``path`` when given (it must
    exist), else ``default`` (:func:`default_file`) when it is there (an installed package that does
    not ship it: no judgements)."""
    if path is not None:
        return read(path), str(path)
    default = default or default_file()
    if not default.is_file():
        return [], None
    return read(default), str(default)


@dataclass
class Decisions:
    """The judgements that change links, after stale ones are set aside: the last decided one per link."""

    overlaps: dict[tuple[str, str], Judgement] = field(default_factory=dict)  # sorted IRI pair → judgement
    implements: dict[tuple[str, str], Judgement] = field(default_factory=dict)  # (implemented a, implementer b)
    stale: list[dict[str, Any]] = field(default_factory=list)
    read: int = 0
    unsure: int = 0

    def summary(self, source: str | None) -> dict[str, Any]:
        def count(table: Mapping[Any, Judgement], decision: str) -> int:
            return sum(j.decision == decision for j in table.values())

        return {"file": source, "read": self.read, "unsure": self.unsure,
                "overlaps": {"confirmed": count(self.overlaps, "confirmed"), "rejected": count(self.overlaps, "rejected")},
                "implements": {"confirmed": count(self.implements, "confirmed"),
                               "rejected": count(self.implements, "rejected")},
                "stale": len(self.stale)}


def decide(judgements: Iterable[Judgement], commitments: Iterable[str]) -> Decisions:
    """Which judgements apply to a build with these commitment IRIs."""
    known = set(commitments)
    out = Decisions()
    for j in judgements:
        out.read += 1
        missing = [ref for ref, iri in ((j.a, j.a_iri), (j.b, j.b_iri)) if iri not in known]
        if missing:
            out.stale.append({**j.to_json(), "file": j.file, "line": j.line,
                              "missing": missing,
                              "message": f"{j.where()}: {' and '.join(missing)} no longer exist"
                                         f"{'s' if len(missing) == 1 else ''} in this build; the judgement "
                                         f"({j.decision} {j.relation} {j.a} ~ {j.b}) is not applied"})
            continue
        if j.decision == "unsure":
            out.unsure += 1
            continue
        kind, first, second = j.key
        (out.overlaps if kind == "overlap" else out.implements)[(first, second)] = j
    return out


def judged_pairs(judgements: Iterable[Judgement]) -> set[frozenset[str]]:
    """Every pair of commitments some judgement names (any relation, any decision): what
    ``vawg-kg review`` does not ask about again."""
    return {frozenset((j.a_iri, j.b_iri)) for j in judgements}


def append(path: Path, judgement: Judgement) -> None:
    """Add one judgement as the file's last line (the file is created if absent)."""
    line = json.dumps(judgement.to_json(), ensure_ascii=False, sort_keys=True)
    parse_line(line, path, 0)  # what is written must read back
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = ""
    if path.is_file() and path.stat().st_size:
        with path.open("rb") as fh:
            fh.seek(-1, 2)
            prefix = "" if fh.read(1) == b"\n" else "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(prefix + line + "\n")
