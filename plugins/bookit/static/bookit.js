/* Bookit: the installers' calendar (EventCalendar's resource timeline).
 *
 * The page's JS API, for other plugins on the page (see the README):
 *   Bookit.calendar                      the EventCalendar instance
 *   Bookit.makeDraggable(el)             el (with data-issue-key) can be dropped on the calendar
 *   Bookit.drop(key, installer, start, estimateSeconds?)  schedule as a drop would (a Promise)
 *   Bookit.showGhosts(setId, items)      tentative blocks: [{key, installer, start, end, title?}]
 *   Bookit.clearGhosts(setId?)           remove one set of ghosts, or all
 *   Bookit.reload()                      fetch the range again
 *   Bookit.ready                         a Promise, resolved once the first range is drawn
 * Events on document: "bookit:scheduled" and "bookit:refused" (detail: key, reason...).
 * Any element with data-issue-key that is dragged here (also a link to /browse/KEY from
 * another tab) is scheduled where it is dropped.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("bookit-config").textContent);
  const T = JSON.parse(document.getElementById("bookit-text").textContent);
  const KEY = /\b([A-Z][A-Z0-9]{1,9}-\d{1,9})\b/;
  const VIEWS = { day: "resourceTimelineDay", "3day": "resourceTimeline3Day",
                  week: "resourceTimelineWeek" };
  const csrfInput = document.querySelector('input[name="csrf_token"]');
  const el = document.getElementById("bookit-calendar");
  const message = document.getElementById("bookit-message");
  const undoButton = document.getElementById("bookit-undo");
  const showFilter = document.getElementById("bookit-show");
  const state = { base: [], ghosts: new Map(), stamp: null, undo: [], people: {}, driving: {},
                  range: null, busy: 0, tz: cfg.timeZone || "+01:00" };
  let resolveReady;
  const ready = new Promise((r) => { resolveReady = r; });

  const fmt = (s, v) => s.replace(/%\((\w+)\)s/g, (_m, k) => (v[k] ?? ""));
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const pad = (n) => String(n).padStart(2, "0");

  /* EventCalendar keeps its dates as the wall clock of its time zone in the Date's UTC
   * fields; these turn them into ISO text with the zone's offset and back. */
  function wall(d) {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
      `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00`;
  }
  const instant = (d) => `${wall(d)}${state.tz}`;
  function snap(d) {
    const step = cfg.snapMinutes * 60000;
    return new Date(Math.round(d.getTime() / step) * step);
  }
  function when(d) {
    const w = wall(d);
    return `${w.slice(8, 10)}.${w.slice(5, 7)}. ${w.slice(11, 16)}`;
  }

  async function api(method, url, body) {
    const headers = { Accept: "application/json", "X-Atlassian-Token": "no-check" };
    if (csrfInput) headers["X-CSRFToken"] = csrfInput.value;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    url += `${url.includes("?") ? "&" : "?"}lang=${document.documentElement.lang || "nb"}`;
    const res = await fetch(url, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await res.json(); } catch (_e) { data = null; }
    return { ok: res.ok, status: res.status, data };
  }
  function reasonOf(r) {
    const d = r.data || {};
    const parts = [...(d.errorMessages || [])];
    for (const v of Object.values(d.errors || {})) if (!parts.includes(v)) parts.push(v);
    return parts.join(" ") || `HTTP ${r.status}`;
  }
  function say(text, kind) {
    message.textContent = text;
    message.className = `alert bookit-message alert-${kind || "info"}`;
    message.dataset.kind = kind || "info";
    message.hidden = !text;
  }

  /* -- drawing ---------------------------------------------------------------- */
  function render() {
    const ghosts = [].concat(...state.ghosts.values());
    ec.setOption("events", state.base.concat(ghosts));
  }
  function collectPeople(resources) {
    state.people = {};
    const walk = (list) => list.forEach((r) => {
      if (r.children) walk(r.children);
      else state.people[String(r.id)] = r;
    });
    walk(resources);
    fillSearch();
  }
  async function load() {
    if (!state.range) return;
    const q = new URLSearchParams({ start: state.range[0], end: state.range[1] });
    if (showFilter.value) q.set("filter", showFilter.value);
    const r = await api("GET", `${cfg.urls.calendar}?${q}`);
    if (!r.ok) { say(fmt(T.failed, { error: reasonOf(r) }), "error"); return; }
    state.stamp = r.data.stamp;
    if (r.data.timeZone !== state.tz) {
      state.tz = r.data.timeZone;
      ec.setOption("timeZone", state.tz);
    }
    collectPeople(r.data.resources);
    ec.setOption("resources", r.data.resources);
    state.driving = r.data.driving || {};
    state.base = r.data.events;
    render();
    el.dataset.ready = "true";
    el.dataset.stamp = state.stamp;
    resolveReady();
  }
  function duration(seconds) {
    const m = Math.round(seconds / 60);
    return m >= 60 ? `${Math.floor(m / 60)} t ${m % 60} min` : `${m} min`;
  }
  const km = (metres) => (metres / 1000).toFixed(1);
  function content(info) {
    const e = info.event, p = e.extendedProps || {};
    if (e.display === "background") {
      if (p.absence) return { html: `<span class="bk-absence">${esc(e.title)}</span>` };
      const d = p.dayKey && state.driving[p.dayKey];
      return d ? { html: `<span class="bk-drive" data-day="${esc(p.dayKey)}">` +
        `${esc(duration(d.seconds))} · ${esc(km(d.metres))} km</span>` } : { html: "" };
    }
    const imp = p.important ? `<b class="bk-imp" title="${esc(T.important)}">!</b>` : "";
    return { html: `<span class="bk-key">${imp}${esc(p.key || e.title)}</span>` +
      `<span class="bk-addr">${esc(p.address || p.customer || "")}</span>` };
  }
  function mounted(info) {
    const e = info.event, p = e.extendedProps || {};
    if (e.display === "background") return;
    info.el.dataset.issueKey = p.key || "";
    if (p.ghost) info.el.dataset.ghost = p.ghostSet;
    info.el.title = [p.key, p.summary, p.statusName, p.customer, p.address]
      .filter(Boolean).join("\n");
    info.el.tabIndex = 0;
    info.el.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && p.key && !p.ghost) {
        window.open(cfg.urls.browse.replace("KEY", p.key), "_blank");
      }
    });
  }

  /* -- scheduling ------------------------------------------------------------- */
  function personOf(resourceId) {
    return state.people[String(resourceId)] || null;
  }
  async function send(key, body) {
    state.busy += 1;
    try {
      const r = await api("PUT", cfg.urls.schedule.replace("KEY", encodeURIComponent(key)), body);
      if (!r.ok) {
        say(fmt(T.refused, { reason: reasonOf(r) }), "error");
        document.dispatchEvent(new CustomEvent("bookit:refused", {
          detail: { key, status: r.status, reason: reasonOf(r), errors: r.data } }));
        return null;
      }
      return r.data;
    } finally { state.busy -= 1; }
  }
  async function place(key, person, start, extra) {
    const body = Object.assign({ assignee: person.extendedProps.username,
                                 start: instant(start) }, extra || {});
    const done = await send(key, body);
    if (!done) return null;
    state.undo.push({ key, previous: done.previous, version: done.version });
    undoButton.hidden = false;
    say(fmt(T.placed, { key, name: person.title, when: when(start) }) +
        (done.warnings.length ? " " + fmt(T.warning, { text: done.warnings.join(" ") }) : ""),
        done.warnings.length ? "warning" : "success");
    document.dispatchEvent(new CustomEvent("bookit:scheduled", {
      detail: { key, installer: body.assignee, start: body.start, version: done.version,
                warnings: done.warnings } }));
    await Promise.all([load(), loadList()]);
    return done;
  }
  async function drop(key, installer, start, estimate) {
    const person = typeof installer === "object" ? installer :
      personOf(installer) || Object.values(state.people).find(
        (p) => p.extendedProps.username === installer);
    if (!person) { say(T.notInstaller, "error"); return null; }
    const at = typeof start === "string" ? new Date(start) : start;
    return place(key, person, at, estimate ? { estimate } : undefined);
  }
  async function undo() {
    const last = state.undo.pop();
    undoButton.hidden = !state.undo.length;
    if (!last) return;
    const p = last.previous;
    const done = await send(last.key, { assignee: p.assignee, start: p.start,
                                        estimate: p.estimate, version: last.version,
                                        undo: true });
    if (done) say(fmt(T.undone, { key: last.key }), "success");
    await Promise.all([load(), loadList()]);
  }
  async function moved(info, estimate) {
    const e = info.event, p = e.extendedProps;
    const rid = (info.newResource && info.newResource.id) || e.resourceIds[0];
    const person = personOf(rid);
    if (!person) { info.revert(); say(T.notInstaller, "error"); return; }
    const extra = { version: p.version };
    if (estimate) extra.estimate = Math.round((e.end - e.start) / 1000);
    const done = await place(p.key, person, e.start, extra);
    if (!done) info.revert();
  }
  function keyFrom(dt) {
    for (const type of ["application/x-issue-key", "text/plain", "text/uri-list"]) {
      const m = KEY.exec(dt.getData(type) || "");
      if (m) return m[1];
    }
    return null;
  }
  function makeDraggable(node) {
    node.draggable = true;
    node.addEventListener("dragstart", (ev) => {
      const key = node.dataset.issueKey;
      ev.dataTransfer.setData("application/x-issue-key", key);
      ev.dataTransfer.setData("text/plain", key);
      ev.dataTransfer.effectAllowed = "copyMove";
    });
    return node;
  }
  el.addEventListener("dragover", (ev) => { ev.preventDefault(); ev.dataTransfer.dropEffect = "move"; });
  el.addEventListener("drop", (ev) => {
    ev.preventDefault();
    const key = keyFrom(ev.dataTransfer);
    if (!key) { say(T.notOrder, "error"); return; }
    const info = ec.dateFromPoint(ev.clientX, ev.clientY);
    const person = info && info.resource && personOf(info.resource.id);
    if (!info || !person) { say(T.notInstaller, "error"); return; }
    place(key, person, snap(info.date));
  });

  /* -- day route and Optimise this day ---------------------------------------- */
  const routeBox = document.getElementById("bookit-route");
  const proposalBox = document.getElementById("bookit-proposal");
  let routeDay = null, proposal = null;
  function stopRows(stops) {
    return stops.map((s) => {
      const tr = document.createElement("tr");
      tr.dataset.issueKey = s.key;
      tr.innerHTML = `<td>${esc(s.start.slice(11, 16))}–${esc(s.end.slice(11, 16))}</td>` +
        `<td><a href="${esc(cfg.urls.browse.replace("KEY", s.key))}" target="_blank">${esc(s.key)}</a>` +
        `${s.held ? ` <span class="muted">(${esc(T.held)})</span>` : ""}</td>` +
        `<td>${s.position ? `${esc(duration(s.driveSeconds))} · ${esc(km(s.driveMetres))} km`
                          : esc(T.noPosition)}</td>`;
      return tr;
    });
  }
  async function showRoute(username, day) {
    routeDay = { installer: username, date: day };
    const q = new URLSearchParams(routeDay);
    const r = await api("GET", `${cfg.urls.route}?${q}`);
    if (!r.ok) { say(reasonOf(r), "error"); return; }
    const person = Object.values(state.people).find((p) => p.extendedProps.username === username);
    document.getElementById("bookit-route-title").textContent =
      fmt(T.routeTitle, { name: person ? person.title : username, day });
    const rows = stopRows(r.data.stops);
    if (r.data.backMetres) {
      const tr = document.createElement("tr");
      tr.innerHTML = `<td></td><td>${esc(T.back)}</td><td>${esc(duration(r.data.backSeconds))}` +
        ` · ${esc(km(r.data.backMetres))} km</td>`;
      rows.push(tr);
    }
    document.getElementById("bookit-route-stops").replaceChildren(...rows);
    document.getElementById("bookit-route-total").textContent = fmt(T.routeTotal, {
      time: duration(r.data.seconds), km: km(r.data.metres), n: r.data.stops.length });
    routeBox.hidden = false;
    routeBox.dataset.ready = "true";
    proposalBox.hidden = true;
  }
  async function optimiseDay() {
    if (!routeDay) return;
    document.getElementById("bookit-proposal-saving").textContent = T.optimising;
    proposalBox.hidden = false;
    const r = await api("POST", cfg.urls.optimise, routeDay);
    if (!r.ok) { say(reasonOf(r), "error"); proposalBox.hidden = true; return; }
    proposal = r.data;
    const saved = r.data.savedMetres > 0 || r.data.savedSeconds > 0;
    let text = saved ? fmt(T.saving, { time: duration(r.data.seconds), km: km(r.data.metres),
      savedTime: duration(Math.max(0, r.data.savedSeconds)), savedKm: km(r.data.savedMetres) })
      : T.noSaving;
    const left = Object.keys(r.data.leftOut || {});
    if (left.length) text += " " + fmt(T.leftOut, { keys: left.join(", ") });
    document.getElementById("bookit-proposal-saving").textContent = text;
    document.getElementById("bookit-apply").hidden = !saved;
    proposalBox.dataset.saved = String(r.data.savedMetres);
    showGhosts("optimise", r.data.stops.map((s) => ({ key: s.key, installer: routeDay.installer,
                                                      start: s.start, end: s.end })));
  }
  async function applyProposal() {
    if (!proposal) return;
    const r = await api("POST", cfg.urls.apply, { installer: routeDay.installer,
      stops: proposal.stops.map((s) => ({ key: s.key, start: s.start, version: s.version })) });
    clearGhosts("optimise");
    if (!r.ok) { say(fmt(T.refused, { reason: reasonOf(r) }), "error"); return; }
    say(fmt(T.applied, { n: r.data.applied }), "success");
    proposal = null;
    await load();
    await showRoute(routeDay.installer, routeDay.date);
  }
  function dayClicked(info) {
    const person = info.resource && personOf(info.resource.id);
    if (person) showRoute(person.extendedProps.username, wall(info.date).slice(0, 10));
  }
  const optimiseButton = document.getElementById("bookit-optimise");
  if (optimiseButton) optimiseButton.addEventListener("click", optimiseDay);
  document.getElementById("bookit-apply").addEventListener("click", applyProposal);
  document.getElementById("bookit-discard").addEventListener("click", () => {
    proposal = null; proposalBox.hidden = true; clearGhosts("optimise");
  });
  document.getElementById("bookit-route-close").addEventListener("click", () => {
    routeBox.hidden = true; clearGhosts("optimise");
  });

  /* -- ghosts ----------------------------------------------------------------- */
  function showGhosts(setId, items) {
    state.ghosts.set(String(setId), items.map((g) => {
      const person = personOf(g.installer) || Object.values(state.people).find(
        (p) => p.extendedProps.username === g.installer);
      return { id: `ghost:${setId}:${g.key}`, resourceIds: [person ? String(person.id) : ""],
               start: g.start, end: g.end, title: g.title || g.key, editable: false,
               classNames: ["bk-ghost"], extendedProps: { key: g.key, ghost: true,
               ghostSet: String(setId), address: g.title || "" } };
    }));
    render();
  }
  function clearGhosts(setId) {
    if (setId === undefined) state.ghosts.clear(); else state.ghosts.delete(String(setId));
    render();
  }

  /* -- side list -------------------------------------------------------------- */
  const list = document.getElementById("bookit-list");
  const listStatus = document.getElementById("bookit-list-status");
  const source = document.getElementById("bookit-source");
  let sourceQuery = null;
  function chooseSource() {
    const s = cfg.source || {};
    if (s.issues) return { issues: s.issues };
    if (s.filter) return { filter: s.filter };
    if (s.jql) return { jql: s.jql };
    return {};
  }
  async function loadList() {
    listStatus.textContent = T.loadingList;
    const r = await api("GET", `${cfg.urls.orders}?${new URLSearchParams(sourceQuery || {})}`);
    if (!r.ok) { listStatus.textContent = reasonOf(r); return; }
    list.replaceChildren(...r.data.issues.map((o) => {
      const li = document.createElement("li");
      li.className = "bookit-card";
      li.dataset.issueKey = o.key;
      li.dataset.version = o.version;
      li.style.setProperty("--lz", o.colour);
      li.innerHTML = `<a href="${esc(cfg.urls.browse.replace("KEY", o.key))}" target="_blank">` +
        `${o.important ? '<b class="bk-imp">!</b>' : ""}${esc(o.key)}</a> ` +
        `<span class="bk-status">${esc(o.statusName)}</span>` +
        `<div class="bk-addr">${esc(o.customer)} · ${esc(o.address)}</div>`;
      return makeDraggable(li);
    }));
    listStatus.textContent = r.data.issues.length ?
      fmt(T.listCount, { n: r.data.issues.length, total: r.data.total }) : T.empty;
    list.dataset.ready = "true";
  }
  source.addEventListener("change", () => {
    const v = source.value;
    sourceQuery = v.startsWith("filter:") ? { filter: v.slice(7) } : {};
    loadList();
  });

  /* -- search to the navigator ------------------------------------------------ */
  const search = document.getElementById("bookit-search");
  const who = document.getElementById("bookit-search-installers");
  function fillSearch() {
    const chosen = new Set([...who.selectedOptions].map((o) => o.value));
    who.replaceChildren(...Object.values(state.people).map((p) => {
      const o = new Option(p.title, p.extendedProps.username);
      o.selected = chosen.has(o.value);
      return o;
    }));
    if (state.range) {
      const from = document.getElementById("bookit-search-from");
      const to = document.getElementById("bookit-search-to");
      if (!from.value) from.value = state.range[0];
      if (!to.value) {
        const last = new Date(`${state.range[1]}T00:00:00Z`);
        last.setUTCDate(last.getUTCDate() - 1);
        to.value = last.toISOString().slice(0, 10);
      }
    }
  }
  function searchJql() {
    const names = [...who.selectedOptions].map((o) => `"${o.value.replace(/"/g, '\\"')}"`);
    const from = document.getElementById("bookit-search-from").value;
    const to = document.getElementById("bookit-search-to").value;
    const end = new Date(`${to}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    const parts = [];
    if (names.length) parts.push(`assignee in (${names.join(", ")})`);
    parts.push(`"Planlagt starttid" >= "${from}"`,
               `"Planlagt starttid" < "${end.toISOString().slice(0, 10)}"`);
    return `${parts.join(" AND ")} ORDER BY "Planlagt starttid" ASC`;
  }
  search.addEventListener("submit", (ev) => {
    ev.preventDefault();
    window.location.href = `${cfg.urls.navigator}?${new URLSearchParams({ jql: searchJql() })}`;
  });

  /* -- live updates ----------------------------------------------------------- */
  async function poll() {
    if (document.hidden || state.busy || !state.stamp) return;
    const r = await api("GET", cfg.urls.stamp);
    if (r.ok && r.data.stamp !== state.stamp && !state.busy) {
      await load();
      say(T.updated, "info");
    }
  }

  /* -- the calendar ----------------------------------------------------------- */
  const lang = document.documentElement.lang === "en" ? "en-GB" : "nb";
  const ec = EventCalendar.create(el, {
    view: VIEWS[cfg.view] || VIEWS.week,
    date: cfg.date,
    locale: lang,
    timeZone: state.tz,
    firstDay: 1,
    height: "auto",
    nowIndicator: true,
    editable: !!cfg.canEdit,
    eventStartEditable: !!cfg.canEdit,
    eventDurationEditable: !!cfg.canEdit,
    snapDuration: { minutes: cfg.snapMinutes },
    slotDuration: "01:00",
    slotWidth: 40,
    slotMinTime: "06:00",
    slotMaxTime: "19:00",
    headerToolbar: { start: "prev,today,next", center: "title",
                     end: `${VIEWS.day},${VIEWS["3day"]},${VIEWS.week}` },
    buttonText: { today: T.today, [VIEWS.day]: T.day, [VIEWS["3day"]]: T.threeDays,
                  [VIEWS.week]: T.week },
    views: { resourceTimeline3Day: { type: "resourceTimelineDay", duration: { days: 3 },
                                      slotWidth: 28 },
             resourceTimelineWeek: { slotWidth: 16, slotLabelInterval: "03:00" } },
    resources: [],
    events: [],
    eventContent: content,
    eventDidMount: mounted,
    eventDrop: (info) => moved(info, false),
    eventResize: (info) => moved(info, true),
    dateClick: dayClicked,
    eventClick: (info) => {
      const p = info.event.extendedProps || {};
      if (p.key && !p.ghost && info.jsEvent.detail === 2) {
        window.open(cfg.urls.browse.replace("KEY", p.key), "_blank");
      }
    },
    datesSet: (info) => {
      state.range = [wall(info.start).slice(0, 10), wall(info.end).slice(0, 10)];
      load();
    },
  });

  document.addEventListener("keydown", (ev) => {
    if (ev.target.closest("input, select, textarea") || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const keys = { ArrowLeft: () => ec.prev(), ArrowRight: () => ec.next(),
                   t: () => ec.setOption("date", new Date()),
                   d: () => ec.setOption("view", VIEWS.day),
                   3: () => ec.setOption("view", VIEWS["3day"]),
                   w: () => ec.setOption("view", VIEWS.week) };
    if (keys[ev.key]) { keys[ev.key](); ev.preventDefault(); }
  });
  undoButton.addEventListener("click", undo);
  showFilter.addEventListener("change", () => load());
  sourceQuery = chooseSource();
  loadList();
  setInterval(poll, cfg.pollSeconds * 1000);

  window.Bookit = { calendar: ec, makeDraggable, drop, showGhosts, clearGhosts,
                    reload: load, ready, undo, showRoute };
})();
