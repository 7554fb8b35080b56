"""Adding a published document in each format (``vawg-kg build --source FILE``): the same plan as
markdown with a pipe table, an HTML page, a Word .docx and a PDF printed by headless Chromium
(``tests/plan_files.py``) gives the same commitments, leads and deadlines; provenance slices the
extracted text back to each commitment; PDF commitments carry their pages in the record, the RDF
and the API; lines with a commitment cue that no rule claimed are reported, never dropped.

Real components throughout: the real build (``build_graph`` and the ``python -m vawg_kg``
command), real files written by python-docx and printed by Chromium, a real API server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from vawg_kg.errors import SourceError
from vawg_kg.loaders.build import BuildResult, build_graph
from vawg_kg.loaders.documents import metadata_for
from vawg_kg.loaders.text import text_of_fragments
from vawg_kg.ontology.terms import VAWG
from tests import plan_files as plan
from tests.api_server import start_server, stop_server

pytestmark = pytest.mark.browser  # the PDF is printed by Chromium


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    import os
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "vawg_kg", *args], capture_output=True, text=True, timeout=300,
                          env=env)


def doc_id(fmt: str) -> str:
    return f"btp-plan-{fmt}"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("plans")
    return {fmt: plan.write_plan(fmt, folder / fmt) for fmt in plan.FORMATS}


@pytest.fixture(scope="module")
def added(files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One real build of the bundled documents plus the plan in every format."""
    out = tmp_path_factory.mktemp("added") / "build"
    sources = [(files[fmt], doc_id(fmt)) for fmt in plan.FORMATS]
    metadata = {doc_id(fmt): metadata_for(files[fmt], plan.PUBLISHER, plan.TITLE, plan.PUBLISHED)
                for fmt in plan.FORMATS}
    return build_graph(out, sources, metadata=metadata)


@pytest.fixture(scope="module")
def records(added: BuildResult) -> dict[str, list[dict[str, Any]]]:
    rows = json.loads((added.out_dir / "commitments.json").read_text())
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for rec in rows:
        by_doc.setdefault(rec["doc_id"], []).append(rec)
    for recs in by_doc.values():
        recs.sort(key=lambda r: int(r["ref"][1:]) if r["ref"][1:].isdigit() else 0)
    return by_doc


def summary(recs: list[dict[str, Any]]) -> list[tuple[str, list[str], str | None, str]]:
    return [(r["text"], [e["name"] for e in r["leads"]], r["deadline"], r["confidence"]) for r in recs]


@pytest.mark.parametrize("fmt", plan.FORMATS)
def test_every_format_gives_the_plan_as_written(records: dict[str, list[dict[str, Any]]], fmt: str) -> None:
    assert summary(records[doc_id(fmt)]) == plan.EXPECTED


def test_every_format_gives_the_same_records(records: dict[str, list[dict[str, Any]]]) -> None:
    def comparable(recs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(r["ref"], r["text"], r["section"], [e["id"] for e in r["leads"]],
                 sorted(e["id"] for e in r["partners"]), r["deadline_raw"], r["deadline"], r["deadline_kind"],
                 r["confidence"]) for r in recs]

    first = comparable(records[doc_id("markdown")])
    for fmt in plan.FORMATS[1:]:
        assert comparable(records[doc_id(fmt)]) == first, fmt


def test_partner_column_and_lead_column(records: dict[str, list[dict[str, Any]]]) -> None:
    fund = records[doc_id("docx")][4]
    assert [e["as_written"] for e in fund["partners"]] == ["Network Rail"]
    assert [e["id"].rsplit("/", 1)[-1] for e in fund["leads"]] == ["home-office"]


@pytest.mark.parametrize("fmt", plan.FORMATS)
def test_provenance_slices_equal_the_texts(added: BuildResult, records: dict[str, list[dict[str, Any]]],
                                           fmt: str) -> None:
    folder = added.out_dir / "added-sources"
    for rec in records[doc_id(fmt)]:
        src = rec["source"]
        text = (folder / src["file"]).read_text(encoding="utf-8")
        fragments = [tuple(f) for f in src.get("fragments") or [[src["start"], src["end"]]]]
        assert text_of_fragments(text, fragments) == rec["text"], rec["id"]


@pytest.mark.parametrize("fmt", plan.FORMATS)
def test_the_original_is_kept_beside_the_extracted_text(added: BuildResult, files: dict[str, Path],
                                                        fmt: str) -> None:
    folder = added.out_dir / "added-sources"
    manifest = {row["doc_id"]: row for row in json.loads((folder / "documents.json").read_text())}
    row = manifest[doc_id(fmt)]
    assert row["format"] == fmt
    assert (row["publisher"], row["published"], row["title"]) == ("british-transport-police", plan.PUBLISHED,
                                                                  plan.TITLE)
    if fmt == "markdown":
        assert (folder / row["file"]).read_bytes() == files[fmt].read_bytes()
        assert "original" not in row
    else:
        assert (folder / "originals" / row["original"]).read_bytes() == files[fmt].read_bytes()
        assert row["file"].endswith(".txt")


def test_pdf_records_carry_their_pages(records: dict[str, list[dict[str, Any]]]) -> None:
    assert [r["source"].get("pages") for r in records[doc_id("pdf")]] == plan.PDF_PAGES
    for fmt in ("markdown", "html", "docx"):
        assert all("pages" not in r["source"] for r in records[doc_id(fmt)])


def test_pdf_pages_are_in_the_rdf(added: BuildResult, records: dict[str, list[dict[str, Any]]]) -> None:
    g = Graph()
    g.parse(added.out_dir / "vawg-kg.nt", format="nt")
    for rec, pages in zip(records[doc_id("pdf")], plan.PDF_PAGES):
        span = g.value(URIRef(rec["id"]), VAWG.hasSourceSpan)
        assert span is not None
        assert sorted(g.objects(span, VAWG.onPage)) == [Literal(p, datatype=XSD.positiveInteger) for p in pages]


def test_pdf_pages_on_the_api(added: BuildResult, tmp_path: Path) -> None:
    server = start_server(added.out_dir, tmp_path)
    try:
        rec = httpx.get(f"{server.url}/commitments/{doc_id('pdf')}/G7", timeout=30).json()
        assert rec["source"]["pages"] == [2], rec
    finally:
        stop_server(server)


def test_added_documents_are_remembered_with_their_pages(added: BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "again"
    shutil.copytree(added.out_dir, out)
    build_graph(out)  # no --source: the added documents come back from added-sources/
    again = json.loads((out / "commitments.json").read_text())
    pdf = sorted((r for r in again if r["doc_id"] == doc_id("pdf")), key=lambda r: int(r["ref"][1:]))
    assert [r["source"].get("pages") for r in pdf] == plan.PDF_PAGES
    assert summary(pdf) == plan.EXPECTED


@pytest.mark.parametrize("fmt", plan.FORMATS)
def test_the_unclaimed_will_is_reported(added: BuildResult, fmt: str) -> None:
    cov = added.report["coverage"][doc_id(fmt)]
    assert cov["unclaimed_count"] == 0
    assert [(u["text"], u["cue"]) for u in cov["uncertain"]] == [
        (plan.INTRO, "'will' in prose that is not an undertaking")]
    if fmt == "pdf":
        assert cov["uncertain"][0]["page"] == 1


# --- the command line: dry run, warnings, refusals ---------------------------------------------

UNKNOWN_LAYOUT = """# Station safety

| Area | Owner | Target |
|---|---|---|
| Improve CCTV coverage at stations | BTP | 2025 |
| Lighting on platforms | Network Rail | March 2026 |

We will:

- Publish the audit.
"""


def test_dry_run_shows_what_would_be_extracted_and_changes_nothing(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "build"
    done = cli("build", "--out", str(out), "--source", str(files["pdf"]), "--doc-id", "btp-plan",
               "--publisher", "British Transport Police", "--published", plan.PUBLISHED, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert not out.exists(), "a dry run wrote a build"
    lines = done.stdout.splitlines()
    assert "  G3 [high] p.1 lead: British Transport Police; deadline: 2024-09-15 (within six months)" in lines
    assert "  G7 [low] p.2 lead: British Transport Police; deadline: none" in lines
    assert any(line.startswith(f"  uncertain {files['pdf']}:") and "(page 1)" in line and plan.INTRO in line
               for line in lines), done.stdout


def test_table_in_an_unknown_layout_is_reported_as_unclaimed(tmp_path: Path) -> None:
    source = tmp_path / "station.md"
    source.write_text(UNKNOWN_LAYOUT, encoding="utf-8")
    done = cli("build", "--out", str(tmp_path / "build"), "--source", str(source), "--doc-id", "station-plan",
               "--dry-run", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)["station-plan"]
    assert [c["text"] for c in doc["commitments"]] == ["Publish the audit."]
    rows = [(u["line"], u["text"]) for u in doc["coverage"]["uncertain"]]
    assert rows == [(5, "Improve CCTV coverage at stations | BTP | 2025"),
                    (6, "Lighting on platforms | Network Rail | March 2026")]
    assert all(u["cue"].startswith("table row in an unknown layout") for u in doc["coverage"]["uncertain"])
    assert doc["coverage"]["roles"]["unrecognised"] == 3  # the header and the two rows (the --- row is filler)


def test_build_warns_with_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "station.md"
    source.write_text(UNKNOWN_LAYOUT, encoding="utf-8")
    out = tmp_path / "build"
    done = cli("build", "--out", str(out), "--source", str(source), "--doc-id", "station-plan",
               "--publisher", "btp", "--published", "2025-01")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stderr.split())
    assert f"warning: {source}:5: table row in an unknown layout" in text
    report = json.loads((out / "report.json").read_text())
    assert report["coverage"]["station-plan"]["uncertain_count"] == 2


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous(added: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("previous") / "build"
    shutil.copytree(added.out_dir, out)
    return out


def refused(out: Path, *args: str) -> str:
    before = snapshot(out)
    done = cli("build", "--out", str(out), *args)
    message = " ".join(done.stderr.split())
    assert done.returncode == SourceError.exit_code, (done.returncode, message)
    assert "Traceback" not in done.stderr
    assert snapshot(out) == before, "a refused build changed the previous output"
    return message


def test_scanned_pdf_is_refused_clearly(previous: Path, tmp_path: Path) -> None:
    scan = plan.scanned_pdf(tmp_path / "scan.pdf")
    message = refused(previous, "--source", str(scan), "--doc-id", "scanned-plan")
    assert "scan.pdf: the PDF has no text layer" in message and "does no OCR" in message


@pytest.mark.parametrize(("options", "sidecar", "fragments"), [
    (("--publisher", "British Transprt Police"), None,
     ("--publisher 'British Transprt Police' is not an organisation", "nearest: British Transport Police")),
    (("--published", "15/03/2024"), None, ("--published '15/03/2024' is not a date",)),
    ((), {"publisher": "BTP", "published": "2024-13-01"},
     ("plan.md.meta.json: field 'published': '2024-13-01' is not a date",)),
    ((), {"publisher": "BTP", "publised": "2024-03-01"},
     ("plan.md.meta.json: field 'publised' is not known",)),
    ((), {"publisher": "Ministry of Silly Walks"},
     ("plan.md.meta.json: field 'publisher': 'Ministry of Silly Walks' is not an organisation",)),
])
def test_bad_metadata_names_the_field(previous: Path, tmp_path: Path, options: tuple[str, ...],
                                      sidecar: dict[str, str] | None, fragments: tuple[str, ...]) -> None:
    source = tmp_path / "plan.md"
    source.write_text(plan.markdown(), encoding="utf-8")
    if sidecar is not None:
        (tmp_path / "plan.md.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    message = refused(previous, "--source", str(source), "--doc-id", "meta-plan", *options)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_sidecar_metadata_sets_publisher_and_date(tmp_path: Path) -> None:
    source = tmp_path / "plan.md"
    source.write_text(plan.markdown(), encoding="utf-8")
    (tmp_path / "plan.md.meta.toml").write_text(
        f'publisher = "British Transport Police"\npublished = "{plan.PUBLISHED}"\ntitle = "From the sidecar"\n',
        encoding="utf-8")
    done = cli("build", "--out", str(tmp_path / "build"), "--source", str(source), "--doc-id", "sidecar-plan",
               "--dry-run", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)["sidecar-plan"]
    assert (doc["publisher"], doc["published"], doc["title"]) == ("british-transport-police", plan.PUBLISHED,
                                                                  "From the sidecar")
    assert [(c["text"], [e["name"] for e in c["leads"]], c["deadline"], c["confidence"])
            for c in doc["commitments"]] == plan.EXPECTED
