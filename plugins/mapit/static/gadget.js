/* The map gadget (plugins/mapit/gadget.py): the server's clusters and pins on Leaflet,
 * coloured as on the map page; a click on a pin opens the order. */
(function () {
  "use strict";
  var G = window.amsflowGadgets;
  ["/vendor/leaflet/dist/leaflet.css", "/mapit/static/mapit.css"].forEach(function (href) {
    if (document.querySelector('link[href="' + href + '"]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet"; link.href = href;
    document.head.appendChild(link);
  });
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  G.define("mapit.map", { render: function (body, data, gadget) {
    body.appendChild(G.total(data.total, gadget.answer.jql));
    var box = G.el("div", { "class": "mapit-gadget" });
    box.style.height = "320px";
    body.appendChild(box);
    var legend = {};
    data.legend.forEach(function (s) { legend[s.key] = s; });
    var map = L.map(box, { preferCanvas: true });
    if (data.tiles.url) L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution }).addTo(map);
    var points = [];
    data.features.forEach(function (f) {
      var c = f.geometry.coordinates, p = f.properties, html;
      points.push([c[1], c[0]]);
      if (p.cluster) {
        html = '<div class="mapit-cluster' + (p.alerts ? " has-alert" : "") + '" data-count="' +
          p.point_count + '">' + p.point_count + "</div>";
        L.marker([c[1], c[0]], { icon: L.divIcon({ className: "mapit-icon", iconSize: [34, 34], html: html }) }).addTo(map);
      } else {
        var st = legend[p.status] || { marker: "#6b778c", name: p.status };
        html = '<div class="mapit-pin' + (p.alert ? " mapit-alert" : "") + '" data-issue-key="' + esc(p.key) +
          '" style="--pin:' + esc(st.marker) + '" title="' + esc(p.key + " · " + st.name) + '">' +
          (p.alert ? "!" : "") + "</div>";
        L.marker([c[1], c[0]], { icon: L.divIcon({ className: "mapit-icon", iconSize: [22, 22], html: html }) })
          .on("click", function () { window.location.href = "/browse/" + encodeURIComponent(p.key); })
          .addTo(map);
      }
    });
    if (points.length) map.fitBounds(points, { padding: [24, 24], maxZoom: 14 });
    else map.setView([64.5, 12], 4);
    box.dataset.ready = "true";
    return function () { map.remove(); };
  } });
})();
