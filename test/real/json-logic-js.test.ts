import { expect, it } from "vitest";
import { describeRealCase } from "./run-case.js";
import { jsonLogicCase } from "../../fixtures/real/index.js";
import { jsonLogic, rule } from "../../fixtures/real/json-logic-js/program.js";
import { jit } from "../../index.js";

type Apply = (logic: unknown, data: unknown) => unknown;

/**
 * Data whose `age` getter raises the rule's age limit while the rule runs:
 * json-logic reads the limit after `age`, so this call and the next see 99.
 */
function run(apply: Apply, logic: any): unknown[] {
  const results: unknown[] = [];
  const data = {
    get age() {
      logic.if[0].and[0][">="][1] = 99;
      return 30;
    },
    address: { country: "US" },
    banned: false,
    plan: "pro",
    items: [{ qty: 0 }],
  };
  const plain = { age: 30, address: { country: "US" }, banned: false, plan: "pro", items: [{ qty: 0 }] };
  for (let i = 0; i < 1200; i++) apply(logic, plain); // past the tiering threshold
  results.push(apply(logic, plain));
  for (const d of [data, plain]) {
    try {
      results.push(apply(logic, d));
    } catch (e) {
      results.push(`threw ${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
  }
  return results;
}

describeRealCase(jsonLogicCase, () => {
  it("a getter on the input that changes the rule mid-call: that call and the next behave like the original", () => {
    const expected = run(jsonLogic.apply, structuredClone(rule));
    expect(expected).toEqual(["review:pro:US", "rejected", "rejected"]);
    const own = structuredClone(rule);
    expect(run(jit(jsonLogic.apply, { specialize: { logic: own } }) as Apply, own)).toEqual(expected);
    const tiered = structuredClone(rule);
    expect(run(jit(jsonLogic.apply) as Apply, tiered)).toEqual(expected);
  });
});
