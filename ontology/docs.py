"""Documentation generated from the ontology: HTML (pyLODE) and a Markdown reference.

``python -m vawg_kg.ontology.docs`` rewrites docs/ontology-reference.md;
``--check`` fails if the committed file differs from what the ontology gives
(like ``cog --check``); ``--html PATH`` writes the HTML page.
"""

from __future__ import annotations

import argparse
import functools
import html
import logging
import sys
import types
from pathlib import Path

from vawg_kg.errors import OntologyError
from vawg_kg.ontology.model import ONTOLOGY_FILE, curie, OntClass, OntologyModel, OntProperty, load_model

log = logging.getLogger(__name__)

REFERENCE_HEADER = (
    "<!-- Generated from ontology/vawg.ttl by `python -m vawg_kg.ontology.docs`; do not edit by hand. -->\n"
)


def render_html() -> str:
    """The ontology as an HTML page (pyLODE); if pyLODE fails, a plainer page that says why."""
    try:
        return _pylode_html()
    except Exception as exc:  # pyLODE raises many kinds of errors; any of them means "use the fallback"
        log.warning("pyLODE could not render %s (%s); using the built-in HTML rendering", ONTOLOGY_FILE, exc)
        return _fallback_html(load_model(), f"pyLODE failed ({type(exc).__name__}: {exc})")


def write_html(path: Path | str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_html(), encoding="utf-8")
    return target


@functools.cache  # about a second per render; the ontology does not change while the process runs
def _pylode_html() -> str:
    # pyLODE 3.4.1's version module reads a pyproject.toml that its wheel does
    # not ship, so importing it fails; give it the version it would have read.
    if "pylode.version" not in sys.modules:
        stub = types.ModuleType("pylode.version")
        stub.__version__ = "3.4.1"  # type: ignore[attr-defined]
        sys.modules["pylode.version"] = stub
    from pylode import OntPub

    page = OntPub(ONTOLOGY_FILE).make_html(include_css=True)
    if not isinstance(page, str) or "<html" not in page:
        raise OntologyError("pyLODE returned no HTML page")
    return page


def _fallback_html(model: OntologyModel, reason: str) -> str:
    rows: list[str] = []
    for title, terms in _sections(model):
        rows.append(f"<h2>{html.escape(title)}</h2><dl>")
        for term in terms:
            rows.append(
                f'<dt id="{html.escape(term.local_name)}">{html.escape(term.label)} '
                f"<code>{html.escape(term.iri)}</code></dt><dd>{html.escape(term.comment)}</dd>"
            )
        rows.append("</dl>")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>VAWG commitments ontology</title></head><body>"
        f"<h1>VAWG commitments ontology {html.escape(model.version)}</h1>"
        f"<p class='notice'>This is the plain rendering: {html.escape(reason)}.</p>" + "".join(rows) + "</body></html>"
    )


def _sections(model: OntologyModel) -> list[tuple[str, list[OntClass] | list[OntProperty]]]:
    return [
        ("Classes", sorted(model.classes.values(), key=lambda t: t.local_name)),
        ("Object properties", sorted(model.object_properties.values(), key=lambda t: t.local_name)),
        ("Datatype properties", sorted(model.datatype_properties.values(), key=lambda t: t.local_name)),
        ("Annotation properties", sorted(model.annotation_properties.values(), key=lambda t: t.local_name)),
        ("Reused literal properties", sorted(model.external_properties.values(), key=lambda t: t.iri)),
    ]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _curies(iris: tuple[str, ...], joiner: str = " or ") -> str:
    return joiner.join(f"`{curie(i)}`" for i in iris) or "—"


def render_markdown_reference() -> str:
    """Every term with its label, definition, Neo4j name and API field, as Markdown tables."""
    model = load_model()
    out = [
        REFERENCE_HEADER,
        "# Ontology reference\n",
        f"`{model.iri}` version {model.version}. Prefix `vawg:` = `{model.iri}#`. "
        "Neo4j names and API fields are derived from the local names by `vawg_kg.ontology.model`.\n",
        "## Classes\n",
        "| term | label | definition | parents | Neo4j labels |",
        "|---|---|---|---|---|",
    ]
    for c in sorted(model.classes.values(), key=lambda t: t.local_name):
        labels = ", ".join(f"`{n}`" for n in model.labels_for([c.iri]))
        out.append(
            f"| `vawg:{c.local_name}` | {_cell(c.label)} | {_cell(c.comment)} | {_curies(c.parents, ', ')} | {labels} |"
        )
    out += [
        "\n## Object properties\n",
        "| term | label | definition | domain → range | Neo4j relationship | API field |",
        "|---|---|---|---|---|---|",
    ]
    for p in sorted(model.object_properties.values(), key=lambda t: t.local_name):
        rel = f"`{p.neo4j_rel_type}`" if p.neo4j_rel_type else "not a relationship (see definition)"
        out.append(
            f"| `vawg:{p.local_name}` | {_cell(p.label)} | {_cell(p.comment)} | "
            f"{_curies(p.domain)} → {_curies(p.range)} | {rel} | `{p.api_field}` |"
        )
    out += [
        "\n## Datatype properties\n",
        "| term | label | definition | domain → range | Neo4j key | API field |",
        "|---|---|---|---|---|---|",
    ]
    for p in sorted(model.datatype_properties.values(), key=lambda t: t.local_name):
        out.append(
            f"| `vawg:{p.local_name}` | {_cell(p.label)} | {_cell(p.comment)} | "
            f"{_curies(p.domain)} → {_curies(p.range)} | `{p.neo4j_key}` | `{p.api_field}` |"
        )
    out += [
        "\n## Reused literal properties\n",
        "| term | use | Neo4j key | API field |",
        "|---|---|---|---|",
    ]
    for p in sorted(model.external_properties.values(), key=lambda t: t.label):
        out.append(f"| `{p.label}` | {_cell(p.comment)} | `{p.neo4j_key}` | `{p.api_field}` |")
    out += [
        "\n## Annotation properties\n",
        "| term | label | definition |",
        "|---|---|---|",
    ]
    for p in sorted(model.annotation_properties.values(), key=lambda t: t.local_name):
        out.append(f"| `vawg:{p.local_name}` | {_cell(p.label)} | {_cell(p.comment)} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vawg_kg.ontology.docs", description=__doc__)
    parser.add_argument("--markdown", type=Path, default=Path("docs/ontology-reference.md"))
    parser.add_argument("--check", action="store_true", help="fail if the Markdown file is not up to date")
    parser.add_argument("--html", type=Path, help="also write the HTML page here")
    args = parser.parse_args(argv)
    expected = render_markdown_reference()
    if args.check:
        current = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        if current != expected:
            print(f"{args.markdown} is out of date; run `python -m vawg_kg.ontology.docs`", file=sys.stderr)
            return 1
    else:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(expected, encoding="utf-8")
    if args.html:
        write_html(args.html)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
