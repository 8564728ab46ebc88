// Runs the built browser bundle (static/build/rules.js) in Node over a batch of cases, for the parity
// test. stdin {"ref": {...}, "cases": [[rule, data], ...]} gives [{"v": value} | {"pending": what}, ...];
// {"ref", "form": definition, "steps": [[step key, posted values, saved answers], ...]} gives each step's
// state: {"fields": {path: [visible, required, option values | "source" | null]}, "computed", "path", "pending"}.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const bundle = process.argv[2] || new URL("../static/build/rules.js", import.meta.url);
const sandbox = {};
vm.runInNewContext(readFileSync(bundle, "utf8") + "\nthis.FormRules = FormRules;", sandbox);
const { createLogic, Pending, compileForm, evaluateState, candidate } = sandbox.FormRules;
const input = JSON.parse(readFileSync(0, "utf8"));
const logic = createLogic(input.ref);

function one([rule, data]) {
  try {
    return { v: logic.evaluate(rule, data) };
  } catch (error) {
    if (error instanceof Pending) return { pending: error.what };
    return { error: String(error) };
  }
}

function step(form, [key, posted, answers]) {
  const state = evaluateState(logic, form, candidate(form, key, posted, answers));
  const fields = {};
  Object.keys(state.fields).forEach((path) => {
    const f = state.fields[path];
    const options = f.options === null ? null : Array.isArray(f.options) ? f.options.map((o) => o[0]) : "source";
    fields[path] = [f.visible, f.required, options];
  });
  return { fields, computed: state.computed, path: state.path, pending: state.pending };
}

const out = input.form ? input.steps.map((s) => step(compileForm(input.form), s)) : input.cases.map(one);
process.stdout.write(JSON.stringify(out));
