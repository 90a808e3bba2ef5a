// The calendar gadget (plugins/bookit/gadget.py): orders and hours per installer-day.
(function () {
  "use strict";
  var G = window.amsflowGadgets, el = G.el;
  var en = document.documentElement.lang === "en";
  G.define("bookit.calendar", { render: function (body, data) {
    var head = [en ? "Installer" : "Montør"].concat(data.days.map(function (d) {
      return d.slice(8, 10) + "." + d.slice(5, 7) + ".";
    }));
    var rows = data.rows.map(function (r) {
      return [r.installer].concat(r.days.map(function (c) {
        return c.orders ? c.orders + " (" + Math.round(c.minutes / 6) / 10 + " t)" : "–";
      }));
    });
    var thead = el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", { text: h }); }))]);
    var tbody = el("tbody", {}, rows.map(function (r) {
      return el("tr", {}, r.map(function (c) { return el("td", { text: String(c) }); }));
    }));
    body.appendChild(el("table", { "class": "table bookit-gadget" }, [thead, tbody]));
    body.appendChild(el("p", {}, [el("a", { href: data.calendar,
      text: (en ? "Open in the calendar" : "Åpne i kalenderen") + " (" + data.total + ")" })]));
  } });
})();
