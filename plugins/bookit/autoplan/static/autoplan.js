/* Auto-planning on the calendar page: start a proposal, show the solve's progress
 * (cancellable), then the proposal as ghost blocks on the calendar (Bookit.showGhosts)
 * and route lines on a small map, accepted all at once or per installer-day (one
 * bulk edit each, with its progress). Uses only the REST API and Bookit's JS API. */
"use strict";
(function () {
  const cfg = JSON.parse(document.getElementById("autoplan-config").textContent);
  const T = JSON.parse(document.getElementById("autoplan-text").textContent);
  const $ = (id) => document.getElementById(id);
  const fmt = (s, p) => s.replace(/%\((\w+)\)s/g, (_m, k) => String(p[k]));
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);
  const status = $("autoplan-status");
  let current = null, map = null, lines = null;

  async function api(method, url, body) {
    const r = await fetch(url, {method, credentials: "same-origin", headers: {
      "Content-Type": "application/json", "Accept": "application/json",
      "X-Atlassian-Token": "no-check"}, body: body ? JSON.stringify(body) : undefined});
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const why = [...(data.errorMessages || []), ...Object.values(data.errors || {})];
      throw new Error(why.join(" ") || r.statusText);
    }
    return data;
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  async function fillInstallers() {
    await (window.Bookit && window.Bookit.ready);
    const data = await api("GET", cfg.urls.installers);
    const select = $("autoplan-installers");
    const project = $("autoplan-project").value;
    select.innerHTML = data.filter((i) => i.projects.includes(project)).map((i) =>
      `<option value="${esc(i.name)}" selected>${esc(i.displayName)}</option>`).join("");
    const today = new Date().toISOString().slice(0, 10);
    $("autoplan-from").value = $("autoplan-from").value || cfg.firstDay || today;
    $("autoplan-to").value = $("autoplan-to").value || cfg.lastDay || today;
  }

  async function start(ev) {
    ev.preventDefault();
    const installers = [...$("autoplan-installers").selectedOptions].map((o) => o.value);
    if (!installers.length) { status.textContent = T.chooseInstaller; return; }
    $("autoplan-run").hidden = false;
    $("autoplan-result").hidden = true;
    try {
      current = await api("POST", cfg.urls.proposals, {
        project: $("autoplan-project").value, jql: $("autoplan-jql").value, installers,
        firstDay: $("autoplan-from").value, lastDay: $("autoplan-to").value,
        seconds: Number($("autoplan-seconds").value) || 20});
      await follow();
    } catch (e) { status.textContent = fmt(T.failed, {error: e.message}); }
  }

  async function follow() {
    while (current && (current.status === "queued" || current.status === "solving")) {
      $("autoplan-progress").value = current.progress;
      status.textContent = current.status === "queued" ? T.queued
        : fmt(T.solving, {pct: current.progress});
      await sleep(700);
      current = await api("GET", cfg.urls.proposal.replace("ID", current.id));
    }
    $("autoplan-progress").value = 100;
    if (current.status === "ready") show(current.result);
    else status.textContent = current.status === "failed"
      ? fmt(T.failed, {error: current.error}) : T.cancelled;
  }

  function show(result) {
    status.textContent = fmt(T.ready, {placed: result.placed, left: result.leftOut.length,
                                       km: result.distanceKm});
    render(result);
  }

  function render(result) {
    const ghosts = [];
    for (const r of result.routes) for (const v of r.visits) {
      if (!v.existing) ghosts.push({key: v.key, installer: r.username, start: v.start,
                                    end: v.end, title: v.key});
    }
    window.Bookit.showGhosts(`autoplan:${current.id}`, ghosts);
    $("autoplan-days").innerHTML = result.routes.map((r) => `<li data-shift="${esc(r.shift)}">
      <span>${esc(fmt(T.dayLine, {name: r.name, day: r.day, n: r.newVisits,
                                  km: r.distanceKm, min: r.drivingMinutes}))}</span>
      <button type="button" class="btn autoplan-accept" data-shift="${esc(r.shift)}"
        ${r.newVisits ? "" : "disabled"}>${esc(T.accept)}</button></li>`).join("");
    $("autoplan-left").innerHTML = result.leftOut.map((l) =>
      `<li><a href="${esc(cfg.urls.browse.replace("KEY", l.key))}">${esc(l.key)}</a>:
       ${esc(T[l.reason] || l.reason)}</li>`).join("");
    $("autoplan-result").hidden = false;
    drawRoutes(result);
  }

  function drawRoutes(result) {
    if (!window.L) return;
    if (!map) {
      map = L.map($("autoplan-map")).setView(cfg.center, 9);  // SVG: a few lines
      fetch(cfg.urls.atlas).then((r) => r.json()).then((topo) => {
        L.geoJSON(topojson.feature(topo, topo.objects.countries),
                  {style: {color: "#8993a4", weight: 1, fillColor: "#f4f5f7", fillOpacity: 1}})
          .addTo(map).bringToBack();
      });
    }
    if (lines) lines.remove();
    lines = L.layerGroup().addTo(map);
    const palette = ["#0065ff", "#36b37e", "#ff5630", "#6554c0", "#00b8d9", "#ffab00"];
    const all = [];
    result.routes.forEach((r, n) => {
      const pts = [r.home, ...r.visits.map((v) => v.place), r.home].filter(Boolean);
      all.push(...pts);
      L.polyline(pts, {color: palette[n % palette.length], weight: 3,
                       className: "autoplan-route"}).bindTooltip(`${r.name} ${r.day}`)
        .addTo(lines);
    });
    if (all.length) map.fitBounds(all, {padding: [20, 20]});
  }

  async function accept(shifts, buttons) {
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const task = await api("POST", cfg.urls.apply.replace("ID", current.id),
                             shifts ? {shifts} : {});
      let state = {status: "ENQUEUED", progressPercent: 0};
      while (!["COMPLETE", "FAILED", "CANCELLED"].includes(state.status)) {
        status.textContent = fmt(T.applying, {pct: state.progressPercent || 0});
        await sleep(500);
        state = await api("GET", task.progressUrl);
      }
      status.textContent = fmt(T.applied, {n: task.total});
      buttons.forEach((b) => { b.textContent = T.accepted; });
      window.Bookit.clearGhosts(`autoplan:${current.id}`);
      if (shifts) {  // the rest stays proposed
        const keep = current.result.routes.filter((r) => !shifts.includes(r.shift));
        current.result.routes = keep;
        render(current.result);
      }
      await window.Bookit.reload();
    } catch (e) {
      status.textContent = fmt(T.failed, {error: e.message});
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  $("autoplan-form").addEventListener("submit", start);
  $("autoplan-project").addEventListener("change", fillInstallers);
  $("autoplan-cancel").addEventListener("click", async () => {
    if (current) current = await api("POST", cfg.urls.cancel.replace("ID", current.id));
  });
  $("autoplan-discard").addEventListener("click", () => {
    if (current) window.Bookit.clearGhosts(`autoplan:${current.id}`);
    $("autoplan-result").hidden = true;
  });
  $("autoplan-accept-all").addEventListener("click", (ev) =>
    accept(null, [ev.target, ...document.querySelectorAll(".autoplan-accept")]));
  $("autoplan-days").addEventListener("click", (ev) => {
    const b = ev.target.closest(".autoplan-accept");
    if (b) accept([b.dataset.shift], [b]);
  });
  $("autoplan").addEventListener("toggle", () => {
    if ($("autoplan").open) { fillInstallers(); if (map) map.invalidateSize(); }
  }, {once: false});
  window.autoplan = {current: () => current};
})();
