"""``q``: every word by default, ranked best first, over text, headings, ref, leads and partners
(graph_api/search.py), on the real build and through the real API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from vawg_kg.graph_api.search import CommitmentSearch, tokens

HMG = "hmg-vawg-strategy-2016"


@pytest.fixture(scope="module")
def search(records: list[dict[str, Any]]) -> CommitmentSearch:
    return CommitmentSearch(records)


def words_of(rec: dict[str, Any]) -> set[str]:
    text = " ".join([rec["text"], " ".join(rec.get("section") or []), rec["ref"],
                     *(f"{e['name']} {e.get('as_written') or ''} {e['id'].rsplit('/', 1)[-1].replace('-', ' ')}"
                       for k in ("leads", "partners") for e in rec.get(k) or [])])
    return set(tokens(text))


def holds(rec: dict[str, Any], term: str) -> bool:
    return any(w == term or (len(term) >= 4 and w.startswith(term)) for w in words_of(rec))


def test_all_words_by_default_fewer_and_ranked(search: CommitmentSearch, records: list[dict[str, Any]]) -> None:
    query = "domestic homicide review"
    every = search.ranked(query)
    anyword = search.ranked(query, match="any")
    # Every match holds every word (in some field); any-word matching finds many more.
    assert every and len(every) < len(anyword)
    for i, _ in every:
        assert all(holds(records[i], t) for t in tokens(query)), records[i]["ref"]
    assert any(not all(holds(records[i], t) for t in tokens(query)) for i, _ in anyword)
    scores = [s for _, s in every]
    assert scores == sorted(scores, reverse=True)
    # The best match has the phrase itself.
    assert "domestic homicide review" in records[every[0][0]]["text"].lower()


def test_refs_and_short_ids_are_found(search: CommitmentSearch, records: list[dict[str, Any]]) -> None:
    best = search.ranked("A93")
    assert best and (records[best[0][0]]["doc_id"], records[best[0][0]]["ref"]) == (HMG, "A93")
    exact = search.ranked(f"{HMG}/A93")
    assert [records[i]["ref"] for i, _ in exact] == ["A93"]


def test_leads_and_partners_are_searched(search: CommitmentSearch, records: list[dict[str, Any]]) -> None:
    hits = search.ranked("home office")
    led = [i for i, _ in hits if any(e["id"].endswith("/org/home-office") for e in records[i].get("leads") or [])]
    assert led, "no Home Office led commitment found by searching its name"
    text_only = [i for i in led if "home office" not in records[i]["text"].lower()]
    assert text_only, "every hit names the Home Office in its text: leads were not searched"


def test_word_beginnings_match(search: CommitmentSearch, records: list[dict[str, Any]]) -> None:
    hits = search.ranked("coercive control")
    assert hits and all("controll" in records[i]["text"].lower() or "control" in records[i]["text"].lower()
                        for i, _ in hits)


def test_api_q_uses_all_words(api: httpx.Client) -> None:
    body = api.get("/commitments", params={"q": "domestic homicide review", "limit": 1000}).json()
    assert 0 < body["total"] < 73  # 73 matched any of the words before
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert "domestic homicide review" in body["items"][0]["text"].lower()
    a93 = api.get("/commitments", params={"q": "A93"}).json()
    assert a93["items"][0]["ref"] == "A93" and a93["items"][0]["doc_id"] == HMG


def test_browser_search_route_is_the_api_search(api: httpx.Client) -> None:
    for query in ("domestic homicide review", "A93", "home office"):
        browser = api.get("/graph/search", params={"q": query}).json()
        listed = api.get("/commitments", params={"q": query, "limit": 1000}).json()["items"]
        assert browser["ids"] == [r["id"] for r in listed] and browser["ids"], query
        assert browser["scores"] == [r["score"] for r in listed]
    wider = api.get("/graph/search", params={"q": "domestic homicide review", "match": "any"}).json()
    assert len(wider["ids"]) > len(api.get("/graph/search", params={"q": "domestic homicide review"}).json()["ids"])
    bad = api.get("/graph/search", params={"q": "x", "match": "some"})
    assert bad.status_code == 422 and bad.json()["details"]["parameter"] == "match"
