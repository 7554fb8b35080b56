"""The Markdown tables of a benchmark run, with each target checked against its figure."""

from __future__ import annotations

from typing import Any

from benchmarks.peers import markdown as markdown_peers
from benchmarks.peers import markdown_isolation, markdown_named
from vawg_kg.loaders.build import STAGES


def _fmt(s: dict[str, Any] | None, unit: str = "", digits: int = 2) -> str:
    if not s or not s.get("n"):
        return "–"
    med = f"{s['median']:.{digits}f}"
    if s["n"] == 1:
        return f"{med}{unit} (n=1)"
    return f"{med}{unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f}, n={s['n']})"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(r) + " |" for r in rows), ""]


def targets(results: dict[str, Any]) -> list[list[str]]:
    sizes = results.get("sizes", {})
    real = sizes.get("5", {})
    rows: list[list[str]] = []

    def add(name: str, figure: str, value: str, met: bool | None) -> None:
        rows.append([name, figure, value, "–" if met is None else ("met" if met else "**missed**")])

    b5 = real.get("build", {}).get("process_wall_s", {}).get("median")
    add("build, 5 real documents, end to end", "≤ 3 s", f"{b5:.2f} s" if b5 else "–", b5 <= 3 if b5 else None)
    big500 = sizes.get("500", {}).get("build", {})
    if "error" in big500:
        add("growth: 500 docs vs 100 × 5 docs", "≤ 1.2 × 100 × 5-doc", f"build failed: {big500['error']}", False)
    b500 = big500.get("process_wall_s", {}).get("median")
    if b5 and b500:
        add("growth: 500 docs vs 100 × 5 docs", "≤ 1.2 × 100 × 5-doc", f"{b500 / (100 * b5):.2f} × (100 × 5-doc)",
            b500 <= 120 * b5)
    for size, e in sizes.items():
        one, full = e.get("add_one"), e.get("build", {}).get("process_wall_s", {}).get("median")
        if one and "wall_s" in one and full:
            add(f"adding one document to {one['documents_before']}", "≤ 10 % of a full build",
                f"{one['wall_s']:.1f} s = {100 * one['wall_s'] / full:.0f} % of {full:.1f} s "
                f"(reused {one['reused'].get('documents')} documents)", one["wall_s"] <= 0.1 * full)
        peak = e.get("build", {}).get("peak_rss_mb", {}).get("median")
        if size == "500" and peak:
            add("peak RSS, 500 documents, build and its children", "≤ 2 GB", f"{peak:,.0f} MB", peak <= 2048)
    big = max((int(k) for k, e in sizes.items() if "error" not in e.get("build", {"error": 1})), default=0)
    bb = sizes.get(str(big), {}).get("build", {})
    if bb and real.get("build"):
        add(f"overlap candidates, {big} docs", "not all pairs",
            f"{bb['candidates_scored']:,} scored of {bb['all_pairs']:,} pairs "
            f"({100 * bb['candidates_scored'] / max(bb['all_pairs'], 1):.1f} %)",
            bb["candidates_scored"] < bb["all_pairs"] / 4)
    api = real.get("api", {})
    lead = api.get("load", {}).get("/commitments?lead=HO")
    if lead and "rps" in lead:
        add("/commitments?lead=HO at 32 connections", "≥ 500 rps, p99 ≤ 50 ms",
            f"{lead['rps']:.0f} rps, p99 {lead['p99_ms']:.1f} ms, {lead['errors']} errors",
            lead["rps"] >= 500 and lead["p99_ms"] <= 50 and lead["errors"] == 0)
    qs = real.get("queries", {}).get("queries", {})
    p50s = {n: q["oxigraph_ms"]["median"] for n, q in qs.items() if q.get("oxigraph_ms", {}).get("n")}
    if p50s:
        worst = max(p50s, key=lambda n: p50s[n])
        over = [n for n, v in p50s.items() if v > 20]
        add("named SPARQL p50 (pyoxigraph, real graph)", "≤ 20 ms each",
            f"max {p50s[worst]:.1f} ms ({worst}); {len(over)} of {len(p50s)} over", not over)
    ov = api.get("overhead")
    if ov:
        add("API overhead over a direct store query", "≤ 1.5 × + 2 ms",
            f"{ov['api_ms']['median']:.1f} ms vs {ov['direct_ms']['median']:.1f} ms direct (allowed {ov['allowed_ms']} ms)",
            ov["met"])
    load500 = sizes.get("500", {}).get("neo4j_load", {})
    rates = {kind: load500.get(f"{kind}_rate_per_s", {}).get("median") for kind in ("first_load", "replace")}
    rates = {k: v for k, v in rates.items() if v}
    if rates:
        add("Neo4j load at 500 docs", "≥ 50,000 nodes+rels/s",
            ", ".join(f"{k.replace('_', ' ')} {v:,.0f} /s" for k, v in rates.items()),
            min(rates.values()) >= 50000)
    for variant in ("repeated", "unique"):
        entry = real.get("peers", {}).get("variants", {}).get(variant)
        ratio = (entry or {}).get("ratio", {}).get("oxigraph")
        if ratio is not None:
            cpu = entry.get("cpu_ratio", {}).get("oxigraph")
            add(f"/sparql vs oxigraph serve-read-only ({variant} query), real graph", "≥ 0.8×",
                f"{ratio:.2f}× answers/s" + (f"; {cpu:.2f}× by server CPU per answer" if cpu else ""), ratio >= 0.8)
    rss = api.get("rss_after_load")
    if rss:
        total = rss["peak_rss_mb"] + rss["children_rss_mb"]
        add("serve RSS, real graph (peak, + workers)", "≤ 300 MB", f"{total:.0f} MB", total <= 300)
    render = api.get("graph_render", {})
    cold = render.get("cold", {}).get("drawn_ms") if isinstance(render.get("cold"), dict) else None
    if cold is not None:
        warm = render.get("warm_drawn_ms", {}).get("median")
        add("/graph first render, real graph (warm)", "≤ 0.5 s", f"{warm:.0f} ms warm, {cold:.0f} ms cold",
            warm is not None and warm <= 500)
    # The largest size whose API ran: what an official opens first (the summary above 1,000 commitments).
    big_api = max((int(k) for k, e in sizes.items() if isinstance(e.get("api", {}).get("graph_render", {}).get("cold"),
                                                                    dict)), default=0)
    if big_api > 5:
        gr = sizes[str(big_api)]["api"]["graph_render"]
        warm = gr.get("warm_drawn_ms", {}).get("median")
        ratio = gr.get("ratio_to_full")
        add(f"/graph first render, {big_api} docs (warm)", "≤ 2 s",
            f"{warm:.0f} ms warm, {gr['cold']['drawn_ms']:.0f} ms cold; {gr['cold'].get('mode', 'full')} view, "
            f"{gr['cold'].get('data_bytes') or 0:,} B" + (f"; {ratio:.2f}× the full view's time" if ratio else ""),
            warm is not None and warm <= 2000)
    return rows


def peer_rows(results: dict[str, Any]) -> list[str]:
    """The /sparql-against-peers tables, one per size that ran them."""
    out: list[str] = []
    for size, e in results.get("sizes", {}).items():
        p = e.get("peers")
        if not p or not p.get("variants"):
            continue
        out += [f"### {size} documents", "", markdown_peers(p)]
        if p.get("isolation"):
            out += ["What the isolation costs (sandboxed worker and guard against the engine in-process):", "",
                    markdown_isolation(p["isolation"])]
        if p.get("named"):
            out += ["Named queries, example parameters written into the text, sequential GETs on every peer:", "",
                    markdown_named(p["named"], p["named_peers"])]
        if p.get("errors"):
            out += ["Not run: " + "; ".join(f"{k}: {v}" for k, v in p["errors"].items()), ""]
    return out


def markdown(results: dict[str, Any]) -> str:
    m = results.get("machine", {})
    lines = [f"# Benchmark results ({results.get('started', '')})", "",
             f"Machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB, {m.get('os')}, "
             f"Python {m.get('python')}. Load average (1, 5, 15 min) at start {_load(m.get('load_avg_start'))}, "
             f"at end {_load(m.get('load_avg_end'))}.", "",
             "Figures are median (min–max, n runs). Size 5 = the real five documents; size N = those plus "
             "N − 5 synthetic documents (`benchmarks/corpus.py`).", ""]
    sizes = results.get("sizes", {})
    lines += ["## Targets", ""] + _table(["target", "figure", "measured", ""], targets(results))

    rows = []
    for size, e in sizes.items():
        b = e.get("build")
        if not b:
            continue
        if "error" in b:
            rows.append([size, "–", "–", f"failed after {b['seconds_before_failure']} s: {b['error']}",
                         "", "", "", ""])
            continue
        stages = {k: v["median"] for k, v in b["stages_wall_s"].items() if v.get("n")}
        slowest = max(stages, key=lambda k: stages[k]) if stages else "–"
        rows.append([size, f"{b['commitments']:,}", f"{b['triples']:,}", _fmt(b["process_wall_s"], " s"),
                     _fmt(b["end_to_end_cpu_s"], " s"), f"{slowest} {stages.get(slowest, 0):.1f} s",
                     _fmt(b["peak_rss_mb"], " MB", 0),
                     f"{b['overlaps']:,} / {b['candidates_scored']:,} / {b['all_pairs']:,}"])
    lines += ["## Build (end to end, own process, Oxigraph load included)", ""] + _table(
        ["docs", "commitments", "triples", "wall", "CPU (build and workers)", "slowest stage",
         "peak RSS (process tree)",
         "overlaps / pairs scored / all pairs"], rows)

    stage_names = list(STAGES)
    rows = []
    for st in stage_names:
        row = [st]
        for size, e in sizes.items():
            b = e.get("build")
            if b and "error" not in b:
                row.append(f"{_fmt(b['stages_wall_s'].get(st), ' s')} / cpu {_fmt(b['stages_cpu_s'].get(st), ' s')}")
        rows.append(row)
    lines += ["## Build stages (wall / CPU; extract, emit and validate run in the worker processes; CPU is the build's and its workers')", ""]
    lines += _table(["stage", *[f"{s} docs" for s, e in sizes.items()
                                if e.get("build") and "error" not in e["build"]]], rows)

    rows = []
    heap = "?"
    for size, e in sizes.items():
        n = e.get("neo4j_load")
        if n and "nodes" in n:
            heap = n.get("server_xmx", heap)
            rows.append([size, f"{n['nodes']:,}", f"{n['relationships']:,}", _fmt(n.get("map_s"), " s"),
                         _fmt(n.get("stage_s"), " s"), _fmt(n.get("swap_s"), " s"), _fmt(n.get("delete_s"), " s"),
                         _fmt(n.get("total_s"), " s"), _fmt(n.get("first_load_rate_per_s"), "/s", 0),
                         _fmt(n.get("replace_rate_per_s"), "/s", 0), _fmt(n.get("loader_peak_rss_mb"), " MB", 0),
                         _fmt(n.get("server_heap_used_peak_mb"), " MB", 0)])
    if rows:
        lines += [f"## Neo4j load (private server, {heap} heap; staged in batches, swapped in one transaction)", "",
                  "Map includes reading vawg-kg.nt; a replace also deletes the previous graph. "
                  "Rates are nodes + relationships per second of the whole load.", ""] + _table(
            ["docs", "nodes", "rels", "map", "stage", "swap", "delete old", "total", "first-load rate",
             "replace rate", "loader peak RSS", "server heap used"], rows)
    elif results.get("neo4j_error"):
        lines += ["## Neo4j", "", f"Not measured: {results['neo4j_error']}", ""]

    names: list[str] = sorted({n for e in sizes.values() for n in e.get("queries", {}).get("queries", {})})
    if names:
        header = ["query"]
        for size, e in sizes.items():
            if "queries" in e:
                header += [f"ox {size}", f"rdflib {size}", "ratio", f"neo4j {size}"]
        rows = []
        for name in names:
            row = [name]
            for size, e in sizes.items():
                if "queries" not in e:
                    continue
                q = e["queries"]["queries"].get(name, {})
                if "error" in q:
                    row += ["error", "", "", ""]
                    continue
                row += [_med(q.get("oxigraph_ms")), _med(q.get("rdflib_ms")),
                        f"{q['ratio_rdflib_over_oxigraph']}×" if "ratio_rdflib_over_oxigraph" in q else "–",
                        _med(q.get("neo4j_ms"))]
            rows.append(row)
        lines += ["## Named queries (p50 ms; ratio = rdflib / pyoxigraph; neo4j where a .cypher exists)", ""]
        lines += _table(header, rows)

    rows = []
    extra = []
    for size, e in sizes.items():
        a = e.get("api")
        if not a:
            continue
        runs = [*a.get("load", {}).items(),
                *((f"{label} (response cache off)", r) for label, r in a.get("load_uncached", {}).items())]
        for label, r in runs:
            if "rps" in r:
                rows.append([size, label, f"{r['rps']:.0f}", f"{r['p50_ms']:.1f}", f"{r['p95_ms']:.1f}",
                             f"{r['p99_ms']:.1f}", str(r["errors"])])
            else:
                rows.append([size, label, "error", r.get("error", "")[:80], "", "", ""])
        ov = a.get("overhead", {})
        rss = a.get("rss_after_load", {})
        gr = a.get("graph_render", {})
        cold = gr.get("cold", {}) if isinstance(gr.get("cold"), dict) else {}
        extra.append([size, f"{a.get('start_s', '–')} s",
                      f"{_med(ov.get('api_ms'))} vs {_med(ov.get('direct_ms'))} (×{ov.get('ratio')})",
                      f"{a.get('rss_after_start', {}).get('rss_mb', '–')} → peak {rss.get('peak_rss_mb', '–')}"
                      f" (+{rss.get('children_rss_mb', 0)} workers)",
                      f"{cold.get('drawn_ms', 0):.0f} ms cold / {_med(gr.get('warm_drawn_ms'))} ms warm; "
                      f"{cold.get('mode', 'full')} view, /graph/{cold.get('payload') or 'data'} "
                      f"{cold.get('data_bytes') or 0:,} B" if cold else gr.get("error", "–")[:80]])
    if rows:
        lines += ["## API under load (wrk -t2 -c32, same 2-core machine as the server)", ""]
        lines += _table(["docs", "endpoint", "rps", "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
        lines += _table(["docs", "serve start", "/sparql API vs direct (p50 ms)", "serve RSS MB",
                         "/graph first render"], extra)
    peers = peer_rows(results)
    if peers:
        lines += ["## /sparql against its peers (same data, same client, same run)", ""] + peers
    return "\n".join(lines)


def _med(s: dict[str, Any] | None) -> str:
    if s and s.get("timeout_s"):
        return f"> {s['timeout_s']:.0f} s"
    if not s or not s.get("n"):
        return "–"
    return f"{s['median']:.1f}"


def _load(values: Any) -> str:
    return ", ".join(f"{v:.1f}" for v in values) if values else "–"
