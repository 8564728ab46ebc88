// The form's JsonLogic rules in the browser, with the server's custom operators.
// Built into static/build/rules.js (global FormRules); tests/test_rules_parity.py runs that very
// file in Node against formserver/logic.py, rule by rule. An engine error gives null, as on the server.
import { LogicEngine } from "json-logic-engine";
import { install } from "./compat.js";
import { operators, Pending, todayWib } from "./operators.js";

export { Pending, todayWib };

export function createLogic(ref) {
  const engine = new LogicEngine();
  install(engine);
  function evaluate(rule, data) {
    try {
      const value = engine.run(rule, data);
      return value === undefined ? null : value;
    } catch (error) {
      if (error instanceof Pending) throw error;
      return null;
    }
  }
  const ops = operators(ref, evaluate);
  Object.keys(ops).forEach((name) => {
    engine.addMethod(name, (args) => {
      const list = args === undefined || args === null ? [] : Array.isArray(args) ? args : [args];
      try {
        const value = ops[name](...list);
        return value === undefined ? null : value;
      } catch (error) {
        if (error instanceof Pending) throw error;
        return null;
      }
    }, { deterministic: false });
  });
  return { evaluate, ref };
}

export { compileForm, evaluateState, candidate } from "./state.js";
