/**
 * After foreign code (a getter on the input may have changed the
 * configuration), an inlined callee is speculated on again at the start of
 * its body. Nothing of the callee has run there, so the branch taken when the
 * guard fails is the call itself, with the same receiver and arguments, not a
 * second, generic copy of the callee's body. Both branches must behave as the
 * original does, including when the getter really changes the configuration.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

interface Rule { kind: string; by: number; label: string }

/** A small interpreter step with a dispatch big enough that kos would not copy it for nothing. */
function step(rule: Rule, x: number): string {
  switch (rule.kind) {
    case "double": return `${rule.label}:${x * 2}`;
    case "add": return `${rule.label}:${x + rule.by}`;
    case "sub": return `${rule.label}:${x - rule.by}`;
    case "mul": return `${rule.label}:${x * rule.by}`;
    case "neg": return `${rule.label}:${-x}`;
    case "sq": return `${rule.label}:${x * x}`;
    default: return `${rule.label}:?`;
  }
}

function run(rule: Rule, input: { value: number }): string {
  const label = rule.label; // folded behind the entry guard
  // The argument may be a getter: foreign code runs between the call's start and the callee's body.
  return label + step(rule, input.value);
}

function runAfterRead(rule: Rule, input: { value: number }): string {
  const label = rule.label;
  const v = input.value;
  return label + step(rule, v);
}

class Stepper {
  constructor(public rule: Rule) {}
  apply(x: number): string {
    switch (this.rule.kind) {
      case "add": return `${this.rule.label}+${x + this.rule.by}`;
      case "sub": return `${this.rule.label}-${x - this.rule.by}`;
      default: return `${this.rule.label}=${x}`;
    }
  }
}

function runMethod(s: Stepper, input: { value: number }): string {
  const label = s.rule.label;
  return label + s.apply(input.value);
}

describe("the generic branch at the start of an inlined callee is the call", () => {
  it("calls the callee there instead of copying its body, and agrees with the original", () => {
    const rule: Rule = { kind: "add", by: 3, label: "r" };
    const j = jit(run, { specialize: { rule }, strict: true });
    const src = inspect(j)!.source!;
    // One copy of the dispatch at most: the speculated branch folds it, the other calls `step`.
    expect(src.match(/case "sq"/g)?.length ?? 0).toBe(0);
    expect(src).toMatch(/\$k_\w+\(rule, \w+\)|\$k_\w+\(\$k_\w+, \w+\)/);
    for (const value of [0, 1, -5, 2.5, NaN]) expect(j(rule, { value })).toBe(run(rule, { value }));
  });

  it("a call in a generic branch, on an unfrozen object that can no longer fold, stays a call", () => {
    const rule: Rule = { kind: "sub", by: 1, label: "q" };
    const j = jit(runAfterRead, { specialize: { rule }, strict: true });
    expect(inspect(j)!.source!.match(/case "sq"/g)?.length ?? 0).toBe(0);
    for (const value of [0, 4, -1]) expect(j(rule, { value })).toBe(runAfterRead(rule, { value }));
  });

  it("a getter that changes the configuration mid-call: the rest of the call sees the change", () => {
    const rule: Rule = { kind: "add", by: 3, label: "r" };
    const j = jit(run, { specialize: { rule }, strict: true });
    const input = (kind: string, by: number) => ({ get value() { rule.kind = kind; rule.by = by; return 10; } });
    const expected = (kind: string, by: number) => {
      const saved = { ...rule };
      const r = run(rule, input(kind, by));
      Object.assign(rule, saved);
      return r;
    };
    for (const [kind, by] of [["sub", 4], ["sq", 0], ["add", 7], ["other", 1]] as const) {
      const want = expected(kind, by);
      expect(j(rule, input(kind, by))).toBe(want);
      Object.assign(rule, { kind: "add", by: 3 });
    }
  });

  it("a method: the call keeps its receiver", () => {
    const s = new Stepper({ kind: "sub", by: 2, label: "m" });
    const j = jit(runMethod, { specialize: { s }, strict: true });
    // Each scenario runs on the original and on the jitted function from the same starting rule.
    const scenario = (f: typeof runMethod, input: () => { value: number }) => {
      Object.assign(s.rule, { kind: "sub", by: 2 });
      return f(s, input());
    };
    const flip = () => ({ get value() { (s.rule as { kind: string }).kind = "add"; return 5; } });
    const plain = () => ({ value: 5 });
    expect(scenario(j, plain)).toBe(scenario(runMethod, plain));
    expect(scenario(j, flip)).toBe(scenario(runMethod, flip));
    expect(scenario(j, flip)).toBe("mm+7");
  });
});
