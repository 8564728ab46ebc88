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
function chain(compare) {
  return {
    lazy: true, deterministic: false,
    method: (args, context, above, engine) => {
      const list = Array.isArray(args) ? args : [args];
      if (list.length < 2) throw new Refused("a comparison needs two values");
      let left = engine.run(list[0], context, { above });
      for (let i = 1; i < list.length; i++) {
        const right = engine.run(list[i], context, { above });
        if (!compare(left, right)) return false;
        left = right;
      }
      return true;
    },
  };
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
  engine.addMethod("==", chain(looseEquals));
  engine.addMethod("!=", (args) => { const [a, b] = two(args); return !looseEquals(a, b); }, { deterministic: true });
  const strict = (args) => { const [a, b] = two(args); return deepEqual(a === undefined ? null : a, b === undefined ? null : b); };
  engine.addMethod("===", strict, { deterministic: true });
  engine.addMethod("!==", (args) => !strict(args), { deterministic: true });
  engine.addMethod(">", chain((a, b) => ordered(a, b, false)));
  engine.addMethod(">=", chain((a, b) => ordered(a, b, true)));
  engine.addMethod("<", chain((a, b) => ordered(b, a, false)));
  engine.addMethod("<=", chain((a, b) => ordered(b, a, true)));
  // arithmetic as datalogic-py does it: "+", "*" and "-" over one answer holding a list work on its items (a
  // list written in the rule is no number); "", null and booleans count as 0 and 1, texts only when they are
  // numbers to the letter (" 5" is not); "min" and "max" take numbers only. json-logic-engine's own "+" gave
  // null for a list answer once it stopped optimizing (after 500 new rule objects)
  const arithmetic = (fold) => ({
    lazy: true, deterministic: false,
    method: (args, context, above, e) => {
      const raw = Array.isArray(args) ? args : [args];
      let values = raw.map((arg) => e.run(arg, context, { above }));
      if (raw.length === 1 && !Array.isArray(raw[0]) && Array.isArray(values[0])) values = values[0];
      const result = fold(values);
      if (Number.isNaN(result)) throw new Refused("not a number");
      return result;
    },
  });
  const toNumber = (x) => {
    if (x === null || x === undefined || x === "") return 0;
    if (typeof x === "boolean" || typeof x === "number") return Number(x);
    if (typeof x === "string" && NUMERIC.test(x)) return Number(x);
    throw new Refused("not a number");
  };
  const onlyNumbers = (values) => {
    if (!values.length || values.some((x) => typeof x !== "number")) throw new Refused("not numbers");
    return values;
  };
  engine.addMethod("+", arithmetic((values) => values.reduce((a, x) => a + toNumber(x), 0)));
  engine.addMethod("*", arithmetic((values) => values.reduce((a, x) => a * toNumber(x), 1)));
  engine.addMethod("-", arithmetic((values) => {
    if (!values.length) throw new Refused("nothing to subtract");
    const numbers = values.map(toNumber);
    return numbers.length === 1 ? -numbers[0] : numbers.slice(1).reduce((a, x) => a - x, numbers[0]);
  }));
  engine.addMethod("min", arithmetic((values) => Math.min(...onlyNumbers(values))));
  engine.addMethod("max", arithmetic((values) => Math.max(...onlyNumbers(values))));
  // "in" finds a text in a text, or a value in a list by strict, deep equality; nothing in anything else
  engine.addMethod("in", (args) => {
    const [a, b] = two(args);
    if (typeof b === "string") return typeof a === "string" && b.includes(a);
    return Array.isArray(b) ? b.some((x) => deepEqual(x, a === undefined ? null : a)) : false;
  }, { deterministic: true });
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
  engine.addMethod("cat", (args) => two(args).map(catText).join(""), { deterministic: true });
}
