/* Bulk change: the order list's tick boxes (taking over the navigator's selection)
   and the progress page, which polls bulk/queue/{taskId} until the task stops. */
(function () {
  "use strict";

  // ---- step 1: choose orders -------------------------------------------------------
  var form = document.getElementById("bulk-orders");
  if (form) {
    var boxes = form.querySelectorAll("tbody input[name=issue]");
    var all = document.getElementById("bulk-all");
    var chosen = document.getElementById("scope-chosen");
    var counter = document.getElementById("bulk-chosen-count");
    var count = function () {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; } });
      counter.textContent = "(" + n + ")";
      return n;
    };
    if (form.dataset.posted !== "1") {
      // The navigator keeps its ticked keys per search in sessionStorage.
      try {
        var saved = JSON.parse(sessionStorage.getItem("amsflow.selection") || "{}");
        if (saved.jql === form.dataset.jql && saved.keys && saved.keys.length) {
          boxes.forEach(function (b) { b.checked = saved.keys.indexOf(b.value) >= 0; });
          chosen.checked = true;
        }
      } catch (e) { /* no saved selection */ }
    }
    form.addEventListener("change", function (ev) {
      if (ev.target === all) { boxes.forEach(function (b) { b.checked = all.checked; }); }
      if (ev.target.name === "issue" || ev.target === all) { chosen.checked = count() > 0 || chosen.checked; }
      count();
    });
    count();
  }

  // ---- progress page ---------------------------------------------------------------
  var box = document.getElementById("bulk-progress");
  if (!box) { return; }
  var labels = JSON.parse(box.dataset.labels || "{}");
  var FINAL = ["COMPLETE", "CANCELLED", "FAILED"];
  var byId = function (id) { return document.getElementById(id); };
  var show = function (info) {
    var status = byId("bulk-status");
    status.textContent = labels[info.status] || info.status;
    status.dataset.status = info.status;
    byId("bulk-bar").style.width = info.progressPercent + "%";
    byId("bulk-bar-wrap").setAttribute("aria-valuenow", info.progressPercent);
    byId("bulk-percent").textContent = info.progressPercent;
    byId("bulk-done").textContent = info.succeededIssueCount;
    byId("bulk-failed").textContent = info.failedIssueCount;
    byId("bulk-skipped-count").textContent = info.skippedIssueCount;
    byId("bulk-cancel-form").hidden = ["ENQUEUED", "RUNNING"].indexOf(info.status) < 0;
    var body = byId("bulk-failures").querySelector("tbody");
    body.textContent = "";
    Object.keys(info.failedAccessibleIssues || {}).forEach(function (key) {
      var row = document.createElement("tr");
      var cell = document.createElement("td");
      var link = document.createElement("a");
      link.href = box.dataset.issueUrl.replace("KEY", encodeURIComponent(key));
      link.textContent = key;
      cell.className = "nowrap";
      cell.appendChild(link);
      var why = document.createElement("td");
      why.textContent = info.failedAccessibleIssues[key].join("; ");
      row.appendChild(cell);
      row.appendChild(why);
      body.appendChild(row);
    });
  };
  var poll = function () {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (info) {
        if (info) { show(info); }
        if (!info || FINAL.indexOf(info.status) < 0) { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  };
  if (FINAL.indexOf(byId("bulk-status").dataset.status) < 0) { poll(); }
}());
