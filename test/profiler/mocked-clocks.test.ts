/**
 * A program (or a test with fake timers) that replaces the clocks after
 * `import "kos"`: kos's own reads (history timestamps, tier 0's timed calls,
 * the compile gate's CPU clock, the compile deadline, the inspector holder's
 * name) must not reach the replacements. They consumed a queue of mocked
 * `Date.now` values (sweep40: a program measured -1250 ms for 250) and would
 * advance a seeded `Math.random`.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

function rule(doc: { a: number }, cfg: { k: number }): number {
  let s = 0;
  for (let i = 0; i < 20; i++) s += doc.a * cfg.k + i;
  return s;
}

describe("clocks the program replaces after import", () => {
  it("are never called by kos: explicit jit, a forced tier-up and default tiering", () => {
    const real = { now: Date.now, hrtime: process.hrtime, cpuUsage: process.cpuUsage, random: Math.random };
    const calls = { now: 0, hrtime: 0, cpuUsage: 0, random: 0 };
    Date.now = () => (calls.now++, 1000);
    process.hrtime = Object.assign((t?: [number, number]) => (calls.hrtime++, real.hrtime(t)), { bigint: () => (calls.hrtime++, real.hrtime.bigint()) });
    process.cpuUsage = (p?: NodeJS.CpuUsage) => (calls.cpuUsage++, real.cpuUsage(p));
    Math.random = () => (calls.random++, 0.5);
    let made: Array<(d: { a: number }, c: { k: number }) => number>;
    try {
      const cfg = { k: 3 };
      // A fresh function each: kos has not read its closure or compiled it before.
      const fresh = () => new Function("doc", "cfg", "let s = 0; for (let i = 0; i < 20; i++) s += doc.a * cfg.k + i; return s;") as typeof rule;
      made = [jit(fresh(), { specialize: { cfg } }), jit(fresh(), { tiering: { hotCalls: 50 } }), jit(fresh())];
      for (const f of made) for (let i = 0; i < 3000; i++) expect(f({ a: i }, cfg)).toBe(rule({ a: i }, cfg));
    } finally {
      Date.now = real.now;
      process.hrtime = real.hrtime;
      process.cpuUsage = real.cpuUsage;
      Math.random = real.random;
    }
    expect(calls).toEqual({ now: 0, hrtime: 0, cpuUsage: 0, random: 0 });
    // The first two compiled (so compile, history and deadline ran), and tier 0 timed calls.
    expect(inspect(made[0]!)!.tier).toBe(1);
    expect(inspect(made[1]!)!.tier).toBe(1);
    expect(inspect(made[0]!)!.history.every((h) => typeof h.at === "number" && h.at > 1000)).toBe(true);
  });
});
