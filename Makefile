# Two commands do all the set-up on a fresh machine:
#   make run    install, build the graph from the bundled documents, serve API + browser
#   make test   install test tools (Chromium, Neo4j via Maven), run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install install-test browser axe neo4j build docs lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.3.1 setuptools==75.6.0 wheel==0.45.1

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/vawg-kg serve --port $(PORT)

build: install
	$(BIN)/vawg-kg build

# Debian's Chromium for the browser tests (no browser download: the network is closed).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# axe-core (pinned in tests/axe/package-lock.json) from npm, for the browser tests' accessibility checks.
axe:
	cd tests/axe && npm ci --no-audit --no-fund --silent

# Neo4j Community (embedded DBMS + Bolt) fetched from Maven Central into the cache.
neo4j: install
	$(BIN)/vawg-kg neo4j install

test: install-test browser axe neo4j
	CI_REQUIRE_SERVICES=1 $(BIN)/python -m pytest -q -p no:cacheprovider

# Ontology reference (docs/ontology-reference.md) and HTML page, generated from ontology/vawg.ttl.
docs: install
	$(BIN)/python -m vawg_kg.ontology.docs --html build/ontology.html

# Strict mypy over the whole package as it installs (also a test: tests/test_typecheck.py).
lint: install-test
	$(BIN)/python scripts/typecheck.py

# wrk (Debian) drives the HTTP load; Maven (as for Neo4j) fetches Fuseki, the optional peer.
# `make bench BENCH_ARGS=--quick` for a short check (sizes 5 and 50, one repeat, one peer round).
BENCH_ARGS ?=
bench: install-test neo4j browser
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache
