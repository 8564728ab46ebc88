// Progressive enhancement only: every step works without this file.
// The step's rules run here (static/build/rules.js, held to the server's results by
// tests/test_rules_parity.py); what needs data not loaded yet, or the whole step when the bundle or
// the rules are missing, is asked of the server (the preview endpoint). The server validates again
// on every save. Answers autosave as a draft; offline they wait in IndexedDB and go when online.
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
      if (!out || state.computed[path] === undefined) return;
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

  // -- the rules in the browser --------------------------------------------------------------
  var local = null;  // {logic, form, saved, ref} once the rules and the saved answers are loaded

  function text(label) {
    if (label === null || label === undefined || typeof label !== "object") return label;
    return label[document.documentElement.lang] || label.id || label.en;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }

  var loading = null;  // the rules and the saved answers, on their way
  function loadLocal(form) {
    if (!window.FormRules || !form.dataset.rules) return Promise.resolve(null);
    loading = loading || Promise.all([getJson(form.dataset.rules), loadSubmission(form)]).then(function (both) {
      var rules = both[0], submission = both[1];
      if (String(rules.version) !== String(submission.form_version)) return null;  // another version: ask the server
      var ref = rules.reference;
      ref.kbli = {};
      ref.wilayah = {};
      local = { logic: window.FormRules.createLogic(ref), form: window.FormRules.compileForm(rules.definition),
                saved: submission.data || {}, ref: ref };
      return local;
    }).catch(function () { return null; }).then(function (ready) { if (!ready) loading = null; return ready; });
    return loading;
  }

  var regionLists = {};
  function regions(level, parent) {
    var url = "/api/v1/reference/wilayah/" + level + (parent ? "?parent=" + encodeURIComponent(parent) : "");
    if (!regionLists[url]) {
      regionLists[url] = getJson(url).then(function (body) {
        var names = local.ref.wilayah[level] = local.ref.wilayah[level] || {};
        body.items.forEach(function (item) { names[item.kode] = item.nama; });
        return body.items.map(function (item) { return { value: item.kode, label: item.nama }; });
      }).catch(function (error) { delete regionLists[url]; throw error; });
    }
    return regionLists[url];
  }

  // what a pending value needs: a KBLI code's data, or the region list that names a code
  function fetchMissing(what) {
    var parts = what.split(":");
    if (parts[0] === "kbli") {
      return getJson("/api/v1/reference/kbli/" + encodeURIComponent(parts[1]) + "/rules")
        .then(function (body) { local.ref.kbli[parts[1]] = body.entry; });
    }
    var code = parts[2], cut = code.lastIndexOf(".");
    return regions(parts[1], parts[1] === "provinsi" ? null : code.slice(0, cut > 0 ? cut : 0)).then(function () {
      var names = local.ref.wilayah[parts[1]];
      if (!Object.prototype.hasOwnProperty.call(names, code)) names[code] = null;  // no such region: null, as the server says
    });
  }

  function localState(form) {
    var step = form.dataset.step;
    var state = window.FormRules.evaluateState(local.logic, local.form,
      window.FormRules.candidate(local.form, step, formValues(form), local.saved));
    var keys = {};
    (local.form.stepsByKey[step].fields || []).forEach(function (f) { keys[f.key] = true; keys[f.each || f.key] = true; });
    var out = { fields: {}, computed: {}, shown: [], pending: state.pending, sources: [] };
    Object.keys(state.fields).forEach(function (path) {
      if (!keys[path.split(".")[0]]) return;
      var f = state.fields[path];
      if (state.pending[path] !== undefined) { out.computed[path] = undefined; return; }  // unknown yet: left as it is
      var options = null;
      if (Array.isArray(f.options)) {
        options = f.options.map(function (o) { return { value: o[0], label: text(o[1]) }; });
      } else if (f.options) {
        out.sources.push({ path: path, source: f.options.source, parent: f.options.parent });
      }
      out.fields[path] = { visible: f.visible, required: f.required, options: options };
      if (f.visible) out.shown.push(path);
    });
    Object.keys(state.computed).forEach(function (path) {
      if (keys[path.split(".")[0]] && state.pending[path] === undefined) out.computed[path] = state.computed[path];
    });
    out.shown.sort();
    return out;
  }

  var retries = 0;
  function refreshLocal(form) {
    var state = localState(form);
    var missing = Object.keys(state.pending).map(function (path) { return state.pending[path]; });
    applyState(form, state);
    Object.keys(state.pending).forEach(function (path) {
      var out = form.querySelector('[data-computed="' + path + '"]');
      if (out) out.textContent = "(" + texts(form).pending + ")";
    });
    state.sources.forEach(function (item) {
      var wrapper = wrapperOf(form, item.path), select = wrapper && wrapper.querySelector("select");
      if (!select) return;
      var only = item.source.only && item.source.only.map(String);  // a regional variant's restriction
      // only the list asked for last fills the select: an answer for an earlier parent may arrive after it
      var want = item.source.level + ":" + (item.parent || "");
      select.dataset.want = want;
      regions(item.source.level, item.parent).then(function (options) {
        if (select.dataset.want !== want) return;
        fillSelect(select, only ? options.filter(function (o) { return only.indexOf(String(o.value)) >= 0; }) : options);
      })
        .catch(function () { /* offline: the choices already on the page stay */ });
    });
    if (missing.length) {
      Promise.all(missing.map(fetchMissing)).then(function () { retries = 0; refreshLocal(form); })
        .catch(function () {
          // offline: "diperiksa saat tersambung" stays until the connection returns; a connection that is
          // just coming back gets a few more tries
          if (navigator.onLine && retries < 5) { retries += 1; setTimeout(function () { refreshLocal(form); }, 1500); }
        });
    }
  }

  var pending = null;
  function refresh(form) {
    if (local) { refreshLocal(form); return; }
    // a change while the rules are still loading waits for them; without them the server says
    if (loading) { loading.then(function (ready) { if (ready) refreshLocal(form); else refresh(form); }); return; }
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

  // -- autosave, offline ---------------------------------------------------------------------
  function texts(form) { return JSON.parse(form.dataset.texts || "{}"); }

  function status(form, message) {
    var out = form.querySelector("[data-save-status]");
    if (out) out.textContent = message;
  }

  // unsent answers, one record per submission and step: {key, url, entries, values, version}
  var db = null;
  function store(mode, work) {
    if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
    if (!db) {
      db = new Promise(function (resolve, reject) {
        var open = indexedDB.open("formserver", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("drafts", { keyPath: "key" }); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return db.then(function (handle) {
      return new Promise(function (resolve, reject) {
        var tx = handle.transaction("drafts", mode), request = work(tx.objectStore("drafts"));
        tx.oncomplete = function () { resolve(request && request.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function draftKey(form) { return form.dataset.draft; }

  // what autosave keeps and sends: never a password, nor a file (they go with the step itself)
  function entries(form) {
    var list = [];
    new FormData(form).forEach(function (value, name) {
      var input = form.elements[name];
      if (name === "csrf_token" || name.charAt(0) === "_" || (input && (input.type === "password" || input.type === "file"))) return;
      list.push([name, value]);
    });
    return list;
  }

  function nested(form, list) {
    var values = {};
    list.forEach(function (pair) {
      var input = form.elements[pair[0]];
      put(values, pair[0], pair[1], input && input.length && input[0] && input[0].type === "checkbox");
    });
    return values;
  }

  // names the applicant changed on this page: what is restored while the page settles (answers kept on this device,
  // newer ones from the server, read over a slow connection) never writes over them, as what was typed here is newest
  function touch(form, event) {
    if (event.target && event.target.name) (form.touched = form.touched || {})[event.target.name] = true;
  }

  function restore(form, list) {
    var byName = {};
    list.forEach(function (pair) { (byName[pair[0]] = byName[pair[0]] || []).push(pair[1]); });
    Object.keys(byName).forEach(function (name) {
      if (form.touched && form.touched[name]) return;
      var inputs = form.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
      inputs.forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") input.checked = byName[name].indexOf(input.value) >= 0;
        else if (input.tagName === "SELECT" && !Array.prototype.some.call(input.options, function (o) { return o.value === byName[name][0]; })) {
          var option = document.createElement("option");
          option.value = option.textContent = byName[name][0];
          input.appendChild(option);
          input.value = byName[name][0];
        } else input.value = byName[name][0];
      });
    });
  }

  // the submission's newest version this device knows: pages opened offline come from the service worker's copy,
  // older than the answers saved since
  function submissionKey(form) { return draftKey(form).replace(/\/steps\/[^/]+\/draft$/, ""); }
  function remember(form, version) {
    form.dataset.version = Math.max(Number(form.dataset.version) || 0, Number(version) || 0);
    var record = { key: "version:" + submissionKey(form), version: Number(form.dataset.version) };
    return store("readwrite", function (s) { return s.put(record); }).catch(function () {});
  }

  function record(form) {
    var list = entries(form);
    return { key: draftKey(form), step: form.dataset.step, entries: list, values: nested(form, list),
             version: Number(form.dataset.version) };
  }

  function saveDraft(form, force) {
    var kept = record(form);
    if (!navigator.onLine) return keepHere(form, kept);
    return send(form, kept, force);
  }

  // one record to the server: the current step's (its status shown), or a step changed offline on another page
  function send(form, kept, force) {
    var t = texts(form), here = kept.key === draftKey(form);
    if (here) status(form, t.saving);
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (force !== undefined) headers["If-Match"] = '"' + force + '"';
    return fetch(kept.key, {
      method: "PUT", credentials: "same-origin", headers: headers,
      body: JSON.stringify({ values: kept.values, version: force === undefined ? kept.version : null })
    }).then(function (r) {
      return r.json().then(function (body) {
        if (r.ok) {
          form.dataset.version = body.version;
          delete form.dataset.base;
          if (here) status(form, Object.keys(body.not_kept || {}).length ? t.not_saved : t.saved);
          // what the server now holds for the step, kept to fill this step's page when it is opened offline later
          var sent = { key: "sent:" + kept.key, entries: kept.entries, version: body.version };
          return Promise.all([remember(form, body.version),
            store("readwrite", function (s) { s.delete(kept.key); return s.put(sent); }).catch(function () {})])
            .then(function () { return true; });
        }
        if (r.status === 409 && body.version !== undefined) { conflict(form, body, kept); return false; }
        if (here) status(form, t.not_saved);
        return false;
      });
    }).catch(function () { if (here) keepHere(form, kept); return false; });
  }

  function keepHere(form, kept) {
    banner(form);
    if (kept.key === draftKey(form)) status(form, texts(form).kept_here);
    return store("readwrite", function (s) { return s.put(kept); }).catch(function () {});
  }

  // -- the conflict box: the applicant's answers beside the stored ones, by their labels ---------------
  function fieldOf(key) { return local && local.form.fieldsByKey[key]; }

  function labelOf(form, key, path) {
    var f = fieldOf(key);
    if (f && (f.label || f.text)) return text(f.label || f.text);
    var label = form.querySelector('[data-field="' + path + '"] [data-label]');
    if (label) {
      var copy = label.cloneNode(true);
      copy.querySelectorAll("[data-optional]").forEach(function (el) { el.remove(); });
      return copy.textContent.trim();
    }
    return key;
  }

  function choiceLabel(form, key, path, value) {
    var f = fieldOf(key), v = String(value);
    var option = f && (f.options || []).filter(function (o) { return String(o.value) === v; })[0];
    if (option) return text(option.label);
    var names = local && f && f.source && local.ref.wilayah[f.source.level];
    if (names && names[v]) return names[v];
    var wrapper = form.querySelector('[data-field="' + path + '"]');
    var input = wrapper && Array.prototype.filter.call(wrapper.querySelectorAll("input, option"),
      function (el) { return el.value === v && (el.tagName === "OPTION" || el.type === "radio" || el.type === "checkbox"); })[0];
    if (input && input.tagName === "OPTION") return input.textContent.trim() || v;
    var label = input && input.id && form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.trim() : v;
  }

  function readable(form, key, path, value) {
    var t = texts(form);
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return t.empty;
    if (value === true || value === "on") return t.yes;
    if (value === false) return t.no;
    if (Array.isArray(value)) return value.map(function (v) { return readable(form, key, path, v); }).join(", ");
    if (typeof value === "object") {
      return Object.keys(value).filter(function (k) { return k.charAt(0) !== "_"; }).map(function (k) {
        return labelOf(form, k, path + "." + k) + ": " + readable(form, k, path + "." + k, value[k]);
      }).join("; ");
    }
    return choiceLabel(form, key, path, value);
  }

  // answers compared as typed and as stored ("1.000" is 1000, a ticked box is true)
  function same(a, b) {
    var norm = function (v) {
      if (v === undefined || v === null || v === false) return "";
      if (v === true) return "on";
      return typeof v === "object" ? JSON.stringify(v) : String(v).replace(/[.\s]/g, "");
    };
    return norm(a) === norm(b);
  }

  // rows [what, mine, stored] for every answer that differs, items of a list one by one
  function differing(form, mine, theirs) {
    var rows = [];
    function walk(key, path, title, a, b) {
      var items = Array.isArray(a) && a.some(isItem) || Array.isArray(b) && b.some(isItem);
      if (items) {
        for (var i = 0; i < Math.max((a || []).length, (b || []).length); i++) {
          var x = (a || [])[i] || {}, y = (b || [])[i] || {};
          var keys = Object.keys(x).concat(Object.keys(y)).filter(function (k, n, all) { return k.charAt(0) !== "_" && all.indexOf(k) === n; });
          keys.forEach(function (k) {
            if (!(k in x) && fieldOf(k) && fieldOf(k).type === "computed") return;  // worked out, never typed
            walk(k, path + "." + i + "." + k, title + " " + (i + 1) + " › " + labelOf(form, k, path + "." + i + "." + k), x[k], y[k]);
          });
        }
        return;
      }
      if (!same(a, b)) rows.push([title, readable(form, key, path, a), readable(form, key, path, b)]);
    }
    function isItem(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
    var keys = Object.keys(mine || {});
    Object.keys(theirs || {}).forEach(function (k) {
      var f = fieldOf(k);
      if (keys.indexOf(k) < 0 && !(f && f.type === "computed")) keys.push(k);
    });
    keys.forEach(function (k) { walk(k, k, labelOf(form, k, k), (mine || {})[k], (theirs || {})[k]); });
    return rows;
  }

  function conflict(form, body, kept) {
    var t = texts(form), box = form.querySelector("[data-conflict]");
    if (!box) return;
    box.innerHTML = "";
    var p = document.createElement("p");
    p.textContent = t.conflict;
    var table = document.createElement("table"), head = document.createElement("tr");
    table.className = "conflict-table";
    [t.question, t.mine, t.theirs].forEach(function (words) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = words;
      head.appendChild(th);
    });
    table.appendChild(head);
    differing(form, kept.values, body.values).forEach(function (row) {
      var tr = document.createElement("tr");
      row.forEach(function (cell, i) {
        var td = document.createElement(i ? "td" : "th");
        if (!i) td.scope = "row";
        td.textContent = cell;
        tr.appendChild(td);
      });
      tr.setAttribute("data-conflict-row", "");
      table.appendChild(tr);
    });
    var mine = document.createElement("button"), theirs = document.createElement("button");
    mine.type = theirs.type = "button";
    mine.className = "button";
    theirs.className = "button secondary";
    mine.textContent = t.keep_mine;
    theirs.textContent = t.take_server;
    mine.setAttribute("data-keep-mine", "");
    theirs.setAttribute("data-take-server", "");
    mine.addEventListener("click", function () {
      box.hidden = true;
      if (kept.key === draftKey(form)) saveDraft(form, body.version); else send(form, kept, body.version);
    });
    theirs.addEventListener("click", function () {
      store("readwrite", function (s) { return s.delete(kept.key); }).catch(function () {})
        .then(function () { window.location.reload(); });
    });
    box.appendChild(p);
    box.appendChild(table);
    box.appendChild(mine);
    box.appendChild(theirs);
    box.hidden = false;
    box.setAttribute("tabindex", "-1");
    box.focus();
  }

  // the connection's live region: the offline banner while offline, a note when the connection returns
  function banner(form, back) {
    var el = form.querySelector("[data-offline-banner]"), note = form.querySelector("[data-online-note]");
    if (el) el.hidden = navigator.onLine;
    if (note) note.hidden = !(navigator.onLine && (back || !note.hidden));
  }

  // a step's stored answers as the inputs' name/value pairs ("a.0.b"), to fill a page the service worker kept
  function pairs(value, name, out) {
    if (value === null || value === undefined) return out;
    if (Array.isArray(value)) {
      value.forEach(function (v, i) {
        if (v !== null && typeof v === "object") pairs(v, name + "." + i, out); else out.push([name, v === true ? "on" : String(v)]);
      });
    } else if (typeof value === "object") {
      Object.keys(value).forEach(function (k) { pairs(value[k], name + "." + k, out); });
    } else {
      out.push([name, value === true ? "on" : String(value)]);
    }
    return out;
  }

  var submission = null;
  function loadSubmission(form) {
    submission = submission || getJson(form.dataset.submission);
    return submission;
  }

  // a page older than the answers this device saw (opened offline from the service worker's copy): the newer answers
  function catchUp(form) {
    return loadSubmission(form).then(function (doc) {
      if (!(Number(doc.version) > Number(form.dataset.version))) return;
      var list = [];
      Object.keys(doc.data || {}).forEach(function (key) {
        if (form.querySelector('[name="' + key + '"], [name^="' + key + '."]')) pairs(doc.data[key], key, list);
      });
      restore(form, list);
      form.dataset.version = doc.version;
    }).catch(function () {}).then(function () {
      // answers this device sent after that copy of the submission was made
      return store("readonly", function (s) { return s.get("sent:" + draftKey(form)); });
    }).then(function (sent) {
      if (sent && sent.version > Number(form.dataset.version)) restore(form, sent.entries);
    }).catch(function () {});
  }

  function knownVersion(form) {
    return store("readonly", function (s) { return s.get("version:" + submissionKey(form)); })
      .then(function (known) { if (known) form.dataset.version = Math.max(Number(form.dataset.version), known.version); })
      .catch(function () {});
  }

  function resumeDraft(form) {
    return store("readonly", function (s) { return s.get(draftKey(form)); }).then(function (kept) {
      if (!kept) return;
      restore(form, kept.entries);
      form.dataset.base = kept.version;  // what these answers were typed over: a newer version is someone else's
      status(form, texts(form).restored);
    }).catch(function () {}).then(function () { return navigator.onLine ? sendAll(form) : null; });
  }

  // everything this device kept for the submission, the later steps first (a draft of an earlier step opens it
  // again, after which the later steps cannot take a draft): each on the version the one before it gave
  var sendingAll = null;
  function sendAll(form) {
    if (sendingAll) return sendingAll;
    var order = (form.dataset.steps || "").split(",");
    sendingAll = store("readonly", function (s) { return s.getAll(); }).then(function (all) {
      var prefix = submissionKey(form) + "/steps/";
      var kept = (all || []).filter(function (r) { return r.entries && r.key.indexOf(prefix) === 0 && r.key !== draftKey(form); });
      var here = (all || []).some(function (r) { return r.key === draftKey(form); });
      if (here) kept.push(Object.assign(record(form), { version: Number(form.dataset.base || form.dataset.version) }));
      kept.sort(function (a, b) { return order.indexOf(b.step) - order.indexOf(a.step); });
      var base = kept.length ? kept[0].version : null;
      return kept.reduce(function (done, one, i) {
        return done.then(function (ok) {
          if (!ok) return false;
          if (i && one.version === base) one.version = Number(form.dataset.version);  // the version our last one gave
          return send(form, one);
        });
      }, Promise.resolve(true));
    }).catch(function () {}).then(function () { sendingAll = null; });
    return sendingAll;
  }

  // "Simpan dan lanjutkan" offline: the answers stay here and the next step opens if this device has it
  function nextOffline(form) {
    var order = (form.dataset.steps || "").split(",");
    if (local) {
      order = window.FormRules.evaluateState(local.logic, local.form,
        window.FormRules.candidate(local.form, form.dataset.step, formValues(form), local.saved)).path;
    }
    var next = order[order.indexOf(form.dataset.step) + 1];
    var done = form.dataset.changed ? keepHere(form, record(form)) : Promise.resolve();
    var url = next && form.getAttribute("action").replace(/[^/?]+(\?.*)?$/, next);
    return done.then(function () { return url && window.caches ? caches.match(url, { ignoreVary: true }) : null; }).then(function (hit) {
      if (hit) window.location.href = url;
      else status(form, texts(form).next_offline);
    });
  }

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js").catch(function () {}); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // log-out forgets what this device kept (a shared phone)
    document.querySelectorAll('form[action$="/keluar"], form[action$="/logout"]').forEach(function (out) {
      out.addEventListener("submit", function () {
        if (navigator.serviceWorker && navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("forget");
        if (window.indexedDB) indexedDB.deleteDatabase("formserver");
      });
    });
    var timer = null;
    document.addEventListener("input", function (event) {
      if (!event.target.dataset || !event.target.dataset.lookup) return;
      clearTimeout(timer);
      timer = setTimeout(function () { lookup(event.target); }, 200);
    });
    var summary = document.querySelector("[data-autofocus]");
    if (summary) summary.focus();
    document.querySelectorAll("form[data-preview]").forEach(function (form) {
      var autosave = null;
      function later() {
        clearTimeout(autosave);
        // offline every change is kept at once: the applicant may leave for another step the next moment
        if (!navigator.onLine) { saveDraft(form); return; }
        autosave = setTimeout(function () { saveDraft(form); }, 800);
      }
      banner(form);
      window.addEventListener("offline", function () { banner(form); });
      window.addEventListener("online", function () { retries = 0; banner(form, true); sendAll(form); refresh(form); });
      var rules = loadLocal(form);
      catchUp(form).then(function () { return knownVersion(form); }).then(function () { return remember(form, form.dataset.version); })
        .then(function () { return resumeDraft(form); }).then(function () { return rules; })
        .then(function (ready) { if (ready) refresh(form); })
        .then(function () { form.dataset.ready = "1"; });  // the page's rules have run (tests wait on it)
      form.addEventListener("input", function (event) { touch(form, event); form.dataset.changed = "1"; later(); });
      form.addEventListener("change", function (event) {
        touch(form, event);
        if (event.target.tagName === "SELECT" && event.target.dataset.source) clearChildren(form, event.target.name);
        form.dataset.changed = "1";
        refresh(form);
        later();
      });
      form.addEventListener("submit", function (event) {
        var button = form.querySelector("[data-prevent-double-click]");
        if (navigator.onLine || event.submitter !== button) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        clearTimeout(autosave);
        nextOffline(form);
      });
      form.addEventListener("submit", function () {
        // the step is sent whole now: no draft after it, and nothing kept here to restore over it later
        clearTimeout(autosave);
        if (navigator.onLine) store("readwrite", function (s) { return s.delete(draftKey(form)); }).catch(function () {});
      });
      form.addEventListener("submit", function (event) {
        var button = form.querySelector("[data-prevent-double-click]");
        if (form.dataset.sent && event.submitter === button) { event.preventDefault(); return; }
        if (event.submitter === button) form.dataset.sent = "1";
      });
    });
  });
})();
