// Progressive enhancement only: every step works without this file.
// The browser never decides what is visible or valid: it asks the server (the preview
// endpoint), which runs the same compiled rules that validate the step, so nothing drifts.
(function () {
  "use strict";
  document.documentElement.classList.add("js-enabled");

  // "a.0.b" names become {"a": [{"b": ...}]}, as the server reads them
  function put(root, name, value, many) {
    var parts = name.split("."), node = root;
    for (var i = 0; i < parts.length - 1; i++) {
      var key = parts[i], nextIsIndex = /^\d+$/.test(parts[i + 1]);
      if (node[key] === undefined) node[key] = nextIsIndex ? [] : {};
      node = node[key];
    }
    var last = parts[parts.length - 1];
    if (many) { (node[last] = node[last] || []).push(value); } else { node[last] = value; }
  }

  function formValues(form) {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (name === "csrf_token" || name.charAt(0) === "_") return;
      var input = form.elements[name];
      var many = input && input.length && input[0] && input[0].type === "checkbox";
      put(values, name, value, many);
    });
    return values;
  }

  function wrapperOf(form, path) {
    return form.querySelector('[data-field="' + path + '"]');
  }

  // "(tidak wajib)" after a field's label only where the server does not require an answer
  function markOptional(form, wrapper, optional) {
    var label = wrapper.querySelector("[data-label]");
    if (!label || label.closest("[data-field]") !== wrapper) return;
    var marker = label.querySelector("[data-optional]");
    if (optional && !marker) {
      marker = document.createElement("span");
      marker.className = "optional";
      marker.setAttribute("data-optional", "");
      marker.textContent = " " + form.dataset.optionalText;
      label.appendChild(marker);
    } else if (!optional && marker) {
      marker.remove();
    }
  }

  function applyState(form, state) {
    Object.keys(state.fields).forEach(function (path) {
      var wrapper = wrapperOf(form, path);
      if (!wrapper) return;
      var field = state.fields[path];
      wrapper.hidden = !field.visible;
      markOptional(form, wrapper, !field.required);
      if (field.options && field.visible) {
        var select = wrapper.querySelector("select");
        if (select) { fillSelect(select, field.options); return; }
        var shown = field.options.map(function (o) { return o.value; });
        wrapper.querySelectorAll("[data-option]").forEach(function (option) {
          option.hidden = shown.indexOf(option.dataset.option) < 0;
        });
      }
    });
    // the fields shown now, as the server counts them: posted back so their errors are reported as errors
    var shown = form.querySelector('input[name="_shown"]');
    if (shown && state.shown) {
      shown.value = state.shown.filter(function (path) { return wrapperOf(form, path); }).join(",");
    }
    Object.keys(state.computed || {}).forEach(function (path) {
      var out = form.querySelector('[data-computed="' + path + '"]');
      if (!out) return;
      var value = state.computed[path], labels = out.dataset.labels ? JSON.parse(out.dataset.labels) : {};
      out.textContent = value === null ? "" : (labels[value] || value);
    });
  }

  function fillSelect(select, options) {
    var current = select.value;
    var first = select.options[0];
    first.textContent = options.length ? select.dataset.placeholder : select.dataset.placeholderEmpty;
    select.innerHTML = "";
    select.appendChild(first);
    options.forEach(function (option) {
      var el = document.createElement("option");
      el.value = option.value;
      el.textContent = option.label;
      if (option.value === current) el.selected = true;
      select.appendChild(el);
    });
  }

  function clearChildren(form, parentKey) {
    form.querySelectorAll('select[data-parent="' + parentKey + '"]').forEach(function (child) {
      child.value = "";
      clearChildren(form, child.name);
    });
  }

  var pending = null;
  function refresh(form) {
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.dataset.preview, {
      method: "POST", credentials: "same-origin", signal: pending.signal,
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ values: formValues(form) })
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) applyState(form, state); })
      .catch(function () { /* offline or aborted: the server still decides on submit */ });
  }

  // suggestions while typing (e.g. KBLI codes by number or words); the typed value is what is sent
  function lookup(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var q = input.value.trim();
    if (!list || q.length < 2) return;
    fetch(input.dataset.lookup + "?limit=10&q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        list.innerHTML = "";
        body.items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.kode;
          option.label = item.kode + " – " + item.judul;
          option.textContent = item.judul;
          list.appendChild(option);
        });
      }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var timer = null;
    document.addEventListener("input", function (event) {
      if (!event.target.dataset || !event.target.dataset.lookup) return;
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(event.target); }, 200);
    });
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
    document.querySelectorAll("form[data-preview]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.tagName === "SELECT" && event.target.dataset.source) clearChildren(form, event.target.name);
        refresh(form);
      });
      form.addEventListener("submit", function (event) {
        var button = form.querySelector("[data-prevent-double-click]");
        if (form.dataset.sent && event.submitter === button) { event.preventDefault(); return; }
        if (event.submitter === button) form.dataset.sent = "1";
      });
    });
  });
})();
