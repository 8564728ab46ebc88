// The state of a step in the browser: a port of formserver/state.py (Evaluator.evaluate) and of the
// conversion and item merging in formserver/validate.py, over the rules of client/rules.js.
// tests/test_rules_parity.py compares it with the server's preview, field by field.
import { truthy } from "./compat.js";
import { Pending } from "./operators.js";

const ROOTS = ["akun"];
const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

export function empty(v) {
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0);
}

function walkFields(fields, visit) {
  (fields || []).forEach((f) => { visit(f); walkFields(f.fields, visit); });
}

export function compileForm(spec) {
  const fieldsByKey = {}, stepOfField = {}, stepsByKey = {};
  spec.steps.forEach((step, index) => {
    stepsByKey[step.key] = { ...step, index };
    walkFields(step.fields, (f) => { fieldsByKey[f.key] = f; stepOfField[f.key] = step.key; });
  });
  return { spec, steps: spec.steps.map((s) => stepsByKey[s.key]), stepsByKey, fieldsByKey, stepOfField };
}

// the lists the reference data sent with the rules holds (formserver/reference/lingkungan.py and bupm.py);
// undefined for a list fetched on demand (the regions)
function referenceList(ref, source, parentValue) {
  if (source.reference === "lingkungan") {
    const kinds = (ref.environment && ref.environment.kinds) || [];
    if (source.level === "jenis_usaha") {
      const code = parentValue === null || parentValue === undefined ? "" : String(parentValue).trim();
      if (!code) return [];
      return kinds.filter((k) => k.kbli_awalan.some((p) => p === "*" || code.indexOf(p) === 0)).map((k) => [k.kode, k.label]);
    }
    const kind = typeof parentValue === "string" ? kinds.find((k) => k.kode === parentValue) : undefined;
    const parameter = kind ? kind.parameter.find((p) => p.key === source.level) : undefined;
    return parameter ? parameter.pilihan.map((c) => [c.kode, c.label]) : [];
  }
  if (source.reference === "bupm" && ref.bupm) {
    if (source.level !== "kegiatan" || typeof parentValue !== "string") return [];
    return (ref.bupm[parentValue.trim()] || []).map((pair) => [pair[0], pair[1]]);
  }
  return undefined;
}

// a regional variant's restriction (source.only, formserver/reference/options.py): only these codes are offered
function restricted(source, list) {
  if (!Array.isArray(source.only)) return list;
  const allowed = source.only.map(String);
  return list.filter((pair) => allowed.indexOf(String(pair[0])) >= 0);
}

const repeats = (f) => !!(f.repeat || f.each);
const dataKey = (f) => f.each || f.key;

export function evaluateState(logic, form, answers) {
  const state = { data: {}, computed: {}, fields: {}, stepsVisible: {}, path: [], pending: {} };
  Object.keys(answers).forEach((k) => {
    if (has(form.fieldsByKey, k) || ROOTS.indexOf(k) >= 0) state.data[k] = answers[k];
  });
  let pendingHere = null;
  const run = (rule, context) => {
    try {
      return logic.evaluate(rule, context);
    } catch (error) {
      if (!(error instanceof Pending)) throw error;
      pendingHere = error.what;
      return null;
    }
  };
  const ruleOf = (f, key) => (f[key] === undefined ? null : f[key]);

  function hide(f, path, holder) {
    if (f.each) {
      (Array.isArray(holder[f.each]) ? holder[f.each] : []).forEach((item, i) => {
        (f.fields || []).forEach((c) => hide(c, f.each + "." + i + "." + c.key, isObject(item) ? item : {}));
      });
    } else {
      delete holder[f.key];
    }
    delete state.computed[path];
    Object.keys(state.fields).forEach((known) => {
      if (known === path || known.indexOf(path + ".") === 0) state.fields[known] = { visible: false, required: false, options: null };
    });
    if (f.type === "group" && !repeats(f)) (f.fields || []).forEach((c) => hide(c, c.key, holder));
  }

  function options(f, context) {
    if (f.source) {
      const parent = f.source.parent;
      const parentValue = parent ? context[parent] : null;
      if (parent && empty(parentValue)) return [];
      const listed = referenceList(logic.ref || {}, f.source, parentValue);
      if (listed !== undefined) return restricted(f.source, listed);
      return { source: f.source, parent: parent ? parentValue : null };
    }
    if (f.options) {
      return f.options.filter((o) => ruleOf(o, "visible_if") === null || truthy(run(o.visible_if, context)))
        .map((o) => [o.value, o.label]);
    }
    return null;
  }

  function field(f, path, parentShown, context, holder) {
    pendingHere = null;
    let shown = parentShown && (ruleOf(f, "visible_if") === null || truthy(run(f.visible_if, context)));
    let opts = shown ? options(f, context) : null;
    // a reference list that is empty for this answer is not asked (the server's skip_when_empty)
    if (Array.isArray(opts) && opts.length === 0 && f.source && f.source.skip_when_empty) { shown = false; opts = null; }
    if (ruleOf(f, "compute") !== null && shown) {
      const value = run(f.compute, context);
      holder[f.key] = value;
      state.computed[path] = value;
    }
    const required = shown && (ruleOf(f, "required_if") !== null ? truthy(run(f.required_if, context)) : !!f.required);
    if (pendingHere !== null) state.pending[path] = pendingHere;
    state.fields[path] = { visible: shown, required, options: opts };
    if (!shown) { hide(f, path, holder); return; }
    if (f.type === "group") group(f, path, context, holder);
  }

  function group(f, path, context, holder) {
    if (!repeats(f)) {
      (f.fields || []).forEach((c) => field(c, c.key, true, context, holder));
      return;
    }
    const key = dataKey(f);
    let items = holder[key];
    if (!f.each) {
      items = Array.isArray(items) ? items.map((x) => (isObject(x) ? { ...x } : {})) : [];
      if (has(holder, key)) holder[key] = items;
    }
    (Array.isArray(items) ? items : []).forEach((item, i) => {
      item = isObject(item) ? item : {};
      const scope = { ...context, ...item };
      const itemPath = f.each ? key + "." + i : path + "." + i;
      if (ruleOf(f, "item_visible_if") !== null && !truthy(run(f.item_visible_if, scope))) {
        (f.fields || []).forEach((c) => hide(c, itemPath + "." + c.key, item));
        return;
      }
      (f.fields || []).forEach((c) => {
        field(c, itemPath + "." + c.key, true, scope, item);
        if (has(item, c.key)) scope[c.key] = item[c.key]; else delete scope[c.key];
      });
    });
  }

  function next(step) {
    for (const n of step.next || []) {
      if (n.if === undefined || n.if === null || truthy(run(n.if, state.data))) return form.stepsByKey[n.step];
    }
    const later = form.steps.slice(step.index + 1).filter((s) => state.stepsVisible[s.key]);
    return later.length ? later[0] : null;
  }

  form.steps.forEach((step) => {
    const shown = ruleOf(step, "visible_if") === null || truthy(run(step.visible_if, state.data));
    state.stepsVisible[step.key] = shown;
    (step.fields || []).forEach((f) => field(f, f.key, shown, state.data, state.data));
  });
  const visible = form.steps.filter((s) => state.stepsVisible[s.key]);
  let step = visible.length ? visible[0] : null;
  while (step && state.path.length < form.steps.length) {
    state.path.push(step.key);
    step = step.end ? null : next(step);
  }
  form.steps.forEach((s) => {
    if (state.path.indexOf(s.key) < 0) (s.fields || []).forEach((f) => hide(f, f.key, state.data));
  });
  return state;
}

// -- posted text to typed values, as the server's field types read it (formserver/compile/fields.py) --

const CONSENT_TRUE = ["true", "True", "on", "1", "ya", "yes"];
const CONSENT_FALSE = ["false", "False", "off", "0", "", "tidak", "no"];

function whole(text) {
  if (!/^\s*-?\d{1,16}\s*$/.test(text)) return undefined;
  const n = parseInt(text, 10);
  return Math.abs(n) >= 1e16 ? undefined : n;
}

// the length, pattern and range a field's definition asks for (FieldType.checks): an answer outside them is
// refused by the server, so no rule reads it. Lengths in code points, as Python counts; a pattern matched from the
// start, as re.match does
const MAX_LENGTH = { text: 500, textarea: 5000, email: 254, phone: 20, password: 128 };

function passes(f, v) {
  const ceiling = MAX_LENGTH[f.type];
  if (ceiling !== undefined && typeof v === "string") {
    const length = Array.from(v).length;
    if (f.min_length !== undefined && length < f.min_length) return false;
    if (length > Math.min(f.max_length !== undefined ? f.max_length : ceiling, ceiling)) return false;
  }
  if (f.pattern !== undefined && typeof v === "string" && !new RegExp(f.pattern, "uy").test(v)) return false;
  if (f.min !== undefined && typeof v === "number" && v < f.min) return false;
  if (f.max !== undefined && typeof v === "number" && v > f.max) return false;
  return true;
}

export function convertValue(f, value) {
  const v = readValue(f, value);
  return v === undefined || v === null || passes(f, v) ? v : undefined;
}

function readValue(f, value) {
  if (typeof value !== "string") {
    if (f.type === "integer" || f.type === "rupiah") return typeof value === "number" && Number.isInteger(value) ? value : undefined;
    return value;
  }
  switch (f.type) {
    case "integer":
      return whole(value);
    case "rupiah": {
      const cleaned = value.replace(/^\s*rp\.?\s*/i, "").replace(/\s/g, "");
      if (!/^-?(\d{1,3}(\.\d{3})+|\d+)$/.test(cleaned)) return undefined;
      return whole(cleaned.replace(/\./g, ""));
    }
    case "date": {
      const m = /^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$/.exec(value);
      let y, mo, d;
      if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; } else {
        const iso = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(value);
        if (!iso) return undefined;
        y = +iso[1]; mo = +iso[2]; d = +iso[3];
      }
      const date = new Date(Date.UTC(y, mo - 1, d));
      if (y < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
      return String(y).padStart(4, "0") + "-" + String(mo).padStart(2, "0") + "-" + String(d).padStart(2, "0");
    }
    case "consent":
      return CONSENT_TRUE.indexOf(value) >= 0 ? true : CONSENT_FALSE.indexOf(value) >= 0 ? false : undefined;
    case "multichoice":
      return [value];
    case "password":
      return value;
    case "email": {
      const v = value.trim(), at = v.lastIndexOf("@");
      return at < 0 ? undefined : v.slice(0, at) + "@" + v.slice(at + 1).toLowerCase();
    }
    default:
      return value.trim();
  }
}

const ITEM_ID = /^[0-9a-f]{8}$/;

function convertGroup(f, value) {
  const items = repeats(f) ? value : [value];
  if (!Array.isArray(items) || !items.every((i) => isObject(i) || (f.each && i === null))) return undefined;
  const children = {};
  (f.fields || []).forEach((c) => { children[c.key] = c; });
  const result = items.slice(0, 100).map((item) => {
    const clean = {};
    Object.keys(item || {}).forEach((key) => {
      const v = item[key];
      if (key === "_id" && repeats(f)) { if (typeof v === "string" && ITEM_ID.test(v)) clean[key] = v; return; }
      const child = children[key];
      if (!child || empty(v) || ["statement", "computed", "summary"].indexOf(child.type) >= 0) return;
      const converted = child.type === "group" ? convertGroup(child, v) : convertValue(child, v);
      if (converted !== undefined && converted !== null) clean[key] = converted;
    });
    return clean;
  });
  return repeats(f) ? result : result[0];
}

// A step's answers on top of the saved ones, as the server's validate() builds its candidate
export function candidate(form, stepKey, posted, answers) {
  const step = form.stepsByKey[stepKey];
  const byKey = {};
  (step.fields || []).forEach((f) => { byKey[dataKey(f)] = f; });
  const converted = {};
  Object.keys(posted).forEach((key) => {
    const f = byKey[key];
    const v = f && f.each ? align(answers[key], posted[key]) : posted[key];
    if (!f || empty(v) || ["statement", "computed", "summary"].indexOf(f.type) >= 0) return;
    const value = f.type === "group" ? convertGroup(f, v) : convertValue(f, v);
    if (value !== undefined && value !== null) converted[key] = value;
  });
  const out = {};
  Object.keys(answers).forEach((k) => { if (form.stepOfField[k] !== stepKey) out[k] = answers[k]; });
  Object.assign(out, converted);
  (step.fields || []).forEach((f) => {
    if (repeats(f)) out[dataKey(f)] = mergeItems(answers[dataKey(f)], converted[dataKey(f)] || [], f);
  });
  return out;
}

// a continuing group's posted items placed at their item's position: by _id, else by their own position
function align(existing, posted) {
  if (!Array.isArray(posted) || !posted.every((x) => x === null || isObject(x))) return posted;
  const items = Array.isArray(existing) ? existing.map((x) => (isObject(x) ? x : {})) : [];
  const where = {};
  items.forEach((x, i) => { if (typeof x._id === "string" && ITEM_ID.test(x._id)) where[x._id] = i; });
  const aligned = items.map(() => null);
  posted.slice(0, 100).forEach((item, i) => {
    if (item === null) return;
    let target;
    if (item._id !== undefined && item._id !== null) {
      target = typeof item._id === "string" && ITEM_ID.test(item._id) ? where[item._id] : undefined;
      if (target === undefined) return;
    } else if (i < items.length) {
      target = i;
    } else {
      return;
    }
    if (aligned[target] !== null) return;
    aligned[target] = Object.prototype.hasOwnProperty.call(items[target], "_id") ? { ...item, _id: items[target]._id } : item;
  });
  return aligned;
}

function mergeItems(existing, posted, f) {
  const own = {};
  (f.fields || []).forEach((c) => { own[c.key] = true; });
  existing = Array.isArray(existing) ? existing.filter(isObject) : [];
  const kept = (old) => { const out = {}; Object.keys(old).forEach((k) => { if (!own[k]) out[k] = old[k]; }); return out; };
  const withoutId = (item) => { const out = {}; Object.keys(item || {}).forEach((k) => { if (k !== "_id") out[k] = item[k]; }); return out; };
  if (f.each) {
    const answers = {};
    posted.forEach((p) => { if (isObject(p) && p._id) answers[p._id] = p; });
    return existing.map((old, i) => {
      let answer = old._id ? answers[old._id] : undefined;
      if (answer === undefined && !old._id && i < posted.length && isObject(posted[i])) answer = posted[i];
      return { ...kept(old), ...withoutId(answer) };
    });
  }
  const byId = {};
  existing.forEach((x) => { if (x._id) byId[x._id] = x; });
  return posted.slice(0, 100).map((p, i) => {
    const old = p._id ? byId[p._id] : existing[i];
    const item = { ...kept(old || {}), ...p };
    item._id = (old || {})._id || p._id || "new" + i;
    return item;
  });
}
