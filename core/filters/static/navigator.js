// The navigator's small helpers: JQL completion, column chooser, row selection.
// The page works without them; they only save typing and clicks.
(function () {
  "use strict";

  // ---- JQL completion -------------------------------------------------------
  var box = document.getElementById("jql");
  var list = document.getElementById("jql-suggest");
  var data = null;
  var items = [];
  var active = -1;
  var seq = 0;  // answers to an older keystroke (or after Escape) are dropped
  var OPERATORS = ["=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in", "is", "is not",
                   "was", "was in", "was not", "was not in", "changed"];
  var KEYWORDS = ["and", "or", "not", "order by", "asc", "desc", "empty"];

  function load() {
    if (data || !box) { return Promise.resolve(data); }
    return fetch(box.dataset.autocomplete, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (d) { data = d; return d; });
  }

  // Split the text before the cursor into JQL tokens (quoted strings kept whole).
  function tokens(text) {
    var re = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[(),]|!=|>=|<=|!~|[=~<>]|[^\s(),=!<>~"']+/g;
    var out = [], m;
    while ((m = re.exec(text)) !== null) { out.push({text: m[0], start: m.index}); }
    return out;
  }

  function unquote(t) { return t.replace(/^["']|["']$/g, ""); }

  // What the cursor is on: a field name, an operator, or a value of a field.
  function context() {
    var before = box.value.slice(0, box.selectionStart);
    var toks = tokens(before);
    var endsWithSpace = /\s$/.test(before) || before === "";
    var current = endsWithSpace ? "" : (toks.length ? toks[toks.length - 1].text : "");
    var start = endsWithSpace ? before.length : (toks.length ? toks[toks.length - 1].start : 0);
    var prev = toks.slice(0, endsWithSpace ? toks.length : toks.length - 1);
    var words = prev.map(function (t) { return t.text.toLowerCase(); });
    var last = words[words.length - 1] || "";
    if (!prev.length || ["and", "or", "not", "(", "by", ","].indexOf(last) >= 0 &&
        !(last === "," && inList(words))) {
      return {kind: "field", typed: current, start: start};
    }
    if (OPERATORS.indexOf(last) >= 0 || last === "(" || (last === "," && inList(words))) {
      return {kind: "value", typed: current, start: start, field: fieldOf(prev)};
    }
    var prevIsOp = words.length >= 2 && OPERATORS.indexOf(words[words.length - 2]) >= 0;
    if (prevIsOp || words[words.length - 2] === "by") {
      return {kind: "keyword", typed: current, start: start};
    }
    return {kind: "operator", typed: current, start: start};
  }

  function inList(words) {
    var depth = 0;
    for (var i = words.length - 1; i >= 0; i--) {
      if (words[i] === ")") { depth++; }
      if (words[i] === "(") { if (depth === 0) { return i > 0 && /in$/.test(words[i - 1]); } depth--; }
    }
    return false;
  }

  function fieldOf(prev) {
    for (var i = prev.length - 1; i >= 0; i--) {
      var w = prev[i].text.toLowerCase();
      if (OPERATORS.indexOf(w) >= 0 && i > 0) {
        var j = i - 1;
        if (w === "in" && j >= 0 && prev[j].text.toLowerCase() === "not") { j--; }
        if (j >= 0 && ["is", "was"].indexOf(prev[j].text.toLowerCase()) >= 0) { j--; }
        return j >= 0 ? unquote(prev[j].text) : "";
      }
    }
    return "";
  }

  function show(values, ctx) {
    items = values.slice(0, 15);
    list.innerHTML = "";
    active = items.length ? 0 : -1;
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.innerHTML = item.html || "";
      if (!item.html) { li.textContent = item.value; }
      if (i === 0) { li.className = "active"; }
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i, ctx); });
      list.appendChild(li);
    });
    list.hidden = !items.length;
    list._ctx = ctx;
  }

  function choose(i, ctx) {
    var item = items[i];
    if (!item) { return; }
    var text = box.value, end = box.selectionStart;
    var insert = item.value + " ";
    box.value = text.slice(0, ctx.start) + insert + text.slice(end);
    var pos = ctx.start + insert.length;
    box.setSelectionRange(pos, pos);
    close();
    box.focus();
    update();
  }

  function startsWith(v, typed) { return v.toLowerCase().indexOf(unquote(typed).toLowerCase()) === 0; }

  function close() { seq++; list.hidden = true; }

  function update() {
    var ctx = context();
    var mine = ++seq;
    load().then(function (d) {
      if (!d || mine !== seq) { return; }
      if (ctx.kind === "field") {
        show(d.visibleFieldNames.filter(function (f) {
          return startsWith(f.value, ctx.typed) || startsWith(f.displayName, ctx.typed);
        }).map(function (f) { return {value: f.value, html: null}; }), ctx);
      } else if (ctx.kind === "operator") {
        show(OPERATORS.filter(function (o) { return startsWith(o, ctx.typed); })
          .map(function (o) { return {value: o}; }), ctx);
      } else if (ctx.kind === "keyword") {
        show(KEYWORDS.filter(function (o) { return ctx.typed && startsWith(o, ctx.typed); })
          .map(function (o) { return {value: o}; }), ctx);
      } else {
        var url = box.dataset.suggest + "?fieldName=" + encodeURIComponent(ctx.field) +
          "&fieldValue=" + encodeURIComponent(unquote(ctx.typed));
        fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); })
          .then(function (res) {
            if (mine !== seq) { return; }
            var fns = d.visibleFunctionNames.filter(function (f) { return ctx.typed && startsWith(f.value, ctx.typed); })
              .map(function (f) { return {value: f.value}; });
            show((res.results || []).map(function (v) {
              return {value: v.value, html: v.displayName};
            }).concat(fns), ctx);
          });
      }
    });
  }

  if (box && list) {
    box.addEventListener("input", update);
    box.addEventListener("focus", update);
    box.addEventListener("blur", function () { setTimeout(close, 150); });
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && (list.hidden || active < 0)) {
        ev.preventDefault();
        box.form.submit();
        return;
      }
      if (ev.key === "Escape") { close(); return; }
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        active = (active + (ev.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        Array.prototype.forEach.call(list.children, function (li, i) {
          li.className = i === active ? "active" : "";
        });
      } else if (ev.key === "Enter" || ev.key === "Tab") {
        if (active >= 0) { ev.preventDefault(); choose(active, list._ctx); }
      }
    });
  }

  // ---- column chooser ------------------------------------------------------
  var colList = document.getElementById("column-list");
  var colForm = document.getElementById("columns-form");
  if (colList && colForm) {
    colList.addEventListener("click", function (ev) {
      var btn = ev.target.closest("button");
      if (!btn) { return; }
      var li = btn.closest("li");
      if (btn.classList.contains("up") && li.previousElementSibling) {
        colList.insertBefore(li, li.previousElementSibling);
      } else if (btn.classList.contains("down") && li.nextElementSibling) {
        colList.insertBefore(li.nextElementSibling, li);
      }
    });
    colForm.addEventListener("submit", function () {
      var ids = [];
      colList.querySelectorAll("li").forEach(function (li) {
        if (li.querySelector("input").checked) { ids.push(li.dataset.id); }
      });
      document.getElementById("columns-value").value = ids.join(",");
    });
  }

  // ---- selection (the bulk-change wizard reads sessionStorage) --------------
  var table = document.getElementById("results");
  if (table) {
    var all = document.getElementById("select-all");
    var counter = document.getElementById("selected-count");
    var boxes = table.querySelectorAll("tbody input[name=issue]");
    var store = "amsflow.selection";
    var saved = {};
    try { saved = JSON.parse(sessionStorage.getItem(store) || "{}"); } catch (e) { saved = {}; }
    var keys = saved.jql === table.dataset.jql ? (saved.keys || []) : [];
    function persist() {
      boxes.forEach(function (b) {
        var i = keys.indexOf(b.value);
        if (b.checked && i < 0) { keys.push(b.value); }
        if (!b.checked && i >= 0) { keys.splice(i, 1); }
        b.closest("tr").classList.toggle("selected", b.checked);
      });
      sessionStorage.setItem(store, JSON.stringify({jql: table.dataset.jql, keys: keys}));
      counter.textContent = keys.length ? counter.dataset.template.replace("{n}", keys.length) : "";
    }
    boxes.forEach(function (b) { b.checked = keys.indexOf(b.value) >= 0; });
    // Bulk change of the ticked orders: the ticks may span pages, so post them all.
    var bulkForm = document.getElementById("bulk-selected");
    if (bulkForm) {
      bulkForm.addEventListener("submit", function (ev) {
        if (!keys.length) { ev.preventDefault(); counter.textContent = counter.dataset.none; return; }
        bulkForm.querySelectorAll("input[name=issue]").forEach(function (i) { i.remove(); });
        keys.forEach(function (k) {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = "issue"; input.value = k;
          bulkForm.appendChild(input);
        });
      });
    }
    table.addEventListener("change", function (ev) {
      if (ev.target === all) { boxes.forEach(function (b) { b.checked = all.checked; }); }
      persist();
    });
    persist();
  }
}());
