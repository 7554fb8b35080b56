"""Bad input, one test per row of ``docs/bad-input.md``: each case gets its own clear error, and nothing is lost.

Command-line rows run the real ``python -m vawg_kg ...`` subprocess and check
the exit code and the one-line message on stderr; build rows also check that
the previous output in ``--out`` is byte-for-byte unchanged. API rows talk to
the real server (``tests/api_server.py``); Neo4j rows use the real server
(``tests/neo4j_fixture.py``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from vawg_kg.errors import (BadRequestError, ForbiddenQueryError, NotFoundError, QueryParseError, QueryTimeoutError,
                            SourceError, StoreUnavailableError, ValidationError)

ERROR_KEYS = {"error", "message", "details"}


# --- helpers -----------------------------------------------------------------------------

def cli(*args: str, env: Mapping[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "vawg_kg", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def one_line(stderr: str) -> str:
    """Rich may wrap; compare on the text with whitespace runs collapsed."""
    return re.sub(r"\s+", " ", stderr).strip()


def assert_cli_error(done: subprocess.CompletedProcess[str], exit_code: int, *fragments: str) -> str:
    message = one_line(done.stderr)
    assert done.returncode == exit_code, (done.returncode, message)
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert "Traceback" not in done.stderr, done.stderr
    return message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def previous_output(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's real build: each failing build below must leave it exactly as it was."""
    out = tmp_path_factory.mktemp("bad-input") / "build"
    shutil.copytree(build_dir, out)
    return out


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def build_refused(out: Path, source: Path | None, doc_id: str | None, exit_code: int, *fragments: str,
                  extra: tuple[str, ...] = ()) -> str:
    before = snapshot(out)
    args = ["build", "--out", str(out), *extra]
    if source is not None:
        args += ["--source", str(source)]
    if doc_id is not None:
        args += ["--doc-id", doc_id]
    message = assert_cli_error(cli(*args), exit_code, *fragments)
    assert snapshot(out) == before, "a refused build changed the previous output"
    assert not list(out.parent.glob(f".{out.name}.new-*")), "a staging folder was left behind"
    return message


def assert_api_error(resp: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = resp.json()
    assert set(body) == ERROR_KEYS, body
    if code:
        assert body["error"] == code, body
    text = json.dumps(body)
    assert "Traceback" not in text and "/work/" not in text and ".py\"" not in text, text
    return body


# --- source files --------------------------------------------------------------------------

GOOD_PLAN = b"Home Office plan\n\nWe will:\n\n- Publish guidance on stalking by March 2023.\n"


@pytest.mark.parametrize(("name", "data", "fragments"), [
    ("empty.txt", b"", ("empty.txt: the file is empty",)),
    ("blank.txt", b"  \n\n\t\n", ("blank.txt: the file is empty (only whitespace)",)),
    ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01<<>>", ("report.txt: looks like a binary file, not text",
                                                                        "NUL byte at byte offset 22, line 3")),
    ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x01<<>>", ("report.pdf: cannot be read as a PDF",
                                                                        "is it a complete, unencrypted PDF?")),
    ("plan.docx", b"PK\x03\x04 not really a zip", ("plan.docx: cannot be read as a Word .docx file",)),
    ("plan.doc", b"\xd0\xcf\x11\xe0 legacy", ("plan.doc: a legacy Word .doc file cannot be read; save it as .docx",)),
    ("noise.bin", bytes(range(1, 9)) * 100, ("noise.bin: looks like a binary file",)),
    ("latin1.txt", "Plan\n\nWe will:\n- Fund caf\u00e9 outreach.\n".encode("latin-1"),
     ("latin1.txt: not valid UTF-8 at byte offset 25 (line 4, column 11", "save the file as UTF-8")),
    ("utf16.txt", GOOD_PLAN.decode().encode("utf-16"), ("utf16.txt: the file is UTF-16 encoded",)),
    ("cut.txt", "Plan\n\nWe will:\n- Act in 2025\u20132030".encode()[:-5],
     ("cut.txt: the file ends in the middle of a UTF-8 character", "it looks truncated")),
])
def test_unreadable_source_file(previous_output: Path, tmp_path: Path, name: str, data: bytes,
                                fragments: tuple[str, ...]) -> None:
    source = write(tmp_path, name, data)
    build_refused(previous_output, source, "added-plan", SourceError.exit_code, *fragments)


def test_missing_source_file(previous_output: Path, tmp_path: Path) -> None:
    build_refused(previous_output, tmp_path / "nope.txt", "added-plan", SourceError.exit_code, "nope.txt: no such file")


def test_truncated_table_names_the_line(previous_output: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "plan.tsv", b"ACTION\tLEAD\tDATE\nPublish a strategy\tHO\tMay 2023\nTrain all sta")
    message = build_refused(previous_output, source, "cut-plan", SourceError.exit_code,
                            "plan.tsv", ":3: table row has 1 cells but its header (line 1) has 3")
    assert "truncated" in message


@pytest.mark.parametrize(("row", "cells"), [("Train staff\tCPS", 2), ("Train staff\tCPS\tMay 2024\tspare", 4)])
def test_table_row_with_missing_or_extra_columns(previous_output: Path, tmp_path: Path, row: str, cells: int) -> None:
    data = f"ACTION\tLEAD\tDATE\nPublish a strategy\tHO\tMay 2023\n{row}\nFund refuges\tMHCLG\t2024\n".encode()
    source = write(tmp_path, "rows.tsv", data)
    build_refused(previous_output, source, "rows-plan", SourceError.exit_code,
                  "rows.tsv", f":3: table row has {cells} cells but its header (line 1) has 3")


# --- --doc-id ------------------------------------------------------------------------------

@pytest.mark.parametrize("doc_id", ["Bad_ID", "two  spaces", "-leading", "trailing-", "a--b", "../etc", "x" * 81,
                                    "caf\u00e9", "plan\n", ""])
def test_malformed_doc_id(previous_output: Path, tmp_path: Path, doc_id: str) -> None:
    source = write(tmp_path, "plan.txt", GOOD_PLAN)
    build_refused(previous_output, source, doc_id, SourceError.exit_code, "--doc-id", "is not valid",
                  "lower-case letters, digits and single hyphens")


def test_duplicate_doc_id_given_twice(previous_output: Path, tmp_path: Path) -> None:
    one, two = write(tmp_path, "one.txt", GOOD_PLAN), write(tmp_path, "two.txt", GOOD_PLAN)
    build_refused(previous_output, one, "my-plan", SourceError.exit_code, "--doc-id my-plan is given twice",
                  extra=("--source", str(two), "--doc-id", "my-plan"))


def test_duplicate_doc_id_of_a_bundled_document(previous_output: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "plan.txt", GOOD_PLAN)
    build_refused(previous_output, source, "hmg-vawg-strategy-2016", SourceError.exit_code,
                  "--doc-id hmg-vawg-strategy-2016 is already used by a bundled document")


def test_source_without_doc_id(previous_output: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "plan.txt", GOOD_PLAN)
    build_refused(previous_output, source, None, BadRequestError.exit_code, "give one --doc-id for each --source")


# --- a SHACL violation in the graph ----------------------------------------------------------

_INJECT = """
import sys
from rdflib import Literal, URIRef
import vawg_kg.loaders.emit as emit
real = emit.GraphEmitter.statement
VAWG = "https://w3id.org/vawg-kg/ontology#"
def injected(self, source, st):
    # one commitment gets a second text and a deadline that is no date: the shapes demand one dated text
    node = real(self, source, st)
    if node is not None and st.statement.ref == "A76":
        self.add(node, URIRef(VAWG + "text"), Literal("a second text"))
        self.add(node, URIRef(VAWG + "deadline"), Literal("not a date"))
    return node
emit.GraphEmitter.statement = injected  # the build's worker processes are forked from this one
import vawg_kg.loaders.build as build
build.code_version = lambda: "code with a mistake"  # other code: the parts of the last build are not reused
from vawg_kg.cli import app
sys.argv = ["vawg-kg", *sys.argv[1:]]
app()
"""


def test_shacl_violation_injected_into_the_graph(previous_output: Path) -> None:
    before = snapshot(previous_output)
    done = subprocess.run([sys.executable, "-c", _INJECT, "build", "--out", str(previous_output)],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "400"})
    message = assert_cli_error(done, ValidationError.exit_code, "The graph violates", "SHACL constraint(s) of shapes.ttl",
                               "commitment/hmg-vawg-strategy-2016/A76")
    assert "vawg:text" in message and "vawg:deadline" in message, message
    assert snapshot(previous_output) == before


# --- unknown --format --------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "allowed"), [
    (("commitments", "--format", "xml"), "'json', 'csv'"),
    (("query", "--sparql", "ASK {}", "--format", "xml"), "'table', 'json', 'csv', 'tsv'"),
])
def test_unknown_format(build_dir: Path, args: tuple[str, ...], allowed: str) -> None:
    assert_cli_error(cli(*args, "--build-dir", str(build_dir)), 2, "Invalid value for '--format'", "'xml'", allowed)


def test_unknown_format_on_the_api(api: httpx.Client) -> None:
    body = assert_api_error(api.get("/commitments", params={"format": "xml"}), 422, "invalid_parameter")
    assert body["details"]["allowed"] == ["json", "csv", "jsonld"]


# --- Neo4j connection ----------------------------------------------------------------------------

def test_neo4j_uri_that_refuses(build_dir: Path) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    assert_cli_error(cli("load-neo4j", "--uri", uri, "--password", "whatever1", "--build-dir", str(build_dir)),
                     StoreUnavailableError.exit_code, f"cannot reach Neo4j at {uri}", "vawg-kg neo4j start")


@pytest.mark.neo4j
def test_neo4j_wrong_password(neo4j_server: Any, build_dir: Path) -> None:
    assert_cli_error(cli("load-neo4j", "--uri", neo4j_server.uri, "--user", neo4j_server.user,
                         "--password", "not-the-password", "--build-dir", str(build_dir)),
                     StoreUnavailableError.exit_code, "refused user 'neo4j': wrong user name or password", "--password")


@pytest.mark.neo4j
def test_neo4j_wrong_database(neo4j_server: Any, build_dir: Path) -> None:
    assert_cli_error(cli("load-neo4j", "--uri", neo4j_server.uri, "--user", neo4j_server.user,
                         "--password", neo4j_server.password, "--database", "nope", "--build-dir", str(build_dir)),
                     StoreUnavailableError.exit_code, "database 'nope' does not exist", "--database neo4j")


# --- SPARQL (command line; the API's 400/403/503 are in tests/test_sparql_protocol.py and below) ---

@pytest.mark.parametrize(("query", "exit_code", "fragments"), [
    ("SELECT * WHERE { ?s ?p }", QueryParseError.exit_code, ("malformed SPARQL query at line 1, column",)),
    ("SELECT ?s\nWHERE { ?s ?p ?o .\n  FILTER( }", QueryParseError.exit_code, ("malformed SPARQL query at line 3",)),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", ForbiddenQueryError.exit_code, ("read-only", "updates")),
    ("DELETE WHERE { ?s ?p ?o }", ForbiddenQueryError.exit_code, ("read-only",)),
    ("LOAD <http://127.0.0.1:9/x.ttl>", ForbiddenQueryError.exit_code, ("read-only", "LOAD")),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", ForbiddenQueryError.exit_code,
     ("SERVICE",)),
])
def test_bad_sparql_on_the_command_line(build_dir: Path, query: str, exit_code: int,
                                        fragments: tuple[str, ...]) -> None:
    assert_cli_error(cli("query", "--sparql", query, "--build-dir", str(build_dir), timeout=120), exit_code, *fragments)


@pytest.mark.parametrize(("param", "fragments"), [
    ("org=org/hme-ofice", ("parameter 'org'", "no organisation called 'org/hme-ofice'", "home-office — Home Office, HO")),
    ("theme=stalkng", ("parameter 'theme'", "no theme called 'stalkng'", "stalking-harassment")),
])
def test_unknown_names_on_the_command_line_list_the_nearest(build_dir: Path, param: str,
                                                           fragments: tuple[str, ...]) -> None:
    """As in the API: a name that names nothing is an error with the nearest names, not an empty table."""
    name = "commitments_by_lead" if param.startswith("org=") else "commitments_by_theme"
    assert_cli_error(cli("query", "--named", name, "--param", param, "--build-dir", str(build_dir), timeout=120),
                     NotFoundError.exit_code, *fragments)


def test_acronyms_name_organisations_on_the_command_line(build_dir: Path) -> None:
    by_acronym = cli("query", "--named", "commitments_by_lead", "--param", "org=HO", "--format", "csv",
                     "--build-dir", str(build_dir), timeout=120)
    by_slug = cli("query", "--named", "commitments_by_lead", "--param", "org=home-office", "--format", "csv",
                  "--build-dir", str(build_dir), timeout=120)
    assert by_acronym.returncode == by_slug.returncode == 0, by_acronym.stderr
    assert by_acronym.stdout == by_slug.stdout and by_acronym.stdout.count("\n") > 10


def test_slow_sparql_on_the_command_line(build_dir: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert_cli_error(cli("query", "--sparql", slow, "--timeout", "1", "--build-dir", str(build_dir), timeout=120),
                     QueryTimeoutError.exit_code, "ran longer than 1", "was stopped")


@pytest.mark.parametrize(("query", "status", "code"), [
    ("SELECT * WHERE { ?s ?p }", 400, "query_parse_error"),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "forbidden_query"),
    ("LOAD <http://127.0.0.1:9/x.ttl>", 403, "forbidden_query"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403, "forbidden_query"),
])
def test_bad_sparql_on_the_api(api: httpx.Client, query: str, status: int, code: str) -> None:
    body = assert_api_error(api.post("/sparql", data={"query": query}), status, code)
    if status == 400:
        assert "line 1, column" in body["message"]


# --- Cypher (command line; the API's 403/503 are in tests/test_cypher_api.py) ----------------------

@pytest.fixture(scope="module")
def neo4j_env(neo4j_server: Any) -> dict[str, str]:
    return {"VAWG_KG_NEO4J_URI": neo4j_server.uri, "VAWG_KG_NEO4J_USER": neo4j_server.user,
            "VAWG_KG_NEO4J_PASSWORD": neo4j_server.password, "VAWG_KG_NEO4J_DATABASE": neo4j_server.database}


@pytest.mark.neo4j
@pytest.mark.parametrize("query", ["CREATE (n:Injected {x: 1}) RETURN n",
                                   "MATCH (n) DETACH DELETE n",
                                   "MERGE (n:Injected {x: 1}) RETURN n"])
def test_cypher_write_on_the_command_line(neo4j_env: dict[str, str], query: str) -> None:
    assert_cli_error(cli("query", "--cypher", query, env=neo4j_env, timeout=120), ForbiddenQueryError.exit_code,
                     "only read queries are allowed")


@pytest.mark.neo4j
@pytest.mark.parametrize("query", ["CALL dbms.listConfig() YIELD name RETURN name",
                                   "CALL db.createLabel('Injected')"])
def test_cypher_admin_procedure_on_the_command_line(neo4j_env: dict[str, str], query: str) -> None:
    assert_cli_error(cli("query", "--cypher", query, env=neo4j_env, timeout=120), ForbiddenQueryError.exit_code,
                     "procedure calls (CALL ...) are refused")


@pytest.mark.neo4j
def test_cypher_load_csv_on_the_command_line(neo4j_env: dict[str, str]) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x.csv"
        done = cli("query", "--cypher", f"LOAD CSV FROM '{url}' AS row RETURN row", env=neo4j_env, timeout=120)
        try:
            conn, _ = listener.accept()
            conn.close()
            connected = True
        except OSError:
            connected = False
    assert_cli_error(done, ForbiddenQueryError.exit_code, "LOAD CSV")
    assert not connected, "LOAD CSV reached the network"


@pytest.mark.neo4j
def test_cypher_too_long_on_the_command_line(neo4j_env: dict[str, str]) -> None:
    slow = "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x) AS n"
    assert_cli_error(cli("query", "--cypher", slow, "--timeout", "1", env=neo4j_env, timeout=120),
                     QueryTimeoutError.exit_code, "ran longer than 1")


# --- API parameters ----------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "kwargs", "parameter"), [
    ("GET", "/commitments", {"params": {"limit": "many"}}, "limit"),
    ("GET", "/commitments", {"params": {"offset": "1.5"}}, "offset"),
    ("GET", "/sources/hmg-vawg-strategy-2016.md", {"params": {"start": "abc"}}, "start"),
    ("GET", "/overlaps", {"params": {"min_score": "high"}}, "min_score"),
    ("POST", "/cypher", {"json": {"query": 42}}, "query"),
    ("POST", "/queries/commitments_by_lead", {"json": ["org/home-office"]}, None),
])
def test_api_parameter_of_the_wrong_type(api: httpx.Client, method: str, path: str, kwargs: dict[str, Any],
                                         parameter: str | None) -> None:
    body = assert_api_error(api.request(method, path, **kwargs), 422, "invalid_parameter")
    if parameter:
        assert parameter in body["message"], body


@pytest.mark.parametrize(("path", "params", "parameter"), [
    ("/commitments", {"limit": "0"}, "limit"),
    ("/commitments", {"limit": "1001"}, "limit"),
    ("/commitments", {"offset": "-1"}, "offset"),
    ("/commitments", {"offset": str(10**12)}, "offset"),
    ("/sources/hmg-vawg-strategy-2016.md", {"start": "5", "end": str(10**8)}, "end"),
    ("/sources/hmg-vawg-strategy-2016.md", {"start": "10", "end": "5"}, "start"),
])
def test_api_parameter_out_of_range(api: httpx.Client, path: str, params: dict[str, str], parameter: str) -> None:
    body = assert_api_error(api.get(path, params=params), 422, "invalid_parameter")
    assert body["details"]["parameter"] == parameter, body


def test_api_parameter_very_long(api: httpx.Client) -> None:
    assert_api_error(api.get("/commitments", params={"q": "x" * 501}), 422, "invalid_parameter")
    assert_api_error(api.get("/commitments", params={"lead": "x" * 301}), 422, "invalid_parameter")
    assert_api_error(api.get("/commitments", params={"q": "x" * 20_000}), 414, "uri_too_long")
    assert_api_error(api.get("/commitments/" + "x" * 5000), 404)
    assert_api_error(api.post("/cypher", json={"query": "RETURN 1 " + " " * 20_000}), 422, "invalid_parameter")
    assert_api_error(api.post("/sparql", content=b"x" * (2 * 1024 * 1024),
                              headers={"content-type": "application/sparql-query"}), 413, "request_too_large")
