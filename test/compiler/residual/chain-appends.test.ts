/**
 * chainAppends: string concatenations grouped on the right are chained from the left where the
 * result is the same string with the same conversions (compiler/residual/chain-appends.ts), and
 * left as they are where it could differ (numbers that would add, an accumulator that may not hold
 * a string yet).
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { generate } from "astring";
import { inspect, jit } from "../../../index.js";
import { chainAppends } from "../../../compiler/residual/chain-appends.js";

/** `function f(a, b, c) { body }` through chainAppends alone: whether it changed, its source, and both as functions. */
function chained(body: string): { changed: boolean; source: string; f: Function; g: Function } {
  const fn = (parse(`function f(a, b, c) { ${body} }`, { ecmaVersion: "latest" }) as any).body[0];
  const changed = chainAppends(fn);
  const source = generate(fn);
  return { changed, source, f: new Function("a", "b", "c", body), g: new Function(`return ${source}`)() };
}

const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `${(e as Error).constructor.name}`;
  }
};

/** Values whose conversions tell the groupings apart: numbers that add, objects that log their conversions. */
function samples(log: string[]): unknown[] {
  const o = (name: string) => ({ valueOf: () => (log.push(`valueOf ${name}`), 2), toString: () => (log.push(`toString ${name}`), "S") });
  return [1, 2n, "s", undefined, null, true, o("x"), Symbol("y")];
}

function sameEverywhere(c: { f: Function; g: Function }): void {
  const count = samples([]).length;
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < count; k++) {
      const l1: string[] = [];
      const l2: string[] = [];
      const s1 = samples(l1);
      const s2 = samples(l2);
      expect(outcome(() => c.g(s2[i], s2[k], 3))).toEqual(outcome(() => c.f(s1[i], s1[k], 3)));
      expect(l2).toEqual(l1);
    }
  }
}

describe("chainAppends", () => {
  it("chains an accumulator's appends from the left, folds adjacent literals and drops `\"\" +` after a string", () => {
    const c = chained(`let out, n; out = "{" + ("\\"id\\":" + ("" + a)); out = out + (",\\"b\\":" + b); n = out; out = out + ("," + (n + "}")); return out;`);
    expect(c.changed).toBe(true);
    expect(c.source).toContain(`out = "{\\"id\\":" + a;`);
    expect(c.source).toContain(`out = out + ",\\"b\\":" + b;`);
    sameEverywhere(c);
  });

  it("leaves groupings whose result could differ: a number that would add, an accumulator next to one that may not hold a string", () => {
    for (const body of [`return a + (b + c);`, `return a + (b + "z");`, `let out, acc; out = out + (acc + "}"); acc = acc + "x"; return out;`, `return "s" + (a + b);`]) {
      const c = chained(body);
      expect(c.changed).toBe(false);
      sameEverywhere(c);
    }
  });

  it("a serializer's inlined field appends run chained, with the original's strings and errors", () => {
    function field(kind: string, v: unknown): string {
      if (kind === "number") {
        if (typeof v !== "number") throw new TypeError("expected a number");
        return Number.isFinite(v) ? String(v) : "null";
      }
      if (typeof v !== "boolean") throw new TypeError("expected a boolean");
      return v ? "true" : "false";
    }
    function record(spec: { keys: string[]; kinds: string[] }, r: Record<string, unknown>): string {
      let out = "{";
      for (let i = 0; i < spec.keys.length; i++) {
        if (i > 0) out += ",";
        out += JSON.stringify(spec.keys[i]) + ":" + field(spec.kinds[i]!, r[spec.keys[i]!]);
      }
      return out + "}";
    }
    const spec = Object.freeze({ keys: Object.freeze(["n", "ok"]), kinds: Object.freeze(["number", "boolean"]) });
    const j = jit(record, { specialize: { spec } });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/\+ \("/);
    for (const r of [{ n: 1.5, ok: true }, { n: -0, ok: false }, { n: Infinity, ok: true }, { n: "1", ok: true }, { n: 1, ok: 1 }]) expect(outcome(() => j(spec, r))).toEqual(outcome(() => record(spec as any, r)));
  });
});
