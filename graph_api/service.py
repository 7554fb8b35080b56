"""The service layer: everything the routers answer, over one build folder.

Loaded once at start-up: ``commitments.json`` (the public records),
``statements.json`` (stated outcomes), ``links.json`` (overlaps),
``report.json`` (counts) and the organisation vocabulary; in-memory indexes
serve the filters, ``search.CommitmentSearch`` serves ``q``. SPARQL goes to the Oxigraph store
opened read-only, through ``stores.sparql.guard``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from vawg_kg.errors import NotFoundError, StoreUnavailableError, VawgError
from vawg_kg.graph_api.errors import InvalidParameterError
from vawg_kg.graph_api.nearest import Named, as_detail, nearest, unknown
from vawg_kg.graph_api.orgs import OrgDirectory
from vawg_kg.graph_api.search import CommitmentSearch
from vawg_kg.graph_api.settings import Settings
from vawg_kg.loaders import lineage
from vawg_kg.stores.results import QueryResult
from vawg_kg.queries.runner import run_named
from vawg_kg.stores.sparql.pool import Document, WorkerPool, run_guarded
from vawg_kg.stores.sparql.worker import WorkRequest
from vawg_kg.stores.oxigraph import OxigraphStore
from vawg_kg.paths import sources_dir
from vawg_kg.iris import ID_BASE, LEGISLATION_BASE

_LEG_PATH = re.compile(r"^(?:https?://(?:www\.)?legislation\.gov\.uk/(?:id/)?)?"
                       r"([a-z]{2,6}/\d{4}/\d{1,4})(/section/[0-9A-Za-z]{1,8})?/?$")
#: the entity filters of /commitments (and the graph browser): parameter -> record field
#: how a commitment cites legislation (records' legislation[].reference), the values of ?reference=
REFERENCE_KINDS = ("explicit", "provision", "concept", "crime-type")
FILTER_FIELDS = {"lead": "leads", "partner": "partners", "theme": "themes", "legislation": "legislation",
                 "outcome_code": "outcome_codes"}
#: named-query rows kept for the life of the server (their JSON size, summed)
NAMED_CACHE_BYTES = 64 * 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9._~:/%\-]{1,300}$")


def _load_json(path: Path, default: Any) -> Any:
    if not path.is_file():
        return default
    return json.loads(path.read_text(encoding="utf-8"))


def file_sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Named-query parameters that name an organisation (queries/*.rq: "org (iri)", "partner (iri)").
NAMED_ORG_PARAMETERS = ("org", "partner")


@dataclass
class Filters:
    doc: str | None = None
    lead: str | None = None
    partner: str | None = None
    theme: str | None = None
    legislation: str | None = None
    outcome_code: str | None = None
    q: str | None = None
    reference: str | None = None  # legislation: explicit, provision, concept or crime-type


@dataclass
class Page:
    total: int
    items: list[dict[str, Any]]
    limit: int
    offset: int
    notes: dict[str, Any] = field(default_factory=dict)


class GraphService:
    def __init__(self, build_dir: Path, settings: Settings) -> None:
        self.build_dir = Path(build_dir)
        self.settings = settings
        commitments = self.build_dir / "commitments.json"
        if not commitments.is_file():
            raise StoreUnavailableError(f"no build in {self.build_dir}: run `vawg-kg build --out {self.build_dir}`")
        self.records: list[dict[str, Any]] = _load_json(commitments, [])
        self.outcomes: list[dict[str, Any]] = _load_json(self.build_dir / "statements.json", [])
        self.links: dict[str, Any] = _load_json(self.build_dir / "links.json", {}) or {}
        self.report: dict[str, Any] = _load_json(self.build_dir / "report.json", {}) or {}
        # One lineage and status per commitment, as the build computed it (loaders/lineage.py);
        # a build from before lineage.json existed gets the same answer computed here.
        self.lineage: dict[str, Any] = _load_json(self.build_dir / "lineage.json", {}) or lineage.compute(
            self.records, self.links.get("overlaps", []) or [])
        self.version = file_sha256(self.build_dir / "vawg-kg.nt")
        self._index()
        self.orgs = OrgDirectory(self.records)
        self._store: Any = None
        self._store_lock = threading.RLock()
        self._lanes: dict[str, WorkerPool] = {}
        # named-query rows by (name, parameters), least recently used first; bounded in bytes
        self._named_cache: OrderedDict[tuple[str, tuple[tuple[str, Any], ...]],
                                       tuple[int, list[dict[str, Any]]]] = OrderedDict()
        self._named_cache_bytes = 0
        self._cache_lock = threading.Lock()

    # --- indexes ---------------------------------------------------------------------
    def _index(self) -> None:
        self.by_iri: dict[str, dict[str, Any]] = {}
        self.by_ref: dict[str, dict[str, Any]] = {}
        self.position: dict[str, int] = {}
        self.idx: dict[str, dict[str, set[int]]] = {k: defaultdict(set) for k in ("doc", *FILTER_FIELDS.values())}
        # (legislation IRI, reference kind) → records citing it that way; "" stands for any legislation
        self.leg_by_kind: dict[tuple[str, str], set[int]] = defaultdict(set)
        for i, rec in enumerate(self.records):
            self.by_iri[rec["id"]] = rec
            self.by_ref[f"{rec['doc_id']}/{rec['ref']}"] = rec
            self.position[rec["id"]] = i
            self.idx["doc"][rec["doc_id"]].add(i)
            for key in FILTER_FIELDS.values():
                for ent in rec.get(key) or []:
                    self.idx[key][ent["id"]].add(i)
                    act = ent["id"].split("/section/")[0]  # a section's commitment is also the Act's
                    if key == "legislation" and act != ent["id"]:
                        self.idx[key][act].add(i)
                    if key == "legislation":
                        for target in {ent["id"], act, ""}:
                            self.leg_by_kind[(target, str(ent.get("reference")))].add(i)
        for st in self.outcomes:
            self.by_iri.setdefault(st["id"], st)
            self.by_ref.setdefault(f"{st['doc_id']}/{st['ref']}", st)
        self.names: dict[str, str] = {}
        for rec in self.records:
            for key in FILTER_FIELDS.values():
                for ent in rec.get(key) or []:
                    self.names.setdefault(ent["id"], ent["name"])
        # q: every word, in the text, headings, ref, leads and partners; ranked (graph_api/search.py)
        self.search = CommitmentSearch(self.records)
        overlaps: list[dict[str, Any]] = list(self.links.get("overlaps", []) or [])
        # best first, then by the two IRIs: the order /overlaps pages through
        self.overlaps_sorted = sorted(overlaps, key=lambda o: (-(o.get("score") or 0), o["a"], o["b"]))
        self.overlaps_by_iri: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ov in overlaps:
            self.overlaps_by_iri[ov["a"]].append(ov)
            self.overlaps_by_iri[ov["b"]].append(ov)
        self.implemented_by: dict[str, list[str]] = defaultdict(list)
        for rec in self.records:
            for ent in rec.get("implements") or []:
                self.implemented_by[ent["id"]].append(rec["id"])

    @property
    def documents(self) -> list[str]:
        return sorted(self.idx["doc"])

    # --- filter value resolution -----------------------------------------------------
    def _vocab_value(self, param: str, value: str, key: str, prefix: str) -> str:
        """A theme / outcome code given as slug, notation, IRI or name → its IRI; else 404 with the nearest."""
        value = value.strip()
        candidates = {value, f"{ID_BASE}{value}", f"{ID_BASE}{prefix}/{value}", f"{ID_BASE}{prefix}/{value.lower()}",
                      f"{ID_BASE}{prefix}/{value.lower().replace(' ', '-')}"}
        if key == "outcome_codes" and value.isdigit():
            candidates |= {f"{ID_BASE}{prefix}/oc{value}", f"{ID_BASE}{prefix}/{value}"}
        for iri in self.idx[key]:
            if iri in candidates or self.names.get(iri, "").lower() == value.lower():
                return iri
        what = param.replace("_", " ")
        known = [Named(iri, iri.rsplit("/", 1)[-1], self.names.get(iri, iri.rsplit("/", 1)[-1]),
                       url=f"/commitments?{param}={iri.rsplit('/', 1)[-1]}") for iri in self.idx[key]]
        raise unknown(param, what, value, known, min((c.slug for c in known), default="—"))

    def named_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """A named query's parameters with organisations and themes resolved as everywhere else: slug,
        acronym, former name or IRI to the IRI, and a name naming nothing a 404 with the nearest names."""
        out = dict(params)
        for key in NAMED_ORG_PARAMETERS:
            if isinstance(out.get(key), str) and out[key] != "":
                out[key] = self.orgs.resolve(out[key], key)
        if isinstance(out.get("theme"), str) and out["theme"] != "":
            out["theme"] = self._vocab_value("theme", out["theme"], "themes", "theme")
        return out

    def legislation_iri(self, value: str) -> str:
        m = _LEG_PATH.match(value.strip())
        if not m:
            raise InvalidParameterError(
                f"parameter 'legislation': {value!r} is not a legislation.gov.uk id; use e.g. ukpga/2015/9, "
                "ukpga/2015/9/section/76 or http://www.legislation.gov.uk/id/ukpga/2015/9",
                parameter="legislation", value=value, allowed=["{type}/{year}/{chapter}[/section/{n}]"])
        return f"{LEGISLATION_BASE}{m.group(1)}{m.group(2) or ''}"

    def _check_doc(self, doc: str) -> None:
        if doc not in self.idx["doc"]:
            raise InvalidParameterError(f"parameter 'doc': {doc!r} is not a document in the graph; use one of: "
                                        f"{', '.join(self.documents)}", parameter="doc", value=doc,
                                        allowed=self.documents)

    # --- commitments -----------------------------------------------------------------
    def find(self, f: Filters, limit: int, offset: int) -> Page:
        selected: set[int] | None = None
        matched: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
        notes: dict[str, Any] = {}

        def narrow(ids: Iterable[int]) -> None:
            nonlocal selected
            ids = set(ids)
            selected = ids if selected is None else selected & ids

        if f.doc:
            self._check_doc(f.doc)
            narrow(self.idx["doc"][f.doc])
        for param in ("lead", "partner"):
            key = FILTER_FIELDS[param]
            value = getattr(f, param)
            if not value:
                continue
            org = self.orgs.resolve(value, param)
            lineage = self.orgs.with_predecessors(org)
            notes[param] = {"organisation": org, "includes_predecessors": [o for o in lineage if o != org]}
            hits: set[int] = set()
            for iri in lineage:
                for i in self.idx[key].get(iri, ()):
                    hits.add(i)
                    name = next((e.get("as_written") or e["name"] for e in self.records[i][key] if e["id"] == iri), None)
                    matched[i].setdefault(param, []).append(
                        {"id": iri, "name_in_source": name, "via_predecessor": iri != org, "queried": org})
            narrow(hits)
        if f.theme:
            narrow(self.idx["themes"][self._vocab_value("theme", f.theme, "themes", "theme")])
        if f.outcome_code:
            narrow(self.idx["outcome_codes"][self._vocab_value("outcome_code", f.outcome_code, "outcome_codes",
                                                                "outcome-code")])
        if f.reference is not None and f.reference not in REFERENCE_KINDS:
            raise InvalidParameterError(f"parameter 'reference': {f.reference!r} is not a kind of reference; use one "
                                        f"of: {', '.join(REFERENCE_KINDS)}", parameter="reference",
                                        value=f.reference, allowed=list(REFERENCE_KINDS))
        if f.legislation:
            iri = self.legislation_iri(f.legislation)
            narrow(self.idx["legislation"].get(iri, set()) if f.reference is None
                   else self.leg_by_kind.get((iri, f.reference), set()))
        elif f.reference is not None:
            narrow(self.leg_by_kind.get(("", f.reference), set()))
        scores: dict[int, float] = {}
        if f.q is not None:
            if not f.q.strip():
                raise InvalidParameterError("parameter 'q': give at least one word", parameter="q", value=f.q)
            scores = self.search.scores(f.q)
            narrow(scores)
        ids = sorted(range(len(self.records)) if selected is None else selected)
        if scores:
            ids.sort(key=lambda i: (-scores[i], i))
        items = []
        for i in ids[offset:offset + limit]:
            rec = dict(self.records[i])
            if i in scores:
                rec["score"] = scores[i]
            if i in matched:
                rec["matched"] = matched[i]
            items.append(rec)
        return Page(len(ids), items, limit, offset, notes)

    def resolve_statement(self, ident: str) -> dict[str, Any]:
        """A commitment (or stated outcome) by ``doc_id/ref`` or full IRI."""
        key = unquote(ident.strip()).strip("/")
        if not _SAFE_ID.match(key):
            raise NotFoundError(f"no commitment {ident[:120]!r}", id=ident[:120])
        rec = self.by_iri.get(key) or self.by_ref.get(key)
        if rec is None:
            for prefix in (f"{ID_BASE}commitment/", f"{ID_BASE}outcome/", "commitment/", "outcome/"):
                if key.startswith(prefix):
                    rec = self.by_ref.get(key[len(prefix):])
                    break
        if rec is None:
            found = self._nearest_statements(key)
            near = "; nearest: " + ", ".join(n.slug for n in found) if found else ""
            raise NotFoundError(f"no commitment {key!r}; use doc_id/ref (e.g. hmg-vawg-strategy-2016/A93) "
                                f"or the full IRI{near}", id=key, nearest=as_detail(found))
        return rec

    def _nearest_statements(self, key: str) -> list[Named]:
        """The refs nearest to an unknown ``doc_id/ref`` (in that document when it names one)."""
        doc = key.split("/commitment/")[-1].split("/outcome/")[-1].rsplit("/", 1)[0].rsplit("/", 1)[-1]
        pool = [r for k, r in self.by_ref.items() if k.startswith(f"{doc}/")] or list(self.by_ref.values())
        return nearest(key, [Named(r["id"], f"{r['doc_id']}/{r['ref']}", f"{r['ref']} ({r['doc_id']})",
                                   url=f"/commitments/{r['doc_id']}/{r['ref']}") for r in pool])

    # --- sources ---------------------------------------------------------------------
    def source_files(self) -> dict[str, Path]:
        """Every file the source viewer may serve, by name (an allow-list; no path joins with input)."""
        files: dict[str, Path] = {}
        for folder in (sources_dir(), self.build_dir / "added-sources"):
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.is_file() and not path.name.startswith((".", "_")) and path.suffix != ".py" \
                            and path.name != "documents.json":
                        files.setdefault(path.name, path)
        return files

    def source_text(self, name: str) -> str:
        path = self.source_files().get(name)
        if path is None:
            raise NotFoundError(f"no source file {name[:120]!r}; files: {', '.join(sorted(self.source_files()))}",
                                file=name[:120])
        return path.read_text(encoding="utf-8")

    # --- store -----------------------------------------------------------------------
    def store(self) -> Any:
        with self._store_lock:
            if self._store is None:
                self._store = OxigraphStore.open_read_only(self.build_dir)
            return self._store

    def store_present(self) -> bool:
        """Whether the build has a loaded SPARQL store (a file check: no store is opened)."""
        return OxigraphStore.is_loaded(self.build_dir)

    def lane(self, name: str) -> WorkerPool:
        """The worker lane for ``adhoc`` SPARQL (/sparql) or ``trusted`` queries (named queries, /gaps, /id)."""
        with self._store_lock:
            pool = self._lanes.get(name)
            if pool is None:
                store_dir = self.store().path
                workers = self.settings.sparql_workers if name == "adhoc" else self.settings.named_query_workers
                queue = self.settings.sparql_queue if name == "adhoc" else self.settings.query_queue
                pool = self._lanes[name] = WorkerPool(store_dir, workers, queue,
                                                      self.settings.query_worker_memory_bytes, name=name)
            return pool

    def lanes_status(self) -> dict[str, Any]:
        with self._store_lock:
            return {name: pool.status() for name, pool in self._lanes.items()}

    def close(self) -> None:
        with self._store_lock:
            for pool in self._lanes.values():
                pool.close()
            self._lanes.clear()

    def named_rows(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Rows of a named query (trusted text: the longer named-query timeout), cached per parameters
        for the life of the server — the graph it reads never changes under it."""
        key = (name, tuple(sorted(params.items())))
        with self._cache_lock:
            cached = self._named_cache.get(key)
            if cached is not None:
                self._named_cache.move_to_end(key)
                return cached[1]
        rows = self.run_named(name, params).records()
        size = len(json.dumps(rows, default=str))  # about the rows' size in memory, within a small factor
        with self._cache_lock:
            if size <= NAMED_CACHE_BYTES and key not in self._named_cache:
                self._named_cache[key] = (size, rows)
                self._named_cache_bytes += size
                while self._named_cache_bytes > NAMED_CACHE_BYTES:
                    evicted, _ = self._named_cache.popitem(last=False)[1]
                    self._named_cache_bytes -= evicted
        return rows

    def run_named(self, name: str, params: dict[str, Any]) -> QueryResult:
        """A named query on the trusted lane, uncached (the CSV export streams it anew)."""
        return run_named(name, params, self.store(), guarded=True, timeout_s=self.settings.named_query_timeout_s,
                         max_rows=self.settings.named_query_max_rows, pool=self.lane("trusted"))

    def sparql(self, query: str, bindings: dict[str, Any] | None = None) -> QueryResult:
        """The API's own SPARQL (``/id``'s DESCRIBE) on the trusted lane."""
        return run_guarded(self.store(), query, timeout_s=self.settings.query_timeout_s,
                           max_rows=self.settings.max_rows, bindings=bindings, pool=self.lane("trusted"))

    async def sparql_document(self, query: str, result_format: str | None, graph_format: str | None) -> Document:
        """An ad-hoc query's answer, written by the worker in the negotiated format under the byte cap.

        ``query`` is already canonical (``normalise``). Runs on the event loop: the ad-hoc lane's workers
        are read by the loop itself, with no thread hop (the lane is created off the loop: opening the
        store for its folder may take a moment the first time).
        """
        request = WorkRequest(query, max_rows=self.settings.max_rows,
                              max_bytes=self.settings.max_result_bytes, output="document",
                              result_format=result_format, graph_format=graph_format)
        pool: WorkerPool | None = self._lanes.get("adhoc")
        if pool is None:
            pool = await asyncio.get_running_loop().run_in_executor(None, self.lane, "adhoc")
        answer = await pool.run_async(request, self.settings.query_timeout_s)
        assert isinstance(answer, Document)
        return answer


def brief_of(rec: dict[str, Any]) -> dict[str, Any]:
    return {"id": rec["id"], "doc_id": rec["doc_id"], "ref": rec["ref"], "text": rec["text"]}


__all__ = ["GraphService", "Filters", "Page", "brief_of", "file_sha256", "VawgError", "Sequence"]
