/**
 * After each point where foreign code may run (a read of the input, which a
 * getter can make run anything), the rest of a statement list is speculated
 * on again behind a guard. The forks of one list share one generic rest
 * (specialize/shared-rests.ts): the generic code of each statement appears
 * once, where every fork used to copy the rest of the list, and a failed
 * guard at any point gives what the original gives from there.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

/** `n` reads of the input, each followed by a branch on the configuration. */
function weigh(n: number): (cfg: Record<string, unknown>, input: Record<string, unknown>) => number {
  let body = "let acc = 0;\n";
  for (let i = 0; i < n; i++) body += `const v${i} = input.k${i};\nif (cfg.on${i}) acc += cfg.w${i} * v${i}; else acc -= v${i};\n`;
  body += "return acc;";
  return new Function("cfg", "input", body) as (cfg: Record<string, unknown>, input: Record<string, unknown>) => number;
}

function config(n: number): Record<string, unknown> {
  const cfg: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    cfg[`on${i}`] = i % 2 === 0;
    cfg[`w${i}`] = i + 1;
  }
  return cfg;
}

describe("the forks of one statement list share one generic rest", () => {
  it("each statement's generic code appears once, not once per fork", () => {
    const n = 8;
    const cfg = config(n);
    const j = jit(weigh(n), { specialize: { cfg } });
    const src = inspect(j)!.source!;
    // Once folded, once in the shared generic rest; with a copy per fork, k7 was read in 7 places.
    for (let i = 2; i < n; i++) expect(src.split(`input.k${i}`).length - 1).toBe(2);
    const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i * 3 - 5]));
    expect(j(cfg, input)).toBe(weigh(n)(cfg, input));
  });

  it("a getter that changes the configuration at any point: the rest of that call is the original's", () => {
    const n = 6;
    const f = weigh(n);
    const cfg = config(n);
    const j = jit(f, { specialize: { cfg } });
    for (let at = 0; at < n; at++) {
      for (const change of [(c: Record<string, unknown>) => { c[`on${n - 1}`] = !c[`on${n - 1}`]; }, (c: Record<string, unknown>) => { c[`w${n - 1}`] = -0.5; }, (c: Record<string, unknown>) => { delete c[`on${at}`]; }]) {
        const call = (fn: typeof f) => {
          const saved = { ...cfg };
          const input: Record<string, unknown> = {};
          for (let i = 0; i < n; i++) {
            if (i === at) Object.defineProperty(input, `k${i}`, { enumerable: true, get: () => (change(cfg), 7) });
            else input[`k${i}`] = i - 2;
          }
          const r = fn(cfg, input);
          for (const k of Object.keys(cfg)) delete cfg[k];
          Object.assign(cfg, saved);
          return r;
        };
        expect(call(j)).toBe(call(f));
      }
    }
  });

  it("a variable declared between two forks is read on every path into the rest", () => {
    // A failed guard after `const entry` entered the shared rest with the folded path's own
    // binding of `entry`; joined at the rest's head with a path that had not declared it yet,
    // the binding was lost and the compile failed ("read before its declaration").
    function check(schema: { entries: Record<string, { kind: string }>; kinds: Record<string, (v: unknown) => boolean> }, input: Record<string, unknown>) {
      const out: string[] = [];
      for (const key in schema.entries) {
        const entry = schema.entries[key]!;
        const value = input[key];
        if (!schema.kinds[entry.kind]!(value)) out.push(key);
      }
      return out;
    }
    // An inherited enumerable key keeps the for-in a loop, whose body forks on each iteration.
    const entries = Object.assign(Object.create({ extra: { kind: "string" } }) as Record<string, { kind: string }>, { name: { kind: "string" } });
    const schema = { entries, kinds: { string: (v: unknown) => typeof v === "string" } };
    const j = jit(check, { specialize: { schema }, strict: true });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(schema, { name: 1, extra: "x" })).toEqual(check(schema, { name: 1, extra: "x" }));
    schema.kinds.string = (v: unknown) => v === "x";
    expect(j(schema, { name: "y", extra: "x" })).toEqual(["name"]);
  });
});
