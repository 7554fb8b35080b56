"""Pure ASGI middleware that guards every request and response.

* a request id for every request (``X-Request-Id`` on the response; error
  bodies of 5xx answers carry it, and the log lines that explain them);
* a ``Host`` header that is not a trusted host → 400 before anything else
  (DNS rebinding: a remote page that makes its name resolve to 127.0.0.1
  would otherwise read the answers). Trusted: the bound host and the
  localhost names, or the list in ``VAWG_KG_TRUSTED_HOSTS``
  (``*.example.org`` matches any subdomain, ``*`` everything);
* query strings longer than ``max_query_string`` → 414; bodies larger than
  ``max_body_bytes`` (declared or streamed) → 413, before a route reads them;
* security headers on every response; a Content-Security-Policy of
  ``default-src 'self'`` on HTML unless the route set its own (Swagger UI);
* an exception that escapes everything else becomes the generic 500 of
  :mod:`graph_api.errors` (logged here), with the headers above — Starlette's
  own last-resort handler would send a plain-text body without them.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vawg_kg.graph_api.errors import error_body

log = logging.getLogger("vawg_kg.graph_api")

BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
HTML_CSP = b"default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
# Swagger UI and ReDoc: assets served by this server (graph_api/routes/api_docs.py), nothing from
# elsewhere; their bootstrap is an inline script and inline styles, and ReDoc runs a blob: worker.
DOCS_CSP = (b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            b"img-src 'self' data:; font-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")


class _BodyTooLarge(HTTPException):
    # An HTTPException so FastAPI's body parser re-raises it instead of turning it into a 400.
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


async def _send_error(send: Send, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                      *extra: tuple[bytes, bytes]) -> None:
    body = json.dumps(error_body(code, message, details)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               *BASE_HEADERS, *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]", "ip6-localhost")


def trusted_hosts(bound_host: str, configured: Iterable[str]) -> tuple[str, ...]:
    """The Host names to answer: the configured list, else the bound host and the localhost names."""
    listed = tuple(h.strip().lower() for h in configured if h.strip())
    if listed:
        return listed
    bound = bound_host.strip().lower()
    extra = () if bound in ("", "0.0.0.0", "::") else (bound, f"[{bound}]" if ":" in bound else bound)
    return tuple(dict.fromkeys((*LOCAL_HOSTS, *extra)))


def _host_name(header: bytes) -> str:
    host = header.decode("latin-1").strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(header: bytes | None, allowed: tuple[str, ...]) -> bool:
    if header is None:
        return False
    name = _host_name(header)
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]) and len(name) > len(pattern) - 1:
            return True
    return False


class GuardMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_query_string: int,
                 allowed_hosts: tuple[str, ...] = ("*",)) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_qs = max_query_string
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(6)
        scope.setdefault("state", {})["request_id"] = rid
        rid_header = (b"x-request-id", rid.encode())
        headers_in = dict(scope.get("headers", []))
        if not host_allowed(headers_in.get(b"host"), self.allowed_hosts):
            shown = (headers_in.get(b"host") or b"").decode("latin-1")[:100]
            await _send_error(send, 400, "untrusted_host",
                              f"this server does not answer for the host {shown!r}; set VAWG_KG_TRUSTED_HOSTS to "
                              "the names it is reached by", {"host": shown}, rid_header)
            return
        qs = scope.get("query_string", b"")
        if len(qs) > self.max_qs:
            await _send_error(send, 414, "uri_too_long",
                              f"the query string has {len(qs)} bytes; the limit is {self.max_qs} "
                              "(send long SPARQL queries by POST)", {"limit": self.max_qs})
            return
        declared = headers_in.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_body
            except ValueError:
                await _send_error(send, 400, "bad_request", "Content-Length is not a number")
                return
            if too_big:
                await _send_error(send, 413, "request_too_large",
                                  f"the request body has {int(declared)} bytes; the limit is {self.max_body}",
                                  {"limit": self.max_body})
                return

        received = 0
        started = False
        path = scope.get("path", "")

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _BodyTooLarge(self.max_body)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.extend(h for h in (*BASE_HEADERS, rid_header) if h[0] not in names)
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if b"content-security-policy" not in names and (ctype.startswith(b"text/html") or not ctype):
                    docs = path in DOCS_PATHS or path.startswith("/docs/")
                    headers.append((b"content-security-policy", DOCS_CSP if docs else HTML_CSP))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started:
                await _send_error(send, 413, "request_too_large",
                                  f"the request body exceeds {self.max_body} bytes", {"limit": self.max_body})
        except Exception:
            log.exception("[%s] unhandled error in %s %s", rid, scope.get("method"), path)
            if not started:
                await _send_error(send, 500, "internal_error", "the server hit an unexpected error; it has been logged",
                                  {"request_id": rid}, rid_header)
