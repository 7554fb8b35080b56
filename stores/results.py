"""Query results as plain values, and their SPARQL 1.1 result formats.

Every store returns a :class:`QueryResult`: the variable names and, per row,
one :class:`Cell` (or ``None`` when unbound) per variable. A cell keeps the
RDF term kind, datatype and language so the SPARQL JSON/CSV/TSV writers are
exact; :meth:`QueryResult.rows` gives the plain Python values that tests,
the API and the CLI table use, converted the same way for every store so
the stores can be compared row for row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from vawg_kg.errors import ResultNotRepresentableError, ResultTooLargeError

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = {f"{XSD}{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT = {f"{XSD}decimal", f"{XSD}double", f"{XSD}float"}

Value = str | int | float | bool | None


class Cell(NamedTuple):
    kind: Literal["uri", "literal", "bnode", "triple"]
    value: str
    datatype: str | None = None
    lang: str | None = None
    #: subject, predicate and object of an RDF 1.2 triple term (``kind == "triple"``)
    parts: tuple[Cell, Cell, Cell] | None = None

    def to_python(self) -> Value:
        """IRIs and strings as ``str``; integers, decimals and booleans as Python numbers/bools.

        Decimals become floats so ``0.80`` (rdflib keeps the lexical form) and
        ``0.8`` (Oxigraph canonicalises) compare equal; dates stay ISO strings.
        """
        if self.kind == "bnode":
            return f"_:{self.value}"
        if self.kind in ("uri", "triple") or self.datatype is None:
            return self.value
        try:
            if self.datatype in _INTEGER:
                return int(self.value)
            if self.datatype in _FLOAT:
                return float(self.value)
        except ValueError:
            return self.value
        if self.datatype == f"{XSD}boolean":
            return self.value.strip() in ("true", "1")
        return self.value


@dataclass
class QueryResult:
    variables: list[str]
    cells: list[tuple[Cell | None, ...]] = field(default_factory=list)
    #: set when the store returned a plain-valued result (Neo4j) instead of RDF terms
    plain: list[tuple[Any, ...]] | None = None

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        if self.plain is not None:
            return self.plain
        return [tuple(c.to_python() if c is not None else None for c in row) for row in self.cells]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def __len__(self) -> int:
        return len(self.plain) if self.plain is not None else len(self.cells)


# --- SPARQL 1.1 Query Results formats -------------------------------------------------

def _cell_or_plain(result: QueryResult) -> list[tuple[Cell | None, ...]]:
    if result.plain is None:
        return result.cells
    # Neo4j rows: strings that look like IRIs become IRIs, numbers typed literals.
    out: list[tuple[Cell | None, ...]] = []
    for row in result.plain:
        cells: list[Cell | None] = []
        for v in row:
            if v is None:
                cells.append(None)
            elif isinstance(v, bool):
                cells.append(Cell("literal", "true" if v else "false", f"{XSD}boolean"))
            elif isinstance(v, int):
                cells.append(Cell("literal", str(v), f"{XSD}integer"))
            elif isinstance(v, float):
                cells.append(Cell("literal", repr(v), f"{XSD}double"))
            elif isinstance(v, str) and v.startswith(("http://", "https://")):
                cells.append(Cell("uri", v))
            else:
                cells.append(Cell("literal", v if isinstance(v, str) else json.dumps(v, default=str)))
        out.append(tuple(cells))
    return out



# Where TSV may write a literal in Turtle's short form: only where the short form
# parses back to the same datatype (SPARQL 1.1 TSV: "Turtle or N-Triples" terms).
_TURTLE_SHORT = {
    f"{XSD}integer": re.compile(r"[+-]?[0-9]+"),
    f"{XSD}decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    f"{XSD}double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+)"),
    f"{XSD}boolean": re.compile(r"true|false"),
}
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                             "\f": "\\f"})
_NT_CONTROL = re.compile(r"[\x00-\x07\x0b\x0e-\x1f\x7f]")
# Characters XML 1.0 cannot carry at all, not even as character references.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def nt_term(cell: Cell) -> str:
    """The N-Triples (RDF 1.2) form of a term: always keeps the datatype and language."""
    if cell.kind == "uri":
        return f"<{cell.value}>"
    if cell.kind == "bnode":
        return f"_:{cell.value}"
    if cell.kind == "triple" and cell.parts is not None:
        return "<<( " + " ".join(nt_term(p) for p in cell.parts) + " )>>"
    text = _NT_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04X}", cell.value.translate(_NT_ESCAPES))
    if cell.lang:
        return f'"{text}"@{cell.lang}'
    if cell.datatype and cell.datatype != f"{XSD}string":
        return f'"{text}"^^<{cell.datatype}>'
    return f'"{text}"'


def _tsv_term(cell: Cell | None) -> str:
    if cell is None:
        return ""
    short = _TURTLE_SHORT.get(cell.datatype or "") if cell.kind == "literal" and not cell.lang else None
    if short is not None and short.fullmatch(cell.value):
        return cell.value
    return nt_term(cell)


def _csv_value(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.kind == "bnode":
        return f"_:{cell.value}"
    if cell.kind == "triple":
        return nt_term(cell)
    return cell.value


def _json_term(cell: Cell) -> dict[str, Any]:
    if cell.kind == "triple" and cell.parts is not None:
        s, p, o = (_json_term(c) for c in cell.parts)
        return {"type": "triple", "value": {"subject": s, "predicate": p, "object": o}}
    term: dict[str, Any] = {"type": cell.kind, "value": cell.value}
    if cell.lang:
        term["xml:lang"] = cell.lang
    elif cell.kind == "literal" and cell.datatype and cell.datatype != f"{XSD}string":
        term["datatype"] = cell.datatype
    return term


def _xml_text(value: str) -> str:
    bad = XML_FORBIDDEN.search(value)
    if bad:
        raise ResultNotRepresentableError(
            f"a value holds the character U+{ord(bad.group()):04X}, which XML 1.0 cannot carry; ask for JSON, "
            "CSV or TSV results instead", character=f"U+{ord(bad.group()):04X}")
    return escape(value)


def _xml_term(cell: Cell) -> str:
    if cell.kind == "uri":
        return f"<uri>{_xml_text(cell.value)}</uri>"
    if cell.kind == "bnode":
        return f"<bnode>{_xml_text(cell.value)}</bnode>"
    if cell.kind == "triple" and cell.parts is not None:
        s, p, o = (_xml_term(c) for c in cell.parts)
        return f"<triple><subject>{s}</subject><predicate>{p}</predicate><object>{o}</object></triple>"
    attr = (f" xml:lang={quoteattr(_xml_text(cell.lang))}" if cell.lang else
            f" datatype={quoteattr(_xml_text(cell.datatype))}" if cell.datatype and cell.datatype != f"{XSD}string"
            else "")
    return f"<literal{attr}>{_xml_text(cell.value)}</literal>"


def result_chunks(kind: str, variables: list[str], rows: Iterable[tuple[Cell | None, ...]],
                  boolean: bool | None = None) -> Iterator[str]:
    """A SPARQL 1.1 result document in pieces (head, one piece per row, tail), so a caller can stop early.

    ``kind``: ``json``, ``xml``, ``csv`` or ``tsv``; ``boolean`` set means an ASK answer.
    """
    if kind == "json":
        if boolean is not None:
            yield json.dumps({"head": {}, "boolean": boolean})
            return
        yield json.dumps({"head": {"vars": variables}})[:-1] + ', "results": {"bindings": ['
        sep = ""
        for row in rows:
            binding = {v: _json_term(c) for v, c in zip(variables, row) if c is not None}
            yield sep + json.dumps(binding, ensure_ascii=False)
            sep = ",\n"
        yield "]}}\n"
    elif kind == "xml":
        yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
        yield "".join(f"<variable name={quoteattr(_xml_text(v))}/>" for v in variables) + "</head>\n"
        if boolean is not None:
            yield f"<boolean>{'true' if boolean else 'false'}</boolean>\n</sparql>\n"
            return
        yield "<results>\n"
        for row in rows:
            yield "<result>" + "".join(f"<binding name={quoteattr(v)}>{_xml_term(c)}</binding>"
                                       for v, c in zip(variables, row) if c is not None) + "</result>\n"
        yield "</results>\n</sparql>\n"
    elif kind == "csv":
        if boolean is not None:
            yield f"_askResult\r\n{'true' if boolean else 'false'}\r\n"
            return
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        yield buf.getvalue()
        for row in rows:
            buf.seek(0)
            buf.truncate()
            writer.writerow([_csv_value(c) for c in row])
            yield buf.getvalue()
    elif kind == "tsv":
        if boolean is not None:
            yield f"?_askResult\n{'true' if boolean else 'false'}\n"
            return
        yield "\t".join(f"?{v}" for v in variables) + "\n"
        for row in rows:
            yield "\t".join(_tsv_term(c) for c in row) + "\n"
    else:
        raise ValueError(f"unknown result format {kind!r}")


def to_sparql_json(result: QueryResult) -> str:
    return "".join(result_chunks("json", result.variables, _cell_or_plain(result)))


def to_sparql_xml(result: QueryResult) -> str:
    return "".join(result_chunks("xml", result.variables, _cell_or_plain(result)))


def to_sparql_csv(result: QueryResult) -> str:
    return "".join(result_chunks("csv", result.variables, _cell_or_plain(result)))


def to_sparql_tsv(result: QueryResult) -> str:
    return "".join(result_chunks("tsv", result.variables, _cell_or_plain(result)))


FORMATTERS = {"json": to_sparql_json, "xml": to_sparql_xml, "csv": to_sparql_csv, "tsv": to_sparql_tsv}


class CappedBuffer(io.RawIOBase):
    """A binary sink that refuses to grow past ``limit`` bytes (raises :class:`ResultTooLargeError`)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        self.exceeded = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # bytes-like, or str (the result writers' chunks)
        chunk = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.size += len(chunk)
        if self.size > self.limit:
            self.exceeded = True
            raise too_many_bytes(self.limit)
        self.parts.append(chunk)
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def too_many_bytes(limit: int) -> ResultTooLargeError:
    return ResultTooLargeError(
        f"the answer would be larger than {limit} bytes; add LIMIT, select fewer or shorter values "
        "(the limit is VAWG_KG_MAX_RESULT_BYTES)", max_bytes=limit)
