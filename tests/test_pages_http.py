"""The server-rendered pages over real HTTP: HTML and JSON at the same URL by Accept, 404s in the
client's format, unknown names answered with the nearest matches, /docs offline, the rendered source.

The server is the session's real ``vawg-kg serve`` (tests/api_server.py) over the real build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from tests.api_server import HostileServer
from vawg_kg.paths import sources_dir

HMG = "hmg-vawg-strategy-2016"
CPS17 = "cps-vawg-action-plan-2017"
CPS25 = "cps-vawg-strategy-2025"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PAGES = [f"/commitments/{HMG}/A93", f"/id/commitment/{HMG}/A93", "/organisations/home-office", "/id/org/home-office",
         "/organisations", "/gaps", f"/compare?a={CPS17}&b={CPS25}"]


class Scan(HTMLParser):
    """Inline scripts and styles, ids, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "style" or "style" in names:
            self.inline.append(tag)
        if tag == "script" and not names.get("src") and names.get("type") != "application/ld+json":
            self.inline.append("script")
        if any(k.startswith("on") for k in names):
            self.inline.append(f"{tag} handler")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def scan(html: str) -> Scan:
    s = Scan()
    s.feed(html)
    return s


@pytest.mark.parametrize("path", PAGES)
def test_same_url_answers_html_to_a_browser_and_json_to_a_client(api: httpx.Client, path: str) -> None:
    html = api.get(path, headers={"accept": BROWSER})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html"), path
    assert "Accept" in html.headers.get("vary", "")
    assert not scan(html.text).inline, f"{path} has inline script or style, which the CSP refuses"
    machine = api.get(path, headers={"accept": "application/json"}) if not path.startswith("/id/") else \
        api.get(path, headers={"accept": "text/turtle"})
    assert machine.status_code == 200 and not machine.headers["content-type"].startswith("text/html"), path
    if not path.startswith("/id/"):
        # the JSON is the API's own: the same bytes for no Accept, */* and application/json
        assert api.get(path).content == api.get(path, headers={"accept": "*/*"}).content == machine.content


def test_commitment_page_says_what_became_of_a93(api: httpx.Client) -> None:
    body = api.get(f"/commitments/{HMG}/A93").json()
    html = api.get(f"/commitments/{HMG}/A93", headers={"accept": BROWSER}).text
    assert body["text"] in html.replace("&#x27;", "'")
    for item in body["lineage"]["later"]:
        assert f'/commitments/{item["doc_id"]}/{item["ref"]}"' in html
    assert "implemented by" in html and body["lineage"]["status"]["code"] in html
    for lead in body["leads"]:
        assert f'/organisations/{lead["id"].rsplit("/", 1)[-1]}"' in html
    # the excerpt: the span is marked, and its marked text is the source slice without markup
    marked = "".join(re.findall(r"<mark[^>]*>(.*?)</mark>", html, re.S))
    src = body["source"]
    raw = (sources_dir() / src["file"]).read_text(encoding="utf-8")[src["start"]:src["end"]]
    assert " ".join(marked.split()) == " ".join(re.sub(r"\*\*|</?b>", "", raw).split())


def test_unknown_ids_are_404_in_the_clients_format(api: httpx.Client) -> None:
    for path in (f"/commitments/{HMG}/A999", "/organisations/no-such-body", "/lineage/nope/x",
                 "/graph/lineage?id=nope/x", "/id/commitment/nope/X", "/no/such/page"):
        html = api.get(path, headers={"accept": BROWSER})
        assert html.status_code == 404 and html.headers["content-type"].startswith("text/html"), path
        assert "<h1>Not found</h1>" in html.text and not scan(html.text).inline
        data = api.get(path)
        assert data.status_code == 404 and data.json()["error"] == "not_found", path


@pytest.mark.parametrize("params, expected", [
    ({"lead": "org/ho"}, "home-office"),
    ({"lead": "Home Ofice"}, "home-office"),
    ({"partner": "foreign offce"}, "fco"),
    ({"theme": "theme/stalking"}, "stalking-harassment"),
])
def test_a_name_naming_nothing_gets_404_with_the_nearest(api: httpx.Client, params: dict[str, str],
                                                         expected: str) -> None:
    resp = api.get("/commitments", params=params)
    assert resp.status_code == 404, resp.text
    body = resp.json()
    nearest = [n["slug"] for n in body["details"]["nearest"]]
    assert expected in nearest[:3] and expected in body["message"]
    page = api.get("/commitments", params=params, headers={"accept": BROWSER})
    assert page.status_code == 404 and f'href="{body["details"]["nearest"][0]["url"]}"' in page.text


def test_acronyms_and_former_names_are_accepted_wherever_an_organisation_is_named(api: httpx.Client) -> None:
    by_slug = api.get("/gaps", params={"lead": "home-office"}).json()["total"]
    assert by_slug > 0 and api.get("/gaps", params={"lead": "HO"}).json()["total"] == by_slug
    assert api.get("/organisations/HO").json()["id"].endswith("/org/home-office")
    fco = api.get("/commitments", params={"lead": "Foreign and Commonwealth Office", "limit": 1}).json()
    assert fco["total"] > 0


def test_gaps_export_is_what_is_shown(api: httpx.Client) -> None:
    params = {"doc_id": HMG, "reason": "NOT_PICKED_UP_IN_CORPUS"}
    data = api.get("/gaps", params=params).json()
    csv_text = api.get("/gaps", params={**params, "format": "csv"}).text
    assert len(csv_text.strip().splitlines()) == data["total"] + 1
    html = api.get("/gaps", params=params, headers={"accept": BROWSER}).text
    assert f"<strong>{data['total']}</strong>" in html
    assert "format=csv" in html and "format=json" in html
    assert api.get("/gaps", params={**params, "format": "json"}, headers={"accept": BROWSER}).json() == data


def test_compare_json_twin(api: httpx.Client) -> None:
    body = api.get("/compare", params={"a": CPS17, "b": CPS25}).json()
    overlaps = api.get("/overlaps", params={"doc_a": CPS17, "doc_b": CPS25, "limit": 1000}).json()
    assert body["overlaps"]["total"] == overlaps["total"] > 0
    paired_a = {p["a"]["id"] for p in body["overlaps"]["items"]}
    only_a = {c["id"] for g in body["only_in_a"] for c in g["commitments"]}
    assert not paired_a & only_a and only_a
    assert api.get("/compare", params={"a": CPS17, "b": CPS17}).status_code == 422


def test_source_view_is_rendered_with_a_way_back(api: httpx.Client) -> None:
    rec = api.get(f"/commitments/{HMG}/A93").json()
    html = api.get(rec["source_url"], headers={"accept": BROWSER}).text
    rendered = html.split('<div class="source" id="source">', 1)[1].split("</div>", 1)[0]
    text = "".join(scan(rendered).text)
    assert len(text) > 100_000 and "Annex A" in text or "ANNEX A" in text
    assert "**" not in text and "<b>" not in text and "### " not in text
    assert f'href="/commitments/{HMG}/A93"' in html and 'id="span"' in html
    assert '<script src="/assets/source.js"' in html and api.get("/assets/source.js").status_code == 200


def test_docs_and_redoc_work_offline(api: httpx.Client) -> None:
    for path in ("/docs", "/redoc"):
        html = api.get(path).text
        urls = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
        assert urls and all(u.startswith("/") for u in urls), urls
        for url in urls:
            assert api.get(url).status_code == 200, url


def test_ontology_page_is_styled_by_a_file(api: httpx.Client) -> None:
    html = api.get("/ontology", headers={"accept": BROWSER}).text
    assert "<style" not in html and 'href="/pages/static/ontology.css"' in html
    css = api.get("/pages/static/ontology.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and "#pylode" in css.text




def test_markup_in_the_data_is_text_on_every_page(hostile_server: HostileServer) -> None:
    url, rec = hostile_server.url, hostile_server.record
    slug = rec["leads"][0]["id"].rsplit("/", 1)[-1]
    with httpx.Client(base_url=url, timeout=60, headers={"accept": BROWSER}) as client:
        for path in (f"/commitments/{rec['doc_id']}/{rec['ref']}", f"/organisations/{slug}", "/gaps",
                     f"/gaps?doc_id={rec['doc_id']}"):
            html = client.get(path).text
            assert "window.__pwned" in html, path  # the text is there ...
            assert "<script>window.__pwned" not in html and "<img src=x" not in html, path  # ... as text
            assert not scan(html).inline, path


def test_an_unknown_commitment_lists_the_nearest_refs(api: httpx.Client) -> None:
    body = api.get(f"/commitments/{HMG}/a93").json()
    assert body["error"] == "not_found" and body["details"]["nearest"][0]["slug"] == f"{HMG}/A93"
    page = api.get(f"/commitments/{HMG}/a93", headers={"accept": BROWSER})
    assert page.status_code == 404 and f'href="/commitments/{HMG}/A93"' in page.text


def test_named_queries_resolve_organisations_like_every_other_route(api: httpx.Client) -> None:
    by_iri = api.get("/queries/commitments_by_lead", params={"org": "org/home-office"}).json()
    assert by_iri["total"] > 0
    by_acronym = api.get("/queries/commitments_by_lead", params={"org": "HO"}).json()
    assert by_acronym["rows"] == by_iri["rows"]
    resp = api.get("/queries/commitments_by_lead", params={"org": "org/ho"})
    assert resp.status_code == 404 and resp.json()["details"]["nearest"][0]["slug"] == "home-office"
    assert api.get("/queries/commitments_by_theme", params={"theme": "theme/stalking"}).status_code == 404


def test_commitment_page_links_legislation_and_partners(api: httpx.Client) -> None:
    items = api.get("/commitments", params={"limit": 1000}).json()["items"]
    rec = next(r for r in items if r["legislation"] and r["partners"])
    html = api.get(f"/commitments/{rec['doc_id']}/{rec['ref']}", headers={"accept": BROWSER}).text
    for law in rec["legislation"]:
        path = law["id"].split("/id/", 1)[1]
        assert f'href="https://www.legislation.gov.uk/{path}"' in html
    for partner in rec["partners"]:
        assert f'href="/organisations/{partner["id"].rsplit("/", 1)[-1]}"' in html
