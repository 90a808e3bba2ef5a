// The dashboard page: gadgets in 1-3 columns, each drawn by its type's renderer
// from the JSON its data endpoint returns; gallery, settings, "…" menu, drag.
//
// A gadget type's script registers its renderer (see core/dashboards/contract.py):
//   amsflowGadgets.define("stamp.count", {render: function (el, data, gadget) {...}});
// render() gets the gadget's body element, the data function's JSON and
// {id, type, config, title, answer}; it may return a function called before the
// next render (to destroy a chart, a map).
(function () {
  "use strict";
  var renderers = {};
  var api = {
    define: function (key, renderer) { renderers[key] = renderer; },
    el: function (tag, attrs, children) {
      var node = document.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) {
        if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
      });
      (children || []).forEach(function (c) {
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
      return node;
    },
    palette: ["#0c66e4", "#22a06b", "#e2b203", "#c9372c", "#6e5dc6", "#1d7afc", "#fea362",
              "#8f7ee7", "#4bce97", "#f87168", "#579dff", "#94c748", "#e774bb", "#9fadbc"],
    number: function (n) { return Number(n).toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "nb-NO"); }
  };
  window.amsflowGadgets = api;

  function csrf() { return { "Content-Type": "application/json", "X-Atlassian-Token": "no-check" }; }
  function call(method, url, body) {
    return fetch(url, { method: method, headers: csrf(), credentials: "same-origin",
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        if (r.status === 204) { return {}; }
        return r.json().then(function (j) {
          if (!r.ok) { var e = new Error("failed"); e.answer = j; throw e; }
          return j;
        });
      });
  }
  function why(err) {
    var j = err.answer || {};
    var parts = (j.errorMessages || []).concat(Object.keys(j.errors || {}).map(function (k) { return j.errors[k]; }));
    return parts.join(" ") || String(err.message || err);
  }

  function init() {
    var holder = document.getElementById("dashboard-data");
    if (!holder) { return; }
    var page = JSON.parse(holder.textContent);
    var T = page.texts;
    var dash = page.dashboard;
    var grid = document.getElementById("dashboard");
    var editable = grid.getAttribute("data-editable") === "true";
    var types = {};
    page.types.forEach(function (t) { types[t.key] = t; });
    var timers = {}, cleanups = {};
    var base = "/rest/api/2/dashboard/" + dash.id;

    function typeName(g) { return types[g.type] ? types[g.type].name : g.type; }

    function layout() {
      grid.className = "dash-grid cols-" + dash.columns;
      grid.innerHTML = "";
      var cols = [];
      for (var c = 0; c < dash.columns; c++) {
        var col = api.el("div", { "class": "dash-col", "data-col": String(c) });
        grid.appendChild(col);
        cols.push(col);
        if (editable) { dropZone(col); }
      }
      dash.gadgets.slice().sort(function (a, b) {
        return a.position.column - b.position.column || a.position.row - b.position.row;
      }).forEach(function (g) {
        cols[Math.min(g.position.column, dash.columns - 1)].appendChild(frame(g));
      });
      loadAll();
      if (!dash.gadgets.length) {
        cols[0].appendChild(api.el("p", { "class": "muted empty-dash", text: T.empty }));
      }
    }

    function frame(g) {
      var title = api.el("h3", { "class": "gadget-title", text: (g.config && g.config.title) || typeName(g) });
      var items = [api.el("button", { type: "button", "data-act": "refresh", text: T.refresh })];
      if (editable) {
        items.unshift(api.el("button", { type: "button", "data-act": "edit", text: T.edit }));
        items.push(api.el("button", { type: "button", "data-act": "remove", text: T.remove }));
      }
      var menu = api.el("details", { "class": "menu gadget-menu" }, [
        api.el("summary", { "aria-label": T.menu, title: T.menu, text: "…" }),
        api.el("div", { "class": "menu-items right" }, items)]);
      var head = api.el("header", { "class": "gadget-head" }, [title, menu]);
      var body = api.el("div", { "class": "gadget-body", "aria-live": "polite" },
                        [api.el("p", { "class": "muted", text: T.loading })]);
      var foot = api.el("footer", { "class": "gadget-foot muted" });
      var boxEl = api.el("section", { "class": "gadget", "data-id": String(g.id), "data-type": g.type,
                                      "aria-label": title.textContent }, [head, body, foot]);
      menu.addEventListener("click", function (ev) {
        var act = ev.target.getAttribute("data-act");
        if (!act) { return; }
        menu.removeAttribute("open");
        if (act === "refresh") { load(g, true); }
        if (act === "edit") { configure(g); }
        if (act === "remove" && confirm(T.confirmRemove)) {
          call("DELETE", base + "/gadget/" + g.id).then(function () {
            dash.gadgets = dash.gadgets.filter(function (x) { return x.id !== g.id; });
            stop(g);
            boxEl.remove();
            if (!dash.gadgets.length) { layout(); }
          }, function (err) { alert(why(err)); });
        }
      });
      if (editable) {
        head.setAttribute("draggable", "true");
        head.addEventListener("dragstart", function (ev) {
          ev.dataTransfer.setData("text/plain", String(g.id));
          ev.dataTransfer.effectAllowed = "move";
          boxEl.classList.add("dragging");
        });
        head.addEventListener("dragend", function () { boxEl.classList.remove("dragging"); });
      }
      return boxEl;
    }

    function stop(g) {
      if (timers[g.id]) { clearInterval(timers[g.id]); delete timers[g.id]; }
      if (cleanups[g.id]) { try { cleanups[g.id](); } catch (e) { /* already gone */ } delete cleanups[g.id]; }
    }

    function box(g) { return grid.querySelector('.gadget[data-id="' + g.id + '"]'); }

    function show(g, answer, err) {
      var el = box(g);
      if (!el) { return; }
      var body = el.querySelector(".gadget-body"), foot = el.querySelector(".gadget-foot");
      el.classList.remove("loading");
      if (cleanups[g.id]) { try { cleanups[g.id](); } catch (e) { /* ignore */ } delete cleanups[g.id]; }
      body.innerHTML = "";
      if (err) {
        el.classList.add("failed");
        body.appendChild(api.el("p", { "class": "gadget-error", role: "alert", text: why(err) }));
        if (editable) {
          body.appendChild(api.el("button", { type: "button", "class": "btn btn-small", text: T.edit }));
          body.lastChild.addEventListener("click", function () { configure(g); });
        }
        return;
      }
      el.classList.remove("failed");
      var r = renderers[g.type];
      if (!r) { body.appendChild(api.el("p", { "class": "gadget-error", text: T.noRenderer })); return; }
      var done = r.render(body, answer.data, { id: g.id, type: g.type, config: g.config, title: answer.title, answer: answer });
      if (typeof done === "function") { cleanups[g.id] = done; }
      el.querySelector(".gadget-title").textContent = answer.title;
      foot.textContent = (answer.filter ? answer.filter.name + " · " : "") + T.updated + " " +
        new Date(answer.generated).toLocaleTimeString(document.documentElement.lang === "en" ? "en-GB" : "nb-NO", { hour: "2-digit", minute: "2-digit" });
      el.setAttribute("data-loaded", answer.generated);
    }

    function every(g) {
      if (timers[g.id]) { clearInterval(timers[g.id]); delete timers[g.id]; }
      var minutes = (g.config && g.config.refresh) || 0;
      if (minutes > 0) { timers[g.id] = setInterval(function () { load(g, false); }, minutes * 60000); }
    }

    function load(g, fresh) {
      var el = box(g);
      if (!el) { return; }
      el.classList.add("loading");
      call("GET", base + "/gadget/" + g.id + "/data" + (fresh ? "?refresh=1" : "")).then(
        function (answer) { show(g, answer); }, function (err) { show(g, null, err); });
      every(g);
    }

    // The whole dashboard in one request (each gadget with its own answer or error).
    function loadAll() {
      if (!dash.gadgets.length) { return; }
      dash.gadgets.forEach(function (g) { var el = box(g); if (el) { el.classList.add("loading"); } every(g); });
      call("GET", base + "/data").then(function (all) {
        var byId = {};
        all.gadgets.forEach(function (a) { byId[a.id] = a; });
        dash.gadgets.forEach(function (g) {
          var a = byId[g.id];
          if (!a) { return; }
          if (a.status === 200) { show(g, a); } else { var e = new Error("failed"); e.answer = a; show(g, null, e); }
        });
      }, function (err) { dash.gadgets.forEach(function (g) { show(g, null, err); }); });
    }

    // -- drag between and within columns -------------------------------------------------
    function dropZone(col) {
      col.addEventListener("dragover", function (ev) {
        ev.preventDefault();
        var moving = grid.querySelector(".gadget.dragging");
        if (!moving) { return; }
        var after = Array.prototype.find.call(col.querySelectorAll(".gadget:not(.dragging)"), function (el) {
          var r = el.getBoundingClientRect();
          return ev.clientY < r.top + r.height / 2;
        });
        if (after) { col.insertBefore(moving, after); } else { col.appendChild(moving); }
      });
      col.addEventListener("drop", function (ev) { ev.preventDefault(); saveLayout(dash.columns); });
    }

    function saveLayout(columns) {
      var lists = [];
      grid.querySelectorAll(".dash-col").forEach(function (col) {
        lists.push(Array.prototype.map.call(col.querySelectorAll(".gadget"), function (el) { return Number(el.getAttribute("data-id")); }));
      });
      while (lists.length > columns) { var extra = lists.pop(); lists[lists.length - 1] = lists[lists.length - 1].concat(extra); }
      return call("PUT", base + "/layout", { columns: columns, layout: lists }).then(function (d) {
        dash.columns = d.columns; dash.gadgets = d.gadgets;
        Object.keys(timers).forEach(function (id) { clearInterval(timers[id]); });
        timers = {};
        layout();
      }, function (err) { alert(why(err)); });
    }
    var colSelect = document.getElementById("dash-columns");
    if (colSelect) { colSelect.addEventListener("change", function () { saveLayout(Number(colSelect.value)); }); }

    // -- the gallery (Legg til et miniprogram) ---------------------------------------------
    var gallery = document.getElementById("gallery");
    var list = document.getElementById("gallery-list");
    var search = document.getElementById("gallery-search");
    function showGallery() {
      var q = (search.value || "").toLowerCase();
      list.innerHTML = "";
      page.types.filter(function (t) {
        return !q || (t.name + " " + t.description).toLowerCase().indexOf(q) >= 0;
      }).forEach(function (t) {
        var add = api.el("button", { type: "button", "class": "btn btn-small", text: T.addNow });
        add.addEventListener("click", function () {
          call("POST", base + "/gadget", { moduleKey: t.key, column: 0, config: {} }).then(function (g) {
            dash.gadgets.forEach(function (x) { if (x.position.column === 0) { x.position.row += 1; } });
            dash.gadgets.push(g);
            layout();
            add.textContent = T.added;
            if (t.usesFilter) { gallery.close(); configure(g); }
          }, function (err) { alert(why(err)); });
        });
        list.appendChild(api.el("li", { "data-type": t.key }, [
          api.el("div", {}, [api.el("strong", { text: t.name }), api.el("div", { "class": "muted", text: t.description })]), add]));
      });
    }
    var addButton = document.getElementById("add-gadget");
    if (addButton) {
      addButton.addEventListener("click", function () { search.value = ""; showGallery(); gallery.showModal(); search.focus(); });
      search.addEventListener("input", showGallery);
    }
    document.querySelectorAll("dialog [data-close]").forEach(function (b) {
      b.addEventListener("click", function () { b.closest("dialog").close(); });
    });

    // -- settings of one gadget ----------------------------------------------------------
    var dialog = document.getElementById("configure");
    var form = document.getElementById("configure-form");
    var fieldsBox = document.getElementById("configure-fields");
    var editing = null;
    function row(label, input) {
      var id = "cfg-" + input.getAttribute("name");
      input.id = id;
      return api.el("div", { "class": "form-row" }, [api.el("label", { "for": id, text: label }), input]);
    }
    function select(name, choices, value) {
      var s = api.el("select", { name: name });
      choices.forEach(function (c) {
        var o = api.el("option", { value: String(c.value), text: c.label });
        if (String(c.value) === String(value === undefined || value === null ? "" : value)) { o.selected = true; }
        s.appendChild(o);
      });
      return s;
    }
    function configure(g) {
      editing = g;
      var t = types[g.type] || { config: [], usesFilter: false, name: g.type };
      var cfg = g.config || {};
      document.getElementById("configure-title").textContent = T.settings + ": " + t.name;
      document.getElementById("configure-error").textContent = "";
      fieldsBox.innerHTML = "";
      fieldsBox.appendChild(row(T.title, api.el("input", { name: "title", value: cfg.title || "", placeholder: t.name })));
      if (t.usesFilter) {
        fieldsBox.appendChild(row(T.filter, select("filterId", [{ value: "", label: "—" }].concat(page.filters.map(function (f) { return { value: f.id, label: f.name }; })), cfg.filterId)));
        fieldsBox.appendChild(row(T.orJql, api.el("input", { name: "jql", value: cfg.jql || "" })));
      }
      t.config.forEach(function (f) {
        var value = cfg[f.name] !== undefined ? cfg[f.name] : f["default"];
        var input;
        if (f.choices) { input = select(f.name, f.choices, value); }
        else if (f.kind === "boolean") { input = api.el("input", { type: "checkbox", name: f.name }); input.checked = !!value; }
        else { input = api.el("input", { name: f.name, type: f.kind === "number" ? "number" : "text", value: value === undefined || value === null ? "" : String(value) }); }
        input.setAttribute("data-kind", f.kind);
        fieldsBox.appendChild(row(f.label, input));
      });
      fieldsBox.appendChild(row(T.interval, select("refresh", page.intervals, cfg.refresh || 0)));
      dialog.showModal();
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var g = editing, out = {};
      fieldsBox.querySelectorAll("[name]").forEach(function (input) {
        var name = input.getAttribute("name"), kind = input.getAttribute("data-kind");
        if (input.type === "checkbox") { out[name] = input.checked; return; }
        var v = input.value;
        if (name === "filterId" || name === "refresh" || kind === "number") { out[name] = v === "" ? null : Number(v); }
        else { out[name] = v; }
      });
      if (out.filterId) { out.jql = ""; }
      call("PUT", base + "/gadget/" + g.id, { config: out }).then(function (saved) {
        g.config = saved.config;
        dialog.close();
        var el = box(g);
        if (el) { el.querySelector(".gadget-title").textContent = g.config.title || typeName(g); }
        load(g, true);
      }, function (err) { document.getElementById("configure-error").textContent = why(err); });
    });

    layout();
  }
  document.addEventListener("DOMContentLoaded", init);
})();
