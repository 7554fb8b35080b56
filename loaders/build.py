"""The build: source documents → validated RDF graph and records, swapped in atomically.

Stages (:data:`STAGES`, each timed in ``BuildResult.timings``, which ``vawg-kg build``
prints): read; extract (parse and enrich, per document, in worker processes); link
(overlaps, judgements, lineage: the corpus-wide work); emit (each document's triples
to a sorted N-Triples part, in the workers; the corpus-wide triples to cross parts);
validate (each part against the SHACL shapes, in the workers, see
:mod:`part_checks`); serialise (the dumps merged from the parts, the JSON records);
store (callbacks such as the Oxigraph load, on the staged folder before the swap).

Per-document work is kept in ``parts/`` of the build folder under keys of what it
depends on (:mod:`document_parts`), so adding, replacing or removing a document
re-does that document and the corpus-wide work; no process holds the whole graph.
A failure at any stage leaves the previous output untouched.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from rdflib import XSD, Literal, URIRef
from rdflib.namespace import PROV

from vawg_kg.errors import BuildError, SourceError
from vawg_kg.stores import swap
from vawg_kg.loaders.part_checks import CrossEmitter, check, cross_tasks
from vawg_kg.loaders.part_checks import violations as part_violations
from vawg_kg.loaders.document_parts import (PARTS_DIR, CacheDirs, EmitTask, Extracted, ExtractTask, SourceDocument,
                                            code_version, coverage_of, emit_key, emit_part,
                                            extract, key_of, parse_document, types_of)
from vawg_kg.loaders.documents import (BUNDLED, UNKNOWN_PUBLISHER, DocumentInfo, DocumentMeta, check_doc_id,
                                       metadata_for)
from vawg_kg.loaders.emit import GraphEmitter, extraction_iri
from vawg_kg.loaders.forked import run_forked
from vawg_kg.loaders.enrich import EnrichedStatement, Enricher, Link, org_iri
from vawg_kg.loaders.overlap_text import default_analyser
from vawg_kg.loaders.readers import RENDERED_FORMATS, read_document
from vawg_kg.loaders.records import ParsedDocument
from vawg_kg.loaders.records_json import record_of
from vawg_kg.loaders.serialise import NT_DUMP, merge_parts, prefixes_of, write_dumps_from_nt
from vawg_kg.loaders.text import clean
from vawg_kg.loaders.source_io import read_source
from vawg_kg.loaders.workers import Progress, Workers, workers
from vawg_kg.ontology.terms import VAWG
from vawg_kg.ontology.validate import ontology_graph, violation_error
from vawg_kg.ontology.vocabulary import load_vocabulary, vocabulary_graph
from vawg_kg.paths import sources_dir
from vawg_kg.loaders import judgements, lineage, links

__all__ = ["STAGES", "SourceDocument", "build_graph", "coverage_of", "dry_run", "parse_document", "plan_documents"]

# The stages, in order, that ``on_stage`` reports and ``BuildResult.timings`` times.
STAGES = ("read", "extract", "link", "emit", "validate", "serialise", "store")
ADDED_DIR = "added-sources"
_FIRST_HEADING = re.compile(r"^#[ \t]+(\S[^\n]*)$", re.MULTILINE)
ORIGINALS_DIR = "originals"  # inside ADDED_DIR: the PDF, Word or HTML file as given
MANIFEST = "documents.json"

StageCallback = Callable[[str], None]
StoreHook = Callable[[Path], object]  # its return value is ignored


@dataclass
class BuildResult:
    out_dir: Path
    statements: list[EnrichedStatement]
    report: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)  # documents, parts and checks taken from the last build


def _added_documents(out_dir: Path) -> list[DocumentInfo]:
    manifest = out_dir / ADDED_DIR / MANIFEST
    if not manifest.exists():
        return []
    rows = json.loads(manifest.read_text())
    return [
        DocumentInfo(r["doc_id"], r["file"], r["title"], r["publisher"], date.fromisoformat(r["published"]),
                     r["shape"], r["owner"], source_format=r.get("format", "text"), original=r.get("original", ""),
                     page_starts=tuple(r.get("page_starts", ())))
        for r in rows
    ]


def _manifest_row(d: DocumentInfo) -> dict[str, Any]:
    row: dict[str, Any] = {"doc_id": d.doc_id, "file": d.file, "title": d.title, "publisher": d.publisher,
                           "published": d.published.isoformat(), "shape": d.shape, "owner": d.owner,
                           "format": d.source_format}
    if d.original:
        row["original"] = d.original
    if d.page_starts:
        row["page_starts"] = list(d.page_starts)
    return row


def _new_document(path: Path, doc_id: str, meta: DocumentMeta) -> SourceDocument:
    """An added file read in its format; its metadata from ``meta`` (command line or sidecar)."""
    extracted = read_document(path)
    rendered = extracted.format in RENDERED_FORMATS
    suffix = path.suffix.lower() if rendered else (path.suffix or ".txt")
    publisher = meta.publisher or UNKNOWN_PUBLISHER
    published = meta.published or date.fromtimestamp(int(path.stat().st_mtime))
    heading = _FIRST_HEADING.search(extracted.text)
    title = meta.title or (clean(heading.group(1)) if heading else "") or path.stem
    info = DocumentInfo(doc_id, f"{doc_id}.txt" if rendered else f"{doc_id}{suffix}", title,
                        publisher, published, "generic", publisher, source_format=extracted.format,
                        original=f"{doc_id}{suffix}" if rendered else "", page_starts=extracted.page_starts)
    return SourceDocument(info, path, extracted.text, path if rendered else None)


def plan_documents(
    out_dir: Path,
    extra: Sequence[tuple[Path, str]] = (),
    remove: Iterable[str] = (),
    metadata: Mapping[str, DocumentMeta] | None = None,
) -> tuple[list[SourceDocument], list[DocumentInfo]]:
    """The documents this build reads, and the added ones to remember for the next.

    ``metadata`` gives an added document's publisher, title and date by doc id; a
    document it does not cover takes them from its sidecar file (``FILE.meta.json``).
    """
    bundled_ids = {d.doc_id for d in BUNDLED}
    added = {d.doc_id: d for d in _added_documents(out_dir)}
    for doc_id in remove:
        if doc_id in bundled_ids:
            raise SourceError(f"--remove-doc {doc_id}: bundled documents cannot be removed")
        if added.pop(doc_id, None) is None:
            raise SourceError(f"--remove-doc {doc_id}: no added document has that id (added: {', '.join(added) or 'none'})")
    new: dict[str, SourceDocument] = {}
    for path, doc_id in extra:
        check_doc_id(doc_id)
        if doc_id in bundled_ids:
            raise SourceError(f"--doc-id {doc_id} is already used by a bundled document; choose another id")
        if doc_id in new:
            raise SourceError(f"--doc-id {doc_id} is given twice")
        meta = (metadata or {}).get(doc_id) or metadata_for(path)
        new[doc_id] = _new_document(path, doc_id, meta)
        added[doc_id] = new[doc_id].info
    docs = [SourceDocument(d, sources_dir() / d.file, "") for d in BUNDLED]
    for doc_id, info in sorted(added.items()):
        if doc_id in new:
            docs.append(new[doc_id])
            continue
        original = out_dir / ADDED_DIR / ORIGINALS_DIR / info.original if info.original else None
        docs.append(SourceDocument(info, out_dir / ADDED_DIR / info.file, "", original))
    for doc in docs:
        if not doc.text:
            doc.text = read_source(doc.path)
    return docs, [added[k] for k in sorted(added)]


def summarise(statements: list[EnrichedStatement], docs: list[SourceDocument]) -> dict[str, Any]:
    per_doc: dict[str, dict[str, int]] = {}
    for doc in docs:
        per_doc[doc.info.doc_id] = {"commitments": 0, "outcomes": 0, "unthemed": 0, "unowned": 0, "undated": 0}
    for st in statements:
        row = per_doc[st.doc_id]
        if st.is_commitment:
            row["commitments"] += 1
            row["unthemed"] += not st.themes
            row["unowned"] += not st.leads
            row["undated"] += st.deadline is None or st.deadline.date is None
        else:
            row["outcomes"] += 1
    return per_doc


def build_graph(
    out_dir: Path,
    extra_sources: Sequence[tuple[Path, str]] = (),
    remove_docs: Iterable[str] = (),
    on_stage: StageCallback | None = None,
    store_hooks: Sequence[StoreHook] = (),
    metadata: Mapping[str, DocumentMeta] | None = None,
    judgements_file: Path | None = None,
    on_progress: Progress | None = None,
) -> BuildResult:
    """``on_progress(stage, done, total)`` is called as documents are done in the per-document stages.
    ``judgements_file``: the reviewers' judgements to apply (default: ``data/judgements.jsonl`` of
    the package when it is there, see :func:`judgements.load`)."""
    return _build(Path(out_dir), extra_sources, remove_docs, on_stage, store_hooks, metadata, judgements_file,
                  on_progress)


def _build(
    out_dir: Path,
    extra_sources: Sequence[tuple[Path, str]],
    remove_docs: Iterable[str],
    on_stage: StageCallback | None,
    store_hooks: Sequence[StoreHook],
    metadata: Mapping[str, DocumentMeta] | None = None,
    judgements_file: Path | None = None,
    on_progress: Progress | None = None,
) -> BuildResult:
    swap.recover(out_dir)
    timings: dict[str, float] = {}

    def stage(name: str) -> None:
        if on_stage:
            on_stage(name)
        timings[f"_{name}_started"] = time.perf_counter()

    def done(name: str) -> None:
        timings[name] = round(time.perf_counter() - timings.pop(f"_{name}_started"), 4)

    stage("read")
    docs, added = plan_documents(out_dir, extra_sources, remove_docs, metadata)
    judged, judgements_source = judgements.load(judgements_file)
    done("read")

    staged = swap.staging_dir(out_dir)
    previous_parts = out_dir / PARTS_DIR
    cache = CacheDirs(previous_parts if previous_parts.is_dir() else None, staged / PARTS_DIR)
    cache.current.mkdir()
    try:
        with workers() as pool:
            result = _build_in(out_dir, staged, cache, pool, docs, added, judged, judgements_source,
                               stage, done, store_hooks, on_progress)
        swap.swap_in(staged, out_dir)
    except OSError as exc:
        shutil.rmtree(staged, ignore_errors=True)
        raise BuildError(f"could not write the build output in {out_dir.parent}: {exc.strerror or exc}. "
                         "The previous output is unchanged; free space or choose another --out.") from exc
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    result.timings = {k: v for k, v in timings.items() if not k.startswith("_")}
    return result


def _build_in(
    out_dir: Path,
    staged: Path,
    cache: CacheDirs,
    pool: Workers,
    docs: list[SourceDocument],
    added: list[DocumentInfo],
    judged: list[judgements.Judgement],
    judgements_source: str | None,
    stage: StageCallback,
    done: StageCallback,
    store_hooks: Sequence[StoreHook],
    on_progress: Progress | None,
) -> BuildResult:
    stage("extract")
    version = code_version()
    extract_keys = {doc.info.doc_id: key_of(version, _manifest_row(doc.info), doc.text) for doc in docs}
    extracted = pool.map(extract, [ExtractTask(doc.info, doc.path, doc.text, extract_keys[doc.info.doc_id], cache)
                                   for doc in docs], "extract", on_progress)
    by_doc = {doc.info.doc_id: ex for doc, ex in zip(docs, extracted)}
    analyser = default_analyser()
    for ex in extracted:
        for text, analysis in ex.analyses.items():
            analyser.remember(text, analysis)
    unknown = unknown_organisations(docs, extracted)
    statements = [st for ex in extracted for st in ex.statements]
    name_created_organisations(statements, unknown)
    coverage = {doc_id: ex.coverage for doc_id, ex in by_doc.items()}
    done("extract")

    stage("link")
    # Reviewers' judgements over the model: implements links here, overlaps in links.link_documents.
    decisions = judgements.decide(judged, (st.iri for st in statements if st.is_commitment))
    judged_implements = apply_implements(statements, decisions)
    records = [record_of(st) for st in statements if st.is_commitment]
    # The overlap model's memory peaks here and is not needed afterwards: it runs in a child that exits.
    link_report, lineage_answer = run_forked(functools.partial(
        _link, statements, decisions, records, judged_implements.evidence(), staged))
    done("link")

    stage("emit")
    created = frozenset(unknown)
    emit_tasks = [EmitTask(doc.info, doc.text, by_doc[doc.info.doc_id].statements,
                           emit_key(extract_keys[doc.info.doc_id], by_doc[doc.info.doc_id].statements, created),
                           cache, created)
                  for doc in docs]
    parts = pool.map(emit_part, emit_tasks, "emit", on_progress)
    owner, in_document_part = owners(statements, link_report, judged_implements)
    corpus = CrossEmitter(owner.get, in_document_part.__contains__, staged)
    corpus.copy(vocabulary_graph())
    for iri, label in unknown.items():
        corpus.organisation(iri, label)
    links.emit_links(corpus, link_report)
    emit_judged_implements(corpus, judged_implements)
    emit_lineage(corpus, lineage_answer)
    done("emit")

    stage("validate")
    # the classes of what parts point to outside themselves, and of the document nodes cross parts extend
    needed = {node for part in parts for node in part.outside}
    for cross_part in corpus.parts.values():
        needed |= cross_part.objects
        needed |= cross_part.owned
    types: dict[str, list[str]] = {}
    for typed in [*(types_of(part) for part in parts), *(c.types for c in corpus.parts.values())]:
        for node, classes in typed.items():
            if node in needed:
                types.setdefault(node, []).extend(classes)
    type_of = lambda node: types.get(node, ())  # noqa: E731
    cross, cross_paths = cross_tasks(corpus, type_of, cache)
    corpus.parts.clear()
    checked = pool.map(check, cross, "validate", on_progress)
    violations = part_violations(parts, zip(cross, checked), cross_paths, type_of)
    if violations:
        raise violation_error(violations)
    done("validate")

    stage("serialise")
    triples = merge_parts([*(p.path for p in parts), *(c.path for c in checked)], staged / NT_DUMP)
    write_dumps_from_nt(staged, prefixes_of(GraphEmitter().graph))
    for rec in records:
        entry = lineage_answer["commitments"][rec["id"]]
        rec["lineage_order"], rec["status"] = entry["order"], entry["status"]
        rec["status_judged_on"] = lineage_answer["judged_on"]
    _write_json(staged / "commitments.json", records)
    _write_json(staged / "statements.json", [record_of(st) for st in statements if not st.is_commitment])
    if added:
        (staged / ADDED_DIR).mkdir()
        for info in added:
            doc = next(d for d in docs if d.info.doc_id == info.doc_id)
            # the text the offsets count into, byte for byte as read (or as extracted)
            (staged / ADDED_DIR / info.file).write_bytes(doc.text.encode("utf-8"))
            if doc.original is not None and info.original:
                (staged / ADDED_DIR / ORIGINALS_DIR).mkdir(exist_ok=True)
                shutil.copyfile(doc.original, staged / ADDED_DIR / ORIGINALS_DIR / info.original)
        _write_json(staged / ADDED_DIR / MANIFEST, [_manifest_row(d) for d in added])
    done("serialise")

    stage("store")
    for hook in store_hooks:
        hook(staged)
    done("store")
    reused = {"documents": sum(ex.reused for ex in extracted), "parts": sum(p.reused for p in parts),
              "cross_checks": sum(c.reused for c in checked), "cross_parts": len(cross)}
    report = {
        "documents": summarise(statements, docs),
        "coverage": coverage,
        "triples": triples,
        "links": link_report.summary(),
        "judgements": {**decisions.summary(judgements_source), "implements_applied": judged_implements.counts},
        "stale_judgements": decisions.stale,
    }
    _write_json(staged / "report.json", report)
    (staged / PARTS_DIR / "reuse.json").write_text(json.dumps(reused, sort_keys=True) + "\n")
    return BuildResult(out_dir, statements, report, reused=reused)


def _link(statements: list[EnrichedStatement], decisions: judgements.Decisions, records: list[dict[str, Any]],
          implemented: dict[tuple[str, str], dict[str, Any]], staged: Path) -> tuple[links.LinkReport, dict[str, Any]]:
    """Overlaps, nearest candidates and lineage, with ``links.json``, ``candidates.json`` and
    ``lineage.json`` written here. What comes back is what the rest of the build needs: the report
    without its scored candidates, and each commitment's place and status."""
    published = {r["id"]: r["doc_published"] for r in records}
    nearest = lineage.NearestCandidates(published)
    candidates = JsonStreamed(staged / "candidates.json", links.json_head(), "candidates")

    def scored(candidate: links.Candidate) -> None:
        row = candidate.to_json()
        candidates.add(row)
        nearest.add(row)

    report = links.link_documents(statements, decisions, on_scored=scored)
    candidates.close()
    rejected = [pair for pair, j in decisions.overlaps.items() if j.decision == "rejected"]
    # One lineage and one status per commitment (loaders/lineage.py), used by every reader.
    head, entries = lineage.compute_by_commitment(
        records, (o.to_json() for o in report.overlaps),
        nearest.result((o.to_json() for o in report.overlaps), rejected), implemented)
    lineage_json = JsonStreamed(staged / "lineage.json", head, "commitments", "{}")
    placed: dict[str, dict[str, Any]] = {}
    for iri, entry in entries(sorted(published)):
        lineage_json.add_entry(iri, entry)
        placed[iri] = {"order": entry["order"], "status": entry["status"]}
    lineage_json.close()
    links_json = JsonStreamed(staged / "links.json", links.json_head(), "overlaps")
    for overlap in report.overlaps:
        links_json.add(overlap.to_json())
    links_json.close()
    return report, {"judged_on": head["judged_on"], "commitments": placed}


def unknown_organisations(docs: Sequence[SourceDocument], extracted: Sequence[Extracted]) -> dict[str, str]:
    """Organisations not in the vocabulary, created from the corpus: each publisher or owner first,
    then those the documents name, in corpus order, each with the first label it was met with."""
    known = load_vocabulary().organisations
    out: dict[str, str] = {}
    for doc in docs:
        for slug in {doc.info.publisher, doc.info.owner}:
            if slug not in known:
                out[org_iri(slug)] = f"Publisher of {doc.info.doc_id} (not in the vocabulary)"
    for ex in extracted:
        for iri, label in ex.unknown_organisations.items():
            out.setdefault(iri, label)
    return out


def name_created_organisations(statements: Sequence[EnrichedStatement], unknown: Mapping[str, str]) -> None:
    """A created organisation is named as it was first met in the corpus, in every document (each
    document was enriched on its own, where it was named as that document first met it)."""
    for st in statements:
        for group in (st.leads, st.partners):
            for i, link in enumerate(group):
                label = unknown.get(link.iri)
                if label is not None and link.name != label:
                    group[i] = replace(link, name=label)


def owners(statements: Sequence[EnrichedStatement], report: links.LinkReport,
           judged: JudgedImplements) -> tuple[dict[str, str], set[str]]:
    """The document each corpus-wide subject belongs to (a statement's, its judged extractions', and
    an overlap node's first commitment's), and those of them that have triples in a document's part."""
    doc_of = {st.iri: st.doc_id for st in statements}
    out = dict(doc_of)
    for st, link, _ in judged.confirmed:
        out[str(extraction_iri(URIRef(st.iri), VAWG.implements, link))] = st.doc_id
    in_document_part = set(out)
    for o in report.overlaps:
        out[str(links.overlap_iri(o.a, o.b))] = doc_of[min(o.a, o.b)]
    return out, in_document_part


@dataclass
class JudgedImplements:
    """The implements links reviewers decided, as the build applied them."""

    counts: dict[str, int] = field(default_factory=dict)
    confirmed: list[tuple[EnrichedStatement, Link, judgements.Judgement]] = field(default_factory=list)

    def evidence(self) -> dict[tuple[str, str], dict[str, Any]]:
        """(implemented, implementer) → what the lineage shows of the judgement."""
        return {(link.iri, st.iri): {**j.provenance(), "stated_by_document": link.rule != judgements.JUDGED_RULE}
                for st, link, j in self.confirmed}


def apply_implements(statements: Sequence[EnrichedStatement], decisions: judgements.Decisions) -> JudgedImplements:
    """Reviewers' implements judgements over the documents' own: a confirmed link is added to the
    implementing commitment (rule ``reviewer-judgement``) unless the document states it, a rejected
    one removed."""
    by_iri = {st.iri: st for st in statements if st.is_commitment}
    out = JudgedImplements({"confirmed": 0, "rejected": 0, "confirmed_already_stated": 0, "rejected_not_stated": 0})
    for (target, implementer), j in sorted(decisions.implements.items()):
        st = by_iri[implementer]
        stated = next((link for link in st.implements if link.iri == target), None)
        if j.decision == "rejected":
            out.counts["rejected"] += 1
            out.counts["rejected_not_stated"] += stated is None
            st.implements = [link for link in st.implements if link.iri != target]
            continue
        out.counts["confirmed"] += 1
        out.counts["confirmed_already_stated"] += stated is not None
        if stated is None:
            stated = Link(target, by_iri[target].ref, judgements.JUDGED_RULE)
            st.implements = [*st.implements, stated]
        out.confirmed.append((st, stated, j))
    return out


def emit_judged_implements(emitter: GraphEmitter, judged: JudgedImplements) -> None:
    """PROV of a confirmed implements link: its extraction was associated with the reviewer, ended at
    the time of the judgement, for the reviewer's reason."""
    for st, link, j in judged.confirmed:
        node = extraction_iri(URIRef(st.iri), VAWG.implements, link)
        links.emit_reviewer(emitter, node, j, by=PROV.wasAssociatedWith, at=PROV.endedAtTime)


def enrich_documents(enricher: Enricher, docs: Sequence[SourceDocument],
                     parsed: Mapping[str, ParsedDocument]) -> list[EnrichedStatement]:
    for doc in docs:
        for slug in {doc.info.publisher, doc.info.owner}:
            if slug not in enricher.vocab.organisations:
                enricher.unknown_organisations[org_iri(slug)] = f"Publisher of {doc.info.doc_id} (not in the vocabulary)"
    return [enricher.enrich(st, doc.info) for doc in docs for st in parsed[doc.info.doc_id].statements]


def dry_run(
    out_dir: Path,
    extra_sources: Sequence[tuple[Path, str]],
    metadata: Mapping[str, DocumentMeta] | None = None,
) -> dict[str, Any]:
    """What a build with ``extra_sources`` would extract from them, computed without writing anything:
    per added document its metadata, each commitment (ref, text, leads, deadline, confidence, pages,
    source) and the uncertain lines. The graph in ``out_dir`` is not touched."""
    docs, _ = plan_documents(Path(out_dir), extra_sources, (), metadata)
    wanted = {doc_id for _, doc_id in extra_sources}
    new = [d for d in docs if d.info.doc_id in wanted]
    parsed = {doc.info.doc_id: parse_document(doc) for doc in new}
    statements = enrich_documents(Enricher(), new, parsed)
    out: dict[str, Any] = {}
    for doc in new:
        info = doc.info
        records = [record_of(st) for st in statements if st.doc_id == info.doc_id and st.is_commitment]
        out[info.doc_id] = {
            "file": str(doc.path), "format": info.source_format, "title": info.title,
            "publisher": info.publisher, "published": info.published.isoformat(),
            "commitments": [{k: r[k] for k in ("ref", "text", "section", "leads", "partners", "deadline_raw",
                                               "deadline", "deadline_kind", "confidence", "source")}
                            for r in records],
            "coverage": coverage_of(doc, parsed[info.doc_id]),
        }
    return out


def emit_lineage(emitter: GraphEmitter, answer: dict[str, Any]) -> None:
    """Each commitment's status, the date it was judged against and its place in the corpus order,
    with the status scheme (declared in the ontology) copied into the graph."""
    emitter.copy((s, p, o) for s, p, o in ontology_graph()
                 if isinstance(s, URIRef) and str(s).startswith(lineage.STATUS_SCHEME))
    judged = Literal(answer["judged_on"], datatype=XSD.date)
    for iri, entry in answer["commitments"].items():
        node = URIRef(iri)
        emitter.add(node, VAWG.lineageStatus, URIRef(lineage.status_iri(entry["status"])))
        emitter.add(node, VAWG.statusJudgedOn, judged)
        emitter.add(node, VAWG.lineageOrder, Literal(entry["order"], datatype=XSD.integer))


class JsonStreamed:
    """Writes ``_write_json``'s bytes for an object one of whose values, a list or an object, is given
    an item at a time (``add`` for a list, ``add_entry`` for an object, in sorted key order): a
    corpus's million scored candidates, or its commitments' lineage, are never all in memory."""

    def __init__(self, path: Path, data: Mapping[str, Any], streamed_key: str, brackets: str = "[]") -> None:
        self._out = open(path, "w", encoding="utf-8")
        self._keys = sorted([*data, streamed_key])
        self._data = data
        self._open, self._close = brackets[0], brackets[1]
        self._items = 0
        self._at = 0
        self._out.write("{")
        self._write_keys_until(streamed_key)
        self._out.write(("," if self._at else "") + f"\n {json.dumps(streamed_key, ensure_ascii=False)}: ")
        self._at += 1

    def _write_keys_until(self, stop: str | None) -> None:
        while self._at < len(self._keys) and self._keys[self._at] != stop:
            key = self._keys[self._at]
            text = json.dumps(self._data[key], ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n ")
            self._out.write(("," if self._at else "") + f"\n {json.dumps(key, ensure_ascii=False)}: {text}")
            self._at += 1

    def _item(self, text: str) -> None:
        self._out.write((self._open + "\n" if not self._items else ",\n") + "  " + text.replace("\n", "\n  "))
        self._items += 1

    def add(self, item: Any) -> None:
        self._item(json.dumps(item, ensure_ascii=False, indent=1, sort_keys=True))

    def add_entry(self, key: str, value: Any) -> None:
        self._item(f"{json.dumps(key, ensure_ascii=False)}: "
                   + json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True))

    def close(self) -> None:
        self._out.write(self._open + self._close if not self._items else "\n " + self._close)
        self._write_keys_until(None)
        self._out.write("\n}\n")
        self._out.close()


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
