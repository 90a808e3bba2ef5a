// Renderers of the built-in gadget types (gadgets/*.py); see core/dashboards/contract.py.
(function () {
  "use strict";
  var G = window.amsflowGadgets, el = G.el;
  function texts() { return JSON.parse(document.getElementById("dashboard-data").textContent).texts; }
  function issueLink(key) { return el("a", { href: "/browse/" + key, text: key }); }
  function navigator(jql) { return "/issues/?jql=" + encodeURIComponent(jql); }
  function total(n, jql) {
    return el("p", { "class": "gadget-total" }, [texts().total + ": ",
      el("a", { href: navigator(jql), "class": "count", text: G.number(n) })]);
  }
  function table(head, rows) {
    var thead = el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { text: h }); }))]);
    var tbody = el("tbody", {}, rows.map(function (r) {
      return el("tr", {}, r.map(function (c) { return typeof c === "object" ? el("td", {}, [c]) : el("td", { text: String(c) }); }));
    }));
    return el("table", { "class": "table" }, [thead, tbody]);
  }
  function chart(canvasParent, config) {
    var canvas = el("canvas", { role: "img", "aria-label": config.label || "" });
    canvasParent.appendChild(canvas);
    if (!window.Chart) { return null; }
    var c = new window.Chart(canvas, config);
    return function () { c.destroy(); };
  }
  G.table = table; G.chart = chart; G.total = total;

  G.define("gadgets.filter_results", { render: function (body, data, gadget) {
    body.appendChild(total(data.total, gadget.answer.jql));
    if (!data.rows.length) { body.appendChild(el("p", { "class": "muted", text: texts().none })); return; }
    var keyCol = data.columns.findIndex(function (c) { return c.id === "key"; });
    body.appendChild(table(data.columns.map(function (c) { return c.label; }), data.rows.map(function (r) {
      return r.cells.map(function (c, i) { return i === keyCol ? issueLink(r.key) : c; });
    })));
  } });

  G.define("gadgets.pie", { render: function (body, data, gadget) {
    body.appendChild(total(data.total, gadget.answer.jql));
    if (!data.slices.length) { body.appendChild(el("p", { "class": "muted", text: texts().none })); return; }
    var done = chart(body, { type: "pie", label: data.fieldLabel, data: {
      labels: data.slices.map(function (s) { return s.label; }),
      datasets: [{ data: data.slices.map(function (s) { return s.count; }),
                   backgroundColor: data.slices.map(function (s, i) { return G.palette[i % G.palette.length]; }) }] },
      options: { animation: false, plugins: { legend: { position: "right" } } } });
    body.appendChild(table([data.fieldLabel, texts().total], data.slices.map(function (s) { return [s.label, G.number(s.count)]; })));
    return done;
  } });

  G.define("gadgets.two_dimensional", { render: function (body, data, gadget) {
    body.appendChild(total(data.total, gadget.answer.jql));
    var head = [data.yLabel + " / " + data.xLabel].concat(data.columns, [texts().total]);
    var rows = data.rows.map(function (r) { return [r.label].concat(r.counts.map(G.number), [G.number(r.total)]); });
    rows.push([texts().total].concat(data.columnTotals.map(G.number), [G.number(data.total)]));
    body.appendChild(table(head, rows));
  } });
  function series(body, data, type, stacked) {
    var done = chart(body, { type: type, label: data.labels.join(", "), data: {
      labels: data.labels,
      datasets: data.datasets.map(function (d, i) {
        return { label: d.label, data: d.counts, backgroundColor: G.palette[i % G.palette.length],
                 borderColor: G.palette[i % G.palette.length], fill: false, tension: 0.2 };
      }) },
      options: { animation: false, scales: { x: { stacked: !!stacked }, y: { stacked: !!stacked, beginAtZero: true } },
                 plugins: { legend: { position: "bottom" } } } });
    var head = [""].concat(data.labels, [texts().total]);
    body.appendChild(table(head, data.datasets.map(function (d) {
      return [d.label].concat(d.counts.map(G.number), [G.number(d.total)]);
    })));
    return done;
  }

  G.define("gadgets.progress", { render: function (body, data) {
    body.appendChild(el("p", { "class": "big-number", text: G.number(data.total) }));
    return series(body, data, "bar", data.stacked);
  } });

  G.define("gadgets.created_vs_resolved", { render: function (body, data) {
    return series(body, data, "line", false);
  } });

  G.define("gadgets.average_age", { render: function (body, data) {
    var days = data.averageDays === null ? "–" : G.number(data.averageDays);
    body.appendChild(el("p", { "class": "big-number", text: days + " " + texts().days }));
    if (!data.rows.length) { body.appendChild(el("p", { "class": "muted", text: texts().none })); return; }
    var done = chart(body, { type: "bar", label: data.fieldLabel, data: {
      labels: data.rows.map(function (r) { return r.label; }),
      datasets: [{ label: texts().days, data: data.rows.map(function (r) { return r.averageDays; }), backgroundColor: G.palette[0] }] },
      options: { animation: false, indexAxis: "y", plugins: { legend: { display: false } } } });
    body.appendChild(table([data.fieldLabel, texts().orders, texts().days], data.rows.map(function (r) {
      return [r.label, G.number(r.count), G.number(r.averageDays)];
    })));
    return done;
  } });

  G.define("gadgets.bomtur", { render: function (body, data, gadget) {
    body.appendChild(total(data.total, gadget.answer.jql));
    if (!data.slices.length) { body.appendChild(el("p", { "class": "muted", text: texts().none })); return; }
    var pie = data.chart === "pie";
    var done = chart(body, { type: pie ? "pie" : "bar", label: data.fieldLabel, data: {
      labels: data.slices.map(function (s) { return s.label; }),
      datasets: [{ label: data.fieldLabel, data: data.slices.map(function (s) { return s.count; }),
                   backgroundColor: data.slices.map(function (s, i) { return G.palette[(i + 3) % G.palette.length]; }) }] },
      options: { animation: false, indexAxis: pie ? "x" : "y", plugins: { legend: { display: pie, position: "right" } } } });
    body.appendChild(table([data.fieldLabel, texts().total], data.slices.map(function (s) { return [s.label, G.number(s.count)]; })));
    return done;
  } });

  G.define("gadgets.activity", { render: function (body, data) {
    if (!data.events.length) { body.appendChild(el("p", { "class": "muted", text: texts().none })); return; }
    var locale = document.documentElement.lang === "en" ? "en-GB" : "nb-NO";
    body.appendChild(el("ul", { "class": "activity" }, data.events.map(function (e) {
      var when = new Date(e.when).toLocaleString(locale, { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
      return el("li", {}, [el("span", { "class": "muted", text: when + " " }), el("strong", { text: e.who || "—" }), " ",
        issueLink(e.key), el("ul", {}, e.changes.map(function (c) {
          return el("li", { text: c.field + ": " + (c.from || "—") + " → " + (c.to || "—") });
        }))]);
    })));
  } });
})();
