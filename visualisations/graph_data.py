"""The browser's data, computed once per build from the build folder's JSON.

``graph_payload`` turns ``commitments.json`` (and the overlaps in
``links.json``) into what ``/graph`` draws: documents, commitments and the
entities they point to (organisations, themes, legislation, outcome codes),
each with a precomputed position, plus the edges between them. Positions are
computed here rather than by vis-network's physics so that the full graph is
drawn at once, identically on every load, with physics off: documents sit on a
circle, each document's commitments in a sunflower disc around it, and the
shared entities in a disc in the middle, grouped by kind.

``coverage`` (document x theme counts) and ``lineage_of`` (one commitment's
lineage as the build computed it in ``loaders/lineage.py``) serve the two other views.
"""

from __future__ import annotations

import json
import math
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vawg_kg.loaders.documents import BUNDLED
from vawg_kg.graph_api.orgs import OrgDirectory
from vawg_kg.iris import LEGISLATION_BASE
from vawg_kg.graph_api.service import FILTER_FIELDS
from vawg_kg.graph_api.details import coverage_of
from vawg_kg.loaders import lineage as lineage_mod

LEG_ID = LEGISLATION_BASE
LEG_SITE = "https://www.legislation.gov.uk/"
ENTITY_KINDS = (  # record field -> node kind, in the order they are laid out from the centre
    ("themes", "theme"),
    ("outcome_codes", "outcome_code"),
    ("legislation", "legislation"),
    ("leads", "organisation"),
    ("partners", "organisation"),
)
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
DOC_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442", "#999933")
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def legislation_href(iri: str) -> str | None:
    """``http://www.legislation.gov.uk/id/ukpga/2015/9`` -> ``https://www.legislation.gov.uk/ukpga/2015/9``."""
    if not iri.startswith(LEG_ID):
        return None
    return LEG_SITE + iri[len(LEG_ID):]


def filter_value(kind: str, iri: str) -> str:
    """The value the API's filters accept for an entity: legislation by ``type/year/chapter``, others by slug."""
    if kind == "legislation" and iri.startswith(LEG_ID):
        return iri[len(LEG_ID):]
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _load(path: Path, default: Any) -> Any:
    if not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def _documents(build_dir: Path, doc_ids: list[str]) -> list[dict[str, Any]]:
    known = {d.doc_id: {"id": d.doc_id, "title": d.title, "published": d.published.isoformat(), "file": d.file}
             for d in BUNDLED}
    for row in _load(build_dir / "added-sources" / "documents.json", []):
        if isinstance(row, dict) and row.get("doc_id") and row["doc_id"] not in known:
            known[row["doc_id"]] = {"id": row["doc_id"], "title": str(row.get("title") or row["doc_id"]),
                                    "published": str(row.get("published") or row.get("date") or "9999-12-31"),
                                    "file": str(row.get("file") or "")}
    docs = [known.get(d, {"id": d, "title": d, "published": "9999-12-31", "file": ""}) for d in doc_ids]
    docs.sort(key=lambda d: (d["published"], d["id"]))
    for i, doc in enumerate(docs):
        doc["color"] = DOC_COLOURS[i % len(DOC_COLOURS)]
    return docs


def sunflower(n: int, cx: float, cy: float, spacing: float, inner: float = 0.0) -> list[tuple[float, float]]:
    out = []
    for i in range(n):
        r = inner + spacing * math.sqrt(i + 0.5)
        a = i * GOLDEN_ANGLE
        out.append((round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1)))
    return out


def _org_choices(records: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every organisation a lead/partner filter can name: those the documents name, and the bodies that
    replaced them (FCDO for FCO and DFID), each with the entities it covers and the names it goes by."""
    index = {e["id"]: i for i, e in enumerate(entities) if e["kind"] == "organisation"}
    directory = OrgDirectory(records)
    candidates = set(index)
    for iri in index:
        candidates.update(directory.successors(iri))
    out = []
    for iri in sorted(candidates):
        members = [index[m] for m in directory.with_predecessors(iri) if m in index]
        if not members:
            continue
        info = directory.info(iri)
        out.append({"value": info["slug"], "name": info["name"], "members": members, "iri": iri,
                    "aliases": sorted({info["slug"], iri, info["name"], *info["acronyms"], *info["alt_names"],
                                       *info["names_in_sources"]}),
                    "acronym": (info["acronyms"] or [None])[0], "current": info["is_current"]})
    return out


def choices(records: list[dict[str, Any]], entities: list[dict[str, Any]],
            documents: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The values each browser filter accepts: ``value`` (what the URL and the API take), ``name``,
    ``members`` (entity indices it selects: an organisation with the bodies it replaced, an Act with its
    sections) and ``aliases`` (other ways to write it: acronyms, former and alternative names, IRIs),
    so a URL value can be resolved, or answered with the nearest names, in the page."""
    out: dict[str, list[dict[str, Any]]] = {
        "doc": [{"value": d["id"], "name": d["title"], "members": [], "aliases": [d["id"], d["title"]]}
                for d in documents]}
    orgs = _org_choices(records, entities)
    out["lead"] = out["partner"] = orgs
    for param, kind in (("theme", "theme"), ("legislation", "legislation"), ("outcome_code", "outcome_code")):
        rows = []
        for i, e in enumerate(entities):
            if e["kind"] != kind:
                continue
            members = [i] + [j for j, s in enumerate(entities) if s.get("act") == e["id"]]
            rows.append({"value": e["value"], "name": e["name"], "members": members,
                         "aliases": sorted({e["value"], e["id"], e["name"]})})
        out[param] = sorted(rows, key=lambda r: str(r["name"]).lower())
    return out


RELATION_WORDS = {"implements": "implements", "implemented_by": "implemented by", "restates": "restates",
                  "related": "related"}
SIDE_WORDS = {"earlier": "earlier", "same_time": "same date", "later": "later"}


@dataclass
class GraphData:
    build_dir: Path
    records: list[dict[str, Any]]
    overlaps: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    lineage: dict[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # what views derive once per build (graph_summary)

    def __post_init__(self) -> None:
        self.by_id = {r["id"]: r for r in self.records}
        self.doc_by_id = {d["id"]: d for d in self.documents}
        self._overlaps_by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ov in self.overlaps:
            self._overlaps_by_id[ov.get("a", "")].append(ov)
            self._overlaps_by_id[ov.get("b", "")].append(ov)
        if not self.lineage:  # a build from before lineage.json: the same module computes it
            self.lineage = lineage_mod.compute(self.records, self.overlaps)

    def overlaps_of(self, iri: str) -> list[dict[str, Any]]:
        """The overlaps (``links.json``) with ``iri`` at either end."""
        return self._overlaps_by_id.get(iri, [])

    # --- lineage -------------------------------------------------------------------------
    def entry(self, iri: str) -> dict[str, Any] | None:
        """The build's one lineage of ``iri`` (``loaders/lineage.py``), or None."""
        found: dict[str, Any] | None = self.lineage.get("commitments", {}).get(iri)
        return found

    def status(self, iri: str) -> dict[str, Any] | None:
        entry = self.entry(iri)
        if entry is None:
            return None
        known = self.lineage.get("statuses", {}).get(entry["status"], {})
        return {"code": entry["status"], "label": known.get("label", lineage_mod.STATUSES.get(entry["status"])),
                "judged_on": self.lineage.get("judged_on")}

    def lineage_of(self, iri: str) -> list[dict[str, Any]]:
        """The commitment and its lineage as the build computed it: earlier, same-date and later
        commitments linked to it directly (implements either way, restates, related), in the corpus
        order (date, document, ref), the commitment itself before those of its own date."""
        entry = self.entry(iri)
        if entry is None or iri not in self.by_id:
            return []
        rows = [self._row(e, side) for side in ("earlier",) for e in entry[side]]
        rows.append(self._row({"id": iri, "relations": [], "evidence": []}, "this"))
        rows += [self._row(e, side) for side in ("same_time", "later") for e in entry[side]]
        return rows

    def _row(self, e: dict[str, Any], side: str) -> dict[str, Any]:
        rec = self.by_id[e["id"]]
        doc = self.doc_by_id.get(rec["doc_id"], {})
        scores = [ev["score"] for ev in e["evidence"] if ev.get("score") is not None]
        words = ", ".join(RELATION_WORDS.get(r, r) for r in e["relations"])
        return {"id": e["id"], "doc_id": rec["doc_id"], "ref": rec["ref"], "text": rec["text"],
                "published": doc.get("published") or rec.get("doc_published"),
                "document": doc.get("title", rec["doc_id"]), "side": side,
                "relation": "this commitment" if side == "this" else f"{SIDE_WORDS[side]}: {words}",
                "relations": list(e["relations"]), "evidence": list(e["evidence"]),
                "score": max(scores) if scores else None, "source": rec.get("source")}

    def _date_key(self, node: str) -> tuple[Any, ...]:
        """The one order (``loaders.lineage.order_key``): document date, document, ref in natural order."""
        rec = self.by_id[node]
        published = self.doc_by_id.get(rec["doc_id"], {}).get("published") or rec.get("doc_published") or ""
        return lineage_mod.order_key(published, rec["doc_id"], rec["ref"])

    def _in_date_order(self, ids: list[str]) -> list[str]:
        return sorted(ids, key=self._date_key)

    # --- coverage ------------------------------------------------------------------------
    def coverage(self) -> dict[str, Any]:
        """The API's matrix (``graph_api.details.coverage_of``) in the heat map's shape."""
        matrix = coverage_of(self.records, [d["id"] for d in self.documents])
        counts = {f"{d}\t{row['theme']['id']}": n for row in matrix["rows"] for d, n in row["counts"].items() if n}
        return {"documents": self.documents, "totals": matrix["totals"],
                "themes": [{"id": row["theme"]["id"], "name": row["theme"]["name"],
                            "value": filter_value("theme", row["theme"]["id"])} for row in matrix["rows"]],
                "counts": counts, "max": max(counts.values(), default=0)}

    # --- the network ---------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        entities: dict[str, dict[str, Any]] = {}
        for rec in self.records:
            for fld, kind in ENTITY_KINDS:
                for ent in rec.get(fld) or []:
                    entry = entities.setdefault(ent["id"], {"id": ent["id"], "kind": kind, "name": ent["name"],
                                                            "roles": []})
                    if fld not in entry["roles"]:
                        entry["roles"].append(fld)
        kind_order = {"theme": 0, "outcome_code": 1, "legislation": 2, "organisation": 3}
        ordered = sorted(entities.values(), key=lambda e: (kind_order[e["kind"]], e["name"].lower(), e["id"]))
        centre = sunflower(len(ordered), 0.0, 0.0, 38.0)
        ring = 360.0 + 38.0 * math.sqrt(len(ordered) + 1)
        for ent, (x, y) in zip(ordered, centre):
            ent["x"], ent["y"] = x, y
            ent["value"] = filter_value(ent["kind"], ent["id"])
            if ent["kind"] == "legislation":
                ent["href"] = legislation_href(ent["id"])
                act = ent["id"].split("/section/")[0]
                ent["act"] = act if act != ent["id"] else None
            if ent["kind"] == "organisation":
                ent["slug"] = filter_value("organisation", ent["id"])

        per_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rec in self.records:
            per_doc[rec["doc_id"]].append(rec)
        biggest = max((len(v) for v in per_doc.values()), default=1)
        disc = 26.0 * math.sqrt(biggest) + 60.0
        radius = max(ring + disc, (disc * 1.15 * len(self.documents)) / math.pi)
        placed: list[tuple[dict[str, Any], float, float]] = []
        docs_out = []
        for i, doc in enumerate(self.documents):
            angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(self.documents))
            dx, dy = radius * math.cos(angle), radius * math.sin(angle)
            # The document's box sits just outside its disc of commitments, so it covers none of them.
            out = radius + 60.0 + 26.0 * math.sqrt(len(per_doc[doc["id"]]) + 1) + 70.0
            docs_out.append({**doc, "x": round(out * math.cos(angle), 1), "y": round(out * math.sin(angle), 1),
                             "count": len(per_doc[doc["id"]])})
            recs = sorted(per_doc[doc["id"]], key=lambda r: (r.get("source", {}).get("start", 0), r["ref"]))
            placed.extend((rec, x, y) for rec, (x, y) in zip(recs, sunflower(len(recs), dx, dy, 26.0, inner=60.0)))
        # References between items are indices into ``entities`` / ``commitments``: a third of the bytes.
        ent_index = {e["id"]: i for i, e in enumerate(ordered)}
        com_index = {rec["id"]: i for i, (rec, _, _) in enumerate(placed)}
        commitments = []
        for rec, x, y in placed:
            commitments.append({
                "id": rec["id"], "doc_id": rec["doc_id"], "ref": rec["ref"], "text": rec["text"],
                "section": rec.get("section") or [], "deadline_raw": rec.get("deadline_raw"),
                "deadline": rec.get("deadline"), "source": rec.get("source"), "x": x, "y": y,
                **{fld: [ent_index[e["id"]] for e in rec.get(fld) or []] for fld in FILTER_FIELDS.values()},
                "implements": [com_index[e["id"]] for e in rec.get("implements") or [] if e["id"] in com_index],
                # the one lineage (loaders/lineage.py): [commitment index, side, relations], in order
                "lineage": [[com_index[e["id"]], side, e["relations"]] for side in lineage_mod.SIDES
                            for e in (self.entry(rec["id"]) or {}).get(side, []) if e["id"] in com_index],
                "status": (self.entry(rec["id"]) or {}).get("status"),
            })
        overlaps = [[com_index[o["a"]], com_index[o["b"]], 1 if o.get("kind") == "restates" else 0,
                     o.get("score")] for o in self.overlaps if o.get("a") in com_index and o.get("b") in com_index]
        return {"documents": docs_out, "entities": ordered, "commitments": commitments,
                "overlaps": overlaps, "overlap_columns": ["a", "b", "restates", "score"],
                "statuses": {k: v.get("label") for k, v in self.lineage.get("statuses", {}).items()},
                "judged_on": self.lineage.get("judged_on"),
                "filter_fields": FILTER_FIELDS,
                "choices": choices(self.records, ordered, docs_out)}


def load(build_dir: Path) -> GraphData:
    records: list[dict[str, Any]] = _load(build_dir / "commitments.json", [])
    overlaps = _load(build_dir / "links.json", {}).get("overlaps", [])
    doc_ids = sorted({r["doc_id"] for r in records})
    return GraphData(build_dir, records, overlaps, _documents(build_dir, doc_ids),
                     lineage=_load(build_dir / "lineage.json", {}))


@dataclass
class _Cached:
    stamp: tuple[float, float, float]
    data: GraphData
    payloads: dict[str, bytes] = field(default_factory=dict)  # "full", "summary": JSON bytes, made on demand


_cache: dict[Path, _Cached] = {}
_lock = threading.Lock()


def _stamp(build_dir: Path) -> tuple[float, float, float]:
    def mtime(p: Path) -> float:
        return p.stat().st_mtime if p.exists() else 0.0

    return mtime(build_dir / "commitments.json"), mtime(build_dir / "links.json"), mtime(build_dir / "lineage.json")


def _entry(build_dir: Path) -> _Cached:
    key = build_dir.resolve()
    stamp = _stamp(key)
    hit = _cache.get(key)
    if hit is None or hit.stamp != stamp:
        hit = _cache[key] = _Cached(stamp, load(key))
    return hit


def as_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def cached(build_dir: Path) -> GraphData:
    """The build's data, reloaded when the build changes."""
    with _lock:
        return _entry(build_dir).data


def cached_payload(build_dir: Path, name: str, make: Callable[[GraphData], Any]) -> bytes:
    """``make(data)`` as JSON bytes, computed once per build (``name`` keys it): the full network
    (``GraphData.payload``) or the summary (``graph_summary.summary``)."""
    with _lock:
        entry = _entry(build_dir)
        body = entry.payloads.get(name)
        if body is None:
            body = entry.payloads[name] = as_json(make(entry.data))
        return body
