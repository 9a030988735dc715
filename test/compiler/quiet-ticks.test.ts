/**
 * A ticking entry's quiet states (compiler/entry-factory.ts, QUIET): the dormant tier sets a tick
 * far ahead from a call site of the entry that no call has run, so that a caller V8 optimized keeps
 * no call of kos in its loop. Whatever the state and the entry's form, the entry ticks exactly at
 * the count its control set, calls the original with every argument and `this` on every call, and
 * counts every call.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { COUNT, NEXT, QUIET, QUIET_SITES } from "../../compiler/entry-factory.js";
import { makeTieringEntry } from "../../compiler/tiering-entry.js";

function ticking(original: Function, arity: number, exact: boolean) {
  const ticks: number[] = [];
  const made = makeTieringEntry(original, { arity, exact }, () => {
    throw new Error("a ticking entry never calls the event");
  }, () => {
    ticks.push(made.control(COUNT));
    made.control(NEXT, Infinity); // as the dormant tier sets the next tick at each
  });
  return { entry: made.entry, control: made.control, ticks };
}

const forms: Array<[string, number, boolean]> = [
  ["fixed arity", 2, false],
  ["exact (arguments forwarded as they came)", -1, true],
];

describe.each(forms)("a ticking entry's quiet sites, %s", (_, arity, exact) => {
  it("ticks at the count set, from each quiet site, and runs the original on every call", () => {
    const seen: unknown[] = [];
    function pair(this: unknown, a: number, b: number) {
      seen.push(this);
      return [a, b, arguments.length];
    }
    const { entry, control, ticks } = ticking(pair, arity, exact);
    const self = { tag: 1 };
    expect(entry.call(self, 1, 2)).toEqual([1, 2, 2]); // call 1: the counting state's tick
    expect(ticks).toEqual([1]);
    let calls = 1;
    for (let k = 0; k < QUIET_SITES + 1; k++) {
      control(QUIET, k);
      control(NEXT, calls + 5);
      for (let i = 0; i < 7; i++) {
        calls++;
        expect(entry.call(self, i, -0)).toEqual([i, -0, 2]);
      }
      expect(ticks.at(-1)).toBe(calls - 2);
    }
    // The first call's tick, then one at the fifth call of each state's seven.
    expect(ticks).toEqual([1, ...Array.from({ length: QUIET_SITES + 1 }, (_, k) => 6 + 7 * k)]);
    expect(control(COUNT)).toBe(calls);
    expect(seen.every((t) => t === self)).toBe(true);
  });

  it("passes an exception of the original through, counted", () => {
    const { entry, control, ticks } = ticking(function boom(a: unknown, b: unknown) {
      throw new RangeError(`${String(a)}${String(b)}`);
    }, arity, exact);
    expect(() => entry(1, 2)).toThrow(RangeError);
    control(QUIET, 0);
    control(NEXT, 3);
    expect(() => entry(3, 4)).toThrow("34");
    expect(() => entry(5, 6)).toThrow("56");
    expect(ticks).toEqual([1, 3]);
  });
});

describe("a ticking entry's size", () => {
  // V8 inlines at most 920 bytes of bytecode into one optimized function, counting all of an
  // inlined entry's, the paths folded away included. Dormant entries of 145-208 bytes (by arity)
  // left the life program of bench/programs its neighbour count a real call per cell, where its
  // kernels and their entries fit at 84 bytes each (entry-factory.ts, makeDormantFactory). The
  // size no longer grows with the arity: the entry forwards \`arguments\`.
  it("is at most 90 bytes of bytecode whatever the arity, as a dormant jit(fn) makes it", () => {
    const repo = resolve(__dirname, "..", "..");
    const clean = { ...process.env };
    for (const k of Object.keys(clean)) if (k.startsWith("KOS_")) delete clean[k];
    // Each with a loop, so that none is too small to put to sleep (small-function.ts).
    const script = `import { jit } from "kos";
const fs = [jit(function g(x) { let s = 0; for (let i = 0; i < x; i++) s += i; return s; }), jit(function h(a, b, c, d, e, f) { let s = 0; for (let i = 0; i < a; i++) s += b + c + d + e + f; return s; }), jit((...xs) => { let s = 0; for (const x of xs) s += x; return s; }), jit({ m(a, b) { let s = 0; for (let i = 0; i < a; i++) s -= b; return s; } }.m)];
let s = 0; for (let i = 0; i < 10; i++) for (const f of fs) s += f(i, 1, 2, 3, 4, 5); console.log(s);`;
    const r = spawnSync(process.execPath, ["--print-bytecode", "--print-bytecode-filter=entry", "--input-type=module", "-e", script], { cwd: repo, env: clean, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const lengths = [...r.stdout.matchAll(/Bytecode length: (\d+)/g)].map((m) => Number(m[1]));
    expect(lengths.length).toBe(4);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(90);
  });
});

describe("a dormant entry's first call", () => {
  // V8 inlines no function without a feedback vector, and gives one only after 14-23 calls: the
  // DSP program's block loop was optimized before its FIR and biquad entries had one, and they
  // stayed calls for the whole run (entry-factory.ts, WARM). The first call warms the entry.
  it("gives the entry a feedback vector", () => {
    const repo = resolve(__dirname, "..", "..");
    const clean = { ...process.env };
    for (const k of Object.keys(clean)) if (k.startsWith("KOS_")) delete clean[k];
    const script = `import { jit } from "kos";
const f = jit(function fir(x, k) { let s = 0; for (let i = 0; i < x; i++) s += i * k; return s; });
const g = jit(function biquad(x, k) { let s = 0; for (let i = 0; i < x; i++) s -= i * k; return s; });
f(3, 2);
%DebugPrint(f);
%DebugPrint(g);`;
    const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--input-type=module", "-e", script], { cwd: repo, env: clean, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const vectors = [...r.stdout.matchAll(/- feedback vector: (.*)/g)].map((m) => m[1]!.includes("[FeedbackVector]"));
    // Called once: warmed. Never called: nothing done for it.
    expect(vectors).toEqual([true, false]);
  });
});
