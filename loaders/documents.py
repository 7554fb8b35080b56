"""Documents: the bundled ones' identity and bibliographic facts (from data/SOURCES.md), and the
metadata of an added one (``--publisher``, ``--title``, ``--published`` or a sidecar file)."""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vawg_kg.errors import SourceError
from vawg_kg.ontology.vocabulary import Vocabulary, load_vocabulary, normalise_name

DOC_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    file: str
    title: str
    publisher: str  # organisation slug in the organisations vocabulary
    published: date  # first day of the month of publication when only the month is known
    shape: str  # which parser reads it
    owner: str  # organisation slug meant by "we" in the document
    # Themes every statement of a single-subject document is about (its title says so).
    subject_themes: tuple[str, ...] = ()
    # Added documents: the format the file came in, the name of the original kept beside
    # the extracted text (PDF, Word, HTML), and where each page's text starts (PDF).
    source_format: str = "text"
    original: str = ""
    page_starts: tuple[int, ...] = ()


BUNDLED: tuple[DocumentInfo, ...] = (
    DocumentInfo(
        "hmg-vawg-strategy-2016",
        "hmg-vawg-strategy-2016.md",
        "Ending Violence against Women and Girls: Strategy 2016–2020",
        "home-office",
        date(2016, 3, 1),
        "hmg-2016",
        "hm-government",
    ),
    DocumentInfo(
        "cps-vawg-action-plan-2017",
        "cps-vawg-action-plan-2017.tsv",
        "CPS VAWG Strategy – Action Plans 2017–18",
        "cps",
        date(2017, 1, 1),
        "cps-2017",
        "cps",
    ),
    DocumentInfo(
        "cps-da-programme-2020",
        "cps-da-programme-2020.txt",
        "Domestic abuse – CPS programme for 2020–2021",
        "cps",
        date(2020, 1, 1),
        "cps-da-2020",
        "cps",
        ("domestic-abuse",),
    ),
    DocumentInfo(
        "npcc-vawg-framework-2021",
        "npcc-vawg-framework-2021.txt",
        "Policing violence against women and girls – National framework for delivery: Year 1",
        "npcc",
        date(2021, 12, 1),
        "npcc-2021",
        "police-forces",
    ),
    DocumentInfo(
        "cps-vawg-strategy-2025",
        "cps-vawg-strategy-2025.txt",
        "Violence Against Women and Girls Strategy 2025–2030",
        "cps",
        date(2025, 1, 1),
        "cps-2025",
        "cps",
    ),
)


def check_doc_id(doc_id: str) -> str:
    # fullmatch: ``$`` alone would let a trailing newline into IRIs and file names
    if not DOC_ID_PATTERN.fullmatch(doc_id) or len(doc_id) > 80:
        raise SourceError(
            f"--doc-id {doc_id!r} is not valid: use lower-case letters, digits and single hyphens "
            "(e.g. 'home-office-vawg-plan-2022'), at most 80 characters"
        )
    return doc_id


def bundled_by_id() -> dict[str, DocumentInfo]:
    return {d.doc_id: d for d in BUNDLED}


# ----------------------------------------------------------------------------- added documents' metadata

UNKNOWN_PUBLISHER = "unknown-publisher"
SIDECAR_SUFFIXES = (".meta.json", ".meta.toml")
META_FIELDS = ("publisher", "title", "published")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class DocumentMeta:
    """What an added document says about itself: publisher (organisation slug), title, publication
    date. ``None`` where neither the command line nor the sidecar gives it."""

    publisher: str | None = None
    title: str | None = None
    published: date | None = None


def sidecar_of(path: Path) -> Path | None:
    """``FILE.meta.json`` or ``FILE.meta.toml`` next to ``FILE`` (e.g. ``plan.pdf.meta.json``), if present."""
    found = [path.with_name(path.name + suffix) for suffix in SIDECAR_SUFFIXES]
    present = [p for p in found if p.is_file()]
    if len(present) > 1:
        raise SourceError(f"{path}: both {present[0].name} and {present[1].name} exist; keep one metadata file")
    return present[0] if present else None


def _read_sidecar(sidecar: Path) -> dict[str, Any]:
    try:
        raw = sidecar.read_text(encoding="utf-8")
        data = json.loads(raw) if sidecar.suffix == ".json" else tomllib.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and TOMLDecodeError are ValueErrors
        raise SourceError(f"{sidecar}: cannot be read as {sidecar.suffix[1:].upper()} ({exc})",
                          file=str(sidecar)) from None
    if not isinstance(data, dict):
        raise SourceError(f"{sidecar}: expected an object with the fields {', '.join(META_FIELDS)}", file=str(sidecar))
    unknown = sorted(set(data) - set(META_FIELDS))
    if unknown:
        raise SourceError(f"{sidecar}: field {unknown[0]!r} is not known; the fields are {', '.join(META_FIELDS)}",
                          file=str(sidecar), field=unknown[0])
    return data


def parse_published(value: object, where: str) -> date:
    """``YYYY-MM-DD``, ``YYYY-MM`` (first of the month) or ``YYYY`` (1 January)."""
    if isinstance(value, date):
        return value
    m = _PUBLISHED.match(str(value).strip())
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError:
            pass
    raise SourceError(f"{where} {str(value)[:40]!r} is not a date: give YYYY-MM-DD (or YYYY-MM, YYYY)",
                      field="published")


def resolve_publisher(name: object, where: str, vocabulary: Vocabulary | None = None) -> str:
    """The organisation slug ``name`` stands for (a name, acronym, former name or slug of the
    organisations vocabulary); an unknown name is an error listing the nearest ones."""
    vocab = vocabulary or load_vocabulary()
    text = str(name).strip()
    org = vocab.find_organisation(text) if text else None
    if org is not None:
        return org.slug
    labels: dict[str, str] = {}
    for o in sorted(vocab.organisations.values(), key=lambda o: o.slug):
        for label in (*o.labels, o.slug):
            labels.setdefault(normalise_name(label), o.slug)
    key = normalise_name(text)
    near = difflib.get_close_matches(key, list(labels), n=12, cutoff=0.6)
    near += [k for k in labels if key and (key in k or k in key) and k not in near]
    slugs = list(dict.fromkeys(labels[k] for k in near))[:5]
    hint = ("; nearest: " + ", ".join(f"{vocab.organisations[s].name} ({s})" for s in slugs)) if slugs else ""
    raise SourceError(f"{where} {text[:80]!r} is not an organisation in the vocabulary "
                      f"(ontology/vocabularies/organisations.ttl){hint}", field="publisher", nearest=slugs)


def metadata_for(path: Path, publisher: str | None = None, title: str | None = None,
                 published: str | None = None) -> DocumentMeta:
    """The metadata of ``path``: the command line's values, else its sidecar file's."""
    sidecar = sidecar_of(path)
    data = _read_sidecar(sidecar) if sidecar else {}

    def pick(field: str, given: str | None) -> tuple[object, str] | None:
        if given is not None:
            return given, f"--{field}"
        if field in data:
            return data[field], f"{sidecar}: field {field!r}:"
        return None

    out_publisher = out_title = out_published = None
    got = pick("publisher", publisher)
    if got is not None:
        out_publisher = resolve_publisher(*got)
    got = pick("title", title)
    if got is not None:
        value, where = got
        if not isinstance(value, str) or not value.strip() or len(value) > 300:
            raise SourceError(f"{where} must be a non-empty title of at most 300 characters", field="title")
        out_title = " ".join(value.split())
    got = pick("published", published)
    if got is not None:
        out_published = parse_published(*got)
    return DocumentMeta(out_publisher, out_title, out_published)
