/* Mapit: orders of favourite filters on a Leaflet map.
 *
 * Each layer's points are fetched once (paged GeoJSON from /rest/mapit/1/features)
 * and clustered in the browser by supercluster, so panning and zooming need no
 * round trip and only the clusters in view become DOM markers. The base layer is a
 * country outline from world-atlas, drawn under the tiles: with no tile server the
 * map still shows. Exposes window.mapit for the split view, tests and benchmarks.
 */
"use strict";
(function () {
  const cfg = JSON.parse(document.getElementById("mapit-config").textContent);
  const T = JSON.parse(document.getElementById("mapit-text").textContent);
  const URL_KEYS = 300; // more keys than this go to the navigator as a saved filter
  const SELECT_MAX = 10000;
  const fmt = (s, p) => s.replace(/%\((\w+)\)s/g, (_m, k) => String(p[k]));
  const num = (n) => n.toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "nb-NO");
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  const legend = Object.fromEntries(cfg.legend.map((s) => [s.key, s]));
  const el = document.getElementById("mapit-map");
  const statusEl = document.getElementById("mapit-status");
  const say = (text) => { statusEl.textContent = text; };

  const map = L.map(el, {preferCanvas: true, boxZoom: false}).setView(cfg.center, cfg.zoom);
  map.createPane("outline").style.zIndex = 150;

  // -- base layers --------------------------------------------------------------------
  // The world at 1:110m, and the home countries at 1:50m (fjords and islands): the
  // whole world at 1:50m made every zoom step re-project 100 ms of coastline.
  const HOME = new Set(["578", "752", "246", "208"]); // Norway, Sweden, Finland, Denmark
  const countries = (url) => fetch(url).then((r) => r.json())
    .then((topo) => topojson.feature(topo, topo.objects.countries).features);
  const outlineReady = Promise.all([countries(cfg.urls.atlas), countries(cfg.urls.atlasDetail)])
    .then(([world, detail]) => {
      const shapes = world.filter((f) => !HOME.has(f.id))
        .concat(detail.filter((f) => HOME.has(f.id)));
      L.geoJSON({type: "FeatureCollection", features: shapes}, {
        // SVG: a pan moves the drawing as it is; a canvas would redraw every country.
        pane: "outline", interactive: false, renderer: L.svg({pane: "outline", padding: 0.5}),
        style: (f) => ({color: "#6b778c", weight: 1, fillOpacity: 1,
                        fillColor: f.id === "578" ? "#eef3e8" : "#f7f8f9"}),
      }).addTo(map);
      el.dataset.outline = "true";
    });
  map.attributionControl.addAttribution("Natural Earth");
  if (cfg.tiles.url) {
    const tiles = L.tileLayer(cfg.tiles.url, {attribution: cfg.tiles.attribution, maxZoom: 19});
    let loaded = 0;
    tiles.on("tileload", () => { loaded += 1; el.dataset.tiles = "online"; });
    tiles.on("tileerror", () => {
      // No tile has come: take the layer away, so broken tiles do not hide the outline.
      if (!loaded && el.dataset.tiles !== "offline") {
        el.dataset.tiles = "offline";
        say(T.noTiles);
        map.removeLayer(tiles);
      }
    });
    tiles.addTo(map);
  } else {
    el.dataset.tiles = "none";
  }

  // -- markers ------------------------------------------------------------------------
  function pin(p) {
    const st = legend[p.status] || {marker: "#6b778c", name: p.status};
    return L.divIcon({
      className: "mapit-icon", iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10],
      html: `<div class="mapit-pin${p.alert ? " mapit-alert" : ""}" draggable="true"` +
        ` data-issue-key="${esc(p.key)}" data-status="${esc(p.status)}"` +
        ` style="--pin:${esc(st.marker)}" title="${esc(p.key)} · ${esc(st.name)}">` +
        `${p.alert ? "!" : ""}</div>`,
    });
  }

  function bubble(p) {
    const size = p.point_count < 100 ? 30 : p.point_count < 1000 ? 38 : 46;
    return L.divIcon({
      className: "mapit-icon", iconSize: [size, size],
      html: `<div class="mapit-cluster${p.alerts ? " has-alert" : ""}" data-count="${p.point_count}"` +
        ` data-alerts="${p.alerts || 0}">${esc(p.point_count_abbreviated)}</div>`,
    });
  }

  function marker(f, layer) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    if (p.cluster) {
      const m = L.marker([lat, lon], {icon: bubble(p), keyboard: false});
      m.on("click", () => map.setView([lat, lon],
        Math.min(layer.index.getClusterExpansionZoom(p.cluster_id), 18)));
      return m;
    }
    const m = L.marker([lat, lon], {icon: pin(p)});
    m.on("click", () => showOrder(p.key, [lat, lon]));
    return m;
  }

  // -- layers (favourite filters) -----------------------------------------------------
  const layers = cfg.layers.map((def, i) => ({def, i, on: def.on, points: null, index: null,
                                             group: L.layerGroup().addTo(map), loading: null}));

  function featuresUrl(def, startAt) {
    const q = new URLSearchParams({cluster: "false", startAt: String(startAt),
                                   maxResults: String(cfg.maxResults)});
    if (def.id != null) q.set("filter", String(def.id)); else q.set("jql", def.jql || "");
    return `${cfg.urls.features}?${q}`;
  }

  async function getJson(url, options) {
    const r = await fetch(url, {credentials: "same-origin", ...(options || {}),
      headers: {Accept: "application/json", ...((options || {}).headers || {})}});
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      const msgs = (body.errorMessages || []).concat(Object.values(body.errors || {}));
      throw new Error(msgs.join(" ") || `HTTP ${r.status}`);
    }
    return body;
  }

  async function load(layer) {
    const points = [];
    let startAt = 0;
    for (;;) {
      const page = await getJson(featuresUrl(layer.def, startAt));
      for (const f of page.features) points.push(f);
      say(fmt(T.loading, {n: num(points.length), total: num(page.total)}));
      if (page.isLast || !page.features.length) break;
      startAt += page.features.length;
    }
    layer.points = points;
    layer.index = new Supercluster({
      radius: 60, maxZoom: 16,
      map: (p) => ({alerts: p.alert ? 1 : 0}),
      reduce: (acc, p) => { acc.alerts += p.alerts; },
    }).load(points);
    document.querySelector(`[data-layer-count="${layer.i}"]`).textContent = `(${num(points.length)})`;
  }

  function ensureLoaded(layer) {
    if (!layer.loading) {
      layer.loading = load(layer).catch((err) => {
        layer.loading = null;
        say(fmt(T.failed, {error: err.message}));
        throw err;
      });
    }
    return layer.loading;
  }

  function render() {
    const b = map.getBounds();
    const bbox = [Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()),
                  Math.min(180, b.getEast()), Math.min(85, b.getNorth())];
    const zoom = Math.round(map.getZoom());
    const shown = new Set(); // an order in two layers gets one pin
    for (const layer of layers) {
      layer.group.clearLayers();
      if (!layer.on || !layer.index) continue;
      for (const f of layer.index.getClusters(bbox, zoom)) {
        const key = f.properties.key;
        if (key && shown.has(key)) continue;
        if (key) shown.add(key);
        layer.group.addLayer(marker(f, layer));
      }
    }
    el.dataset.markers = String(el.querySelectorAll(".mapit-pin, .mapit-cluster").length);
  }

  function shownCount() {
    return layers.reduce((n, l) => n + (l.on && l.points ? l.points.length : 0), 0);
  }

  async function refresh() {
    el.dataset.ready = "false";
    try {
      await Promise.all(layers.filter((l) => l.on).map(ensureLoaded));
      say(fmt(T.loaded, {n: num(shownCount())}));
    } catch (_err) { /* the message is on the page */ }
    render();
    el.dataset.ready = "true";
  }

  document.querySelectorAll("#mapit-layers input[data-layer]").forEach((box) => {
    box.addEventListener("change", () => {
      layers[Number(box.dataset.layer)].on = box.checked;
      refresh();
    });
  });
  map.on("moveend", render);

  // -- popup --------------------------------------------------------------------------
  function calendarUrl(keys) {
    return cfg.urls.calendar ? `${cfg.urls.calendar}?issues=${encodeURIComponent(keys.join(","))}`
      : null;
  }

  function popupHtml(d) {
    const row = (label, value) => value ? `<dt>${esc(label)}</dt><dd>${esc(value)}</dd>` : "";
    const cal = calendarUrl([d.key]);
    return `<div class="mapit-popup" data-issue-key="${esc(d.key)}">` +
      `<h3><a href="${esc(cfg.urls.browse.replace("KEY", d.key))}">${esc(d.key)}</a> ${esc(d.summary)}</h3>` +
      `<p><span class="lozenge" style="--lz:${esc(d.status.colour)};--lz-ink:${esc(d.status.ink)}">${esc(d.status.name)}</span></p>` +
      `<dl>${row(T.customer, d.customer)}${row(T.address, d.address)}` +
      `${row(T.planned, d.plannedStartText)}${row(T.installer, d.installer)}</dl>` +
      `<p class="mapit-popup-actions"><a class="btn" data-action="open" target="_blank" rel="noopener" ` +
      `href="${esc(cfg.urls.browse.replace("KEY", d.key))}">${esc(T.open)}</a>` +
      (cal ? ` <a class="btn" data-action="calendar" href="${esc(cal)}">${esc(T.calendar)}</a>` : "") +
      `</p></div>`;
  }

  async function showOrder(key, latlng) {
    const d = await getJson(cfg.urls.order.replace("KEY", encodeURIComponent(key)));
    const at = latlng || (d.position && [d.position.lat, d.position.lon]);
    if (!at) throw new Error(fmt(T.notFound, {key}));
    L.popup({maxWidth: 340}).setLatLng(at).setContent(popupHtml(d)).openOn(map);
    return d;
  }

  // -- selection: rectangle and lasso -------------------------------------------------
  let selected = [];
  const selBox = document.getElementById("mapit-selection");
  let selShape = null;

  function pointsWhere(test) {
    const keys = new Set();
    for (const layer of layers) {
      if (!layer.on || !layer.points) continue;
      for (const f of layer.points) {
        const [lon, lat] = f.geometry.coordinates;
        if (test(lat, lon)) keys.add(f.properties.key);
      }
    }
    return [...keys].sort((a, b) => {
      const [pa, na] = a.split("-"), [pb, nb] = b.split("-");
      return pa === pb ? Number(na) - Number(nb) : pa < pb ? -1 : 1;
    });
  }

  function inPolygon(lat, lon, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const yi = ring[i].lat, xi = ring[i].lng, yj = ring[j].lat, xj = ring[j].lng;
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function choose(keys, shape) {
    if (selShape) selShape.remove();
    selShape = shape ? shape.addTo(map) : null;
    selected = keys;
    selBox.hidden = !keys.length;
    const tooMany = keys.length > SELECT_MAX;
    document.getElementById("mapit-selected").textContent = tooMany
      ? fmt(T.tooMany, {n: num(keys.length), max: num(SELECT_MAX)})
      : fmt(T.selected, {n: num(keys.length)});
    selBox.querySelectorAll("button:not(#mapit-clear)").forEach((b) => { b.disabled = tooMany; });
    el.dataset.selected = String(keys.length);
  }

  const keyJql = (keys) => `key in (${keys.join(", ")})`;

  async function toNavigator(keys) {
    if (keys.length <= URL_KEYS) {
      window.location.href = `${cfg.urls.navigator}?jql=${encodeURIComponent(keyJql(keys))}`;
      return;
    }
    const stamp = new Date().toLocaleString("nb-NO");
    const saved = await getJson("/rest/api/2/filter", {
      method: "POST", body: JSON.stringify({name: `Kartutvalg ${stamp}`, jql: keyJql(keys),
                                            favourite: false}),
      headers: {"Content-Type": "application/json", "X-Atlassian-Token": "no-check"}});
    window.location.href = `${cfg.urls.navigator}?filter=${saved.id}`;
  }

  function toBulk(keys) {
    const form = document.getElementById("mapit-bulk-form");
    form.elements.jql.value = keyJql(keys);
    form.submit();
  }

  const rectButton = document.getElementById("mapit-rect");
  const lassoButton = document.getElementById("mapit-lasso");
  let rectStart = null, rectShape = null;

  function rectMode(on) {
    rectButton.setAttribute("aria-pressed", String(on));
    el.classList.toggle("mapit-drawing", on);
    if (on) map.dragging.disable(); else map.dragging.enable();
  }

  rectButton.addEventListener("click", () => {
    lasso.disable();
    rectMode(rectButton.getAttribute("aria-pressed") !== "true");
  });
  map.on("mousedown", (e) => {
    if (rectButton.getAttribute("aria-pressed") !== "true") return;
    rectStart = e.latlng;
    rectShape = L.rectangle(L.latLngBounds(rectStart, rectStart),
      {color: "#0c66e4", weight: 2, dashArray: "5 4", fillOpacity: 0.08, interactive: false}).addTo(map);
  });
  map.on("mousemove", (e) => {
    if (rectStart) rectShape.setBounds(L.latLngBounds(rectStart, e.latlng));
  });
  map.on("mouseup", (e) => {
    if (!rectStart) return;
    const bounds = L.latLngBounds(rectStart, e.latlng);
    rectShape.remove();
    rectStart = null;
    rectMode(false);
    choose(pointsWhere((lat, lon) => bounds.contains([lat, lon])),
      L.rectangle(bounds, {color: "#0c66e4", weight: 2, fillOpacity: 0.05, interactive: false}));
  });

  const lasso = L.lasso(map, {intersect: false});
  lassoButton.addEventListener("click", () => {
    rectMode(false);
    if (lasso.enabled()) lasso.disable(); else lasso.enable();
  });
  map.on("lasso.enabled", () => lassoButton.setAttribute("aria-pressed", "true"));
  map.on("lasso.disabled", () => lassoButton.setAttribute("aria-pressed", "false"));
  map.on("lasso.finished", (e) => {
    const ring = e.latLngs;
    choose(pointsWhere((lat, lon) => inPolygon(lat, lon, ring)),
      L.polygon(ring, {color: "#0c66e4", weight: 2, fillOpacity: 0.05, interactive: false}));
  });

  // -- dragging pins to the calendar (the split view's frame, or another tab) -----------
  // A pin is an HTML drag source with the order's key, which Bookit's calendar takes
  // as a drop. Its mousedown must not reach the map: Leaflet's map dragging would
  // start, and it cancels every dragstart while it runs.
  map.getPane("markerPane").addEventListener("mousedown", (ev) => {
    if (ev.target.closest(".mapit-pin[data-issue-key]")) ev.stopPropagation();
  });
  el.addEventListener("dragstart", (ev) => {
    const node = ev.target.closest && ev.target.closest(".mapit-pin[data-issue-key]");
    if (!node) return;
    ev.dataTransfer.setData("application/x-issue-key", node.dataset.issueKey);
    ev.dataTransfer.setData("text/plain", node.dataset.issueKey);
    ev.dataTransfer.effectAllowed = "copyMove";
  });
  const frame = document.getElementById("mapit-calendar");
  if (frame) {
    frame.addEventListener("load", () => {
      // The calendar page in the frame without its own top bar (same origin).
      const doc = frame.contentDocument;
      const style = doc.createElement("style");
      style.textContent = ".topbar { display: none; } .page { padding-top: .5rem; }";
      doc.head.appendChild(style);
      frame.dataset.ready = "true";
    });
  }

  document.getElementById("mapit-to-navigator").addEventListener("click",
    () => toNavigator(selected).catch((err) => say(err.message)));
  document.getElementById("mapit-to-bulk").addEventListener("click", () => toBulk(selected));
  const calButton = document.getElementById("mapit-to-calendar");
  if (calButton) {
    calButton.addEventListener("click", () => {
      if (frame) frame.src = calendarUrl(selected); // the split view: into its side list
      else window.location.href = calendarUrl(selected);
    });
  }
  document.getElementById("mapit-clear").addEventListener("click", () => choose([], null));

  // -- start --------------------------------------------------------------------------
  outlineReady.catch(() => { el.dataset.outline = "false"; });
  const started = (async () => {
    if (cfg.focus) {
      try {
        const d = await showOrder(cfg.focus, null);
        L.marker([d.position.lat, d.position.lon], {icon: pin({key: d.key, status: d.status.key,
          alert: d.status.alert}), zIndexOffset: 1000}).on("click", () => showOrder(d.key, null))
          .addTo(map);
        map.setView([d.position.lat, d.position.lon], 16, {animate: false});
        el.dataset.focus = d.key;
      } catch (_err) {
        say(fmt(T.notFound, {key: cfg.focus}));
      }
    }
    await refresh();
  })();

  window.mapit = {map, layers, selected: () => selected, choose, pointsWhere, inPolygon,
                  keyJql, showOrder, render, refresh, started};
})();
