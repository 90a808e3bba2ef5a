// The installer's phone app: orders and an outbox in IndexedDB (idb), synced with
// /rest/mobile/1 whenever there is a network. Every action gets a client id when it
// is made, so sending it again (a lost answer, a retry) is applied once.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("m-config").textContent);
  const T = JSON.parse(document.getElementById("m-text").textContent);
  const main = document.getElementById("m-main");
  const bar = document.getElementById("m-status");
  const st = { orders: {}, keys: [], projects: {}, outbox: [], cursor: null,
               syncing: false, lastSync: null, needLogin: false, notes: {} };
  let db;
  let seq = 0;

  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const fmt = (text, args) => text.replace(/%\((\w+)\)s/g, (_m, k) => args[k]);

  async function openDb() {
    db = await idb.openDB("amsflow-m-" + cfg.user, 1, {
      upgrade(d) {
        d.createObjectStore("orders", { keyPath: "key" });
        d.createObjectStore("outbox", { keyPath: "clientId" });
        d.createObjectStore("meta");
      },
    });
  }

  async function loadLocal() {
    st.orders = {};
    for (const o of await db.getAll("orders")) st.orders[o.key] = o;
    st.keys = (await db.get("meta", "keys")) || [];
    st.projects = (await db.get("meta", "projects")) || {};
    st.cursor = (await db.get("meta", "cursor")) || null;
    st.outbox = (await db.getAll("outbox")).sort((a, b) => a.seq - b.seq);
  }

  // -- sync ----------------------------------------------------------------------
  async function api(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Atlassian-Token": "no-check",
                 Accept: "application/json" } }, options || {}));
    if (response.status === 401) { st.needLogin = true; throw new Error("login"); }
    st.needLogin = false;
    if (!response.ok) {
      const err = new Error("HTTP " + response.status);
      err.status = response.status;
      err.body = await response.json().catch(() => ({}));
      throw err;
    }
    return response.json();
  }

  async function keepOrders(list) {
    const tx = db.transaction("orders", "readwrite");
    for (const o of list) { st.orders[o.key] = o; tx.store.put(o); }
    await tx.done;
  }

  async function pull() {
    const url = cfg.urls.sync + (st.cursor ? "?cursor=" + encodeURIComponent(st.cursor) : "");
    const data = await api(url);
    await keepOrders(data.orders);
    const waiting = new Set(st.outbox.map((a) => a.issue));
    for (const key of Object.keys(st.orders)) {
      if (!data.keys.includes(key) && !waiting.has(key)) {
        delete st.orders[key];
        await db.delete("orders", key);
      }
    }
    st.keys = data.keys; st.projects = data.projects; st.cursor = data.cursor;
    await db.put("meta", data.keys, "keys");
    await db.put("meta", data.projects, "projects");
    await db.put("meta", data.cursor, "cursor");
  }

  function batches(pending) {
    // A photo travels alone (it is large); the rest in batches of 50.
    const out = []; let cur = [];
    for (const a of pending) {
      if (a.type === "photo") { if (cur.length) out.push(cur); out.push([a]); cur = []; continue; }
      cur.push(a);
      if (cur.length === 50) { out.push(cur); cur = []; }
    }
    if (cur.length) out.push(cur);
    return out;
  }

  function wire(a) {
    const out = {};
    for (const k of Object.keys(a)) {
      if (!["seq", "state", "message", "current"].includes(k) && a[k] != null) out[k] = a[k];
    }
    return out;
  }

  async function push() {
    const pending = st.outbox.filter((a) => a.state === "pending");
    for (const batch of batches(pending)) {
      let answer;
      try {
        answer = await api(cfg.urls.actions, { method: "POST",
          body: JSON.stringify({ actions: batch.map(wire) }) });
      } catch (err) {
        if (err.status !== 400 && err.status !== 413) throw err;
        // The server refused the batch itself (a photo too large, a malformed
        // action): those actions can never go through as they are.
        const body = err.body || {};
        answer = { orders: [], results: batch.map((a) => ({ clientId: a.clientId,
          status: err.status, errorMessages: body.errorMessages || [],
          errors: body.errors || {} })) };
      }
      await keepOrders(answer.orders);
      for (const r of answer.results) {
        const a = st.outbox.find((x) => x.clientId === r.clientId);
        if (!a) continue;
        if (r.status < 300) {
          if (r.created) st.notes[a.issue] = fmt(T.created, { key: r.created });
          await db.delete("outbox", a.clientId);
          st.outbox = st.outbox.filter((x) => x !== a);
        } else {
          a.state = r.status === 409 ? "conflict" : "failed";
          a.message = (r.errorMessages || []).concat(Object.values(r.errors || {})).join(" ");
          a.current = r.current || null;
          if (a.type === "photo") delete a.data;
          await db.put("outbox", a);
        }
      }
    }
  }

  async function syncNow() {
    if (st.syncing) return;
    st.syncing = true; status();
    try {
      await push();
      await pull();
      st.lastSync = new Date();
    } catch (err) {
      // Offline or logged out: everything stays in the outbox for the next try.
    } finally {
      st.syncing = false;
      render();
    }
  }

  // -- the outbox ----------------------------------------------------------------
  async function enqueue(type, key, fields) {
    const order = st.orders[key];
    const a = Object.assign({ clientId: newId(), seq: Date.now() * 1000 + (seq++ % 1000),
      type: type, issue: key, base: order ? order.rev : null,
      created: new Date().toISOString(), state: "pending" }, fields || {});
    await db.put("outbox", a);
    st.outbox.push(a);
    render();
    syncNow();
    return a;
  }

  function newId() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  async function resend(clientId) {
    const a = st.outbox.find((x) => x.clientId === clientId);
    await db.delete("outbox", clientId);
    st.outbox = st.outbox.filter((x) => x !== a);
    if (a && a.current && a.type !== "photo") {
      const copy = Object.assign({}, a);
      delete copy.clientId; delete copy.state; delete copy.message; delete copy.current;
      await keepOrders([a.current]);
      await enqueue(a.type, a.issue, copy);
    }
    render();
  }

  async function discard(clientId) {
    await db.delete("outbox", clientId);
    st.outbox = st.outbox.filter((x) => x.clientId !== clientId);
    render();
  }

  // -- photos --------------------------------------------------------------------
  async function resized(file, maxPx) {
    const image = await createImageBitmap(file);
    const scale = Math.min(1, maxPx / Math.max(image.width, image.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(image.width * scale);
    canvas.height = Math.round(image.height * scale);
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.85));
    const data = await new Promise((ok) => {
      const reader = new FileReader();
      reader.onload = () => ok(String(reader.result).split(",")[1]);
      reader.readAsDataURL(blob);
    });
    return { data: data, width: canvas.width, height: canvas.height };
  }

  // -- what the phone shows --------------------------------------------------------
  function pendingFor(key) { return st.outbox.filter((a) => a.issue === key); }

  function shownStatus(order) {
    const mine = pendingFor(order.key).filter((a) => a.state === "pending");
    if (mine.some((a) => a.type === "resolve")) return T.resolvedLocal;
    if (mine.some((a) => a.type === "start")) return T.inProgress;
    return order.status.name;
  }

  function dayLabel(day) {
    if (!day) return T.noTime;
    const today = new Date(); const iso = (d) => d.toLocaleDateString("sv-SE");
    const tomorrow = new Date(today.getTime() + 86400000);
    if (day === iso(today)) return T.today;
    if (day === iso(tomorrow)) return T.tomorrow;
    const label = new Date(day + "T12:00:00").toLocaleDateString(document.documentElement.lang,
      { weekday: "long", day: "numeric", month: "long" });
    return label.charAt(0).toUpperCase() + label.slice(1);
  }

  function status() {
    const pending = st.outbox.filter((a) => a.state === "pending").length;
    const parts = [];
    parts.push(navigator.onLine ? T.online : T.offline);
    if (st.syncing) parts.push(T.syncing);
    else if (st.lastSync) parts.push(fmt(T.synced, { time: st.lastSync.toLocaleTimeString(
      document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) }));
    let html = `<span class="m-net ${navigator.onLine ? "on" : "off"}">${esc(parts.join(" · "))}</span>`;
    if (pending) html += ` <span id="m-pending" class="m-pending" data-count="${pending}">${esc(fmt(T.pending, { n: pending }))}</span>`;
    if (st.needLogin) html += ` <a class="m-login" href="${esc(cfg.urls.login)}">${esc(T.login)}</a>`;
    bar.innerHTML = html;
  }

  function problems() {
    const bad = st.outbox.filter((a) => a.state !== "pending");
    if (!bad.length) return "";
    return bad.map((a) => `<div class="m-conflict m-${a.state}" data-client="${esc(a.clientId)}" data-key="${esc(a.issue)}">
      <b>${esc(a.state === "conflict" ? T.conflict : T.failed)} · ${esc(a.issue)}</b>
      <p>${esc(a.message)}</p>
      ${a.current ? `<p class="m-now">${esc(fmt(T.nowStatus, { status: a.current.status.name }))}</p>` : ""}
      <button type="button" data-resend="${esc(a.clientId)}" ${a.current ? "" : "hidden"}>${esc(T.resend)}</button>
      <button type="button" data-discard="${esc(a.clientId)}">${esc(T.discard)}</button>
    </div>`).join("");
  }

  function listView() {
    const keys = st.keys.filter((k) => st.orders[k]);
    for (const a of st.outbox) if (!keys.includes(a.issue) && st.orders[a.issue]) keys.push(a.issue);
    if (!keys.length) return problems() + `<p class="m-muted">${esc(T.empty)}</p>`;
    let html = problems(); let day; let first = true;
    for (const key of keys) {
      const o = st.orders[key];
      if (first || o.day !== day) {
        if (!first) html += "</ul></section>";
        first = false;
        day = o.day;
        html += `<section class="m-day" data-day="${esc(o.day || "")}"><h2>${esc(dayLabel(o.day))}</h2><ul class="m-list">`;
      }
      const waiting = pendingFor(key).some((a) => a.state === "pending");
      html += `<li class="m-order" data-key="${esc(key)}"><a href="#/o/${esc(key)}">
        <span class="m-time">${esc(o.time || "")}</span>
        ${o.important ? `<span class="m-important" title="${esc(T.important)}" aria-label="${esc(T.important)}">!</span>` : ""}
        <span class="m-key">${esc(key)}</span>
        <span class="m-cust">${esc(o.customer || o.summary)}</span>
        <span class="m-addr">${esc(o.address || "")}</span>
        <span class="m-st" style="border-color:${esc(o.status.colour)}">${esc(shownStatus(o))}</span>
        ${waiting ? `<span class="m-wait">${esc(T.pendingOne)}</span>` : ""}
      </a></li>`;
    }
    return html + "</ul></section>";
  }

  function mapUrl(o) {
    const q = encodeURIComponent([o.address, [o.postcode, o.postTown].filter(Boolean).join(" ")]
      .filter(Boolean).join(", "));
    if (/iPhone|iPad|iPod/.test(navigator.userAgent)) return "maps://?q=" + q;
    return o.position ? `geo:${o.position[0]},${o.position[1]}?q=${q}` : "geo:0,0?q=" + q;
  }

  function detailView(key) {
    const o = st.orders[key];
    if (!o) return `<p><a class="m-back" href="#/">‹ ${esc(T.back)}</a></p><p class="m-muted">${esc(T.empty)}</p>`;
    const proj = st.projects[o.project] || { ok: "Ok", reasons: [] };
    const mine = pendingFor(key).filter((a) => a.state === "pending");
    const started = mine.some((a) => a.type === "start");
    const resolved = mine.some((a) => a.type === "resolve");
    const canStart = o.can.start && !started && !resolved;
    const canResolve = (o.can.resolve || started) && !resolved;
    const shown = new Set(["customer_name", "address", "postcode", "post_town", "mobile",
      "meter_number", "metering_point_id", "important_info", "planned_start", "position"]);
    const more = o.fields.filter((f) => !shown.has(f.key));
    return `<p><a class="m-back" href="#/">‹ ${esc(T.back)}</a></p>
    <article class="m-detail" data-key="${esc(key)}">
      <h1>${o.important ? `<span class="m-important" title="${esc(T.important)}">!</span> ` : ""}${esc(key)} · ${esc(o.summary)}</h1>
      <p class="m-st" style="border-color:${esc(o.status.colour)}" id="m-detail-status">${esc(shownStatus(o))}</p>
      ${st.notes[key] ? `<p class="m-note">${esc(st.notes[key])}</p>` : ""}
      <dl>
        <dt>${esc(T.customer)}</dt><dd>${esc(o.customer)}</dd>
        <dt>${esc(T.address)}</dt><dd><a id="m-map" href="${esc(mapUrl(o))}">${esc(o.address)}, ${esc(o.postcode)} ${esc(o.postTown)}</a></dd>
        ${o.mobile ? `<dt>${esc(T.call)}</dt><dd><a id="m-call" href="tel:${esc(o.mobile)}">${esc(o.mobile)}</a></dd>` : ""}
        <dt>${esc(T.meterNumber)}</dt><dd id="m-meter">${esc(o.meterNumber)}</dd>
        <dt>${esc(T.meteringPoint)}</dt><dd id="m-mpid">${esc(o.meteringPointId)}</dd>
        ${more.map((f) => `<dt>${esc(f.name)}</dt><dd>${esc(f.value)}</dd>`).join("")}
      </dl>
      ${o.description ? `<h2>${esc(T.description)}</h2><p class="m-desc">${esc(o.description)}</p>` : ""}
      <div class="m-actions">
        ${canStart ? `<button type="button" id="m-start">${esc(T.start)}</button>` : ""}
      </div>
      ${canResolve ? `<form id="m-resolve" class="m-form">
        <h2>${esc(T.resolved)}</h2>
        <label>${esc(T.resolution)} <select name="resolution">
          <option value="${esc(proj.ok)}">${esc(proj.ok)}</option>
          ${proj.reasons.map((r) => `<option value="${esc(r)}">${esc(r)}</option>`).join("")}
        </select></label>
        <div class="m-ok">
          <label>${esc(T.newMeter)} <input name="newMeterNumber" autocomplete="off"></label>
          <label>${esc(T.reading)} <input name="reading" inputmode="decimal" autocomplete="off"></label>
          <label>${esc(T.photo)} <input name="photo" type="file" accept="image/*" capture="environment"></label>
        </div>
        <label>${esc(T.comment)} <textarea name="comment" rows="2"></textarea></label>
        <p class="m-error" hidden></p>
        <button type="submit">${esc(T.resolved)}</button>
      </form>` : ""}
      <form id="m-report" class="m-form">
        <h2>${esc(T.report)}</h2>
        <label><select name="type"><option value="extra">${esc(T.extra)}</option><option value="deviation">${esc(T.deviation)}</option></select></label>
        <label>${esc(T.summary)} <input name="summary" autocomplete="off"></label>
        <label>${esc(T.description)} <textarea name="description" rows="2"></textarea></label>
        <p class="m-error" hidden></p>
        <button type="submit">${esc(T.register)}</button>
      </form>
      <h2>${esc(T.comments)}</h2>
      <ul class="m-comments">${o.comments.map((c) => `<li><b>${esc(c.author)}</b> ${esc(c.body)}</li>`).join("")}
        ${mine.filter((a) => a.type === "comment").map((a) => `<li class="m-wait">${esc(a.body)}</li>`).join("")}</ul>
      <form id="m-comment" class="m-form"><textarea name="body" rows="2"></textarea>
        <button type="submit">${esc(T.addComment)}</button></form>
      <h2>${esc(T.photos)}</h2>
      <ul class="m-photos">${o.attachments.map((a) => `<li>${esc(a.filename)}</li>`).join("")}
        ${mine.filter((a) => a.type === "photo").map((a) => `<li class="m-wait">${esc(a.filename)} · ${esc(T.photoQueued)}</li>`).join("")}</ul>
    </article>`;
  }

  function render() {
    status();
    const found = location.hash.match(/^#\/o\/(.+)$/);
    const key = found ? decodeURIComponent(found[1]) : null;
    const el = document.activeElement;
    const active = el && main.contains(el) && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
    if (key && active && main.querySelector(`.m-detail[data-key="${key}"]`)) {
      // Someone is typing in a form: refresh only the status line, not the form.
      const line = document.getElementById("m-detail-status");
      if (line && st.orders[key]) line.textContent = shownStatus(st.orders[key]);
      return;
    }
    main.innerHTML = key ? detailView(key) : listView();
    if (key) bindDetail(key);
    const ok = main.querySelector('#m-resolve select[name="resolution"]');
    if (ok) toggleOk();
  }

  function toggleOk() {
    const form = document.getElementById("m-resolve");
    const o = st.orders[form.closest(".m-detail").dataset.key];
    if (!o) return;  // the order left the phone (cancelled, reassigned) meanwhile
    const isOk = form.resolution.value === (st.projects[o.project] || { ok: "Ok" }).ok;
    form.querySelector(".m-ok").hidden = !isOk;
  }

  function bindDetail(key) {
    const order = st.orders[key];
    if (!order) return;  // the detail view already says the order is gone
    const proj = st.projects[order.project] || { ok: "Ok", photoMaxPx: 1600 };
    const start = document.getElementById("m-start");
    if (start) start.addEventListener("click", () => enqueue("start", key));
    const resolve = document.getElementById("m-resolve");
    if (resolve) {
      resolve.resolution.addEventListener("change", toggleOk);
      resolve.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const f = resolve; const err = f.querySelector(".m-error");
        const fields = { resolution: f.resolution.value, comment: f.comment.value.trim() || null };
        if (fields.resolution === proj.ok) {
          const file = f.photo.files[0];
          if (!f.newMeterNumber.value.trim() || !f.reading.value.trim() ||
              (proj.requirePhoto && !file)) {
            err.textContent = !file && proj.requirePhoto ? T.photoRequired : T.required;
            err.hidden = false; return;
          }
          fields.newMeterNumber = f.newMeterNumber.value.trim();
          fields.reading = f.reading.value.trim().replace(",", ".");
          if (file) {
            const photo = await resized(file, proj.photoMaxPx || 1600);
            await enqueue("photo", key, { filename: (file.name || "bilde").replace(/\.\w+$/, "") + ".jpg",
              contentType: "image/jpeg", data: photo.data });
          }
        }
        document.activeElement.blur();
        await enqueue("resolve", key, fields);
      });
    }
    const report = document.getElementById("m-report");
    report.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!report.summary.value.trim()) {
        const err = report.querySelector(".m-error"); err.textContent = T.required; err.hidden = false; return;
      }
      document.activeElement.blur();
      await enqueue(report.type.value, key, { summary: report.summary.value.trim(),
        description: report.description.value.trim() || null });
    });
    const comment = document.getElementById("m-comment");
    comment.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!comment.body.value.trim()) return;
      document.activeElement.blur();
      await enqueue("comment", key, { body: comment.body.value.trim() });
    });
  }

  main.addEventListener("click", (ev) => {
    const again = ev.target.closest("[data-resend]");
    if (again) resend(again.dataset.resend);
    const drop = ev.target.closest("[data-discard]");
    if (drop) discard(drop.dataset.discard);
  });
  window.addEventListener("hashchange", render);
  window.addEventListener("online", syncNow);
  window.addEventListener("offline", status);

  async function boot() {
    await openDb();
    await loadLocal();
    render();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(cfg.urls.worker, { scope: cfg.urls.scope })
        .catch(() => {});
    }
    await syncNow();
    document.body.dataset.ready = "1";
    setInterval(() => { if (navigator.onLine) syncNow(); }, 15000);
  }
  boot();
})();
