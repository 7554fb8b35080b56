"""One parser per document shape; ``parser_for(shape)`` finds it."""

from __future__ import annotations

import importlib

from vawg_kg.errors import SourceError
from vawg_kg.loaders.parsers.base import DocumentParser

SHAPES: dict[str, str] = {
    "hmg-2016": "vawg_kg.loaders.parsers.hmg2016",
    "cps-2017": "vawg_kg.loaders.parsers.cps2017",
    "cps-da-2020": "vawg_kg.loaders.parsers.cpsda2020",
    "npcc-2021": "vawg_kg.loaders.parsers.npcc2021",
    "cps-2025": "vawg_kg.loaders.parsers.cps2025",
    "generic": "vawg_kg.loaders.parsers.generic",
}


def parser_for(shape: str) -> DocumentParser:
    module_name = SHAPES.get(shape)
    if module_name is None:
        raise SourceError(f"no parser for document shape {shape!r}; known shapes: {', '.join(SHAPES)}")
    parser: DocumentParser = importlib.import_module(module_name).PARSER
    return parser
