/* The graph browser. Data from /graph/data (positions precomputed, physics off).
 * Every piece of data reaches the page through textContent or an attribute
 * set from a value built here — never innerHTML — so text such as "<script>"
 * in a commitment shows as text. Filter state lives in the URL query string. */
(function () {
  "use strict";

  // Filter parameter -> record field, from the data (/graph/data "filter_fields", declared once in Python).
  var FILTERS = ["doc"], FIELD = {};
  var KIND = {
    document: { label: "Document", shape: "box" },
    commitment: { label: "Commitment (coloured by document)", shape: "dot" },
    organisation: { label: "Organisation", shape: "triangle", color: "#4d4d4d" },
    theme: { label: "Theme", shape: "diamond", color: "#7b3294" },
    legislation: { label: "Legislation", shape: "square", color: "#8c510a" },
    outcome_code: { label: "Outcome code", shape: "star", color: "#1b7837" }
  };
  // The API's q tokenizer (graph_api/search.py), so the search matches what GET /commitments?q= returns;
  // its stop words come with the data (/graph/data "stop_words"), declared once in Python.
  var STOP = {};

  var data, byIri = {}, docById = {}, overlapsOf = {}, tokensOf = [];
  var nodes, edges, nodeView, edgeView, network;
  var visible = {}, visibleCommitments = [];
  var state = { overlaps: false, implements: true, q: "", select: "" };
  var els = {};

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function tokens(text) {
    var out = [], words = String(text).toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) || [];
    words.forEach(function (w) {
      w = w.split("'")[0];
      if (STOP[w]) return;
      if (w.length > 4 && w.charAt(w.length - 1) === "s" && w.slice(-2) !== "ss") w = w.slice(0, -1);
      out.push(w);
    });
    return out;
  }

  // --- URL state ------------------------------------------------------------------------
  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (f) { state[f] = p.get(f) || ""; });
    state.q = p.get("q") || "";
    state.overlaps = p.get("overlaps") === "1"; // off by default: 1,400 overlap edges hide the structure
    state.implements = p.get("implements") !== "0";
    state.select = p.get("select") || "";
  }

  function writeUrl() {
    var p = new URLSearchParams();
    FILTERS.forEach(function (f) { if (state[f]) p.set(f, state[f]); });
    if (state.q) p.set("q", state.q);
    if (state.overlaps) p.set("overlaps", "1");
    if (!state.implements) p.set("implements", "0");
    if (state.select) p.set("select", state.select);
    var qs = p.toString();
    window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
  }

  // --- filtering ------------------------------------------------------------------------
  function entityIndices(filter, value) {
    // The entity chosen plus what the API also counts: bodies an organisation replaced, sections of an Act.
    var out = {};
    if (!value) return null;
    data.entities.forEach(function (e, i) {
      if (e.value !== value) return;
      out[i] = 1;
      (e.includes || []).forEach(function (iri) { out[iri] = 1; });
      if (filter === "legislation") {
        data.entities.forEach(function (s, j) { if (s.act === e.id) out[j] = 1; });
      }
    });
    data.entities.forEach(function (e, i) { if (out[e.id]) out[i] = 1; });
    return out;
  }

  function applyFilters() {
    var sets = {};
    FILTERS.forEach(function (f) { if (f !== "doc") sets[f] = entityIndices(f, state[f]); });
    var qTokens = state.q.trim() ? tokens(state.q) : null;
    var filtered = FILTERS.some(function (f) { return state[f]; }) || qTokens !== null;
    visible = {};
    visibleCommitments = [];
    data.commitments.forEach(function (c, i) {
      if (state.doc && c.doc_id !== state.doc) return;
      for (var f in sets) {
        var set = sets[f];
        if (set && !c[FIELD[f]].some(function (k) { return set[k]; })) return;
      }
      if (qTokens !== null) {
        var mine = tokensOf[i];
        if (!qTokens.some(function (t) { return mine[t]; })) return;
      }
      visible["c:" + i] = 1;
      visibleCommitments.push(i);
      visible["d:" + c.doc_id] = 1;
      FILTERS.forEach(function (f) { if (f !== "doc") c[FIELD[f]].forEach(function (k) { visible["e:" + k] = 1; }); });
    });
    if (!filtered) {
      data.documents.forEach(function (d) { visible["d:" + d.id] = 1; });
      data.entities.forEach(function (e, i) { visible["e:" + i] = 1; });
    }
    nodeView.refresh();
    edgeView.refresh();
    renderCount();
    renderList();
  }

  function renderCount() {
    var n = Object.keys(visible).length;
    els.count.textContent = visibleCommitments.length + " of " + data.commitments.length +
      " commitments shown (" + n + " nodes)";
    els.count.dataset.commitments = String(visibleCommitments.length);
    els.count.dataset.nodes = String(n);
  }

  function renderList() {
    var frag = document.createDocumentFragment();
    visibleCommitments.forEach(function (i) {
      var c = data.commitments[i];
      var li = el("li");
      var b = el("button", null, "item");
      b.type = "button";
      b.dataset.id = c.id;
      var tag = el("span", c.ref, "ref");
      tag.style.borderColor = docById[c.doc_id].color;
      b.appendChild(tag);
      b.appendChild(document.createTextNode(" " + c.text));
      b.title = docById[c.doc_id].title;
      if (c.id === state.select) b.setAttribute("aria-current", "true");
      li.appendChild(b);
      frag.appendChild(li);
    });
    if (!visibleCommitments.length) frag.appendChild(el("li", "No commitment matches these filters.", "hint"));
    els.list.replaceChildren(frag);
  }

  // --- panel ----------------------------------------------------------------------------
  // The commitment's lineage as the build computed it (loaders/lineage.py), in the corpus order:
  // [commitment index, side, relations]; the same entries as GET /lineage/{id}.
  var SIDE_WORDS = { earlier: "earlier", same_time: "same date", later: "later" };
  var RELATION_WORDS = { implements: "this implements it", implemented_by: "implements this",
    restates: "restates", related: "related" };
  function lineageOf(i) { return data.commitments[i].lineage || []; }
  function implementedBy(i) {
    return lineageOf(i).filter(function (e) { return e[2].indexOf("implemented_by") >= 0; })
      .map(function (e) { return e[0]; });
  }
  function lineageLabel(e) {
    return SIDE_WORDS[e[1]] + ": " + e[2].map(function (r) { return RELATION_WORDS[r] || r; }).join(", ");
  }

  function fill(id, items, render) {
    var dd = $(id);
    if (!items.length) { dd.replaceChildren(el("span", "none stated", "muted")); return; }
    var ul = el("ul");
    items.forEach(function (x) { var li = el("li"); li.appendChild(render(x)); ul.appendChild(li); });
    dd.replaceChildren(ul);
  }

  function entityText(k) { return el("span", data.entities[k].name); }

  function legislationLink(k) {
    var e = data.entities[k];
    if (!e.href || e.href.indexOf("https://www.legislation.gov.uk/") !== 0) return el("span", e.name);
    var a = el("a", e.name);
    a.href = e.href;
    a.rel = "noopener";
    a.target = "_blank";
    return a;
  }

  function commitmentButton(i, extra) {
    var c = data.commitments[i];
    var b = el("button", null, "link");
    b.type = "button";
    b.dataset.id = c.id;
    b.appendChild(el("strong", docById[c.doc_id].title.split(/[:–-]/)[0].trim() + " " + c.ref));
    b.appendChild(document.createTextNode((extra ? " (" + extra + ")" : "") + " — " +
      (c.text.length > 110 ? c.text.slice(0, 110) + "…" : c.text)));
    b.addEventListener("click", function () { select(c.id, true); });
    return b;
  }

  function sourceHref(src) {
    return "/sources/" + encodeURIComponent(src.file) + "?start=" + encodeURIComponent(src.start) +
      "&end=" + encodeURIComponent(src.end) + "#span";
  }

  function showCommitment(i) {
    var c = data.commitments[i], doc = docById[c.doc_id];
    $("panel-empty").hidden = true;
    $("entity-body").hidden = true;
    $("panel-body").hidden = false;
    $("panel-h").textContent = "Commitment " + c.ref;
    $("p-doc").textContent = doc.title + " (" + doc.published.slice(0, 7) + ")";
    $("p-ref").textContent = c.ref;
    $("p-text").textContent = c.text;
    $("p-section").textContent = c.section.length ? c.section.join(" › ") : "—";
    fill("p-leads", c.leads, entityText);
    fill("p-partners", c.partners, entityText);
    var dl = $("p-deadline");
    dl.replaceChildren();
    if (c.deadline_raw || c.deadline) {
      dl.appendChild(el("span", c.deadline_raw ? "“" + c.deadline_raw + "”" : "", "raw"));
      dl.appendChild(document.createTextNode(" "));
      var t = el("time", c.deadline ? "ISO " + c.deadline : "no ISO date", c.deadline ? "iso" : "muted");
      if (c.deadline) t.dateTime = c.deadline;
      dl.appendChild(t);
    } else {
      dl.appendChild(el("span", "none stated", "muted"));
    }
    fill("p-themes", c.themes, entityText);
    fill("p-legislation", c.legislation, legislationLink);
    fill("p-outcome_codes", c.outcome_codes, entityText);
    fill("p-implements", c.implements, function (k) { return commitmentButton(k); });
    fill("p-implemented-by", implementedBy(i), function (k) { return commitmentButton(k); });
    var st = $("p-status");
    st.replaceChildren(el("span", c.status ? (data.statuses[c.status] || c.status) : "—"));
    if (c.status) st.appendChild(el("span", " (judged against " + data.judged_on + ")", "muted"));
    fill("p-lineage", lineageOf(i), function (e) { return commitmentButton(e[0], lineageLabel(e)); });
    fill("p-overlaps", overlapsOf[i] || [], function (o) {
      return commitmentButton(o[0], (o[1] ? "restates" : "related") + (o[2] !== null ? ", " + o[2] : ""));
    });
    var src = $("p-source");
    if (c.source && c.source.file) { src.href = sourceHref(c.source); src.hidden = false; } else { src.hidden = true; }
    $("p-lineage-link").href = "/graph/lineage?id=" + encodeURIComponent(c.id);
    $("p-json").href = "/commitments/" + encodeURIComponent(c.doc_id + "/" + c.ref);
  }

  function showEntity(nodeId) {
    var kind, name, count, link = null;
    if (nodeId.indexOf("d:") === 0) {
      var d = docById[nodeId.slice(2)];
      kind = "Document"; name = d.title + " (" + d.published.slice(0, 7) + ")"; count = d.count;
    } else {
      var e = data.entities[Number(nodeId.slice(2))];
      kind = KIND[e.kind].label; name = e.name; link = e.href || null;
      var k = Number(nodeId.slice(2));
      count = data.commitments.filter(function (c) {
        return FILTERS.some(function (f) { return f !== "doc" && c[FIELD[f]].indexOf(k) >= 0; });
      }).length;
    }
    $("panel-empty").hidden = true;
    $("panel-body").hidden = true;
    $("entity-body").hidden = false;
    $("panel-h").textContent = kind;
    $("e-kind").textContent = kind;
    $("e-name").textContent = name;
    $("e-count").textContent = count + " commitments refer to it. Use the filters to show only those.";
    var a = $("e-link");
    if (link && link.indexOf("https://www.legislation.gov.uk/") === 0) {
      a.href = link; a.textContent = "Read it on legislation.gov.uk"; a.hidden = false;
    } else { a.hidden = true; }
  }

  function select(iri, focusPanel) {
    var i = byIri[iri];
    if (i === undefined) return false;
    state.select = iri;
    writeUrl();
    showCommitment(i);
    var id = "c:" + i;
    if (visible[id]) {
      network.selectNodes([id]);
      network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: false });
    }
    Array.prototype.forEach.call(els.list.querySelectorAll("[aria-current]"), function (b) {
      b.removeAttribute("aria-current");
    });
    var item = els.list.querySelector('button[data-id="' + CSS.escape(iri) + '"]');
    if (item) item.setAttribute("aria-current", "true");
    if (focusPanel) $("panel-h").focus();
    return true;
  }

  // --- building ---------------------------------------------------------------------------
  function buildControls() {
    function options(select, items) {
      var frag = document.createDocumentFragment();
      items.forEach(function (it) { var o = el("option", it[1]); o.value = it[0]; frag.appendChild(o); });
      select.appendChild(frag);
    }
    var counts = {};
    data.commitments.forEach(function (c) {
      FILTERS.forEach(function (f) {
        if (f === "doc") return;
        c[FIELD[f]].forEach(function (k) { var key = f + "|" + k; counts[key] = (counts[key] || 0) + 1; });
      });
    });
    options($("f-doc"), data.documents.map(function (d) { return [d.id, d.title + " (" + d.count + ")"]; }));
    FILTERS.forEach(function (f) {
      if (f === "doc") return;
      var items = [];
      data.entities.forEach(function (e, k) {
        if (counts[f + "|" + k]) items.push([e.value, e.name + " (" + counts[f + "|" + k] + ")"]);
      });
      items.sort(function (a, b) { return a[1].localeCompare(b[1]); });
      options($("f-" + f), items);
    });
    var legend = document.createDocumentFragment();
    Object.keys(KIND).forEach(function (k) {
      if (k === "document") return;
      var li = el("li");
      var sw = el("span", null, "swatch shape-" + KIND[k].shape);
      if (KIND[k].color) sw.style.backgroundColor = KIND[k].color;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(KIND[k].label));
      legend.appendChild(li);
    });
    data.documents.forEach(function (d) {
      var li = el("li");
      var sw = el("span", null, "swatch shape-box");
      sw.style.backgroundColor = d.color;
      li.appendChild(sw);
      var short = d.title.split(/[:–]/)[0].trim(), year = d.published.slice(0, 4);
      li.appendChild(document.createTextNode(short.indexOf(year) >= 0 ? short : short + ", " + year));
      legend.appendChild(li);
    });
    var edgeItems = [["edge-implements", "implements (explicit)"], ["edge-overlap", "overlap"],
                     ["edge-member", "document, lead, partner, theme, law, code"]];
    edgeItems.forEach(function (x) {
      var li = el("li");
      li.appendChild(el("span", null, "swatch " + x[0]));
      li.appendChild(document.createTextNode(x[1]));
      legend.appendChild(li);
    });
    $("legend").replaceChildren(legend);
  }

  function syncControls() {
    FILTERS.forEach(function (f) {
      var s = $("f-" + f);
      s.value = state[f];
      if (s.value !== state[f]) { state[f] = ""; s.value = ""; } // unknown value in the URL: ignore it
    });
    $("q").value = state.q;
    $("e-overlaps").checked = state.overlaps;
    $("e-implements").checked = state.implements;
  }

  function buildNetwork() {
    var ns = [], es = [];
    data.documents.forEach(function (d) {
      docById[d.id] = d;
      ns.push({ id: "d:" + d.id, label: d.title.split(/[:–]/)[0].trim() + "\n" + d.published.slice(0, 4),
                title: d.title, x: d.x, y: d.y, shape: "box", kind: "document",
                color: { background: d.color, border: "#222" }, font: { size: 28, color: "#111", face: "system-ui" },
                borderWidth: 2, margin: 8 });
    });
    data.entities.forEach(function (e, i) {
      ns.push({ id: "e:" + i, label: e.name.length > 28 ? e.name.slice(0, 27) + "…" : e.name, title: e.name,
                x: e.x, y: e.y, shape: KIND[e.kind].shape, size: 9, kind: e.kind,
                color: { background: KIND[e.kind].color, border: "#111" }, font: { size: 11, color: "#222" } });
    });
    data.commitments.forEach(function (c, i) {
      byIri[c.id] = i;
      var t = {};
      tokens(c.text + " " + c.section.join(" ")).forEach(function (w) { t[w] = 1; });
      tokensOf.push(t);
      ns.push({ id: "c:" + i, label: c.ref, title: c.ref + ": " + (c.text.length > 160 ? c.text.slice(0, 160) + "…" : c.text),
                x: c.x, y: c.y, shape: "dot", size: 7, kind: "commitment",
                color: { background: docById[c.doc_id].color, border: "#333" }, font: { size: 9, color: "#333" } });
      es.push({ from: "c:" + i, to: "d:" + c.doc_id, kind: "member" });
      ["leads", "partners", "themes", "legislation", "outcome_codes"].forEach(function (fld) {
        c[fld].forEach(function (k) { es.push({ from: "c:" + i, to: "e:" + k, kind: "member" }); });
      });
      c.implements.forEach(function (k) {
        es.push({ from: "c:" + i, to: "c:" + k, kind: "implements", arrows: "to", width: 2.5,
                  color: { color: "#c0392b" } });
      });
    });
    data.overlaps.forEach(function (o) {
      (overlapsOf[o[0]] = overlapsOf[o[0]] || []).push([o[1], o[2], o[3]]);
      (overlapsOf[o[1]] = overlapsOf[o[1]] || []).push([o[0], o[2], o[3]]);
      es.push({ from: "c:" + o[0], to: "c:" + o[1], kind: "overlap", dashes: true, width: o[2] ? 1.5 : 0.7,
                color: { color: o[2] ? "#2166ac" : "#92c5de", opacity: 0.8 } });
    });
    Object.keys(overlapsOf).forEach(function (k) {
      overlapsOf[k].sort(function (a, b) { return (b[2] || 0) - (a[2] || 0); });
    });
    nodes = new vis.DataSet(ns);
    edges = new vis.DataSet(es);
    nodeView = new vis.DataView(nodes, { filter: function (n) { return visible[n.id] === 1; } });
    edgeView = new vis.DataView(edges, { filter: function (e) {
      if (e.kind === "overlap" && !state.overlaps) return false;
      if (e.kind === "implements" && !state.implements) return false;
      return visible[e.from] === 1 && visible[e.to] === 1;
    } });
    network = new vis.Network($("network"), { nodes: nodeView, edges: edgeView }, {
      physics: false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 250, hideEdgesOnDrag: true, multiselect: false },
      nodes: { borderWidth: 1, scaling: { label: { drawThreshold: 5 } } },
      edges: { smooth: false, width: 0.5, color: { color: "#bbbbbb", opacity: 0.6 }, selectionWidth: 2 }
    });
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      var id = params.nodes[0];
      if (id.indexOf("c:") === 0) select(data.commitments[Number(id.slice(2))].id, false);
      else showEntity(id);
    });
  }

  function wire() {
    FILTERS.forEach(function (f) {
      $("f-" + f).addEventListener("change", function (ev) { state[f] = ev.target.value; writeUrl(); applyFilters(); });
    });
    var timer = null;
    $("q").addEventListener("input", function (ev) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { state.q = ev.target.value; writeUrl(); applyFilters(); }, 150);
    });
    $("filters").addEventListener("submit", function (ev) {
      ev.preventDefault();
      state.q = $("q").value; writeUrl(); applyFilters();
    });
    $("e-overlaps").addEventListener("change", function (ev) { state.overlaps = ev.target.checked; writeUrl(); edgeView.refresh(); });
    $("e-implements").addEventListener("change", function (ev) { state.implements = ev.target.checked; writeUrl(); edgeView.refresh(); });
    $("reset").addEventListener("click", function () {
      FILTERS.forEach(function (f) { state[f] = ""; });
      state.q = "";
      syncControls(); writeUrl(); applyFilters(); network.fit({ animation: false });
    });
    $("fit").addEventListener("click", function () { network.fit({ animation: false }); });
    els.list.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-id]");
      if (b) select(b.dataset.id, true);
    });
  }

  function start() {
    els.count = $("count");
    els.list = $("list");
    fetch("/graph/data", { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("GET /graph/data answered " + r.status); return r.json(); })
      .then(function (payload) {
        data = payload;
        (data.stop_words || []).forEach(function (w) { STOP[w] = 1; });
        Object.keys(data.filter_fields).forEach(function (f) { FILTERS.push(f); FIELD[f] = data.filter_fields[f]; });
        readUrl();
        buildNetwork();
        buildControls();
        syncControls();
        wire();
        network.once("afterDrawing", function () {
          performance.mark("vawg-graph-drawn");
          window.vawgGraph.drawnMs = performance.now();
          document.documentElement.dataset.ready = "1";
        });
        applyFilters();
        network.fit({ animation: false });
        if (state.select && !select(state.select, false)) { state.select = ""; writeUrl(); }
      })
      .catch(function (err) {
        els.count.textContent = "The graph could not be loaded: " + err.message;
        document.documentElement.dataset.ready = "error";
      });
  }

  // For tests and the curious: the network and what is visible.
  window.vawgGraph = {
    get network() { return network; },
    get data() { return data; },
    select: function (iri) { return select(iri, true); },
    visibleCommitments: function () { return visibleCommitments.map(function (i) { return data.commitments[i].id; }); },
    visibleNodeCount: function () { return nodeView ? nodeView.length : 0; },
    state: state
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
