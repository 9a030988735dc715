/**
 * json-logic-engine's interpreted engine (a rule engine kos was first run on
 * by a differential check, not one of the fixtures): `engine.run` specialized
 * on the engine and a rule agrees with the original on values and errors. Its
 * array operators call `selector[name](callback)` with `name` from the
 * closure of the operator's factory; on data whose `items` is no array the
 * error reads "selector[name] is not a function", and 53 of 2,000 inputs
 * threw it as "selector.filter is not a function" (the folded key).
 */
import { describe, expect, it } from "vitest";
import { LogicEngine } from "json-logic-engine";
import { inspect, jit } from "../../index.js";

// Compiled in this order, each on its own engine, as a service with several rules does: the
// mismatch showed on `filter` only after `map` had been compiled (what kos learnt of the engine's
// shared functions then took `filter`'s call of `selector[name]` down the path that keeps a call as written).
const rules: Record<string, object> = {
  eligibility: { and: [{ ">=": [{ var: "user.age" }, 18] }, { in: [{ var: "user.role" }, ["admin", "user"]] }, { "!": { var: "user.banned" } }] },
  map: { map: [{ var: "cart.items" }, { "*": [{ var: "price" }, { var: "qty" }] }] },
  reduce: { reduce: [{ var: "cart.items" }, { "+": [{ var: "accumulator" }, { var: "current.qty" }] }, 0] },
  filter: { filter: [{ var: "cart.items" }, { ">": [{ var: "price" }, 5] }] },
  some: { some: [{ var: "cart.items" }, { "===": [{ var: "sku" }, "A1"] }] },
};

function inputs(seed: number, count: number): unknown[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const items = () => [
    () => [{ sku: "A1", price: 9.5, qty: 2 }, { sku: "B2", price: 3, qty: 5 }],
    () => ({}),
    () => null,
    () => "ab",
    () => [],
    () => [{ sku: "C3", price: rnd() * 20, qty: 1 }],
  ][Math.floor(rnd() * 6)]!();
  return Array.from({ length: count }, () => ({
    user: { age: Math.floor(rnd() * 60), role: ["user", "admin", "guest"][Math.floor(rnd() * 3)], banned: rnd() < 0.2 },
    cart: { items: items() },
  }));
}

const outcome = (f: () => unknown): string => {
  try {
    return `returned ${JSON.stringify(f())}`;
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("json-logic-engine (interpreted): engine.run specialized on the engine and a rule", () => {
  for (const [name, logic] of Object.entries(rules)) {
    it(`${name}: same values and errors as the original on 300 inputs`, () => {
      const engine = new LogicEngine(undefined, { disableInterpretedOptimization: true });
      const f = jit(engine.run, { specialize: { this: engine, logic } });
      expect(inspect(f)!.tier).toBe(1);
      const outcomes = new Set<string>();
      for (const data of inputs(7, 300)) {
        const expected = outcome(() => engine.run(logic, data));
        outcomes.add(expected.split(" ")[0]!);
        expect(outcome(() => f.call(engine, logic, data))).toBe(expected);
      }
      // Both kinds of outcome were compared (the array operators throw on a non-array `items`).
      if (name === "filter" || name === "map") expect(outcomes).toEqual(new Set(["returned", "threw"]));
    });
  }
});
