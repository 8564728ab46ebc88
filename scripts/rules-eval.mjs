// Runs the built browser bundle (static/build/rules.js) in Node over a batch of cases, for the parity
// test: stdin {"ref": {...}, "cases": [[rule, data], ...]}, stdout [{"v": value} | {"pending": what}, ...].
import { readFileSync } from "node:fs";
import vm from "node:vm";

const bundle = process.argv[2] || new URL("../static/build/rules.js", import.meta.url);
const sandbox = {};
vm.runInNewContext(readFileSync(bundle, "utf8") + "\nthis.FormRules = FormRules;", sandbox);
const { createLogic, Pending } = sandbox.FormRules;
const input = JSON.parse(readFileSync(0, "utf8"));
const logic = createLogic(input.ref);
const out = input.cases.map(([rule, data]) => {
  try {
    return { v: logic.evaluate(rule, data) };
  } catch (error) {
    if (error instanceof Pending) return { pending: error.what };
    return { error: String(error) };
  }
});
process.stdout.write(JSON.stringify(out));
