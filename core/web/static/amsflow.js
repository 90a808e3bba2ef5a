// Small enhancements only; every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Close open <details> menus when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (ev) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (!d.contains(ev.target)) { d.removeAttribute("open"); }
    });
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      document.querySelectorAll("details.menu[open]").forEach(function (d) { d.removeAttribute("open"); });
    }
  });

  // <form data-confirm="Slette?">: ask before sending (no inline handlers: the CSP
  // allows only our own scripts).
  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) { ev.preventDefault(); }
  });

  // Buttons like "Kommentar" jump to a form and put the cursor in it.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("[data-focus]");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("data-focus"));
    if (target) {
      var tab = target.closest(".tab-panel");
      if (tab) { showTab(tab.id); }
      setTimeout(function () { target.focus(); }, 0);
    }
    var menu = link.closest("details.menu");
    if (menu) { menu.removeAttribute("open"); }
  });

  // Activity tabs (comments / history).
  function showTab(id) {
    document.querySelectorAll(".tab-panel").forEach(function (p) { p.hidden = p.id !== id; });
    document.querySelectorAll(".tab[data-tab]").forEach(function (t) {
      t.classList.toggle("active", t.getAttribute("data-tab") === id);
      t.setAttribute("aria-selected", t.getAttribute("data-tab") === id ? "true" : "false");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector(".tab[data-tab]")) { return; }
    showTab(location.hash === "#history" ? "history" : "comments");
    document.querySelectorAll(".tab[data-tab]").forEach(function (t) {
      t.addEventListener("click", function (ev) {
        ev.preventDefault();
        showTab(t.getAttribute("data-tab"));
        history.replaceState(null, "", "#" + t.getAttribute("data-tab"));
      });
    });
  });
})();
