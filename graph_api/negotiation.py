"""HTTP content negotiation: pick the best offered media type for an Accept header."""

from __future__ import annotations

from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from vawg_kg.graph_api.errors import NotAcceptableError


def _parse(accept: str) -> list[tuple[str, float, int]]:
    out = []
    for order, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        out.append((media, q, order))
    return out


def best(accept: str | None, offered: list[str]) -> str | None:
    """The offered type the client prefers most (ties: the order of ``offered``); None if none is acceptable.

    A missing or empty Accept header means ``*/*``.
    """
    ranges = _parse(accept or "*/*") or [("*/*", 1.0, 0)]
    best_type, best_key = None, None
    for rank, media in enumerate(offered):
        kind = media.split("/")[0]
        score = None
        for rng, q, order in ranges:
            specificity = 2 if rng == media else 1 if rng == f"{kind}/*" else 0 if rng == "*/*" else -1
            if specificity < 0:
                continue
            if score is None or specificity > score[0]:
                score = (specificity, q, order)
        if score is None or score[1] <= 0:
            continue
        key = (score[1], score[0], -rank)
        if best_key is None or key > best_key:
            best_type, best_key = media, key
    return best_type


def negotiate(accept: str | None, offered: list[str]) -> str:
    chosen = best(accept, offered)
    if chosen is None:
        raise NotAcceptableError(f"cannot answer with {accept!r}; this resource is available as "
                                 f"{', '.join(offered)}", accept=(accept or "")[:200], available=offered)
    return chosen


def wants_html(accept: str | None) -> bool:
    """True for a browser's Accept (HTML preferred over the machine formats offered)."""
    return bool(accept) and best(accept, ["text/html", "application/json"]) == "text/html" and "html" in (accept or "")


def prefers_html(scope: Scope) -> bool:
    """``wants_html`` for a raw ASGI scope; a ``format=`` query parameter asks for a machine format."""
    accept = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"accept"), None)
    return wants_html(accept) and b"format=" not in scope.get("query_string", b"")


class HtmlOnlyRoute(APIRoute):
    """A route that matches only requests preferring HTML; any other request falls through to the
    next route on the same path (the JSON API), so API answers stay exactly as they were.

    The HTML pages (``vawg_kg.visualisations.pages``) use it as their ``route_class`` and are mounted
    before the API's routers.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE or not prefers_html(scope):
            return Match.NONE, {}
        return match, child
