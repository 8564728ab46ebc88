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
  return jsonText(a) === jsonText(b);
}

// a text that is a number to the letter, as a number; one too large for a double ("1e400") is refused
function finite(s) {
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Refused("out of range: " + s);
  return n;
}

function stringNumber(s) {
  if (!NUMERIC.test(s)) throw new Refused("not a number: " + s);
  return finite(s);
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
    const n = NUMERIC.test(x) ? Number(x) : NaN;  // "1e400" is no number here either
    if (Number.isFinite(n)) return n;
    if (typeof other === "number") throw new Refused("not a number: " + x);
    return NaN;
  }
  return x;
}

// texts in the server's order: by code point (JavaScript's own compares UTF-16 units, which differs past U+FFFF)
function textOrder(a, b) {
  const x = Array.from(a), y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function ordered(a, b, orEqual) {
  if (Array.isArray(a) || Array.isArray(b) || isObject(a) || isObject(b)) throw new Refused("not comparable");
  if (typeof a === "string" && typeof b === "string") return orEqual ? textOrder(a, b) >= 0 : textOrder(a, b) > 0;
  const x = comparable(a, b), y = comparable(b, a);
  return orEqual ? x >= y : x > y;
}

export function greater(a, b) {
  return ordered(a, b, false);
}

// "<" is ">" with its arguments swapped, "<=" is ">=" so (measured); three or more arguments are a chain,
// false at the first pair that fails, before the arguments after it are evaluated
// "==" of three or more compares the first with each of the others (measured: loose equality is not transitive)
function chain(compare, againstFirst = false) {
  return {
    lazy: true, deterministic: false,
    method: (args, context, above, engine) => {
      const list = Array.isArray(args) ? args : [args];
      if (list.length < 2) throw new Refused("a comparison needs two values");
      let left = engine.run(list[0], context, { above });
      for (let i = 1; i < list.length; i++) {
        const right = engine.run(list[i], context, { above });
        if (!compare(left, right)) return false;
        if (!againstFirst) left = right;
      }
      return true;
    },
  };
}

// Numbers written out as the server writes them (datalogic-py, measured over random doubles): "cat" uses Rust's
// Display, whole numbers an i64 holds by their digits, larger ones with an exponent ("1e21"), fractions in full and
// never with an exponent ("0.0000001"); of two shortest digit strings equally near the number it takes the one
// farther from zero where JavaScript takes the even one, as toFixed does. A list or object inside is JSON, numbers
// in it as serde writes them (an exponent below 0.0001, "1e-7"), an object's keys in code point order.
const I64 = 2 ** 63;

function digitsOf(x) {
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e");
  return [mantissa.replace(".", ""), Number(exponent) + 1];  // 1.5e-7 is ["15", -6]: digits, place of the point
}

const exponentForm = (x) => x.toExponential().replace("e+", "e");

function numberText(x) {
  if (!Number.isFinite(x)) return "null";  // an overflow, as serde writes it
  if (Number.isInteger(x)) return x >= -I64 && x < I64 ? BigInt(x).toString() : exponentForm(x);
  const [digits, point] = digitsOf(x);
  const decimals = digits.length - point;
  // toFixed rounds exactly, a tie away from zero; beyond 100 decimals no tie is possible
  if (decimals <= 100) return x.toFixed(decimals);
  return (x < 0 ? "-0." : "0.") + "0".repeat(-point) + digits;
}

function jsonNumber(x) {
  if (!Number.isFinite(x)) return "null";
  if (Number.isInteger(x) && x >= -I64 && x < I64) return BigInt(x).toString();
  const [digits, point] = digitsOf(x);
  const sign = x < 0 ? "-" : "";
  if (point > 0 && point <= 16 && point < digits.length) return sign + digits.slice(0, point) + "." + digits.slice(point);
  if (point > -5 && point <= 0) return sign + "0." + "0".repeat(-point) + digits;
  return exponentForm(x);
}

function jsonText(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return jsonNumber(v);
  if (Array.isArray(v)) return "[" + v.map(jsonText).join(",") + "]";
  if (isObject(v)) {
    return "{" + Object.keys(v).sort(textOrder).map((k) => JSON.stringify(k) + ":" + jsonText(v[k])).join(",") + "}";
  }
  return JSON.stringify(v);
}

function scalarText(v) {
  if (v === null || v === undefined) return "";
  return typeof v === "number" ? numberText(v) : String(v);
}

// one argument of "cat": a list gives its items (a list or object among them as JSON), an object its JSON
function catText(v) {
  const one = (x) => (Array.isArray(x) || isObject(x) ? jsonText(x) : scalarText(x));
  return Array.isArray(v) ? v.map(one).join("") : one(v);
}

// "var" as the server reads a path: an object's own keys, a list's indexes ("01" and "+1" too), nothing inside
// anything else (json-logic-engine's gave a falsy value on the way, a text's letters, "length", "__proto__"); no
// key is the data itself, and the default stands for a value that is not there, not for a null
const INDEX = /^\+?\d+$/;

function lookUp(data, key) {
  if (key === null || key === undefined || key === "" || (Array.isArray(key) && !key.length)) return data;
  if (typeof key === "number" && Number.isInteger(key)) key = String(key);
  if (typeof key !== "string") return undefined;
  let value = data;
  for (const part of key.split(".")) {
    if (Array.isArray(value) && INDEX.test(part)) value = value[Number(part)];
    else if (isObject(value) && Object.prototype.hasOwnProperty.call(value, part)) value = value[part];
    else return undefined;
    if (value === undefined) return undefined;
  }
  return value;
}

export function install(engine) {
  engine.truthy = truthy;
  engine.addMethod("var", {
    lazy: true, deterministic: false,
    method: (args, context, above, e) => {
      const run = (x) => e.run(x, context, { above });
      const [key, fallback] = Array.isArray(args) ? [args.length ? run(args[0]) : null, args[1]] : [run(args), undefined];
      const value = lookUp(context, key);
      if (value !== undefined) return value;
      return fallback === undefined ? null : run(fallback);
    },
  });
  const two = (args) => (Array.isArray(args) ? args : [args]);
  engine.addMethod("==", chain(looseEquals, true));
  engine.addMethod("!=", (args) => { const [a, b] = two(args); return !looseEquals(a, b); }, { deterministic: true });
  const same = (a, b) => deepEqual(a === undefined ? null : a, b === undefined ? null : b);
  const strict = (args) => { const [a, b] = two(args); return same(a, b); };
  engine.addMethod("===", chain(same));  // three or more: a chain, as "=="
  engine.addMethod("!==", (args) => !strict(args), { deterministic: true });
  engine.addMethod(">", chain((a, b) => ordered(a, b, false)));
  engine.addMethod(">=", chain((a, b) => ordered(a, b, true)));
  engine.addMethod("<", chain((a, b) => ordered(b, a, false)));
  engine.addMethod("<=", chain((a, b) => ordered(b, a, true)));
  // arithmetic as datalogic-py does it: "+", "*" and "-" over one answer holding a list work on its items (a
  // list written in the rule is no number); "", null and booleans count as 0 and 1, texts only when they are
  // numbers to the letter (" 5" is not); "min" and "max" take numbers only. json-logic-engine's own "+" gave
  // null for a list answer once it stopped optimizing (after 500 new rule objects)
  // "-" of one value holding a list, even one written in the rule, subtracts its items from the first (one item
  // is that item, not its negation); "+", "*", "min" and "max" take an answer's list only
  const arithmetic = (fold, anyList = false) => ({
    lazy: true, deterministic: false,
    method: (args, context, above, e) => {
      const raw = Array.isArray(args) ? args : [args];
      const values = raw.map((arg) => e.run(arg, context, { above }));
      const spread = raw.length === 1 && Array.isArray(values[0]) && (anyList || !Array.isArray(raw[0]));
      const result = spread ? fold(values[0], true) : fold(values, false);
      if (Number.isNaN(result)) throw new Refused("not a number");
      return result;
    },
  });
  const toNumber = (x) => {
    if (x === null || x === undefined || x === "") return 0;
    if (typeof x === "boolean" || typeof x === "number") return Number(x);
    if (typeof x === "string" && NUMERIC.test(x)) return finite(x);
    throw new Refused("not a number");
  };
  const onlyNumbers = (values) => {
    if (!values.length || values.some((x) => typeof x !== "number")) throw new Refused("not numbers");
    return values;
  };
  engine.addMethod("+", arithmetic((values) => values.reduce((a, x) => a + toNumber(x), 0)));
  engine.addMethod("*", arithmetic((values) => values.reduce((a, x) => a * toNumber(x), 1)));
  engine.addMethod("-", arithmetic((values, items) => {
    if (!values.length) throw new Refused("nothing to subtract");
    const numbers = values.map(toNumber);
    if (numbers.length === 1) return items ? numbers[0] : -numbers[0];
    return numbers.slice(1).reduce((a, x) => a - x, numbers[0]);
  }, true));
  engine.addMethod("min", arithmetic((values) => Math.min(...onlyNumbers(values))));
  engine.addMethod("max", arithmetic((values) => Math.max(...onlyNumbers(values))));
  // "in" finds a text in a text, or a value in a list by strict, deep equality; nothing in anything else. Only its
  // first two arguments are evaluated, and none when there is only one (it is false)
  engine.addMethod("in", {
    lazy: true, deterministic: false,
    method: (args, context, above, e) => {
      const raw = Array.isArray(args) ? args : [args];
      if (raw.length < 2) return false;
      const [a, b] = raw.slice(0, 2).map((arg) => e.run(arg, context, { above }));
      if (typeof b === "string") return typeof a === "string" && b.includes(a);
      return Array.isArray(b) ? b.some((x) => deepEqual(x, a === undefined ? null : a)) : false;
    },
  });
  // "!" and "!!" read their first argument whole: a list answer is one value, true when not empty (json-logic-engine
  // takes a list's first item), so these get their arguments unevaluated
  const first = (args, context, above, engine) => {
    const value = Array.isArray(args) ? (args.length ? args[0] : null) : args;
    return engine.run(value, context, { above });
  };
  engine.addMethod("!", { method: (args, context, above, e) => !truthy(first(args, context, above, e)), lazy: true,
                          deterministic: false });
  engine.addMethod("!!", { method: (args, context, above, e) => truthy(first(args, context, above, e)), lazy: true,
                           deterministic: false });
  // "cat" takes each argument as written: one value holding a list is one argument, its items written one by one
  engine.addMethod("cat", {
    lazy: true, deterministic: false,
    method: (args, context, above, e) => (Array.isArray(args) ? args : [args])
      .map((arg) => catText(e.run(arg, context, { above }))).join(""),
  });
}
