"""Documentation generated from the ontology."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg_kg.ontology import docs
from vawg_kg.ontology.model import load_model

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "docs" / "ontology-reference.md"


def test_html_page_names_every_class_and_property() -> None:
    page = docs.render_html()
    assert "pyLODE" in page or "pylode" in page
    model = load_model()
    for term in [*model.classes.values(), *model.object_properties.values(), *model.datatype_properties.values()]:
        assert term.label in page, term.local_name


def test_html_falls_back_and_says_why_when_pylode_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise RuntimeError("no background ontologies")

    monkeypatch.setattr(docs, "_pylode_html", broken)
    page = docs.render_html()
    assert "pyLODE failed (RuntimeError: no background ontologies)" in page
    for cls in load_model().classes.values():
        assert cls.label in page


def test_write_html_creates_the_file(tmp_path: Path) -> None:
    target = docs.write_html(tmp_path / "site" / "ontology.html")
    assert target.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_committed_reference_is_what_the_ontology_generates() -> None:
    expected = docs.render_markdown_reference()
    assert REFERENCE.read_text(encoding="utf-8") == expected, (
        "docs/ontology-reference.md is out of date: run `python -m vawg_kg.ontology.docs`"
    )


def test_reference_lists_every_term_with_its_derived_names() -> None:
    text = docs.render_markdown_reference()
    model = load_model()
    for name in model.declared_names():
        assert f"`vawg:{name}`" in text, name
    assert "| `vawg:hasLead` | has lead |" in text and "`HAS_LEAD` | `has_lead` |" in text
    assert "`deadlineText` | `deadline_text` |" in text
    assert "| `skos:prefLabel` |" in text and "`prefLabel` | `pref_label` |" in text


def test_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "ref.md"
    stale.write_text("old\n", encoding="utf-8")
    assert docs.main(["--markdown", str(stale), "--check"]) == 1
    assert docs.main(["--markdown", str(stale)]) == 0
    assert docs.main(["--markdown", str(stale), "--check"]) == 0
