// Live preview of the SMS text with its encoding and segment count (server computed,
// so the panel shows exactly what will be sent).
(function () {
  function start() {
    var panel = document.querySelector(".sms-panel");
    var form = document.getElementById("sms-send-form");
    if (!panel || !form) return;
    var kind = document.getElementById("sms-kind");
    var text = document.getElementById("sms-text");
    var info = document.getElementById("sms-preview-info");
    var body = document.getElementById("sms-preview-body");
    var timer = null;
    function refresh() {
      var url = panel.dataset.previewUrl + "?kind=" + encodeURIComponent(kind.value) +
        "&text=" + encodeURIComponent(text.value);
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (p) {
          if (p.body === undefined) return;
          info.textContent = p.encoding + " · " + p.units + " tegn · " + p.segments +
            " SMS · " + p.remaining + " igjen" + (p.problem ? " · " + p.problem : "");
          info.classList.toggle("error", !!p.problem);
          body.textContent = p.body;
          info.dataset.segments = p.segments;
          info.dataset.encoding = p.encoding;
        });
    }
    function later() { clearTimeout(timer); timer = setTimeout(refresh, 150); }
    text.addEventListener("input", later);
    kind.addEventListener("change", refresh);
    refresh();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
