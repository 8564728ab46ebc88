// Where datalogic-py (the server's engine) and JavaScript's JsonLogic part ways, the server's way:
// loose equality, ">" and truthiness as measured on datalogic-py 5.9 (tests/test_rules_parity.py
// holds the measurements and fails on any difference). A comparison the server refuses throws, so the
// whole rule gives null as on the server.

const isObject = (x) => x !== null && typeof x === "object" && !Array.isArray(x);
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export class Refused extends Error {}

export function truthy(v) {
  if (v === null || v === undefined || v === false || v === 0 || v === "" || Number.isNaN(v)) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

function deepEqual(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function stringNumber(s) {
  if (!NUMERIC.test(s)) throw new Refused("not a number: " + s);
  return Number(s);
}

export function looseEquals(a, b) {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b) && deepEqual(a, b)) return true;
    throw new Refused("array comparison");
  }
  if (isObject(a) || isObject(b)) {
    if (isObject(a) && isObject(b)) return false;
    throw new Refused("object comparison");
  }
  if (a === null || b === null) {
    const other = a === null ? b : a;
    return other === null || other === false || other === 0 || other === "";
  }
  const ta = typeof a, tb = typeof b;
  if (ta === tb) return a === b;
  if (ta === "boolean" && tb === "number") return Number(a) === b;
  if (ta === "number" && tb === "boolean") return a === Number(b);
  if (ta === "boolean") return String(a) === b;
  if (tb === "boolean") return a === String(b);
  return ta === "number" ? a === stringNumber(b) : stringNumber(a) === b;
}

function comparable(x, other) {
  if (x === null || x === undefined) return 0;
  if (typeof x === "boolean") return Number(x);
  if (typeof x === "string") {
    if (x === "") return 0;
    if (NUMERIC.test(x)) return Number(x);
    if (typeof other === "number") throw new Refused("not a number: " + x);
    return NaN;
  }
  return x;
}

export function greater(a, b) {
  if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b)) throw new Refused("not comparable");
  if (typeof a === "string" && typeof b === "string") return a > b;
  return comparable(a, b) > comparable(b, a);
}

function catText(v) {
  if (v === null || v === undefined) return "";
  if (Array.isArray(v)) return v.map(catText).join("");
  if (isObject(v)) return JSON.stringify(v);
  if (typeof v === "number") return String(v).replace("e+", "e");
  return String(v);
}

export function install(engine) {
  engine.truthy = truthy;
  const two = (args) => (Array.isArray(args) ? args : [args]);
  engine.addMethod("==", (args) => { const [a, b] = two(args); return looseEquals(a, b); }, { deterministic: true });
  engine.addMethod("!=", (args) => { const [a, b] = two(args); return !looseEquals(a, b); }, { deterministic: true });
  engine.addMethod(">", (args) => { const [a, b] = two(args); return greater(a, b); }, { deterministic: true });
  engine.addMethod("cat", (args) => two(args).map(catText).join(""), { deterministic: true });
}
