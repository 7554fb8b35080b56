/* The summary view of a large graph (visualisations/graph_summary.py): documents, themes and lead
 * organisations as aggregates with counts, edges weighted by counts; an aggregate opens on demand
 * (GET /graph/data/expand) to draw its commitments; the table is paged, filtered, searched and sorted on
 * the server (GET /graph/data/table), so the page never holds every commitment. Data reaches the page
 * through textContent and attributes only, as in graph.js. The view lives in the URL (Back undoes). */
(function () {
  "use strict";
  if (document.documentElement.dataset.mode !== "summary") return;
  var K = window.vawgKit, $ = K.$, el = K.el, button = K.button, KIND = K.KIND;
  var FILTERS = ["doc", "lead", "partner", "theme", "legislation", "outcome_code"];
  var SHOWN_FILTERS = { doc: 1, lead: 1, theme: 1 };  // the others work from the URL (their values come from the API)
  var PAGE_SIZE = 25;
  var COLUMNS = [["ref", "Ref"], ["text", "Commitment"], ["document", "Document"], ["lead", "Lead"],
    ["partners", "Partners"], ["deadline", "Deadline"], ["status", "Status"], ["themes", "Themes"]];

  var data, docById = {}, aggById = {}, network, nodes, edges;
  var opened = {};  // node id -> its /graph/data/expand answer, while drawn
  var state = { q: "", match: "all", view: "graph", sort: "", page: 1, open: [], select: "", overlaps: false };
  var lastPush = "", tableToken = 0, busy = 0;

  function docLabel(d) { return K.wrap(K.docShort(d), 22) + "\n(" + d.count + ")"; }
  function aggLabel(a) { return (a.name.length > 30 ? a.name.slice(0, 29) + "…" : a.name) + " (" + a.count + ")"; }
  function filterOf(a) { return a.kind === "theme" ? "theme" : "lead"; }

  function setBusy(delta) {
    busy = Math.max(0, busy + delta);
    document.documentElement.dataset.busy = busy ? "1" : "0";
  }

  function getJson(url) {
    setBusy(1);
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body && body.message ? body.message : "GET " + url + " answered " + r.status);
        return body;
      }, function () { throw new Error("GET " + url + " answered " + r.status); });
    }).finally(function () { setBusy(-1); });
  }

  // --- URL state ------------------------------------------------------------------------
  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (f) { state[f] = p.get(f) || ""; });
    state.q = p.get("q") || "";
    state.match = p.get("match") === "any" ? "any" : "all";
    state.view = p.get("view") === "table" ? "table" : "graph";
    state.sort = p.get("sort") || "";
    state.page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
    state.open = (p.get("open") || "").split(",").filter(function (id) {
      return (id.indexOf("d:") === 0 && docById[id.slice(2)]) || (id.indexOf("a:") === 0 && aggById[id.slice(2)]);
    });
    state.select = p.get("select") || "";
    state.overlaps = p.get("overlaps") === "1";  // off by default, as in the full view: they hide the structure
  }

  function urlOf() {
    var p = new URLSearchParams();
    p.set("overview", "summary");
    FILTERS.forEach(function (f) { if (state[f]) p.set(f, state[f]); });
    if (state.q) p.set("q", state.q);
    if (state.q && state.match === "any") p.set("match", "any");
    if (state.open.length) p.set("open", state.open.join(","));
    if (state.select) p.set("select", state.select);
    if (state.overlaps) p.set("overlaps", "1");
    if (state.view === "table") p.set("view", "table");
    if (state.sort) p.set("sort", state.sort);
    if (state.page > 1) p.set("page", String(state.page));
    // ?overview=summary only where the server would not choose the summary itself: kept, it is harmless
    return window.location.pathname + "?" + p.toString();
  }

  function writeUrl(kind) {
    var url = urlOf();
    if (url === window.location.pathname + window.location.search) return;
    if (kind && !(kind === "q" && lastPush === "q")) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
    if (kind) lastPush = kind;
  }

  // --- the network ------------------------------------------------------------------------
  function buildNetwork() {
    var ns = [], es = [], top = 1;
    data.links.forEach(function (l) { top = Math.max(top, l[2]); });
    data.documents.forEach(function (d) {
      ns.push({ id: "d:" + d.id, label: docLabel(d), title: d.title + " — " + d.count + " commitments", x: d.x, y: d.y,
                shape: "box", kind: "document", color: { background: d.color, border: "#222" },
                font: { size: 16, color: K.inkOn(d.color) }, borderWidth: 2, margin: 6 });
    });
    data.aggregates.forEach(function (a) {
      ns.push({ id: "a:" + a.id, label: aggLabel(a), title: KIND[a.kind].label + ": " + a.name + " — " + a.count +
                " commitments", x: a.x, y: a.y, shape: KIND[a.kind].shape, kind: a.kind,
                size: 10 + 20 * Math.sqrt(a.count / Math.max(1, data.aggregates[0].count)),
                color: { background: KIND[a.kind].color, border: "#111" },
                font: { size: 14, color: "#1a1a1a", background: "rgba(255,255,255,0.85)" } });
    });
    data.links.forEach(function (l) {
      var a = data.aggregates[l[1]];
      es.push({ id: "l:" + l[0] + ":" + l[1], from: "d:" + data.documents[l[0]].id, to: "a:" + a.id, kind: "member",
                width: 0.4 + 5 * l[2] / top, title: l[2] + " commitments" });
    });
    if (state.overlaps) es = es.concat(overlapEdges());
    nodes = new vis.DataSet(ns);
    edges = new vis.DataSet(es);
    network = new vis.Network($("network"), { nodes: nodes, edges: edges }, {
      physics: false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 250, hideEdgesOnDrag: true, hideEdgesOnZoom: true, multiselect: false },
      nodes: { borderWidth: 1, scaling: { label: { drawThreshold: 6 } } },
      edges: { smooth: false, width: 0.5, color: { color: "#aaaaaa", opacity: 0.5 }, selectionWidth: 2 }
    });
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      var id = params.nodes[0];
      if (id.indexOf("c:") === 0) select(id.slice(2), false);
      else showAggregate(id);
    });
    network.on("doubleClick", function (params) {
      var id = params.nodes[0];
      if (id && id.indexOf("c:") !== 0) toggleOpen(id);
    });
  }

  function fit() {
    network.fit({ animation: false });
  }

  // On a wide page the themes and the organisations leading most stand in labelled columns right of the
  // documents, their labels sized for the scale the fitted view has (as the full view's groups); the
  // other organisations are in the Lead filter and an opened document's panel. On a narrow page every
  // aggregate stays in its disc beside the documents, labelled once the zoom makes labels legible.
  var COLUMN = { width: 210, row: 30 }, inColumns = 0;
  function layoutColumns() {
    var box = $("network").getBoundingClientRect(), W = box.width, H = box.height;
    if (W < 560) return;
    var e = documentsExtent(), bw = e.maxX - e.minX + 300, bh = e.maxY - e.minY + 200;
    var themes = data.aggregates.filter(function (a) { return a.kind === "theme"; });
    var orgs = data.aggregates.filter(function (a) { return a.kind !== "theme"; });
    var rows = Math.max(4, Math.floor((H - 40) / COLUMN.row));
    var themeColumns = Math.ceil(themes.length / rows), columns = themeColumns + 1;
    var scale = Math.min((W - columns * COLUMN.width - 40) / bw, (H - 30) / bh);
    if (!(scale > 0)) return;
    var shown = themes.concat(orgs.slice(0, rows)), updates = [];
    var left = e.maxX + 150 + (COLUMN.width / 2 + 20) / scale, top = (e.minY + e.maxY) / 2 - (rows - 1) * COLUMN.row / scale / 2;
    shown.forEach(function (a, n) {
      var col = a.kind === "theme" ? Math.floor(n / rows) : themeColumns, row = a.kind === "theme" ? n % rows : n - themes.length;
      updates.push({ id: "a:" + a.id, x: left + col * COLUMN.width / scale, y: top + row * COLUMN.row / scale,
                     size: 9 / scale, font: { size: 12 / scale, color: "#1a1a1a", background: "rgba(255,255,255,0.85)" } });
    });
    orgs.slice(rows).forEach(function (a) { updates.push({ id: "a:" + a.id, hidden: true }); });
    if (data.documents.length <= 30) {  // few documents: each labelled legibly (many: on zoom)
      data.documents.forEach(function (d) {
        updates.push({ id: "d:" + d.id, font: { size: Math.max(16, 12 / scale), color: K.inkOn(d.color) } });
      });
    }
    nodes.update(updates);
    inColumns = orgs.length > rows ? rows : orgs.length;
  }

  function documentsExtent() {
    var e = { minX: Infinity, maxX: -Infinity, minY: Infinity, maxY: -Infinity };
    data.documents.forEach(function (d) {
      e.minX = Math.min(e.minX, d.x); e.maxX = Math.max(e.maxX, d.x); e.minY = Math.min(e.minY, d.y); e.maxY = Math.max(e.maxY, d.y);
    });
    return e;
  }

  // Overlaps between documents, made only when asked for (at 500 documents 1,500 more lines to build).
  function overlapEdges() {
    return data.overlaps.map(function (o) {
      return { id: "o:" + o[0] + ":" + o[1], from: "d:" + data.documents[o[0]].id, to: "d:" + data.documents[o[1]].id,
               kind: "overlap", dashes: true, width: 1 + Math.log(1 + o[2]), title: o[2] + " overlapping commitments",
               color: { color: "#2166ac", highlight: "#08306b", hover: "#08306b", opacity: 0.7 } };
    });
  }

  function setOverlaps(on) {
    var drawnNow = !!edges.get("o:" + (data.overlaps[0] || []).slice(0, 2).join(":"));
    state.overlaps = on;
    if (on && !drawnNow) edges.add(overlapEdges());
    if (!on && drawnNow) edges.remove(data.overlaps.map(function (o) { return "o:" + o[0] + ":" + o[1]; }));
  }

  // --- opening an aggregate -----------------------------------------------------------------
  function toggleOpen(id) {
    var at = state.open.indexOf(id);
    if (at >= 0) state.open.splice(at, 1); else state.open.push(id);
    writeUrl("open");
    syncOpen().then(function () {
      if (state.open.indexOf(id) >= 0 && opened[id]) {
        network.fit({ nodes: [id].concat(opened[id].commitments.map(function (c) { return "c:" + c.id; })), animation: false });
      }
      if ($("entity-body").dataset.node === id) showAggregate(id);
    });
  }

  // Draw what state.open names and nothing else: fetch what is newly opened, remove what was closed.
  function syncOpen() {
    Object.keys(opened).forEach(function (id) { if (state.open.indexOf(id) < 0) close(id); });
    return Promise.all(state.open.filter(function (id) { return !opened[id]; }).map(function (id) {
      return getJson("/graph/data/expand?" + new URLSearchParams({ node: id }).toString()).then(function (body) {
        if (state.open.indexOf(id) >= 0 && !opened[id]) draw(id, body);
      }).catch(function (err) { notice(err.message); });
    })).then(renderCount);
  }

  // An opened document, theme or organisation: its disc left of the documents, below any opened before it.
  function anchor(body) {
    var e = documentsExtent(), below = 0;
    Object.keys(opened).forEach(function (k) {
      if (opened[k] !== body && opened[k].anchor) below = Math.max(below, opened[k].anchor[1] + opened[k].radius + 150);
    });
    var y = below ? below + body.radius : (e.minY + e.maxY) / 2;
    return [e.minX - 250 - body.radius, y];
  }

  function draw(id, body) {
    opened[id] = body;
    body.anchor = anchor(body);
    var ns = [], es = [];
    body.commitments.forEach(function (c) {
      var d = docById[c.doc_id];
      if (nodes.get("c:" + c.id)) return;  // drawn by another opened aggregate already
      ns.push({ id: "c:" + c.id, label: c.ref, title: c.ref + ": " + c.text, x: c.x + body.anchor[0], y: c.y + body.anchor[1],
                shape: "dot", size: 7,
                kind: "commitment", owner: id, color: { background: d.color, border: "#333" },
                font: { size: 11, color: "#1a1a1a" } });
      es.push({ id: "m:" + c.id, from: "c:" + c.id, to: "d:" + c.doc_id, kind: "member", owner: id });
      c.aggregates.forEach(function (k) {
        es.push({ id: "m:" + c.id + ":" + k, from: "c:" + c.id, to: "a:" + data.aggregates[k].id, kind: "member",
                  owner: id, color: { color: "#bbbbbb", opacity: 0.35 } });
      });
    });
    nodes.add(ns);
    edges.add(es);
  }

  function close(id) {
    delete opened[id];
    var gone = nodes.get({ filter: function (n) { return n.owner === id; } }).map(function (n) { return n.id; });
    edges.remove(edges.get({ filter: function (e) { return e.owner === id; } }).map(function (e) { return e.id; }));
    nodes.remove(gone);
  }

  // --- panels ---------------------------------------------------------------------------------
  function panel(which) {
    $("panel-empty").hidden = which !== "empty";
    $("panel-body").hidden = which !== "commitment";
    $("entity-body").hidden = which !== "entity";
  }

  function showAggregate(id) {
    var isDoc = id.indexOf("d:") === 0, item = isDoc ? docById[id.slice(2)] : aggById[id.slice(2)];
    if (!item) return;
    var open = state.open.indexOf(id) >= 0, actions = [], members = [];
    var kind = isDoc ? "Document" : KIND[item.kind].label;
    var limit = data.expand_limit, more = !isDoc && item.count > limit;
    actions.push(button(open ? "Fold its commitments away" : "Show " + (more ? "the first " + limit + " of " : "its ") +
      item.count + " commitments in the graph", function () { toggleOpen(id); }));
    actions.push(button("List them in the table", function () {
      if (isDoc) setFilter("doc", item.id, true); else setFilter(filterOf(item), item.value, true);
    }));
    if (opened[id]) {  // what its commitments name, most first: a button opens each
      opened[id].aggregates.slice(0, 8).forEach(function (x) {
        var a = data.aggregates[x[0]];
        if (!isDoc && a.id === item.id) return;
        members.push(button(KIND[a.kind].label + ": " + a.name + " (" + x[1] + ")", function () { showAggregate("a:" + a.id); }, "link"));
      });
    }
    if (isDoc && opened[id]) {
      opened[id].overlaps.slice(0, 8).forEach(function (o) {
        var other = docById[o[0]];
        if (!other) return;
        members.push(button(K.docShort(other) + ": " + o[1] + " overlapping commitments",
          function () { showAggregate("d:" + other.id); }, "link"));
      });
    }
    panel("entity");
    $("entity-body").dataset.node = id;
    $("panel-h").textContent = kind;
    $("e-kind").textContent = kind + (open ? " (its commitments are drawn)" : "");
    $("e-name").textContent = isDoc ? item.title + " (" + item.published.slice(0, 7) + ")" : item.name;
    $("e-count").textContent = item.count + " commitments" + (isDoc ? "." : " name it.") +
      (opened[id] ? " What they name" + (isDoc ? ", and the documents they overlap with" : "") + ", most first:" : "");
    $("e-actions").replaceChildren.apply($("e-actions"), actions);
    $("e-members").replaceChildren.apply($("e-members"), members.map(function (m) { var li = el("li"); li.appendChild(m); return li; }));
    var pa = $("e-page");
    if (!isDoc && item.kind === "organisation") {
      pa.href = "/organisations/" + encodeURIComponent(item.value); pa.textContent = "Organisation page"; pa.hidden = false;
    } else { pa.hidden = true; }
    $("e-link").hidden = true;
    network.selectNodes([id]);
  }

  function names(list) { return list.map(function (e) { return e.name; }); }
  function fillList(id, items) {
    var dd = $(id);
    if (!items.length) { dd.replaceChildren(el("span", "none stated", "muted")); return; }
    var ul = el("ul");
    items.forEach(function (t) { ul.appendChild(el("li", t)); });
    dd.replaceChildren(ul);
  }

  // A commitment's panel, from the API's record (GET /commitments/{doc_id}/{ref}).
  function select(key, focusPanel, fromHistory) {
    var short = key.indexOf("/commitment/") >= 0 ? key.split("/commitment/")[1] : key;
    state.select = short;
    if (!fromHistory) writeUrl("select");
    return getJson("/commitments/" + short.split("/").map(encodeURIComponent).join("/")).then(function (c) {
      var doc = docById[c.doc_id] || { title: c.doc_id, published: "" };
      panel("commitment");
      $("panel-h").textContent = "Commitment " + c.ref;
      $("p-doc").textContent = doc.title + " (" + doc.published.slice(0, 7) + ")";
      $("p-ref").textContent = c.ref;
      $("p-text").textContent = c.text;
      $("p-page").href = "/commitments/" + encodeURIComponent(c.doc_id) + "/" + encodeURIComponent(c.ref);
      var src = $("p-source");
      if (c.source && c.source.file) { src.href = K.sourceHref(c.source); src.hidden = false; } else { src.hidden = true; }
      $("p-lineage-link").href = "/graph/lineage?id=" + encodeURIComponent(c.doc_id + "/" + c.ref);
      $("p-focus").hidden = true;
      var status = c.status && typeof c.status === "object" ? c.status.code || c.status.label : c.status;
      $("p-status").textContent = status ? (K.STATUS_WORDS[status] || status) : "—";
      var gaps = el("a", "gaps of " + K.docAbbrev(doc.id ? doc : { id: c.doc_id, published: "" }));
      gaps.href = "/gaps?" + new URLSearchParams({ doc_id: c.doc_id }).toString();
      $("p-gaps").replaceChildren(gaps);
      var lin = el("a", "its lineage, oldest first");
      lin.href = $("p-lineage-link").href;
      $("p-lineage").replaceChildren(lin);
      $("p-section").textContent = (c.section || []).length ? c.section.join(" › ") : "—";
      fillList("p-leads", names(c.leads || []));
      fillList("p-partners", names(c.partners || []));
      $("p-deadline").textContent = c.deadline_raw ? "“" + c.deadline_raw + "”" + (c.deadline ? " ISO " + c.deadline : "") :
        c.deadline || "none stated";
      fillList("p-themes", names(c.themes || []));
      fillList("p-legislation", names(c.legislation || []));
      fillList("p-outcome_codes", names(c.outcome_codes || []));
      if (nodes.get("c:" + c.id)) network.selectNodes(["c:" + c.id]); else network.unselectAll();
      markRow();
      if (focusPanel) $("panel-h").focus();
    }).catch(function (err) { notice("No commitment ‘" + short + "’: " + err.message); state.select = ""; });
  }

  function markRow() {
    Array.prototype.forEach.call(document.querySelectorAll("#table-body tr[data-id]"), function (r) {
      if (r.dataset.short === state.select) r.setAttribute("aria-current", "true"); else r.removeAttribute("aria-current");
    });
  }

  function notice(text) {
    var box = $("notice");
    box.replaceChildren(el("p", text));
    box.hidden = false;
  }

  // --- the table, a page at a time from the server -----------------------------------------------
  function tableQuery(offset, limit) {
    var p = new URLSearchParams({ offset: String(offset), limit: String(limit) });
    FILTERS.forEach(function (f) { if (state[f]) p.set(f, state[f]); });
    if (state.q.trim()) { p.set("q", state.q.trim()); p.set("match", state.match); }
    if (state.sort) p.set("sort", state.sort);
    return "/graph/data/table?" + p.toString();
  }

  function loadTable() {
    var token = ++tableToken;
    $("notice").hidden = true;
    return getJson(tableQuery((state.page - 1) * PAGE_SIZE, PAGE_SIZE)).then(function (body) {
      if (token !== tableToken) return;
      var pages = Math.max(1, Math.ceil(body.total / PAGE_SIZE));
      if (state.page > pages) { state.page = pages; writeUrl(); return loadTable(); }
      renderTable(body, pages);
      renderHits(body);
      renderCount(body.total);
    }).catch(function (err) {
      if (token !== tableToken) return;
      notice(err.message);
      renderTable({ rows: [], total: 0 }, 1);
      renderCount(0);
    });
  }

  var lastTotal = null;
  function renderCount(total) {
    if (typeof total === "number") lastTotal = total;
    var parts = [];
    FILTERS.forEach(function (f) { if (state[f]) parts.push(f.replace("_", " ") + ": " + state[f]); });
    if (state.q.trim()) parts.push("search: “" + state.q.trim() + "”");
    var count = $("count"), shown = lastTotal === null ? data.totals.commitments : lastTotal;
    count.textContent = shown + " of " + data.totals.commitments + " commitments in " + data.totals.documents +
      " documents (summary view)" + (parts.length ? " · " + parts.join(" · ") : "");
    count.dataset.commitments = String(shown);
    count.dataset.nodes = String(nodes.length);
  }

  function renderHits(body) {
    var box = $("hits");
    if (!state.q.trim()) { box.hidden = true; return; }
    var items = body.rows.slice(0, 5).map(function (r) {
      var li = el("li"), b = button("", function () { select(r.id, true); }, "link");
      b.dataset.id = r.id;
      b.appendChild(el("strong", K.docShort(docById[r.doc_id]) + " " + r.ref));
      b.appendChild(document.createTextNode(": " + (r.text.length > 110 ? r.text.slice(0, 110) + "…" : r.text)));
      li.appendChild(b);
      return li;
    });
    if (!items.length) items.push(el("li", "No commitment has every word. Try fewer words.", "hint"));
    else if (body.total > 5) items.push(el("li", "… " + (body.total - 5) + " more in the table.", "hint"));
    $("hits-list").replaceChildren.apply($("hits-list"), items);
    box.hidden = false;
  }

  function cellText(r, key) {
    var d = docById[r.doc_id];
    return key === "text" ? r.text : key === "document" ? (d ? K.docAbbrev(d) : r.doc_id) :
      key === "lead" ? r.leads.join("; ") : key === "partners" ? r.partners.join("; ") :
      key === "deadline" ? r.deadline || r.deadline_raw || "" : key === "status" ? (r.status ? K.STATUS_WORDS[r.status] || r.status : "—") :
      key === "themes" ? r.themes.join("; ") : key === "score" ? (r.score === null ? "" : String(r.score)) : r.ref;
  }

  function renderTable(body, pages) {
    var cols = state.q.trim() ? COLUMNS.concat([["score", "Relevance"]]) : COLUMNS;
    var desc = state.sort.charAt(0) === "-", key = desc ? state.sort.slice(1) : state.sort;
    var head = document.createDocumentFragment();
    cols.forEach(function (col) {
      var th = el("th");
      th.scope = "col";
      th.dataset.key = col[0];
      var b = button(col[1], function () {
        state.sort = key === col[0] && !desc ? "-" + col[0] : key === col[0] && desc ? "" : col[0];
        state.page = 1;
        writeUrl("sort");
        loadTable().then(function () {
          var again = document.querySelector('#table-head th[data-key="' + col[0] + '"] button');
          if (again) again.focus();
        });
      }, "sort");
      if (key === col[0]) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      b.setAttribute("aria-label", "Sort by " + col[1].toLowerCase() +
        (key === col[0] ? (desc ? ", now descending" : ", now ascending") : ""));
      th.appendChild(b);
      head.appendChild(th);
    });
    $("table-head").replaceChildren(head);
    var frag = document.createDocumentFragment();
    body.rows.forEach(function (r) {
      var tr = el("tr"), d = docById[r.doc_id];
      tr.dataset.id = r.id;
      tr.dataset.short = r.doc_id + "/" + r.ref;
      cols.forEach(function (col) {
        var td = el("td", null, "col-" + col[0]);
        td.dataset.label = col[1];
        if (col[0] === "ref") {
          var b = button(r.ref, function () { select(r.id, true); }, "ref-button");
          if (d) b.style.borderLeftColor = d.color;
          b.setAttribute("aria-label", "Open " + (d ? K.docShort(d) : r.doc_id) + " " + r.ref + " in the panel");
          td.appendChild(b);
          var a = el("a", "page", "page-link");
          a.href = "/commitments/" + encodeURIComponent(r.doc_id) + "/" + encodeURIComponent(r.ref);
          a.setAttribute("aria-label", "Page of " + r.ref);
          td.appendChild(a);
        } else if (col[0] === "status") {
          td.appendChild(el("span", cellText(r, "status"), "status status-" + (r.status || "none")));
        } else {
          td.textContent = cellText(r, col[0]);
          if (col[0] === "document" && d) td.title = d.title;
        }
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    if (!body.rows.length) {
      var tr = el("tr"), td = el("td", "No commitment matches these filters.", "hint");
      td.colSpan = cols.length;
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    $("table-body").replaceChildren(frag);
    markRow();
    $("table-count").textContent = body.total + " commitments" + (state.sort ? ", sorted by " + key +
      (desc ? " (descending)" : "") : state.q.trim() ? ", best match first" : ", in document order") +
      "; " + PAGE_SIZE + " a page, from the server";
    $("page-info").textContent = "Page " + state.page + " of " + pages;
    $("page-prev").disabled = state.page <= 1;
    $("page-next").disabled = state.page >= pages;
  }

  // --- controls -------------------------------------------------------------------------------
  function buildControls() {
    function fillSelect(f, items) {
      var frag = document.createDocumentFragment();
      items.forEach(function (it) { var o = el("option", it[1]); o.value = it[0]; frag.appendChild(o); });
      $("f-" + f).appendChild(frag);
    }
    fillSelect("doc", data.documents.map(function (d) { return [d.id, d.title + " (" + d.count + ")"]; }));
    ["lead", "theme"].forEach(function (f) {
      fillSelect(f, data.aggregates.filter(function (a) { return filterOf(a) === f; }).map(function (a) {
        return [a.value, a.name + " (" + a.count + ")"];
      }).sort(function (a, b) { return a[1].localeCompare(b[1]); }));
    });
    FILTERS.forEach(function (f) {
      if (SHOWN_FILTERS[f]) return;
      $("f-" + f).hidden = true;
      document.querySelector('label[for="f-' + f + '"]').hidden = true;
    });
    document.querySelector("#more-filters > summary").textContent = "Filters: document, lead, theme";
    // Of the full view's links between commitments, the summary has overlaps (between documents).
    $("e-implements").parentNode.hidden = true;
    document.querySelector("#filters fieldset legend").textContent = "Links between documents";
    $("fit").hidden = false;
    document.querySelector(".exports").hidden = true;  // the full view exports; here the table is paged
    var legend = document.createDocumentFragment();
    [["document", "shape-box", "#999999", "Document (with its commitment count)"],
     ["theme", "shape-" + KIND.theme.shape, KIND.theme.color, "Theme (commitments naming it)"],
     ["organisation", "shape-" + KIND.organisation.shape, KIND.organisation.color, "Organisation (commitments it leads" +
       (inColumns && inColumns < data.aggregates.filter(function (a) { return a.kind !== "theme"; }).length ?
         "; the " + inColumns + " leading most drawn, every one in the Lead filter)" : ")")],
     ["commitment", "shape-dot", "#bbbbbb", "Commitment (drawn when its document, theme or organisation is opened)"]
    ].forEach(function (x) {
      var li = el("li"), sw = el("span", null, "swatch " + x[1]);
      sw.style.backgroundColor = x[2];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(x[3]));
      legend.appendChild(li);
    });
    [["edge-member", "document to theme or lead, width by commitments (each document's " + data.top_links + " strongest of each)"],
     ["edge-overlap", "overlaps between documents (each document's " + data.top_overlaps + " strongest)"]].forEach(function (x) {
      var li = el("li");
      li.appendChild(el("span", null, "swatch " + x[0]));
      li.appendChild(document.createTextNode(x[1]));
      legend.appendChild(li);
    });
    $("legend").replaceChildren(legend);
    $("panel-empty").textContent = "A summary of " + data.totals.commitments + " commitments in " + data.totals.documents +
      " documents. Click a document, theme or organisation (or choose one in the filters) to see its commitments; " +
      "search finds commitments across the whole graph.";
    $("network").setAttribute("aria-label", "Summary network of documents, themes and lead organisations with " +
      "commitment counts; the table lists the commitments a page at a time");
  }

  function syncControls() {
    FILTERS.forEach(function (f) {
      var s = $("f-" + f);
      s.value = state[f];
      if (s.value !== state[f] && SHOWN_FILTERS[f]) s.value = "";
    });
    $("q").value = state.q;
    $("q-any").checked = state.match === "any";
    $("e-overlaps").checked = state.overlaps;
  }

  // A filter narrows the table; choosing a document, theme or organisation also shows it in the panel.
  function setFilter(f, value, toTable) {
    state[f] = value;
    state.page = 1;
    if (toTable) state.view = "table";
    syncControls();
    showView(state.view);
    writeUrl("filter");
    loadTable();
    if (!value || toTable) return;
    if (f === "doc") showAggregate("d:" + value);
    else {
      var a = data.aggregates.filter(function (x) { return x.value === value && filterOf(x) === f; })[0];
      if (a) showAggregate("a:" + a.id);
    }
  }

  function showView(view, push) {
    state.view = view;
    var table = K.showTab(view);
    if (push) writeUrl("view");
    if (!table && network) network.redraw();
  }

  function wire() {
    FILTERS.forEach(function (f) {
      $("f-" + f).addEventListener("change", function (ev) { setFilter(f, ev.target.value, false); });
    });
    var timer = null;
    function search(kind) { state.q = $("q").value; state.page = 1; writeUrl(kind); loadTable(); }
    $("q").addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search("q"); }, 300);
    });
    $("filters").addEventListener("submit", function (ev) {
      ev.preventDefault();
      window.clearTimeout(timer);
      lastPush = "";
      search("q");
    });
    $("q-any").addEventListener("change", function (ev) {
      state.match = ev.target.checked ? "any" : "all";
      if (state.q.trim()) search("filter");
    });
    $("reset").addEventListener("click", function () {
      FILTERS.forEach(function (f) { state[f] = ""; });
      state.q = ""; state.page = 1; state.open = [];
      syncControls(); writeUrl("filter"); syncOpen(); loadTable(); fit();
    });
    $("fit").addEventListener("click", fit);
    $("e-overlaps").addEventListener("change", function (ev) { setOverlaps(ev.target.checked); writeUrl("edges"); });
    $("skip").addEventListener("click", function (ev) { ev.preventDefault(); showView("table", true); $("table-wrap").focus(); });
    $("tab-graph").addEventListener("click", function () { showView("graph", true); });
    $("tab-table").addEventListener("click", function () { showView("table", true); });
    [$("tab-graph"), $("tab-table")].forEach(function (t) {
      t.addEventListener("keydown", function (ev) {
        if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
        var other = t.id === "tab-graph" ? "table" : "graph";
        showView(other, true);
        $("tab-" + other).focus();
      });
    });
    $("page-prev").addEventListener("click", function () { state.page -= 1; writeUrl("page"); loadTable(); });
    $("page-next").addEventListener("click", function () { state.page += 1; writeUrl("page"); loadTable(); });
    $("table-body").addEventListener("click", function (ev) {
      if (ev.target.closest("a, button")) return;
      var tr = ev.target.closest("tr[data-id]");
      if (tr) select(tr.dataset.id, true);
    });
    window.addEventListener("popstate", function () {
      readUrl();
      syncControls();
      setOverlaps(state.overlaps);
      showView(state.view);
      lastPush = "";
      syncOpen();
      loadTable();
      if (state.select) select(state.select, false, true); else panel("empty");
    });
  }

  function start() {
    if (window.matchMedia("(max-width: 800px)").matches) $("legend-box").open = false;
    document.documentElement.dataset.busy = "1";
    getJson("/graph/data/summary").then(function (payload) {
      data = payload;
      data.documents.forEach(function (d) { docById[d.id] = d; });
      data.aggregates.forEach(function (a) { aggById[a.id] = a; });
      readUrl();
      buildNetwork();
      layoutColumns();  // while the graph is in view: the columns are sized for its box
      buildControls();
      syncControls();
      K.foldFiltersOnPhone(FILTERS, state);
      wire();
      showView(state.view);
      K.markFirstDrawing(network);
      fit();
      renderCount();
      writeUrl();
      syncOpen();
      loadTable();
      if (state.select) select(state.select, false, true);
    }).catch(function (err) {
      $("count").textContent = "The graph could not be loaded: " + err.message;
      document.documentElement.dataset.ready = "error";
    });
  }

  // For tests and the curious, as in graph.js.
  window.vawgGraph = {
    mode: "summary",
    get network() { return network; },
    get data() { return data; },
    opened: function () { return Object.keys(opened); },
    select: function (key) { return select(key, true); },
    toggle: toggleOpen,
    visibleNodeCount: function () { return nodes ? nodes.length : 0; },
    state: state
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
