"""Answer repeated GET requests from memory, with ETags: the build does not change under the server.

Everything under the cached paths is computed from the build folder that the
service loaded at start-up, so the same request (path, query string and
``Accept``) gets the same bytes until the server restarts on another build.
Serving those bytes again skips routing, validation and JSON encoding: at 32
connections on two cores that is what keeps the tail latency down.

* Only ``200`` answers to ``GET`` are kept, and only when the response sets no
  cookie and no ``Cache-Control: no-store``; the cache is a byte-bounded LRU.
* Every answer from a cached path carries a strong ``ETag`` (a hash of its
  body) and ``Cache-Control: no-cache`` (clients revalidate); a matching
  ``If-None-Match`` gets ``304 Not Modified`` without the body.
* Concurrent misses for one request are computed once: the others wait for
  that answer (a burst of identical requests on a cold cache does not run the
  route thirty times over).
* Paths that depend on anything else (``/health``, ``/cypher`` — Neo4j may be
  reloaded on its own — ``/sparql``) are not listed, so never cached.

A plain ASGI middleware (not Starlette's ``BaseHTTPMiddleware``), so a hit
costs a dictionary lookup and two ``send`` calls.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CacheKey = tuple[str, bytes, bytes]


@dataclass(frozen=True)
class CachedResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def _etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    candidates = [c.strip().removeprefix(b"W/") for c in if_none_match.split(b",")]
    return b"*" in candidates or etag in candidates


class ResponseCache:
    def __init__(self, app: ASGIApp, prefixes: Iterable[str], max_bytes: int = 32 << 20,
                 max_entry_bytes: int = 4 << 20, version: str = "") -> None:
        self.app = app
        self.prefixes = tuple(prefixes)
        self._exact = frozenset(self.prefixes)
        self._folders = tuple(p.rstrip("/") + "/" for p in self.prefixes)
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.version = version.encode()
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()
        self._pending: dict[CacheKey, asyncio.Future[CachedResponse | None]] = {}
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def _cacheable_path(self, path: str) -> bool:
        return path in self._exact or path.startswith(self._folders)  # every request asks: two C calls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self._cacheable_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key: CacheKey = (scope["path"], scope["query_string"], headers.get(b"accept", b""))
        if_none_match = headers.get(b"if-none-match")
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            await self._replay(entry, if_none_match, send)
            return
        pending = self._pending.get(key)
        if pending is not None:  # the same answer is being computed: wait for it instead of computing it again
            entry = await asyncio.shield(pending)
            if entry is not None:
                self.hits += 1
                await self._replay(entry, if_none_match, send)
                return
        self.misses += 1
        future: asyncio.Future[CachedResponse | None] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            entry = await self._forward_and_keep(key, if_none_match, scope, receive, send)
        finally:
            self._pending.pop(key, None)
            if not future.done():
                future.set_result(entry)  # None when it failed or was not cacheable: waiters then run it

    async def _replay(self, entry: CachedResponse, if_none_match: bytes | None, send: Send) -> None:
        if if_none_match is not None and _etag_matches(if_none_match, entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": [
                (b"etag", entry.etag), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": list(entry.headers)})
        await send({"type": "http.response.body", "body": entry.body})

    async def _forward_and_keep(self, key: CacheKey, if_none_match: bytes | None, scope: Scope,
                                receive: Receive, send: Send) -> CachedResponse | None:
        """Run the app; buffer a cacheable 200 to add its ETag, pass anything else straight on.
        Returns the complete answer when it was cacheable (for requests waiting on it)."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        made: CachedResponse | None = None

        async def capture(message: Message) -> None:
            nonlocal start, size, made
            if message["type"] == "http.response.start":
                if message["status"] == 200 and _storable(message.get("headers", [])):
                    start = message
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_entry_bytes:  # too big to keep: flush what we held and stream the rest
                held, start = start, None
                await send(held)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
                chunks.clear()
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            if not message.get("more_body", False):
                body = b"".join(chunks)
                etag = _etag(self.version + body)
                kept = tuple((k, v) for k, v in start.get("headers", [])
                             if k.lower() not in (b"etag", b"cache-control"))
                made = CachedResponse(200, (*kept, (b"etag", etag), (b"cache-control", b"no-cache")), body, etag)
                self._keep(key, made)
                await self._replay(made, if_none_match, send)

        await self.app(scope, receive, capture)
        return made

    def _keep(self, key: CacheKey, entry: CachedResponse) -> None:
        if len(entry.body) > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)


def _storable(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"set-cookie":
            return False
        if lowered == b"cache-control" and (b"no-store" in value.lower() or b"private" in value.lower()):
            return False
    return True
