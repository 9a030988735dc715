/**
 * Call counts past V8's small integers. A version's counter spills into a second variable at
 * CALLS_SPILL_AT (compiler/assemble.ts) and an entry's count moves into its base at REBASE_AT
 * (compiler/entry-factory.ts), so that the counter incremented on every call never becomes a heap
 * number (past 2^31, a counted call of a 4 ns function cost twice as much). What `inspect` reports
 * must stay the exact number of calls across both.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";
import { CALLS_SPILL_AT } from "../../compiler/assemble.js";
import { REBASE_AT } from "../../compiler/entry-factory.js";

describe("call counts stay exact past the counters' small-integer range", () => {
  it("a compiled version's count, across a spill", { timeout: 60_000 }, () => {
    // A tiered version counts every call (an explicit one too small for the gain check counts none).
    // Tiered at 1000 calls, tier 0 times the original warm (calls 872-1000) at well under the 0.5 µs
    // from which a first version is timed against it (profiler/verify-gain.ts): folding `k` saves
    // nothing measurable, and timed, this version would go back to the original.
    const f = jit(function inc(k: number, x: number) { return x + k; }, { tiering: { hotCalls: 1000 } }) as (k: number, x: number) => number;
    const n = CALLS_SPILL_AT + 5;
    let s = 0;
    for (let i = 0; i < n; i++) s = f(1, s) | 0;
    expect(inspect(f).tier).toBe(1);
    expect(s).toBe(n | 0);
    expect(inspect(f).calls).toBe(n);
  });

  it("a tier-0 entry's count, across a rebase", { timeout: 60_000 }, () => {
    const g = jit(function twice(x: number) { return x * 2; }, { tiering: { hotCalls: Infinity } }) as (x: number) => number;
    const n = REBASE_AT + 3000;
    let s = 0;
    for (let i = 0; i < n; i++) s = (s + g(i & 7)) | 0;
    expect(inspect(g).tier).toBe(0);
    expect(inspect(g).calls).toBe(n);
    for (let i = 0; i < 20_000; i++) g(1);
    expect(inspect(g).calls).toBe(n + 20_000);
  });
});
