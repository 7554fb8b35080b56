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
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = {f"{XSD}{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_FLOAT = {f"{XSD}decimal", f"{XSD}double", f"{XSD}float"}

Value = str | int | float | bool | None


class Cell(NamedTuple):
    kind: Literal["uri", "literal", "bnode"]
    value: str
    datatype: str | None = None
    lang: str | None = None

    def to_python(self) -> Value:
        """IRIs and strings as ``str``; integers, decimals and booleans as Python numbers/bools.

        Decimals become floats so ``0.80`` (rdflib keeps the lexical form) and
        ``0.8`` (Oxigraph canonicalises) compare equal; dates stay ISO strings.
        """
        if self.kind == "bnode":
            return f"_:{self.value}"
        if self.kind == "uri" or self.datatype is None:
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


def to_sparql_json(result: QueryResult) -> str:
    bindings = []
    for row in _cell_or_plain(result):
        binding: dict[str, dict[str, str]] = {}
        for var, cell in zip(result.variables, row):
            if cell is None:
                continue
            term = {"type": cell.kind, "value": cell.value}
            if cell.lang:
                term["xml:lang"] = cell.lang
            elif cell.datatype and cell.datatype != f"{XSD}string":
                term["datatype"] = cell.datatype
            binding[var] = term
        bindings.append(binding)
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1)


def to_sparql_csv(result: QueryResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in _cell_or_plain(result):
        writer.writerow(["" if c is None else (f"_:{c.value}" if c.kind == "bnode" else c.value) for c in row])
    return buf.getvalue()


def _tsv_term(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.kind == "uri":
        return f"<{cell.value}>"
    if cell.kind == "bnode":
        return f"_:{cell.value}"
    if cell.datatype in _INTEGER | {f"{XSD}decimal", f"{XSD}double", f"{XSD}boolean"} and not cell.lang:
        return cell.value
    escaped = (cell.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    if cell.lang:
        return f'"{escaped}"@{cell.lang}'
    if cell.datatype and cell.datatype != f"{XSD}string":
        return f'"{escaped}"^^<{cell.datatype}>'
    return f'"{escaped}"'


def to_sparql_tsv(result: QueryResult) -> str:
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in _cell_or_plain(result):
        lines.append("\t".join(_tsv_term(c) for c in row))
    return "\n".join(lines) + "\n"


FORMATTERS = {"json": to_sparql_json, "csv": to_sparql_csv, "tsv": to_sparql_tsv}
