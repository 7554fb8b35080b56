"""Repeated GETs come from memory with ETags, and nothing that must not be cached is.

Over real HTTP against ``vawg-kg serve`` (the ``api`` fixture), plus the
middleware's bounds on a small Starlette app.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from vawg_kg.graph_api.response_cache import ResponseCache

HEADERS_THAT_MAY_DIFFER = {"date", "x-request-id"}  # every request gets its own id


def _same(a: httpx.Response, b: httpx.Response) -> None:
    assert a.status_code == b.status_code
    assert a.content == b.content
    strip = lambda r: sorted((k, v) for k, v in r.headers.items() if k not in HEADERS_THAT_MAY_DIFFER)  # noqa: E731
    assert strip(a) == strip(b)


@pytest.mark.parametrize("path", ["/commitments?lead=HO", "/commitments?theme=domestic-abuse&format=csv",
                                  "/overlaps?limit=5", "/gaps", "/coverage", "/organisations",
                                  "/queries/commitments_by_lead?org=org/home-office"])
def test_a_repeat_is_the_same_answer_with_an_etag_and_revalidates(api: httpx.Client, path: str) -> None:
    first = api.get(path)
    second = api.get(path)
    assert first.status_code == 200, first.text[:300]
    _same(first, second)
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"] == "no-cache"
    again = api.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert api.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_different_queries_and_accept_headers_are_different_entries(api: httpx.Client) -> None:
    ho = api.get("/commitments", params={"lead": "HO", "limit": 3})
    cps = api.get("/commitments", params={"lead": "CPS", "limit": 3})
    assert ho.json()["items"] != cps.json()["items"] and ho.headers["etag"] != cps.headers["etag"]
    path = "/id/" + ho.json()["items"][0]["id"].split("/id/", 1)[1]
    as_turtle = api.get(path, headers={"Accept": "text/turtle"})
    as_jsonld = api.get(path, headers={"Accept": "application/ld+json"})
    assert as_turtle.headers["content-type"].startswith("text/turtle")
    assert as_jsonld.headers["content-type"].startswith("application/ld+json")
    assert as_turtle.headers["etag"] != as_jsonld.headers["etag"]
    assert api.get(path, headers={"Accept": "text/turtle"}).content == as_turtle.content


@pytest.mark.parametrize("path", ["/health", "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%3Fo%7D", "/commitments/nope"])
def test_live_answers_and_errors_carry_no_etag(api: httpx.Client, path: str) -> None:
    resp = api.get(path)
    assert "etag" not in resp.headers


def test_an_error_is_never_replayed_for_a_good_request(api: httpx.Client) -> None:
    bad = api.get("/commitments", params={"limit": "-1"})
    assert bad.status_code == 422 and "etag" not in bad.headers
    assert api.get("/commitments", params={"limit": "-1"}).status_code == 422


# --- the middleware's own bounds ---------------------------------------------------------

def _app(cache_bytes: int, entry_bytes: int) -> tuple[ResponseCache, list[str]]:
    calls: list[str] = []

    async def sized(request: Request) -> Response:
        calls.append(request.url.path + "?" + request.url.query)
        return PlainTextResponse("x" * int(request.query_params["n"]))

    async def streamed(request: Request) -> Response:
        calls.append("stream")

        async def chunks() -> Any:
            for i in range(10):
                yield f"{i:03d}" * 100

        return StreamingResponse(chunks(), media_type="text/plain")

    async def cookie(request: Request) -> Response:
        calls.append("cookie")
        resp = PlainTextResponse("hi")
        resp.set_cookie("a", "b")
        return resp

    inner = Starlette(routes=[Route("/c/sized", sized), Route("/c/stream", streamed), Route("/c/cookie", cookie),
                              Route("/other", sized)])
    return ResponseCache(inner, ["/c"], max_bytes=cache_bytes, max_entry_bytes=entry_bytes), calls


def _get(app: ResponseCache, path: str, **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(go())


def test_least_recently_used_entries_go_first_and_the_bound_holds() -> None:
    app, calls = _app(cache_bytes=250, entry_bytes=1000)
    for n in (100, 101, 102):  # 303 bytes > 250: the first is evicted
        assert _get(app, f"/c/sized?n={n}").content == b"x" * n
    assert app._bytes <= 250
    _get(app, "/c/sized?n=102")
    _get(app, "/c/sized?n=100")
    assert calls == ["/c/sized?n=100", "/c/sized?n=101", "/c/sized?n=102", "/c/sized?n=100"]


def test_a_body_over_the_entry_limit_streams_through_whole_and_is_not_kept() -> None:
    app, calls = _app(cache_bytes=1 << 20, entry_bytes=1000)
    expected = "".join(f"{i:03d}" * 100 for i in range(10)).encode()
    assert _get(app, "/c/stream").content == expected
    assert _get(app, "/c/stream").content == expected
    assert calls == ["stream", "stream"] and app._bytes == 0


def test_cookies_and_unlisted_paths_are_not_kept() -> None:
    app, calls = _app(cache_bytes=1 << 20, entry_bytes=1 << 20)
    for _ in range(2):
        _get(app, "/c/cookie")
        _get(app, "/other?n=3")
    assert calls == ["cookie", "/other?n=3", "cookie", "/other?n=3"]
    assert "etag" not in _get(app, "/other?n=3").headers


def test_concurrent_misses_for_one_request_run_the_route_once() -> None:
    calls: list[str] = []

    async def slow(request: Request) -> Response:
        calls.append("slow")
        await asyncio.sleep(0.2)
        return PlainTextResponse("computed once")

    async def failing(request: Request) -> Response:
        calls.append("failing")
        await asyncio.sleep(0.1)
        return PlainTextResponse("no", status_code=422)

    app = ResponseCache(Starlette(routes=[Route("/c/slow", slow), Route("/c/failing", failing)]), ["/c"])

    async def burst(path: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return list(await asyncio.gather(*(client.get(path) for _ in range(20))))

    answers = asyncio.run(burst("/c/slow"))
    assert [r.text for r in answers] == ["computed once"] * 20 and calls == ["slow"]
    assert len({r.headers["etag"] for r in answers}) == 1
    errors = asyncio.run(burst("/c/failing"))  # an answer that is not kept is not shared either
    assert [r.status_code for r in errors] == [422] * 20 and calls.count("failing") >= 2
