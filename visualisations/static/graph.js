/* The commitments browser: a graph and a table over the same filters.
 * Data from /graph/data (positions precomputed, physics off); search from /graph/search (the API's q);
 * gap flags from /gaps, fetched once when first needed. Every piece of data reaches the page through
 * textContent or an attribute set from a value built here — never innerHTML — so text such as
 * "<script>" in a commitment shows as text. The view lives in the URL: each filter change is a history
 * entry (Back undoes it), zoom and pan replace the current one. */
(function () {
  "use strict";

  var FILTERS = ["doc"], FIELD = {};  // filter parameter -> record field, from /graph/data "filter_fields"
  var KIND = {
    document: { label: "Document", shape: "box" },
    commitment: { label: "Commitment (coloured by document)", shape: "dot" },
    organisation: { label: "Organisation", plural: "Organisations", shape: "triangle", color: "#4d4d4d", filter: "lead" },
    theme: { label: "Theme", plural: "Themes", shape: "diamond", color: "#7b3294", filter: "theme" },
    legislation: { label: "Legislation", plural: "Legislation", shape: "square", color: "#8c510a", filter: "legislation" },
    outcome_code: { label: "Outcome code", plural: "Outcome codes", shape: "star", color: "#1b7837", filter: "outcome_code" }
  };
  var GROUPS = ["organisation", "theme", "legislation", "outcome_code"];
  var NOUN = { doc: "document", lead: "organisation", partner: "organisation", theme: "theme",
    legislation: "legislation", outcome_code: "outcome code" };
  var STATUS_WORDS = { "picked-up": "picked up", "related-only": "related only", "not-picked-up": "not picked up",
    "not-yet-due": "not yet due" };
  var SIDE_WORDS = { earlier: "earlier", same_time: "same date", later: "later" };
  var RELATION_WORDS = { implements: "this implements it", implemented_by: "implements this",
    restates: "restates", related: "related" };
  var PAGE_SIZE = 25;
  // Label sizes on screen, in CSS pixels, whatever the zoom.
  var SCREEN_FONT = { document: 16, group: 15, entity: 12, commitment: 11 };

  var data, byIri = {}, byShort = {}, docById = {}, choiceBy = {};
  var nodes, edges, nodeView, edgeView, network;
  var visible = {}, visibleCommitments = [], scoreOf = {};
  var state = { q: "", match: "all", select: "", focus: [], expand: [], view: "graph", sort: "", page: 1,
                overlaps: false, implements: true, z: null, x: null, y: null };
  var els = {}, searchCache = {}, gaps = null, gapsLoading = null, applyToken = 0, lastPush = "";

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function button(text, onClick, cls) {
    var b = el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function shortId(c) { return c.doc_id + "/" + c.ref; }
  function docShort(d) {
    var short = d.title.split(/[:–]/)[0].trim(), year = d.published.slice(0, 4);
    return short.indexOf(year) >= 0 ? short : short + " " + year;
  }
  // "HMG VAWG 2016": the table's short name of a document, from its id (publisher, subject, year).
  function docAbbrev(d) {
    var parts = d.id.split("-"), year = d.published.slice(0, 4);
    return parts.slice(0, 2).join(" ").toUpperCase() + " " + year;
  }
  function names(c, fld) { return c[fld].map(function (k) { return data.entities[k].name; }); }
  function statusWords(c) { return c.status ? (STATUS_WORDS[c.status] || c.status) : "—"; }
  function normal(s) { return String(s).toLowerCase().replace(/^the\s+/, "").replace(/[’'.,&()]/g, "").replace(/[\s_-]+/g, " ").trim(); }

  // --- URL state ------------------------------------------------------------------------
  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    FILTERS.forEach(function (f) { state[f] = p.get(f) || ""; });
    state.q = p.get("q") || "";
    state.match = p.get("match") === "any" ? "any" : "all";
    state.overlaps = p.get("overlaps") === "1"; // off by default: 1,400 overlap edges hide the structure
    state.implements = p.get("implements") !== "0";
    state.select = p.get("select") || "";
    state.focus = (p.get("focus") || "").split(",").filter(Boolean);
    state.expand = (p.get("expand") || "").split(",").filter(function (k) { return GROUPS.indexOf(k) >= 0; });
    state.view = p.get("view") === "table" ? "table" : "graph";
    state.sort = p.get("sort") || "";
    state.page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
    ["z", "x", "y"].forEach(function (k) { var v = parseFloat(p.get(k)); state[k] = isFinite(v) ? v : null; });
  }

  function urlOf() {
    var p = new URLSearchParams();
    FILTERS.forEach(function (f) { if (state[f]) p.set(f, state[f]); });
    if (state.q) p.set("q", state.q);
    if (state.q && state.match === "any") p.set("match", "any");
    if (state.overlaps) p.set("overlaps", "1");
    if (!state.implements) p.set("implements", "0");
    if (state.focus.length) p.set("focus", state.focus.join(","));
    if (state.expand.length) p.set("expand", state.expand.join(","));
    if (state.select) p.set("select", state.select);
    if (state.view === "table") p.set("view", "table");
    if (state.sort) p.set("sort", state.sort);
    if (state.page > 1) p.set("page", String(state.page));
    if (state.z !== null) { p.set("z", state.z.toFixed(3)); p.set("x", String(Math.round(state.x))); p.set("y", String(Math.round(state.y))); }
    var qs = p.toString();
    return window.location.pathname + (qs ? "?" + qs : "");
  }

  // kind: what changed. A new kind of change is a new history entry; more of the same (typing) replaces it.
  function writeUrl(kind) {
    var url = urlOf();
    if (url === window.location.pathname + window.location.search) return;
    if (kind && !(kind === "q" && lastPush === "q")) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
    if (kind) lastPush = kind;
  }

  // --- resolving what the URL names ---------------------------------------------------------
  function distance(a, b) {
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  function resolveChoice(f, value) {
    var list = data.choices[f] || [], key = normal(value);
    for (var i = 0; i < list.length; i++) if (list[i].value === value) return list[i];
    for (i = 0; i < list.length; i++) {
      if (list[i].aliases.some(function (a) { return normal(a) === key; })) return list[i];
    }
    return null;
  }

  function nearest(f, value) {
    var key = normal(value);
    return (data.choices[f] || []).map(function (ch) {
      var best = Infinity;
      ch.aliases.concat([ch.value]).forEach(function (a) {
        var n = normal(a), d = distance(key, n.slice(0, Math.max(key.length, 3)));
        if (n.indexOf(key) >= 0 || (key.length >= 3 && key.indexOf(n) >= 0)) d = Math.min(d, 0.5);
        best = Math.min(best, d + Math.abs(n.length - key.length) * 0.01);
      });
      return [best, ch];
    }).sort(function (a, b) { return a[0] - b[0]; }).slice(0, 3).map(function (x) { return x[1]; });
  }

  function choiceLabel(ch) { return ch.name + (ch.acronym && ch.acronym !== ch.name ? " (" + ch.acronym + ")" : ""); }

  var notices = [];
  function notice(parts) { notices.push(parts); }
  function showNotices() {
    var box = $("notice");
    if (!notices.length) { box.hidden = true; box.replaceChildren(); return; }
    var frag = document.createDocumentFragment();
    notices.forEach(function (parts) {
      var p = el("p");
      parts.forEach(function (x) { p.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      frag.appendChild(p);
    });
    box.replaceChildren(frag);
    box.hidden = false;
    notices = [];
  }

  function resolveUrlValues() {
    FILTERS.forEach(function (f) {
      if (!state[f]) return;
      var ch = resolveChoice(f, state[f]);
      if (ch) { state[f] = ch.value; return; }
      var asked = state[f];
      state[f] = "";
      var parts = ["No " + NOUN[f] + " ‘" + asked + "’ (" + f + "=" + asked + "). Did you mean: "];
      nearest(f, asked).forEach(function (c, i) {
        if (i) parts.push(", ");
        parts.push(button(choiceLabel(c), function () { setFilter(f, c.value); }, "link"));
      });
      parts.push("?");
      notice(parts);
    });
    if (state.select) {
      var i = findCommitment(state.select);
      if (i === undefined) {
        notice(["No commitment ‘" + state.select + "’. Give doc_id/ref (e.g. hmg-vawg-strategy-2016/A93) or search for its ref."]);
        state.select = "";
      } else if (Array.isArray(i)) {
        var parts = ["‘" + state.select + "’ is a ref in several documents: "];
        i.forEach(function (k, n) {
          var c = data.commitments[k];
          if (n) parts.push(", ");
          parts.push(button(docShort(docById[c.doc_id]) + " " + c.ref, function () { select(c.id, true); }, "link"));
        });
        notice(parts);
        state.select = "";
      } else {
        state.select = shortId(data.commitments[i]);
      }
    }
    state.focus = state.focus.filter(function (s) {
      var k = findCommitment(s);
      if (typeof k === "number") return true;
      notice(["No commitment ‘" + s + "’ to focus on; it was left out."]);
      return false;
    }).map(function (s) { return shortId(data.commitments[findCommitment(s)]); });
  }

  // A commitment by IRI, doc_id/ref or bare ref; an array of indices when a bare ref is ambiguous.
  function findCommitment(key) {
    key = String(key).trim().replace(/^\/+|\/+$/g, "");
    if (byIri[key] !== undefined) return byIri[key];
    var lower = key.toLowerCase();
    if (byShort[lower] !== undefined) return byShort[lower];
    var hits = [];
    data.commitments.forEach(function (c, i) { if (c.ref.toLowerCase() === lower) hits.push(i); });
    if (hits.length === 1) return hits[0];
    return hits.length ? hits : undefined;
  }

  // --- filtering ------------------------------------------------------------------------
  function memberSet(f) {
    var ch = state[f] ? resolveChoice(f, state[f]) : null;
    if (!ch) return null;
    var out = {};
    ch.members.forEach(function (k) { out[k] = 1; });
    return out;
  }

  function isFiltered() { return FILTERS.some(function (f) { return state[f]; }) || !!state.q.trim(); }

  function applyFilters(opts) {
    opts = opts || {};
    var token = ++applyToken, q = state.q.trim(), key = state.match + ":" + q;
    document.documentElement.dataset.busy = "1";
    if (q && !searchCache[key]) {
      els.count.textContent = "Searching…";
      fetch("/graph/search?" + new URLSearchParams({ q: q, match: state.match }).toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("search answered " + r.status); return r.json(); })
        .then(function (res) { searchCache[key] = res; if (token === applyToken) compute(opts); })
        .catch(function (err) { els.count.textContent = "Search failed: " + err.message; document.documentElement.dataset.busy = "0"; });
      return;
    }
    compute(opts);
  }

  function compute(opts) {
    var sets = {}, q = state.q.trim();
    FILTERS.forEach(function (f) { if (f !== "doc") sets[f] = memberSet(f); });
    var order = data.commitments.map(function (c, i) { return i; });
    scoreOf = {};
    if (q) {
      var res = searchCache[state.match + ":" + q];
      order = [];
      res.ids.forEach(function (iri, n) { var i = byIri[iri]; if (i !== undefined) { order.push(i); scoreOf[i] = res.scores[n]; } });
    }
    visibleCommitments = order.filter(function (i) {
      var c = data.commitments[i];
      if (state.doc && c.doc_id !== state.doc) return false;
      for (var f in sets) {
        var set = sets[f];
        if (set && !c[FIELD[f]].some(function (k) { return set[k]; })) return false;
      }
      return true;
    });
    computeVisibleNodes();
    layoutFocus();
    layoutEntities();
    nodeView.refresh();
    edgeView.refresh();
    relabel();
    renderCount();
    renderTable();
    renderFocusNote();
    renderHits();
    showNotices();
    if (opts.history !== undefined) writeUrl(opts.history);
    if (opts.restoreView && state.z !== null) {
      network.moveTo({ position: { x: state.x, y: state.y }, scale: state.z, animation: false });
    } else if (opts.refit !== false) {
      fit();
    }
    relabel();
    document.documentElement.dataset.busy = "0";
  }

  function neighbourhood(i, into) {
    var c = data.commitments[i];
    into["c:" + i] = 1;
    into["d:" + c.doc_id] = 1;
    FILTERS.forEach(function (f) { if (f !== "doc") c[FIELD[f]].forEach(function (k) { into["e:" + k] = 1; }); });
    c.lineage.forEach(function (e) { into["c:" + e[0]] = 1; into["d:" + data.commitments[e[0]].doc_id] = 1; });
    c.implements.forEach(function (k) { into["c:" + k] = 1; into["d:" + data.commitments[k].doc_id] = 1; });
  }

  var focusNodes = {};
  function computeVisibleNodes() {
    visible = {};
    focusNodes = {};
    state.focus.forEach(function (s) { focusNodes["c:" + findCommitment(s)] = 1; });
    if (state.focus.length) {
      state.focus.forEach(function (s) { neighbourhood(findCommitment(s), visible); });
      return;
    }
    visibleCommitments.forEach(function (i) {
      var c = data.commitments[i];
      visible["c:" + i] = 1;
      visible["d:" + c.doc_id] = 1;
      if (isFiltered()) FILTERS.forEach(function (f) { if (f !== "doc") c[FIELD[f]].forEach(function (k) { visible["e:" + k] = 1; }); });
    });
    if (!isFiltered()) {
      // The overview: every document; organisations, themes, laws and codes as four labelled groups
      // unless a group was expanded (then its members, each labelled).
      data.documents.forEach(function (d) { visible["d:" + d.id] = 1; });
      GROUPS.forEach(function (g) {
        if (state.expand.indexOf(g) >= 0) {
          data.entities.forEach(function (e, k) { if (e.kind === g) visible["e:" + k] = 1; });
        } else {
          visible["g:" + g] = 1;
        }
      });
    }
  }

  // Organisations, themes, laws and codes beside the commitments, in labelled columns grouped by kind,
  // spaced for the scale the view will have (so no label sits on another); when they cannot fit at a
  // legible size (a phone), each kind is one labelled group instead. Positions are in canvas units.
  var BLOCK = { column: 215, row: 30, gap: 40, minScale: 0.05 };
  var groupHome = {}, groupTotal = {}, moved = false, docLabel = docShort;
  function groupLabel(g, n, here) { return KIND[g].plural + "\n(" + n + (here ? " here" : "") + ")"; }

  // In focus, the neighbourhood as a timeline: one column per document (oldest on the left), its
  // commitments under it in document order; elsewhere every commitment and document where it belongs.
  function layoutFocus() {
    if (moved) {
      nodes.update(data.commitments.map(function (c, i) { return { id: "c:" + i, x: c.x, y: c.y }; })
        .concat(data.documents.map(function (d) { return { id: "d:" + d.id, x: d.x, y: d.y, label: docLabel(d) }; })));
      moved = false;
    }
    if (!state.focus.length) return;
    var columns = {};
    Object.keys(visible).forEach(function (id) {
      if (id.indexOf("c:") !== 0) return;
      var i = Number(id.slice(2));
      (columns[data.commitments[i].doc_id] = columns[data.commitments[i].doc_id] || []).push(i);
    });
    var updates = [];
    data.documents.filter(function (d) { return columns[d.id]; }).forEach(function (d, k) {
      updates.push({ id: "d:" + d.id, x: k * 360, y: 0, label: docAbbrev(d) });
      columns[d.id].sort(function (a, b) { return a - b; }).forEach(function (i, r) {
        updates.push({ id: "c:" + i, x: k * 360, y: 80 + r * 60 });
      });
    });
    nodes.update(updates);
    moved = true;
  }

  function layoutEntities() {
    GROUPS.forEach(function (g) {
      nodes.update({ id: "g:" + g, x: groupHome[g][0], y: groupHome[g][1], label: groupLabel(g, groupTotal[g], false) });
    });
    var items = Object.keys(visible).filter(function (id) { return id.indexOf("e:") === 0; });
    if (!items.length) return;
    var order = { theme: 0, legislation: 1, outcome_code: 2, organisation: 3 };
    var rank = function (id) {
      var e = data.entities[Number(id.slice(2))];
      return [order[e.kind], e.name.toLowerCase()];
    };
    items.sort(function (a, b) { var ra = rank(a), rb = rank(b); return ra[0] - rb[0] || (ra[1] < rb[1] ? -1 : ra[1] > rb[1] ? 1 : 0); });
    var ext = extent(), minX = ext.minX, minY = ext.minY, maxX = ext.maxX, maxY = ext.maxY;
    var bw = ext.bw, bh = ext.bh, W = ext.W, H = ext.H;
    var row = BLOCK.row, plan = planBlock(items.length, bw, bh, W, H, row);
    if (!plan) {  // too many to label legibly here: one group per kind, listed in the panel on a click
      var kinds = {};
      items.forEach(function (id) {
        var kind = data.entities[Number(id.slice(2))].kind;
        kinds[kind] = (kinds[kind] || 0) + 1;
        delete visible[id];
      });
      items = GROUPS.filter(function (g) { return kinds[g]; }).map(function (g) {
        visible["g:" + g] = 1;
        nodes.update({ id: "g:" + g, label: groupLabel(g, kinds[g], true) });
        return "g:" + g;
      });
      row = 2.2 * BLOCK.row;  // a group's shape and two lines of label
      plan = planBlock(items.length, bw, bh, W, H, row) || { side: W >= H, columns: 1, rows: items.length, scale: BLOCK.minScale };
    }
    var sc = plan.scale, cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
    var left = plan.side ? maxX + 150 + BLOCK.gap / sc : cx - plan.columns * BLOCK.column / sc / 2 + BLOCK.column / sc / 2;
    var top = plan.side ? cy - (plan.rows - 1) * row / sc / 2 : maxY + 100 + BLOCK.gap / sc;
    var updates = items.map(function (id, n) {
      var col = Math.floor(n / plan.rows), r = n % plan.rows;
      return { id: id, x: left + col * BLOCK.column / sc + (plan.side ? BLOCK.column / sc / 2 : 0), y: top + r * row / sc };
    });
    nodes.update(updates);
  }

  // Where the drawn commitments, documents and groups lie (canvas units), and the network's size (pixels).
  function extent() {
    var e = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    Object.keys(visible).forEach(function (id) {
      if (id.indexOf("e:") === 0) return;
      var n = nodes.get(id);
      e.minX = Math.min(e.minX, n.x); e.maxX = Math.max(e.maxX, n.x); e.minY = Math.min(e.minY, n.y); e.maxY = Math.max(e.maxY, n.y);
    });
    var box = $("network").getBoundingClientRect();
    e.bw = Math.max(200, e.maxX - e.minX + 300); e.bh = Math.max(200, e.maxY - e.minY + 200);
    e.W = box.width; e.H = box.height;
    return e;
  }

  // The columns and scale that show n labels beside (or below, on a tall screen) a bw x bh drawing.
  function planBlock(n, bw, bh, W, H, row) {
    var best = null, side = W >= H;
    for (var columns = 1; columns <= 4; columns++) {
      var rows = Math.ceil(n / columns), bwPx = columns * BLOCK.column, bhPx = rows * row, scale;
      if (side) scale = bhPx <= H - 30 ? Math.min((W - bwPx - BLOCK.gap - 20) / bw, (H - 30) / bh) : 0;
      else scale = bwPx <= W ? Math.min((W - 20) / bw, (H - bhPx - BLOCK.gap - 30) / bh) : 0;
      if (scale >= BLOCK.minScale && (!best || scale > best.scale)) best = { side: side, columns: columns, rows: rows, scale: scale };
    }
    return best;
  }

  // Fit what is shown; twice, since labels are sized for the scale and change the boxes' extent.
  function fit() {
    if (!nodeView.length) return;
    network.fit({ nodes: nodeView.getIds(), animation: false });
    relabel();
    network.fit({ nodes: nodeView.getIds(), animation: false });
    state.z = null; state.x = null; state.y = null;
  }

  // Labels stay legible at any zoom: their size in canvas units follows the scale.
  var relabelQueued = false;
  function relabel() {
    var scale = network.getScale() || 1, updates = [];
    var fewCommitments = state.focus.length || visibleCommitments.length <= 80;
    nodeView.get().forEach(function (n) {
      var px = n.kind === "document" ? SCREEN_FONT.document : n.kind === "group" ? SCREEN_FONT.group :
        n.kind === "commitment" ? (fewCommitments || scale >= 0.8 ? SCREEN_FONT.commitment : 0) : SCREEN_FONT.entity;
      var size = px ? Math.min(400, Math.max(px, px / scale)) : 9;
      var shape = n.kind === "group" ? Math.max(26, 9 / scale) : n.kind === "document" ? null :
        n.kind === "commitment" ? (fewCommitments ? Math.max(7, 5 / scale) : 7) : Math.max(9, 5 / scale);
      if (!n.font || Math.abs(n.font.size - size) > 0.5 || (shape && Math.abs(n.size - shape) > 0.5)) {
        updates.push({ id: n.id, size: shape || n.size, font: { size: size, color: n.kind === "document" ? inkOn(docById[n.id.slice(2)].color) : "#1a1a1a",
          background: n.kind === "document" || n.kind === "commitment" ? undefined : "rgba(255,255,255,0.85)" } });
      }
    });
    if (updates.length) nodes.update(updates);
  }
  function queueRelabel() {
    if (relabelQueued) return;
    relabelQueued = true;
    window.requestAnimationFrame(function () { relabelQueued = false; relabel(); });
  }

  function renderCount() {
    var parts = [];
    FILTERS.forEach(function (f) {
      if (!state[f]) return;
      var ch = resolveChoice(f, state[f]);
      parts.push(f.replace("_", " ") + ": " + (ch ? choiceLabel(ch) : state[f]));
    });
    if (state.q.trim()) parts.push("search: “" + state.q.trim() + "”");
    els.count.textContent = visibleCommitments.length + " of " + data.commitments.length + " commitments" +
      (parts.length ? " · " + parts.join(" · ") : "");
    els.count.dataset.commitments = String(visibleCommitments.length);
    els.count.dataset.nodes = String(nodeView.length);
  }

  // The best matches of a search, under the search box: one click opens one.
  function renderHits() {
    var box = $("hits");
    if (!state.q.trim()) { box.hidden = true; return; }
    var items = visibleCommitments.slice(0, 5).map(function (i) {
      var li = el("li");
      li.appendChild(commitmentButton(i));
      return li;
    });
    if (!items.length) items.push(el("li", "No commitment has every word. Try fewer words.", "hint"));
    else if (visibleCommitments.length > 5) items.push(el("li", "… " + (visibleCommitments.length - 5) + " more in the table.", "hint"));
    $("hits-list").replaceChildren.apply($("hits-list"), items);
    box.hidden = false;
  }

  function renderFocusNote() {
    var note = $("focus-note");
    if (!state.focus.length) { note.hidden = true; note.replaceChildren(); return; }
    note.replaceChildren(document.createTextNode("Graph focused on " + state.focus.map(function (s) {
      return s.split("/").pop();
    }).join(", ") + " and its neighbourhood. "), button("Show the whole graph", function () {
      state.focus = []; applyFilters({ history: "focus" });
    }));
    note.hidden = false;
  }

  // --- the table --------------------------------------------------------------------------
  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  var COLUMNS = [
    { key: "ref", label: "Ref", text: function (c) { return c.ref; }, sortKey: function (c, i) { return i; } },
    { key: "text", label: "Commitment", text: function (c) { return c.text; } },
    { key: "document", label: "Document", text: function (c) { return docAbbrev(docById[c.doc_id]); },
      sortKey: function (c, i) { return docById[c.doc_id].published + " " + String(100000 + i); } },
    { key: "lead", label: "Lead", text: function (c) { return names(c, "leads").join("; "); } },
    { key: "partners", label: "Partners", text: function (c) { return names(c, "partners").join("; "); } },
    { key: "deadline", label: "Deadline", text: function (c) { return c.deadline || c.deadline_raw || ""; },
      sortKey: function (c) { return c.deadline || (c.deadline_raw ? "9998 " + c.deadline_raw : "9999"); } },
    { key: "status", label: "Status", text: statusWords },
    { key: "themes", label: "Themes", text: function (c) { return names(c, "themes").join("; "); } }
  ];
  var SCORE = { key: "score", label: "Relevance", text: function (c, i) { return scoreOf[i] !== undefined ? String(scoreOf[i]) : ""; },
    sortKey: function (c, i) { return -(scoreOf[i] || 0); } };

  function columns() { return state.q.trim() ? COLUMNS.concat([SCORE]) : COLUMNS; }

  function sortedRows() {
    var rows = visibleCommitments.slice(), spec = state.sort, desc = spec.charAt(0) === "-";
    var key = desc ? spec.slice(1) : spec;
    var col = columns().filter(function (x) { return x.key === key; })[0];
    if (!col) return rows;  // no sort: relevance when searching, else document order
    var rank = {};
    rows.forEach(function (i, n) { rank[i] = n; });
    var keyOf = function (i) { var c = data.commitments[i]; return col.sortKey ? col.sortKey(c, i) : col.text(c, i); };
    rows.sort(function (a, b) {
      var ka = keyOf(a), kb = keyOf(b), r;
      if (typeof ka === "number" && typeof kb === "number") r = ka - kb;
      else {
        if (ka === "" && kb !== "") return 1;  // blanks last either way
        if (kb === "" && ka !== "") return -1;
        r = collator.compare(String(ka), String(kb));
      }
      return (desc ? -r : r) || rank[a] - rank[b];
    });
    return rows;
  }

  function renderTable() {
    var cols = columns(), rows = sortedRows(), pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    if (state.page > pages) state.page = pages;
    var desc = state.sort.charAt(0) === "-", key = desc ? state.sort.slice(1) : state.sort;
    var head = document.createDocumentFragment();
    cols.forEach(function (col) {
      var th = el("th");
      th.scope = "col";
      th.dataset.key = col.key;
      var b = button(col.label, function () {
        state.sort = key === col.key && !desc ? "-" + col.key : key === col.key && desc ? "" : col.key;
        state.page = 1;
        renderTable();
        writeUrl();
        var again = document.querySelector('#table-head th[data-key="' + col.key + '"] button');
        if (again) again.focus();
      }, "sort");
      if (key === col.key) th.setAttribute("aria-sort", desc ? "descending" : "ascending");
      b.setAttribute("aria-label", "Sort by " + col.label.toLowerCase() +
        (key === col.key ? (desc ? ", now descending" : ", now ascending") : ""));
      th.appendChild(b);
      head.appendChild(th);
    });
    $("table-head").replaceChildren(head);
    var body = document.createDocumentFragment();
    rows.slice((state.page - 1) * PAGE_SIZE, state.page * PAGE_SIZE).forEach(function (i) {
      var c = data.commitments[i], tr = el("tr");
      tr.dataset.id = c.id;
      if (shortId(c) === state.select) tr.setAttribute("aria-current", "true");
      cols.forEach(function (col) {
        var td = el("td", null, "col-" + col.key);
        td.dataset.label = col.label;  // shown before the value where the table stacks (narrow screens)
        if (col.key === "ref") {
          var b = button(c.ref, function () { select(c.id, true); }, "ref-button");
          b.style.borderLeftColor = docById[c.doc_id].color;
          b.setAttribute("aria-label", "Open " + docShort(docById[c.doc_id]) + " " + c.ref + " in the panel");
          td.appendChild(b);
          var a = el("a", "page", "page-link");
          a.href = "/commitments/" + encodeURIComponent(c.doc_id) + "/" + encodeURIComponent(c.ref);
          a.setAttribute("aria-label", "Page of " + c.ref);
          td.appendChild(a);
        } else if (col.key === "status") {
          td.appendChild(el("span", col.text(c, i), "status status-" + (c.status || "none")));
        } else {
          td.textContent = col.text(c, i);
          if (col.key === "document") td.title = docById[c.doc_id].title;
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (!rows.length) {
      var tr = el("tr"), td = el("td", "No commitment matches these filters.", "hint");
      td.colSpan = cols.length;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    $("table-body").replaceChildren(body);
    $("table-count").textContent = rows.length + " commitments" + (state.sort ? ", sorted by " + key +
      (desc ? " (descending)" : "") : state.q.trim() ? ", best match first" : ", in document order");
    $("page-info").textContent = "Page " + state.page + " of " + pages;
    $("export-label").textContent = rows.length > PAGE_SIZE ? "Export all " + rows.length + " rows, in this order:" :
      "Export these rows:";
    $("page-prev").disabled = state.page <= 1;
    $("page-next").disabled = state.page >= pages;
  }

  function exportRows(format) {
    var cols = columns(), rows = sortedRows();
    var records = rows.map(function (i) {
      var c = data.commitments[i], out = {};
      cols.forEach(function (col) { out[col.label] = col.text(c, i); });
      return out;
    });
    var body, type;
    if (format === "json") {
      body = JSON.stringify({ url: window.location.href, columns: cols.map(function (c) { return c.label; }),
        rows: records }, null, 2);
      type = "application/json";
    } else {
      var cell = function (v) { v = String(v); return /[",\n\r]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
      body = [cols.map(function (c) { return cell(c.label); }).join(",")].concat(records.map(function (r) {
        return cols.map(function (c) { return cell(r[c.label]); }).join(",");
      })).join("\r\n") + "\r\n";
      type = "text/csv";
    }
    var name = ["vawg-commitments"].concat(FILTERS.filter(function (f) { return state[f]; }).map(function (f) {
      return state[f].replace(/[^A-Za-z0-9.-]+/g, "-");
    })).join("-") + "." + format;
    var a = el("a");
    a.href = URL.createObjectURL(new Blob([body], { type: type + ";charset=utf-8" }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    window.setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  // --- panel ----------------------------------------------------------------------------
  function fill(id, items, render, none) {
    var dd = $(id);
    if (!items.length) { dd.replaceChildren(el("span", none || "none stated", "muted")); return; }
    var ul = el("ul");
    items.forEach(function (x) { var li = el("li"); li.appendChild(render(x)); ul.appendChild(li); });
    dd.replaceChildren(ul);
  }

  function entityItem(k) {
    var e = data.entities[k], span = el("span");
    span.appendChild(entityButton(k, e.name));
    if (e.kind === "legislation" && e.href && e.href.indexOf("https://www.legislation.gov.uk/") === 0) {
      var a = el("a", "legislation.gov.uk");
      a.href = e.href; a.rel = "noopener"; a.target = "_blank";
      span.appendChild(document.createTextNode(" · "));
      span.appendChild(a);
    }
    if (e.kind === "organisation") {
      var p = el("a", "page");
      p.href = "/organisations/" + encodeURIComponent(e.slug);
      p.setAttribute("aria-label", "Page of " + e.name);
      span.appendChild(document.createTextNode(" · "));
      span.appendChild(p);
    }
    return span;
  }

  function entityButton(k, text) {
    return button(text, function () { showEntity("e:" + k); $("panel-h").focus(); }, "link");
  }

  function commitmentButton(i, extra) {
    var c = data.commitments[i];
    var b = button("", function () { select(c.id, true); }, "link");
    b.dataset.id = c.id;
    b.appendChild(el("strong", docShort(docById[c.doc_id]) + " " + c.ref));
    if (extra) b.appendChild(el("span", " — " + extra, "kind"));
    b.appendChild(document.createTextNode(": " + (c.text.length > 110 ? c.text.slice(0, 110) + "…" : c.text)));
    return b;
  }

  function sourceHref(src) {
    return "/sources/" + encodeURIComponent(src.file) + "?start=" + encodeURIComponent(src.start) +
      "&end=" + encodeURIComponent(src.end) + "#span";
  }

  function lineageLabel(e) {
    return e[2].map(function (r) { return RELATION_WORDS[r] || r; }).join(", ") + " (" + SIDE_WORDS[e[1]] + ")";
  }

  function loadGaps() {
    if (!gapsLoading) {
      gapsLoading = fetch("/gaps?limit=10000", { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("GET /gaps answered " + r.status); return r.json(); })
        .then(function (body) {
          gaps = {};
          body.items.forEach(function (row) { gaps[row.commitment] = row.reasons; });
          return gaps;
        });
    }
    return gapsLoading;
  }

  function showGaps(c) {
    var dd = $("p-gaps");
    dd.dataset.loaded = "0";
    if (!gaps) {
      dd.replaceChildren(el("span", "loading…", "muted"));
      loadGaps().then(function () { if (state.select === shortId(c)) showGaps(c); })
        .catch(function (err) { dd.replaceChildren(el("span", "could not load: " + err.message, "muted")); });
      return;
    }
    fill("p-gaps", gaps[c.id] || [], function (r) {
      var span = el("span");
      span.appendChild(el("code", r.code));
      span.appendChild(document.createTextNode(" " + r.label));
      return span;
    }, "none");
    dd.appendChild(document.createTextNode(" · "));
    var more = el("a", "every gap of " + docAbbrev(docById[c.doc_id]));
    more.href = "/gaps?" + new URLSearchParams({ doc_id: c.doc_id }).toString();
    dd.appendChild(more);
    dd.dataset.loaded = "1";
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
    $("p-page").href = "/commitments/" + encodeURIComponent(c.doc_id) + "/" + encodeURIComponent(c.ref);
    var st = $("p-status");
    st.replaceChildren(el("strong", statusWords(c), "status status-" + (c.status || "none")));
    if (c.status) st.appendChild(el("span", " — " + (data.statuses[c.status] || "") + " (judged against " + data.judged_on + ")", "muted"));
    showGaps(c);
    $("p-section").textContent = c.section.length ? c.section.join(" › ") : "—";
    fill("p-leads", c.leads, entityItem);
    fill("p-partners", c.partners, entityItem);
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
    fill("p-themes", c.themes, entityItem);
    fill("p-legislation", c.legislation, entityItem);
    fill("p-outcome_codes", c.outcome_codes, entityItem);
    // The one lineage (loaders/lineage.py): earlier, then this commitment, then same-date and later.
    var rows = c.lineage.filter(function (e) { return e[1] === "earlier"; }).map(function (e) { return ["row", e]; });
    rows.push(["self"]);
    rows = rows.concat(c.lineage.filter(function (e) { return e[1] !== "earlier"; }).map(function (e) { return ["row", e]; }));
    if (rows.length === 1) {
      $("p-lineage").replaceChildren(el("span", "No other commitment in the corpus implements, restates or relates to this one.", "muted"));
    } else {
      var ol = el("ol", null, "lineage-list");
      rows.forEach(function (r) {
        var li = el("li");
        if (r[0] === "self") { li.className = "self"; li.textContent = "▶ this commitment (" + doc.published.slice(0, 7) + ")"; }
        else { li.appendChild(commitmentButton(r[1][0], lineageLabel(r[1]))); li.dataset.kinds = r[1][2].join(" "); }
        ol.appendChild(li);
      });
      $("p-lineage").replaceChildren(ol);
    }
    var src = $("p-source");
    if (c.source && c.source.file) { src.href = sourceHref(c.source); src.hidden = false; } else { src.hidden = true; }
    $("p-lineage-link").href = "/graph/lineage?id=" + encodeURIComponent(shortId(c));
    var fb = $("p-focus");
    var sid = shortId(c);
    fb.textContent = state.focus.indexOf(sid) >= 0 ? "In focus" : state.focus.length ? "Expand: add its neighbourhood to the graph" : "Focus the graph on it";
    fb.disabled = state.focus.indexOf(sid) >= 0;
  }

  function countFor(f, k) {
    return data.commitments.filter(function (c) { return c[FIELD[f]].indexOf(k) >= 0; }).length;
  }

  function showEntity(nodeId) {
    var kind, name, actions = [], members = [], page = null, link = null, count = "";
    if (nodeId.indexOf("d:") === 0) {
      var d = docById[nodeId.slice(2)];
      kind = "Document"; name = d.title + " (" + d.published.slice(0, 7) + ")"; count = d.count + " commitments.";
      actions.push(button("Show its " + d.count + " commitments", function () { setFilter("doc", d.id); }));
      data.documents.forEach(function (o) {
        if (o.id === d.id) return;
        var a = el("a", "Compare with " + docShort(o));
        a.href = "/compare?" + new URLSearchParams({ a: d.id, b: o.id }).toString();
        members.push(a);
      });
    } else if (nodeId.indexOf("g:") === 0) {
      var g = nodeId.slice(2), filter = KIND[g].filter;
      kind = KIND[g].plural; name = KIND[g].plural + " named by the commitments";
      // The members named by the commitments in the graph now, with how many of those name each.
      var drawn = Object.keys(visible).filter(function (id) { return id.indexOf("c:") === 0; }).map(function (id) {
        return data.commitments[Number(id.slice(2))];
      });
      var fields = [FIELD[filter]];  // organisations: what they lead (the filter their button applies)
      var list = data.choices[filter].filter(function (ch) { return data.entities[ch.members[0]].kind === g; });
      list.forEach(function (ch) {
        var n = drawn.filter(function (c) {
          return fields.some(function (fld) { return ch.members.some(function (k) { return c[fld].indexOf(k) >= 0; }); });
        }).length;
        if (n) members.push(button(choiceLabel(ch) + " (" + n + ")", function () { setFilter(filter, ch.value); }, "link"));
      });
      count = members.length + " named by the " + drawn.length + " commitments in the graph. Choose one to " +
        (filter === "lead" ? "show what it leads" : "show its commitments") + ".";
      var ext = extent();
      if (!isFiltered() && !state.focus.length && planBlock(members.length, ext.bw, ext.bh, ext.W, ext.H, BLOCK.row)) {
        actions.push(button("Show all " + members.length + " in the graph", function () {
          state.expand.push(g); applyFilters({ history: "expand" });
        }));
      }
    } else {
      var k = Number(nodeId.slice(2)), e = data.entities[k];
      kind = KIND[e.kind].label; name = e.name; link = e.href || null;
      if (e.kind === "organisation") {
        var leads = countFor("lead", k), partners = countFor("partner", k);
        count = "Leads " + leads + " and is a partner in " + partners + " commitments.";
        if (leads) actions.push(button("Show what it leads (" + leads + ")", function () { setFilter("lead", e.slug); }));
        if (partners) actions.push(button("Show where it is a partner (" + partners + ")", function () { setFilter("partner", e.slug); }));
        page = { href: "/organisations/" + encodeURIComponent(e.slug), text: "Organisation page" };
      } else {
        var f = KIND[e.kind].filter, n = countFor(f, k);
        count = n + " commitments refer to it.";
        actions.push(button("Show these " + n + " commitments", function () { setFilter(f, e.value); }));
      }
    }
    $("panel-empty").hidden = true;
    $("panel-body").hidden = true;
    $("entity-body").hidden = false;
    $("panel-h").textContent = kind;
    $("e-kind").textContent = kind;
    $("e-name").textContent = name;
    $("e-count").textContent = count;
    $("e-actions").replaceChildren.apply($("e-actions"), actions);
    var ul = $("e-members");
    ul.replaceChildren.apply(ul, members.map(function (m) { var li = el("li"); li.appendChild(m); return li; }));
    var pa = $("e-page");
    if (page) { pa.href = page.href; pa.textContent = page.text; pa.hidden = false; } else { pa.hidden = true; }
    var a = $("e-link");
    if (link && link.indexOf("https://www.legislation.gov.uk/") === 0) {
      a.href = link; a.textContent = "Read it on legislation.gov.uk"; a.hidden = false;
    } else { a.hidden = true; }
  }

  function setFilter(f, value) {
    state[f] = value;
    state.focus = [];
    state.page = 1;
    syncControls();
    applyFilters({ history: "filter" });
  }

  function markRow() {
    Array.prototype.forEach.call(document.querySelectorAll("#table-body tr[aria-current]"), function (r) {
      r.removeAttribute("aria-current");
    });
    var i = findCommitment(state.select);
    if (typeof i !== "number") return;
    var row = document.querySelector('#table-body tr[data-id="' + CSS.escape(data.commitments[i].id) + '"]');
    if (row) row.setAttribute("aria-current", "true");
  }

  function select(key, focusPanel, fromHistory) {
    var i = findCommitment(key);
    if (typeof i !== "number") return false;
    var c = data.commitments[i];
    state.select = shortId(c);
    if (!fromHistory) writeUrl("select");
    showCommitment(i);
    var id = "c:" + i;
    if (visible[id]) {
      network.selectNodes([id]);
    } else {
      network.unselectAll();
    }
    markRow();
    if (focusPanel) $("panel-h").focus();
    return true;
  }

  // On a phone the filters fold away (the graph comes first) unless the URL sets one.
  function foldFiltersOnPhone(filters, st) {
    if (window.matchMedia("(max-width: 800px)").matches &&
        !filters.some(function (f) { return st[f]; })) $("more-filters").open = false;
  }

  // The first drawing of the network: the mark the benchmarks and the tests wait for.
  function markFirstDrawing(net) {
    net.once("afterDrawing", function () {
      performance.mark("vawg-graph-drawn");
      window.vawgGraph.drawnMs = performance.now();
      document.documentElement.dataset.ready = "1";
    });
  }

  // The graph and table tabs: shows one, hides the other; true when it is the table.
  function showTab(view) {
    var table = view === "table";
    $("tab-graph").setAttribute("aria-selected", String(!table));
    $("tab-table").setAttribute("aria-selected", String(table));
    $("tab-graph").tabIndex = table ? -1 : 0;
    $("tab-table").tabIndex = table ? 0 : -1;
    $("graph-view").hidden = table;
    $("table-view").hidden = !table;
    document.body.dataset.view = view;
    return table;
  }

  function showView(view, push) {
    state.view = view;
    var table = showTab(view);
    if (push) writeUrl();
    if (!table && network) { network.redraw(); }
  }

  // --- building ---------------------------------------------------------------------------
  function buildControls() {
    function options(sel, items) {
      var frag = document.createDocumentFragment();
      items.forEach(function (it) { var o = el("option", it[1]); o.value = it[0]; frag.appendChild(o); });
      sel.appendChild(frag);
    }
    FILTERS.forEach(function (f) {
      var items = (data.choices[f] || []).map(function (ch) {
        var n = f === "doc" ? docById[ch.value].count : data.commitments.filter(function (c) {
          return ch.members.some(function (k) { return c[FIELD[f]].indexOf(k) >= 0; });
        }).length;
        return n ? [ch.value, (f === "doc" ? ch.name : choiceLabel(ch)) + " (" + n + ")"] : null;
      }).filter(Boolean);
      if (f !== "doc") items.sort(function (a, b) { return a[1].localeCompare(b[1]); });
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
      li.appendChild(document.createTextNode(docShort(d)));
      legend.appendChild(li);
    });
    [["edge-implements", "implements (explicit)"], ["edge-overlap", "overlap"],
     ["edge-member", "document, lead, partner, theme, law, code"]].forEach(function (x) {
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
      if (s.value !== state[f]) s.value = "";
    });
    $("q").value = state.q;
    $("q-any").checked = state.match === "any";
    $("e-overlaps").checked = state.overlaps;
    $("e-implements").checked = state.implements;
  }

  // Black or white, whichever contrasts more with a background colour (WCAG relative luminance).
  function inkOn(hex) {
    var lum = [1, 3, 5].map(function (k) {
      var v = parseInt(hex.slice(k, k + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  function wrap(text, width) {
    var words = text.split(" "), lines = [""];
    words.forEach(function (w) {
      var last = lines[lines.length - 1];
      if (last && (last + " " + w).length > width) lines.push(w); else lines[lines.length - 1] = last ? last + " " + w : w;
    });
    return lines.join("\n");
  }

  function buildNetwork() {
    var ns = [], es = [];
    // On a phone the graph is a few hundred pixels wide: short one-line document labels, smaller text.
    var narrow = $("network").getBoundingClientRect().width < 600;
    if (narrow) { SCREEN_FONT.document = 14; SCREEN_FONT.group = 13; }
    docLabel = function (d) { return narrow ? docAbbrev(d) : wrap(docShort(d), 22); };
    data.documents.forEach(function (d) {
      docById[d.id] = d;
      ns.push({ id: "d:" + d.id, label: docLabel(d), title: d.title, x: d.x, y: d.y, shape: "box", kind: "document",
                color: { background: d.color, border: "#222" }, font: { size: 28, color: inkOn(d.color) }, borderWidth: 2, margin: 8 });
    });
    GROUPS.forEach(function (g, n) {
      var count = data.entities.filter(function (e) { return e.kind === g; }).length;
      var angle = -Math.PI / 2 + n * Math.PI / 2;
      groupHome[g] = [Math.round(480 * Math.cos(angle)), Math.round(330 * Math.sin(angle))];
      groupTotal[g] = count;
      ns.push({ id: "g:" + g, label: groupLabel(g, count, false), title: "Click to list them",
                x: Math.round(480 * Math.cos(angle)), y: Math.round(330 * Math.sin(angle)),
                shape: KIND[g].shape, size: 26, kind: "group",
                color: { background: KIND[g].color, border: "#111" }, font: { size: 40, color: "#111" } });
    });
    data.entities.forEach(function (e, i) {
      ns.push({ id: "e:" + i, label: e.name.length > 32 ? e.name.slice(0, 31) + "…" : e.name, title: e.name,
                x: e.x, y: e.y, shape: KIND[e.kind].shape, size: 9, kind: e.kind,
                color: { background: KIND[e.kind].color, border: "#111" }, font: { size: 11, color: "#1a1a1a" } });
    });
    data.commitments.forEach(function (c, i) {
      byIri[c.id] = i;
      byShort[shortId(c).toLowerCase()] = i;
      ns.push({ id: "c:" + i, label: c.ref, title: c.ref + ": " + (c.text.length > 160 ? c.text.slice(0, 160) + "…" : c.text),
                x: c.x, y: c.y, shape: "dot", size: 7, kind: "commitment",
                color: { background: docById[c.doc_id].color, border: "#333" }, font: { size: 9, color: "#1a1a1a" } });
      es.push({ from: "c:" + i, to: "d:" + c.doc_id, kind: "member" });
      ["leads", "partners", "themes", "legislation", "outcome_codes"].forEach(function (fld) {
        c[fld].forEach(function (k) { es.push({ from: "c:" + i, to: "e:" + k, kind: "member" }); });
      });
      c.implements.forEach(function (k) {
        es.push({ from: "c:" + i, to: "c:" + k, kind: "implements", arrows: "to", width: 2.5,
                  color: { color: "#c0392b", highlight: "#8e1b10", hover: "#8e1b10" } });
      });
    });
    data.overlaps.forEach(function (o) {
      es.push({ from: "c:" + o[0], to: "c:" + o[1], kind: "overlap", dashes: true, width: o[2] ? 1.5 : 0.7,
                color: { color: o[2] ? "#2166ac" : "#6aaed6", highlight: "#08306b", hover: "#08306b", opacity: 0.8 } });
    });
    nodes = new vis.DataSet(ns);
    edges = new vis.DataSet(es);
    nodeView = new vis.DataView(nodes, { filter: function (n) { return visible[n.id] === 1; } });
    edgeView = new vis.DataView(edges, { filter: function (e) {
      // In focus, the focused commitments' overlaps are their lineage (restates, related): always drawn.
      if (e.kind === "overlap" && !state.overlaps && !(focusNodes[e.from] || focusNodes[e.to])) return false;
      if (e.kind === "implements" && !state.implements) return false;
      return visible[e.from] === 1 && visible[e.to] === 1;
    } });
    network = new vis.Network($("network"), { nodes: nodeView, edges: edgeView }, {
      physics: false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 250, hideEdgesOnDrag: true, multiselect: false },
      nodes: { borderWidth: 1 },
      edges: { smooth: false, width: 0.5, color: { color: "#aaaaaa", opacity: 0.6 }, selectionWidth: 2 }
    });
    network.on("click", function (params) {
      if (!params.nodes.length) return;
      var id = params.nodes[0];
      if (id.indexOf("c:") === 0) select(data.commitments[Number(id.slice(2))].id, false);
      else showEntity(id);
    });
    network.on("doubleClick", function (params) {
      var id = params.nodes[0];
      if (id && id.indexOf("c:") === 0) focusOn(shortId(data.commitments[Number(id.slice(2))]));
    });
    network.on("zoom", function () { queueRelabel(); rememberView(); });
    network.on("dragEnd", function (params) { if (!params.nodes.length) rememberView(); });
  }

  var viewTimer = null;
  function rememberView() {
    window.clearTimeout(viewTimer);
    viewTimer = window.setTimeout(function () {
      var p = network.getViewPosition();
      state.z = network.getScale(); state.x = p.x; state.y = p.y;
      writeUrl();
    }, 200);
  }

  function focusOn(sid) {
    if (state.focus.indexOf(sid) < 0) state.focus.push(sid);
    state.select = sid;
    showView("graph");
    applyFilters({ history: "focus" });
    select(sid, false, true);
  }

  function wire() {
    FILTERS.forEach(function (f) {
      $("f-" + f).addEventListener("change", function (ev) { setFilter(f, ev.target.value); });
    });
    var timer = null;
    $("q").addEventListener("input", function (ev) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        state.q = ev.target.value; state.page = 1; state.focus = []; applyFilters({ history: "q" });
      }, 300);
    });
    $("filters").addEventListener("submit", function (ev) {
      ev.preventDefault();
      window.clearTimeout(timer);
      state.q = $("q").value; state.page = 1; state.focus = [];
      lastPush = "";
      applyFilters({ history: "q" });
    });
    $("q-any").addEventListener("change", function (ev) {
      state.match = ev.target.checked ? "any" : "all";
      if (state.q.trim()) { state.page = 1; applyFilters({ history: "filter" }); }
    });
    $("e-overlaps").addEventListener("change", function (ev) { state.overlaps = ev.target.checked; writeUrl("edges"); edgeView.refresh(); });
    $("e-implements").addEventListener("change", function (ev) { state.implements = ev.target.checked; writeUrl("edges"); edgeView.refresh(); });
    $("reset").addEventListener("click", function () {
      FILTERS.forEach(function (f) { state[f] = ""; });
      state.q = ""; state.focus = []; state.expand = []; state.page = 1;
      syncControls(); applyFilters({ history: "filter" });
    });
    $("fit").addEventListener("click", function () { fit(); relabel(); writeUrl(); });
    $("p-focus").addEventListener("click", function () { if (state.select) focusOn(state.select); });
    $("skip").addEventListener("click", function (ev) {
      ev.preventDefault();
      showView("table", true);
      $("table-wrap").focus();
    });
    $("tab-graph").addEventListener("click", function () { showView("graph", true); relabel(); });
    $("tab-table").addEventListener("click", function () { showView("table", true); });
    [$("tab-graph"), $("tab-table")].forEach(function (t) {
      t.addEventListener("keydown", function (ev) {
        if (ev.key !== "ArrowLeft" && ev.key !== "ArrowRight") return;
        var other = t.id === "tab-graph" ? "table" : "graph";
        showView(other, true);
        $("tab-" + other).focus();
      });
    });
    $("page-prev").addEventListener("click", function () { state.page -= 1; renderTable(); writeUrl(); });
    $("page-next").addEventListener("click", function () { state.page += 1; renderTable(); writeUrl(); });
    $("export-csv").addEventListener("click", function () { exportRows("csv"); });
    $("export-json").addEventListener("click", function () { exportRows("json"); });
    $("table-body").addEventListener("click", function (ev) {
      if (ev.target.closest("a, button")) return;
      var tr = ev.target.closest("tr[data-id]");
      if (tr) select(tr.dataset.id, true);
    });
    window.addEventListener("popstate", function () {
      readUrl();
      resolveUrlValues();
      syncControls();
      showView(state.view);
      lastPush = "";
      applyFilters({ restoreView: true });
      if (state.select) select(state.select, false, true);
      else { $("panel-body").hidden = true; $("entity-body").hidden = true; $("panel-empty").hidden = false; $("panel-h").textContent = "Details"; }
    });
  }

  function start() {
    els.count = $("count");
    if (window.matchMedia("(max-width: 800px)").matches) $("legend-box").open = false;
    fetch("/graph/data", { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("GET /graph/data answered " + r.status); return r.json(); })
      .then(function (payload) {
        data = payload;
        Object.keys(data.filter_fields).forEach(function (f) { FILTERS.push(f); FIELD[f] = data.filter_fields[f]; });
        readUrl();
        buildNetwork();
        buildControls();
        resolveUrlValues();
        syncControls();
        foldFiltersOnPhone(FILTERS, state);
        wire();
        showView(state.view);
        markFirstDrawing(network);
        applyFilters({ restoreView: true, history: null });
        writeUrl();  // canonical values (lead=HO -> lead=home-office), the same history entry
        if (state.select) select(state.select, false, true);
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
    labelPixels: function (id) {
      var n = nodes.get(id);
      return n && n.font ? n.font.size * network.getScale() : 0;
    },
    state: state
  };

  // What the summary view of a large graph (graph-summary.js) shares with this one.
  window.vawgKit = { $: $, el: el, button: button, inkOn: inkOn, wrap: wrap, docShort: docShort, docAbbrev: docAbbrev,
    KIND: KIND, NOUN: NOUN, STATUS_WORDS: STATUS_WORDS, SCREEN_FONT: SCREEN_FONT, sourceHref: sourceHref,
    showTab: showTab, foldFiltersOnPhone: foldFiltersOnPhone, markFirstDrawing: markFirstDrawing };

  // A large graph opens on its summary (the server sets data-mode; graph-summary.js draws it).
  if (document.documentElement.dataset.mode === "summary") return;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
