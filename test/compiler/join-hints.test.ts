/**
 * Values a join lost to generic branches only (compiler/specialize/join-hints.ts): the cursor of
 * a condition loop over an unfrozen program is known on the speculated path when the loop ends,
 * and the statement after the loop is speculated on it behind a `cursor === value` test.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";

type Rule = { op: "if"; args: Rule[] } | { op: "lit"; v: unknown } | { op: "get"; key: string };

/** An `if` / else-if / else chain, as rule engines write it: the else operand is evaluated after the loop. */
function run(rule: Rule, data: Record<string, unknown>): unknown {
  if (rule.op === "lit") return rule.v;
  if (rule.op === "get") return data[rule.key];
  if (rule.op === "if") {
    const a = rule.args;
    let i;
    for (i = 0; i < a.length - 1; i += 2) {
      if (run(a[i]!, data)) return run(a[i + 1]!, data);
    }
    if (a.length === i + 1) return run(a[i]!, data);
    return null;
  }
  throw new Error("bad op");
}

const program = (): Rule => ({
  op: "if",
  args: [{ op: "get", key: "a" }, { op: "lit", v: "A" }, { op: "get", key: "b" }, { op: "lit", v: "B" }, { op: "lit", v: "none" }],
});

describe("join hints", () => {
  it("the else operand after the loop is folded on the speculated path, behind a test of the cursor", () => {
    const rule = program();
    const f = jit(run, { specialize: { rule } });
    for (const data of [{ a: 0, b: 0 }, { a: 1 }, { b: 1 }, {}]) expect(f(rule, data)).toBe(run(program(), data));
    const src = inspect(f).source!;
    // Before: `if ($k_value_1.length === i + 1) return $k_ref_7($k_value_1[i], data)`, a call of the original on every call.
    expect(src).toMatch(/\bi === 4 && /);
    expect(src).toMatch(/return "none";/);
    expect(inspect(f).tier).toBe(1);
  });

  it("a getter that lengthens the program mid-call: the cursor ends elsewhere and the generic rest runs, as the original", () => {
    const lengthen = (rule: Rule) => ({
      a: 0,
      get b() {
        // Runs at the second condition: the loop now has a third pair, and another else.
        (rule as { args: Rule[] }).args.splice(4, 1, { op: "get", key: "c" }, { op: "lit", v: "C" }, { op: "lit", v: "else" });
        return 0;
      },
      c: 0,
    });
    const rule = program();
    const f = jit(run, { specialize: { rule } });
    expect(f(rule, { a: 0, b: 0 })).toBe("none");
    const copy = program();
    const expected = run(copy, lengthen(copy));
    expect(expected).toBe("else");
    expect(f(rule, lengthen(rule))).toBe(expected);
    // The program changed for good: the next call sees it at entry.
    expect(f(rule, { c: 1 })).toBe("C");
  });

  it("a getter that replaces the else operand: the fork's other guards see it", () => {
    const rule = program();
    const f = jit(run, { specialize: { rule } });
    expect(f(rule, {})).toBe("none");
    const data = {
      get b() {
        (rule as { args: Rule[] }).args[4] = { op: "lit", v: "changed" };
        return "";
      },
    };
    expect(f(rule, data)).toBe("changed");
  });
});
