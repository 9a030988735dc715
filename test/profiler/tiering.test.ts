import { describe, expect, it, onTestFinished } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { collectFeedback, jit, inspect, loadProfile, sourceHash, sourceKey } from "../../index.js";
import { ArgumentProfile } from "../../profiler/feedback.js";
import { callsTooShortToGain } from "../../profiler/call-times.js";
import { mergeProfiles } from "../../profiler/profile-merge.js";
import { hashSources } from "../../profiler/feedback-merge.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** A kos-profile.json that names `horner` hot, with `fields` on its entry. */
// A long profiled run by default (9 of its 10 samples stand for 90 s), so that the samples bound
// no entry's timed calls unless a test sets durationMs.
function hornerProfile(fields: object) {
  return {
    version: 1, command: ["node", "x.js"], date: new Date().toISOString(), durationMs: 100_000, totalSamples: 10, source: "cpu-prof", flamegraph: null,
    hot: [{ name: "horner", file: "x.js", line: 1, column: 1, selfPercent: 90, totalPercent: 90, selfSamples: 9, totalSamples: 9,
      sourceHash: sourceHash(Function.prototype.toString.call(horner)), ...fields }],
  };
}

function horner(coeffs: readonly number[], x: number) {
  let r = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) r = r * x + coeffs[i]!;
  return r;
}

/** A tiny interpreter of a program written as text ("+3 *2 -1"), at module level. */
function calcText(src: string, x: number): number {
  let acc = x;
  for (const tok of src.split(" ")) {
    const k = Number(tok.slice(1));
    if (tok[0] === "+") acc += k;
    else if (tok[0] === "*") acc *= k;
    else acc -= k;
  }
  return acc;
}

describe("argument profiles", () => {
  it("move from constant to type to varies, with exact -0 and NaN", () => {
    const p = new ArgumentProfile();
    p.observe(NaN);
    p.observe(NaN);
    expect(p.stability).toBe("constant");
    p.observe(0);
    expect(p.stability).toBe("type");
    p.observe("s");
    expect(p.stability).toBe("varies");
    const z = new ArgumentProfile();
    z.observe(0);
    z.observe(-0);
    expect(z.stability).toBe("type");
  });

  it("recognise one object shape", () => {
    const p = new ArgumentProfile();
    p.observe({ a: 1, b: 2 });
    p.observe({ a: 3, b: 4 });
    expect(p.stability).toBe("shape");
    p.observe({ b: 1, a: 2 });
    expect(p.stability).toBe("type");
  });
});

describe("the rule for calls too short to gain", () => {
  const ns = (x: number) => x / 1e6;
  it("reads how short a call is from the lower quartile, so that load spreading the timings does not hide a 2 ns function", () => {
    // A 2 ns function on a loaded host: a quarter of its timed calls read short, the median does not.
    expect(callsTooShortToGain(ns(4), ns(26))).toBe(true);
    expect(callsTooShortToGain(ns(25), ns(30))).toBe(false);
  });
  it("keeps a function whose long calls can gain, when a quarter of its calls return early", () => {
    expect(callsTooShortToGain(ns(3), ns(400))).toBe(false);
    expect(callsTooShortToGain(ns(3), ns(80))).toBe(false);
  });
});

describe("tiering", () => {
  it("reads KOS_HOT_CALLS as it was at jit(), though its state is made at the first call", () => {
    const before = process.env.KOS_HOT_CALLS;
    process.env.KOS_HOT_CALLS = "50";
    let f: (k: number, x: number) => number;
    try {
      f = jit(function scaleBy(k: number, x: number) {
        return k * x;
      });
    } finally {
      if (before === undefined) delete process.env.KOS_HOT_CALLS;
      else process.env.KOS_HOT_CALLS = before;
    }
    for (let i = 0; i < 120; i++) expect(f(3, i)).toBe(3 * i);
    // Count-based at 50 calls: without the variable, the cost gate would wait far longer.
    expect(inspect(f)!.tier).toBe(1);
  });

  it("settles on the original when no argument stays constant over its first 2048 calls, and keeps waiting when one does", () => {
    // 400 steps, well over the 20 ns under which calls settle as too short to gain: with 40 (about
    // 20 ns optimized) the constant one settled that way in one full-suite run on 2 busy cores.
    function weigh(o: { a: number }, scale: number): number {
      let s = 0;
      for (let i = 0; i < 400; i++) s += o.a * i * scale;
      return s;
    }
    const varying = jit(weigh);
    const constant = jit(weigh);
    for (let i = 0; i < 3000; i++) {
      expect(varying({ a: i }, i % 7)).toBe(weigh({ a: i }, i % 7));
      expect(constant({ a: i }, 3)).toBe(weigh({ a: i }, 3));
    }
    expect(inspect(varying)!.fallbackReason).toMatch(/^no argument stayed constant over its first 2048 calls/);
    expect(inspect(constant)!.tier).toBe(0);
  });

  it("compiles a function whose program sits in its closure when no argument stays constant, guarded", () => {
    // Not frozen: the program is the caller's, so the version guards what it folded.
    const program = { ops: [["add", 3], ["mul", 2], ["sub", 1], ["mul", 5]] as Array<[string, number]> };
    function run(p: typeof program, x: number): number {
      let acc = x;
      for (const [op, k] of p.ops) {
        if (op === "add") acc += k;
        else if (op === "mul") acc *= k;
        else acc -= k;
      }
      return acc;
    }
    const handler = jit((x: number) => run(program, x), { tiering: { hotCalls: 100 } });
    for (let i = 0; i < 300; i++) expect(handler(i - 0.5)).toBe(run(program, i - 0.5));
    const info = inspect(handler)!;
    expect(info.tier).toBe(1);
    expect(info.history.some((e) => e.event === "closure-inputs" && e.detail.includes("`program`"))).toBe(true);
    // The interpreter's loop and dispatch are folded away (the operator names stay in the entry guards only).
    expect(info.source).not.toMatch(/for \(|op ===|=== "add"\)/);
    expect(info.source).toMatch(/\* 5;/);
    program.ops[1]![1] = 4;
    program.ops.push(["add", -0]);
    for (const x of [7, -0, NaN, 1e300]) expect(Object.is(handler(x), run(program, x))).toBe(true);
  });

  it("watches the misses again when the inputs change after it stopped watching them: most calls missing, the function goes generic or gets a version for the new constant", () => {
    // A constant configuration, and 1 call in 10 with another one each time: a steady minority of
    // misses with nothing constant, left to run the original behind the failed guard. Then the
    // program's inputs change. Judged on its whole history, where the misses were a minority, the
    // version stayed, and every later call paid its miss path (15 against 7 ns for the original).
    function weigh(cfg: { k: number[] }, x: number): number {
      let s = 0;
      for (let i = 0; i < cfg.k.length; i++) s += cfg.k[i]! * x;
      return s;
    }
    const A = { k: [1, 2, 3] };
    const other = (i: number) => ({ k: [3, 2, i] });
    const varying = jit(weigh, { tiering: { hotCalls: 1000 } });
    for (let i = 0; i < 20000; i++) {
      const cfg = i % 10 === 5 && i > 3000 ? other(i) : A;
      expect(varying(cfg, i)).toBe(weigh(cfg, i));
    }
    // Tiered at call 1000, where tier 0 has timed the original warm: at call 100 it could still read
    // the cold original above the 0.5 µs from which a first version is timed against it, and a
    // 7 ns version then went back to the original in a clean-clone CI run (as call-counters.test.ts).
    let info = inspect(varying)!;
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    expect(info.history.some((e) => e.event === "misses watched")).toBe(false);
    // Every call misses now, each with another configuration: the function goes generic.
    for (let i = 0; i < 5000; i++) expect(varying(other(i), i)).toBe(weigh(other(i), i));
    info = inspect(varying)!;
    expect(info.history.some((e) => e.event === "misses watched")).toBe(true);
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/no constant argument/);
    expect(varying(A, 2)).toBe(weigh(A, 2));

    // The same, and then one other configuration for good: it gets a version of its own, and the
    // first version, whose guards now fail on every call, leaves the chain.
    const moving = jit(weigh, { tiering: { hotCalls: 1000 } });
    for (let i = 0; i < 20000; i++) {
      const cfg = i % 10 === 5 && i > 3000 ? other(i) : A;
      expect(moving(cfg, i)).toBe(weigh(cfg, i));
    }
    const B = { k: [5, -0, 7] };
    for (let i = 0; i < 10000; i++) expect(Object.is(moving(B, -i), weigh(B, -i))).toBe(true);
    info = inspect(moving)!;
    expect(info.history.some((e) => e.event === "misses watched")).toBe(true);
    expect(info.tier).toBe(1);
    expect(info.versions.length).toBe(1);
    expect(info.versions[0]!.assumptions.some((a) => a.description.includes("identity"))).toBe(true);
    expect(info.history.some((e) => e.event === "dropped v1")).toBe(true);
    B.k[1] = 4;
    expect(moving(B, 3)).toBe(weigh(B, 3));
    expect(moving(A, 3)).toBe(weigh(A, 3));
  });

  it("gives a closure version's misses a closure version of their own: a type guard that later calls fail stops costing them", () => {
    // The program in the closure, the argument an object for the first calls (the version guards
    // `doc is object`), then a primitive in 1 call of 10 (under the 1 in 8 that earns a version at
    // once): watched, each such call profiled its arguments, 130 ns against 20 ns for the original
    // (lodash's `_.property(path)`). After STEADY_MISSES (1024) misses they get a version too.
    const path = ["order", "lines", 1, "sku"];
    function get(doc: unknown): unknown {
      let o = doc as Record<string, unknown> | null | undefined;
      for (let i = 0; i < path.length && o != null; i++) o = o[path[i]!] as Record<string, unknown>;
      return o;
    }
    const f = jit(get, { tiering: { hotCalls: 100 } });
    const doc = (i: number) => ({ order: { lines: [{ sku: "a" }, { sku: `b${i}` }] } });
    for (let i = 0; i < 300; i++) expect(f(doc(i))).toBe(`b${i}`);
    expect(inspect(f)!.tier).toBe(1);
    expect(inspect(f)!.versions[0]!.assumptions.some((a) => a.kind === "type")).toBe(true);
    const odd = [null, 5, "x", undefined, true];
    for (let i = 0; i < 12000; i++) {
      const x = i % 10 === 0 ? odd[(i / 10) % odd.length] : doc(i);
      expect(f(x)).toBe(get(x));
    }
    const info = inspect(f)!;
    expect(info.history.some((e) => e.event === "deoptimized")).toBe(true);
    expect(info.history.filter((e) => e.event.startsWith("tier1 v")).length).toBe(2);
    // The second version folds the same closure, with no guard on the argument's type.
    expect(info.versions.at(-1)!.assumptions.some((a) => a.kind === "type")).toBe(false);
    path[3] = "qty";
    expect(f(doc(1))).toBe(get(doc(1)));
    expect(f(null)).toBe(get(null));
  });

  it("judges a function with no constant argument by how long its calls take now: one whose first calls were slow settles on the original", () => {
    // 0.1 ms a call for its first 64 calls (a cold start, a cache being filled), then well under a
    // microsecond: its sampled mean over the first 2048 calls is over CLOSURE_CHECK_MS (1 µs), and
    // by that mean it waited at tier 0 for a closure check it did not need (and, under load, so did
    // a 0.1 µs function whose first calls ran cold). Its warm calls spend their time in a builtin
    // (JSON.stringify of a small object, about 0.1-0.2 µs), which costs the same before V8 optimizes
    // the function: over TINY_MS (20 ns) and under CLOSURE_CHECK_MS either way. With a 100-step loop
    // instead, run interpreted (V8's concurrent compiler starved by other processes on the 2 cores),
    // they took over 1 µs, and the test failed once under a load average of 3.4; with an 8-step loop
    // they took under 20 ns optimized, and settled as too short to gain.
    let calls = 0;
    function warmsUp(o: { a: number }, k: number): number {
      if (calls++ < 64) {
        const end = performance.now() + 0.1;
        while (performance.now() < end);
      }
      return o.a * k + JSON.stringify(o).length;
    }
    const f = jit(warmsUp);
    for (let i = 0; i < 3000; i++) f({ a: i }, i % 7);
    // Settled on the original, either at call 2048 by its time per call now, or earlier where the
    // process's compiles so far made the gate's price low enough that its slow first calls paid for
    // a tier-up, which found no constant (the cost model is the process's: earlier tests in this file
    // compile, and alone the first reason came in 9 of 9 runs, after them the second once).
    expect(inspect(f)!.fallbackReason).toMatch(/^(no argument stayed constant over its first 2048 calls|no argument was stable as a constant when the function got hot)/);
    expect(inspect(f)!.history.some((e) => e.event === "no-constant")).toBe(false);
  });

  it("counts a string its closure hands to a call as its program (a template, a format, a query)", () => {
    // The handler closes over the text and passes it on to a module-level interpreter (calcText),
    // as `(d) => format(d, FMT)` over an imported `format` does: before, its closure held no program.
    const calc = calcText;
    const SRC = "+3 *2 -1 *5";
    const LABEL = "result";
    const handler = jit((x: number) => calcText(SRC, x), { tiering: { hotCalls: 100 } });
    // A string that is only compared is not a program: nothing to fold, it settles as before.
    const labelled = jit((x: { name: string }) => (x.name === LABEL ? 1 : 0), { tiering: { hotCalls: 100 } });
    for (let i = 0; i < 300; i++) {
      expect(handler(i - 0.5)).toBe(calc(SRC, i - 0.5));
      labelled({ name: i % 2 ? LABEL : "x" });
    }
    const info = inspect(handler)!;
    expect(info.tier).toBe(1);
    expect(info.history.some((e) => e.event === "closure-inputs" && e.detail.includes("`SRC`"))).toBe(true);
    // The text's loop and its dispatch are folded away.
    expect(info.source).not.toMatch(/split|for \(/);
    for (const x of [7, -0, NaN, 1e300]) expect(Object.is(handler(x), calc(SRC, x))).toBe(true);
    expect(inspect(labelled)!.history.some((e) => e.event === "closure-inputs")).toBe(false);
  });

  it("counts a string its closure hands to a call inside an options object or array literal", () => {
    // `(doc) => query({ path: PATH, json: doc })`: the program travels in an options object the
    // call's own text makes. Before, only a name written as the argument itself counted.
    const calc = calcText;
    const SRC = "*3 +4 -2 *2";
    const opts = (o: { src: string; x: number }) => calcText(o.src, o.x);
    const listed = (l: [string, number]) => calcText(l[0], l[1]);
    const viaObject = jit((x: number) => opts({ src: SRC, x }), { tiering: { hotCalls: 100 } });
    const viaArray = jit((x: number) => listed([SRC, x]), { tiering: { hotCalls: 100 } });
    // Only compared inside the literal's neighbour, never handed on: not a program.
    const LABEL = "n";
    const compared = jit((x: { name: string }) => (x.name === LABEL ? opts({ src: "+1", x: 1 }) : 0), { tiering: { hotCalls: 100 } });
    for (let i = 0; i < 300; i++) {
      expect(viaObject(i - 0.5)).toBe(calc(SRC, i - 0.5));
      expect(viaArray(i + 0.25)).toBe(calc(SRC, i + 0.25));
      compared({ name: i % 2 ? LABEL : "m" });
    }
    for (const f of [viaObject, viaArray]) {
      const info = inspect(f)!;
      expect(info.tier).toBe(1);
      expect(info.history.some((e) => e.event === "closure-inputs" && e.detail.includes("`SRC`"))).toBe(true);
      expect(info.source).not.toMatch(/split|for \(/);
      for (const x of [7, -0, NaN, 1e300]) expect(Object.is(f(x), calc(SRC, x))).toBe(true);
    }
    expect(inspect(compared)!.history.some((e) => e.event === "closure-inputs" && e.detail.includes("`LABEL`"))).toBe(false);
  });

  it("waits at tier 0, cost-gated, for a slow function with closure inputs and no constant argument", () => {
    const table = { weights: Array.from({ length: 200 }, (_, i) => (i % 7) - 3) };
    function score(x: number): number {
      let s = 0;
      for (let i = 0; i < table.weights.length; i++) s += table.weights[i]! * Math.sin(x + i);
      return s;
    }
    const f = jit(score);
    for (let i = 0; i < 2200; i++) expect(f(i)).toBe(score(i));
    const info = inspect(f)!;
    expect(info.fallbackReason).toBeNull();
    // The closure is read once a compile would pay, not at the 2048th call.
    expect(info.tier).toBe(0);
    expect(info.history.some((e) => e.event === "no-constant")).toBe(true);
  });

  it("starts at tier 0 and tiers up on a stable argument, guarded", () => {
    const C = Object.freeze([1, 2, 3, 4, 5, 6, 7, 8]);
    const h = jit(horner, { tiering: { hotCalls: 100 } });
    expect(inspect(h)!.tier).toBe(0);
    for (let i = 0; i < 99; i++) expect(h(C, i / 10)).toBe(horner(C, i / 10));
    expect(inspect(h)!.tier).toBe(0);
    for (let i = 0; i < 50; i++) expect(h(C, i / 7)).toBe(horner(C, i / 7));
    const info = inspect(h)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toContain("x is number");
    expect(info.assumptions.some((a) => a.param === "coeffs" && a.kind === "identity")).toBe(true);
    expect(info.source).not.toContain("for (");
    // another array: the guard fails, the original runs
    expect(h([2, 3], 2)).toBe(horner([2, 3], 2));
    expect(inspect(h)!.deopts).toBe(1);
    expect(inspect(h)!.calls).toBe(150);
  });

  it("never runs a proxy's traps: not to profile an argument's shape, to speculate on it, or to compile (three's distanceTo after a miss listed the proxy's keys)", () => {
    const log: string[] = [];
    const traced = (target: object) =>
      new Proxy(target, {
        get: (t, k, r) => (log.push(`get:${String(k)}`), Reflect.get(t, k, r)),
        ownKeys: (t) => (log.push("ownKeys"), Reflect.ownKeys(t)),
        getOwnPropertyDescriptor: (t, k) => (log.push(`gopd:${String(k)}`), Reflect.getOwnPropertyDescriptor(t, k)),
        isExtensible: (t) => (log.push("isExtensible"), Reflect.isExtensible(t)),
        getPrototypeOf: (t) => (log.push("getPrototypeOf"), Reflect.getPrototypeOf(t)),
      });
    function dist(this: { x: number }, v: { x: number }): number {
      return this.x - v.x;
    }
    // Hot on a constant argument, then two misses, the second with a proxy (its shape is profiled).
    const C = { x: 1 };
    const d = jit(dist, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 80; i++) d.call({ x: i }, C);
    // Compiled, or (its reads kept as written) settled on the original's own code.
    expect(inspect(d)!.tier === 1 || inspect(d)!.history.some((h) => /^NOTHING_SPECIALIZED: /.test(h.detail ?? ""))).toBe(true);
    d.call({ x: 1 }, { x: 2 });
    for (let i = 0; i < 5; i++) {
      log.length = 0;
      expect(d.call({ x: 1 }, traced({ x: 2 }))).toBe(-1);
      expect(log).toEqual(["get:x"]);
    }
    // A revoked proxy: `Array.isArray` on it throws, so profiling its type must not ask.
    const { proxy: revoked, revoke } = Proxy.revocable({ x: 1 }, {});
    revoke();
    function ignore(this: unknown, _v: unknown): number {
      return 1;
    }
    const ig = jit(ignore, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 80; i++) ig(C);
    for (let i = 0; i < 40; i++) expect(ig(i % 2 ? revoked : { x: i })).toBe(1);
    // The same proxy on every call: the tier-up neither checks it for frozenness nor compiles on it.
    function plus(o: { a: number }, n: number): number {
      return o.a + n;
    }
    const P = traced({ a: 1 });
    const p = jit(plus, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 120; i++) {
      log.length = 0;
      expect(p(P, i)).toBe(1 + i);
      expect(log).toEqual(["get:a"]);
    }
    // Explicit specialization on a proxy, any freeze policy: jit() itself reads nothing through it.
    for (const freeze of ["guard", "reference", "deep"] as const) {
      log.length = 0;
      const q = jit(plus, { specialize: { o: P }, freeze });
      expect(log).toEqual([]);
      expect(q(P, 2)).toBe(3);
      expect(log).toEqual(["get:a"]);
    }
  });

  it("speculates on a typed array's kind by its intrinsic tag, and on an array by a test that cannot throw: a Buffer compiles, a proxy runs no trap in a guard, a revoked one throws nothing the original does not", () => {
    // A Node Buffer is a Uint8Array: profiled as "Buffer", its type guard was rejected (BAD_OPTIONS) and the function never compiled (sweep14).
    const scale = { k: 2 };
    function dec(b: Uint8Array) {
      let t = 0;
      for (let i = 0; i < b.length; i++) t += b[i]! * scale.k;
      return t;
    }
    const d = jit(dec, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 120; i++) expect(d(Buffer.from([i & 255, 2, 3]))).toBe(dec(Buffer.from([i & 255, 2, 3])));
    expect(inspect(d)!.fallbackReason).toBeNull();
    expect(inspect(d)!.tier).toBe(1);
    expect(inspect(d)!.assumptions.map((a) => a.description)).toContain("b is typedarray:Uint8Array");
    expect(d(new Uint8Array([1, 2]))).toBe(6);
    // A proxy of a typed array at the guard: `instanceof` ran its getPrototypeOf trap.
    const log: string[] = [];
    const traced = new Proxy(new Uint8Array([1, 2]), { getPrototypeOf: (t) => (log.push("getPrototypeOf"), Reflect.getPrototypeOf(t)), get: (t, k) => (log.push(`get:${String(k)}`), Reflect.get(t, k)) });
    const outcome = (f: () => unknown) => { log.length = 0; try { return [f(), [...log]]; } catch (e) { return [(e as Error).message, [...log]]; } };
    expect(outcome(() => d(traced))).toEqual(outcome(() => dec(traced)));
    // An array guard with a revoked proxy: `Array.isArray` throws on it, where this function never looks at it.
    function pick(a: number[], cfg: { useA: boolean; x: number }) {
      return cfg.useA ? a.length : cfg.x;
    }
    const cfg = Object.freeze({ useA: false, x: 7 });
    const p = jit(pick, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 120; i++) p([1, 2, i], cfg);
    expect(inspect(p)!.assumptions.map((a) => a.description)).toContain("a is array");
    const { proxy: revoked, revoke } = Proxy.revocable([] as number[], {});
    revoke();
    expect(p(revoked, cfg)).toBe(7);
    expect(p([1], cfg)).toBe(7);
  });

  it("drops a first version whose guards fail on most calls once a later version serves them, without dropping the constant that still holds (an io-ts `is` ran 10x slower)", () => {
    const C = Object.freeze({ k: "name", min: 2 });
    function is(c: typeof C, x: any): boolean {
      return typeof x === "object" && x !== null && typeof x[c.k] === "string" && x[c.k].length >= c.min;
    }
    const valid = { name: "abc" };
    const t = jit(is, { tiering: { hotCalls: 100 } });
    for (let i = 0; i < 200; i++) t(C, valid); // version 1: c and x both constant
    const mixed = [valid, 5, "s", null, { name: 1 }, valid, [], true];
    for (let i = 0; i < 4000; i++) expect(t(C, mixed[i & 7])).toBe(is(C, mixed[i & 7]));
    const info = inspect(t)!;
    expect(info.tier).toBe(1);
    expect(info.versions!.length).toBe(1);
    expect(info.assumptions.map((a) => a.description)).toEqual(["c is the specialized object (identity)"]);
    expect(info.history.some((h) => h.event === "dropped v1")).toBe(true);
  });

  it("speculates on an unfrozen constant object behind content guards, never freezes it, and follows a change", () => {
    const C = [1, 2, 3];
    const h = jit(horner, { tiering: { hotCalls: 20 } });
    for (let i = 0; i < 40; i++) h(C, i);
    expect(Object.isFrozen(C)).toBe(false);
    expect(inspect(h)!.tier).toBe(1);
    expect(inspect(h)!.assumptions.some((a) => a.param === "(contents)" && a.kind === "content")).toBe(true);
    C[0] = 100;
    expect(h(C, 2)).toBe(horner(C, 2));
  });

  it("speculates on a constant function argument, guarded by identity, and inlines it; another function runs the original (sweep19, chk-fnarg.mjs)", () => {
    let seen = 0;
    const words = (s: string) => s.split(" ").length;
    const other = (s: string) => (seen++, s.length);
    const apply = (f: (s: string) => number, s: string) => f(s) + 1;
    const h = jit(apply, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 120; i++) expect(h(words, `a b ${i}`)).toBe(apply(words, `a b ${i}`));
    const info = inspect(h)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.some((a) => a.param === "f" && a.kind === "identity")).toBe(true);
    expect(info.source).toMatch(/split\(" "\)/);
    expect(h(other, "abc")).toBe(4);
    expect(seen).toBe(1);
    expect(inspect(h)!.deopts).toBeGreaterThan(0);
  });

  it("drops an object whose contents keep changing (a state object) instead of compiling for it again", () => {
    function step(state: { count: number }, x: number) {
      state.count = state.count + x;
      return state.count * 2;
    }
    const state = { count: 0 };
    const twin = { count: 0 };
    const f = jit(step, { tiering: { hotCalls: 20 } });
    for (let i = 0; i < 400; i++) expect(f(state, i & 3)).toBe(step(twin, i & 3));
    expect(inspect(f)!.versions.length).toBeLessThanOrEqual(1);
    expect(inspect(f)!.tier).toBe("fallback");
  });

  it("recompiles without an assumption that keeps failing, then gives up after maxVersions", () => {
    const f = jit((k: number, x: number) => k * x + 1, { tiering: { hotCalls: 20, maxVersions: 2 } });
    for (let i = 0; i < 30; i++) f(3, i);
    expect(inspect(f)!.tier).toBe(1);
    for (let i = 0; i < 200; i++) expect(f(i, 2)).toBe(i * 2 + 1);
    const events = inspect(f)!.history.map((h) => h.event);
    expect(events).toContain("deoptimized");
    expect(inspect(f)!.deopts).toBeGreaterThanOrEqual(16);
  });

  it("stays on the original when nothing is stable", () => {
    const f = jit((a: unknown) => String(a), { tiering: { hotCalls: 10 } });
    for (let i = 0; i < 40; i++) f(i % 2 ? i : `s${i}`);
    // Nothing to speculate on: it settles as generic (the original, nothing per call).
    expect(inspect(f)!.tier).toBe("fallback");
    expect(inspect(f)!.fallbackReason).toMatch(/no argument was stable/);
    expect(inspect(f)!.history.map((h) => h.event)).toContain("no-speculation");
    expect(f(7)).toBe("7");
  });

  it("keeps `this`, `new` and `arguments` semantics at tier 0", () => {
    function Point(this: { x: number }, x: number) { this.x = x; }
    const P = jit(Point) as unknown as new (x: number) => { x: number };
    expect(new P(4).x).toBe(4);
    const count = jit(function (..._xs: unknown[]) { return arguments.length; });
    expect(count(1, 2, 3)).toBe(3);
    const o = { k: 5, get: jit(function (this: { k: number }) { return this.k; }) };
    expect(o.get()).toBe(5);
  });

  it("a KOS_PROFILE it cannot read: the function runs and tiers as without one, and inspect says why, with the code (sweep35)", async () => {
    const saved = process.env.KOS_PROFILE;
    process.env.KOS_PROFILE = join(tmpdir(), "kos-no-such-profile-dir", "kos-profile.json");
    onTestFinished(() => {
      if (saved === undefined) delete process.env.KOS_PROFILE;
      else process.env.KOS_PROFILE = saved;
    });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    const h = jit(function hornerAgain(coeffs: readonly number[], x: number) { let s = 0; for (let i = coeffs.length - 1; i >= 0; i--) s = s * x + coeffs[i]!; return s; });
    expect(h([1, 2], 3)).toBe(7);
    const event = inspect(h)!.history.find((e) => e.event === "profile-error");
    expect(event?.detail).toMatch(/^KOS_PROFILE_READ: /);
    // A second function: the same reason, from the failure kept, not from the file read again.
    const g = jit(function sumTo(n: number) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; });
    expect(g(4)).toBe(6);
    expect(inspect(g)!.history.find((e) => e.event === "profile-error")?.detail).toBe(event?.detail);
    // Said once in the process, as a warning with the code: setting KOS_PROFILE to a path that
    // cannot be read is not silent (process warnings are emitted on the next tick).
    await new Promise((r) => setImmediate(r));
    const ours = warnings.filter((w) => (w as { code?: string }).code === "KOS_PROFILE_READ");
    expect(ours).toHaveLength(1);
    expect(ours[0]!.message).toContain("kos-no-such-profile-dir");
  });

  it("compiles at the first call from a profile's stable arguments", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "kos-profile.json");
    writeFileSync(file, JSON.stringify({
      version: 1, command: ["node", "x.js"], date: new Date().toISOString(), durationMs: 1, totalSamples: 10, source: "cpu-prof", flamegraph: null,
      hot: [{ name: "horner", file: "x.js", line: 1, column: 1, selfPercent: 90, totalPercent: 90, selfSamples: 9, totalSamples: 9,
        sourceHash: sourceHash(Function.prototype.toString.call(horner)),
        stableArgs: [{ index: 0, name: "coeffs", stability: "constant", type: "array" }, { index: 1, name: "x", stability: "type", type: "number" }] }],
    }));
    // A constant object is recorded without its value: the first call's (deep-frozen) object is the one.
    const C = Object.freeze([1, 2]);
    const h = jit(horner, { tiering: { profile: loadProfile(file) } });
    expect(h(C, 3)).toBe(horner(C, 3));
    const info = inspect(h)!;
    expect(info.tier).toBe(1);
    expect(info.calls).toBe(1);
    expect(info.assumptions.map((a) => a.param)).toEqual(["coeffs", "x"]);
    expect(info.assumptions[1]!.description).toBe("x is number");
    expect(h(C, 5)).toBe(horner(C, 5));
    expect(h([3, 4], 5)).toBe(horner([3, 4], 5));
  });

  it("a profile with no time per call weighs the compile against the function's samples, not compiling on no evidence (sweep47 #3)", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const C = Object.freeze([1, 2]);
    const stableArgs = [{ index: 0, name: "coeffs", stability: "constant", type: "array" }];
    // 720 calls, too few for the profiled run to time: 9 of its 10 samples over a 20 ms run are 18 ms,
    // at most 14.4 ms to save (0.8 of it) against a 50 ms compile.
    writeFileSync(join(dir, "few.json"), JSON.stringify({ ...hornerProfile({ calls: 720, predictedCompileCpuMs: 50, stableArgs }), durationMs: 20 }));
    const few = jit(horner, { tiering: { profile: loadProfile(join(dir, "few.json")) } });
    expect(few).toBe(horner);
    expect(inspect(few)!.fallbackReason).toMatch(/against at most 14\.4 ms saved \(its 18\.0 ms in the profiled run\)/);
    // The same over a 2 s run: 1.8 s in the function pays for the compile.
    writeFileSync(join(dir, "long.json"), JSON.stringify({ ...hornerProfile({ calls: 720, predictedCompileCpuMs: 50, stableArgs }), durationMs: 2000 }));
    const long = jit(horner, { name: "hornerLongRun", tiering: { profile: loadProfile(join(dir, "long.json")) } });
    expect(long(C, 3)).toBe(horner(C, 3));
    expect(inspect(long)!.tier).toBe(1);
    // A fixed tier-up compiles from the profile whatever the compile costs (the demo's steady state).
    const fixed = jit(horner, { name: "hornerFixed", tiering: { profile: loadProfile(join(dir, "few.json")), hotCalls: 1 } });
    expect(fixed(C, 3)).toBe(horner(C, 3));
    expect(inspect(fixed)!.tier).toBe(1);
  });

  it("a profile whose compile cost more than it could save makes jit() return the function itself, settled generic", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const entry = (calls: number, compileMs: number, tier0UsPerCall: number) =>
      hornerProfile({ calls, compileMs, tier0UsPerCall, stableArgs: [{ index: 0, name: "coeffs", stability: "constant", type: "array" }] });
    const C = Object.freeze([1, 2]);
    // 1,000 calls of 2 µs: at most 1.6 ms to save (horner is self-contained: its version is bet
    // to save 0.8 of its time, compile-cost.ts), against a 50 ms compile.
    writeFileSync(join(dir, "short.json"), JSON.stringify(entry(1000, 50, 2)));
    const short = jit(horner, { tiering: { profile: loadProfile(join(dir, "short.json")) } });
    // Nothing of kos on the call path: the original itself.
    expect(short).toBe(horner);
    expect(short(C, 3)).toBe(horner(C, 3));
    expect(inspect(short)!.tier).toBe("fallback");
    // A profile with wall time only (written before compileCpuMs) counts it twice as CPU, plus
    // the compiler's load where this process has not loaded it yet.
    const costOf = (f: Function) => Number(/the profile says compiling costs ([\d.]+) ms of CPU against at most/.exec(inspect(f)!.fallbackReason ?? "")?.[1]);
    expect(inspect(short)!.fallbackReason).toMatch(/against at most 1\.6 ms saved over 1000 calls/);
    expect(costOf(short)).toBeGreaterThanOrEqual(100);
    expect(costOf(short)).toBeLessThan(130);
    // 1,000,000 calls of 2 µs: up to 1 s to save.
    writeFileSync(join(dir, "long.json"), JSON.stringify(entry(1e6, 50, 2)));
    const long = jit(horner, { tiering: { profile: loadProfile(join(dir, "long.json")) } });
    expect(long(C, 3)).toBe(horner(C, 3));
    expect(inspect(long)!.tier).toBe(1);
    // The CPU cost, when the profile has it, decides: 400 ms of CPU against at most 320 ms saved.
    writeFileSync(join(dir, "cpu.json"), JSON.stringify({ ...entry(200_000, 50, 2), hot: [{ ...entry(200_000, 50, 2).hot[0], compileCpuMs: 400 }] }));
    const cpu = jit(horner, { tiering: { profile: loadProfile(join(dir, "cpu.json")) } });
    expect(cpu(C, 3)).toBe(horner(C, 3));
    expect(inspect(cpu)!.fallbackReason).toMatch(/against at most 320\.0 ms saved/);
    expect(costOf(cpu)).toBeGreaterThanOrEqual(400);
    expect(costOf(cpu)).toBeLessThan(430);
    // A profiled run that never compiled the function records the cost its model predicted; it decides the same way.
    const predicted = (ms: number) => {
      const e = entry(200_000, 50, 2);
      const { compileMs: _wall, ...rest } = e.hot[0]!;
      return { ...e, hot: [{ ...rest, predictedCompileCpuMs: ms }] };
    };
    writeFileSync(join(dir, "predicted-high.json"), JSON.stringify(predicted(360)));
    const high = jit(horner, { tiering: { profile: loadProfile(join(dir, "predicted-high.json")) } });
    expect(high).toBe(horner);
    expect(costOf(high)).toBeGreaterThanOrEqual(360);
    writeFileSync(join(dir, "predicted-low.json"), JSON.stringify(predicted(40)));
    const low = jit(horner, { tiering: { profile: loadProfile(join(dir, "predicted-low.json")) } });
    expect(low(C, 3)).toBe(horner(C, 3));
    expect(inspect(low)!.tier).toBe(1);
  });

  it("a count that is a lower bound (a function the program dropped) does not settle a function on the original", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const C = Object.freeze([1, 2]);
    // 1,000 calls of 2 µs against a 50 ms compile settles an exact count (the test above); the
    // same count marked `≥` is a floor: a top-level `const f = jit(g)` compiled in the profiled
    // run kept the count of its last change of tier (sweep35 repro-11: 7,051 of 40,000 calls).
    const entry = hornerProfile({ calls: 1000, compileMs: 50, tier0UsPerCall: 2, tier: 1, stableArgs: [{ index: 0, name: "coeffs", stability: "constant", type: "array" }] });
    writeFileSync(join(dir, "floor.json"), JSON.stringify({ ...entry, hot: [{ ...entry.hot[0], callsAtLeast: true }] }));
    const floor = jit(horner, { tiering: { profile: loadProfile(join(dir, "floor.json")) } });
    expect(floor).not.toBe(horner);
    expect(floor(C, 3)).toBe(horner(C, 3));
    expect(inspect(floor)!.tier).toBe(1);
    // Fleet profiles: a sum with a floor in it is a floor.
    const exact = { ...entry, hot: [{ ...entry.hot[0] }] };
    const merged = mergeProfiles([exact as never, { ...entry, hot: [{ ...entry.hot[0], callsAtLeast: true }] } as never]);
    expect(merged.hot[0]).toMatchObject({ calls: 2000, callsAtLeast: true });
    expect(mergeProfiles([exact as never, exact as never]).hot[0]!.callsAtLeast).toBeUndefined();
    // A profile whose flag is not a boolean is refused like any other malformed field.
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...entry, hot: [{ ...entry.hot[0], callsAtLeast: "yes" }] }));
    expect(() => loadProfile(join(dir, "bad.json"))).toThrow(expect.objectContaining({ code: "KOS_PROFILE_INVALID" }));
  });

  it("a profile of a run that used a profile keeps its decisions: the arguments it compiled on, and the functions it settled", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    const saved = process.env.KOS_FEEDBACK_OUT;
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
      if (saved === undefined) delete process.env.KOS_FEEDBACK_OUT;
      else process.env.KOS_FEEDBACK_OUT = saved;
    });
    // Each jit() below has a name of its own: other tests' horners are in the record too.
    const summaryOf = (name: string) => collectFeedback().functions.find((s) => s.name === name);
    // Compiled at its first call on `coeffs` constant, `x` a number: the profile says so. Its own
    // one call made "constant" of x = 3, and a profile of that run deoptimized on x (sweep35 repro-8).
    const compiled = hornerProfile({ calls: 1e6, compileMs: 1, tier0UsPerCall: 2, stableArgs: [{ index: 0, name: "coeffs", stability: "constant", type: "array" }, { index: 1, name: "x", stability: "type", type: "number" }] });
    writeFileSync(join(dir, "compiled.json"), JSON.stringify(compiled));
    const C = Object.freeze([1, 2]);
    const h = jit(horner, { name: "hornerFromProfile", tiering: { profile: loadProfile(join(dir, "compiled.json")) } });
    expect(h(C, 3)).toBe(horner(C, 3));
    expect(inspect(h)!.tier).toBe(1);
    const s = summaryOf("hornerFromProfile")!;
    expect(s.args.map((a) => [a.name, a.stability])).toEqual([["coeffs", "constant"], ["x", "type"]]);
    expect(s.tier0UsPerCall).toBe(2);
    // Settled by the profile in a profiling run (KOS_FEEDBACK_OUT): not the function itself, so that
    // its calls are counted and the new profile says it settled (it had no entry: sweep35 repro-9).
    writeFileSync(join(dir, "short.json"), JSON.stringify(hornerProfile({ calls: 1000, compileMs: 50, tier0UsPerCall: 2, stableArgs: [{ index: 0, name: "coeffs", stability: "constant", type: "array" }] })));
    process.env.KOS_FEEDBACK_OUT = join(dir, "feedback.json");
    const settled = jit(horner, { name: "hornerSettledByProfile", tiering: { profile: loadProfile(join(dir, "short.json")) } });
    expect(settled).not.toBe(horner);
    for (let i = 0; i < 5; i++) expect(settled(C, i)).toBe(horner(C, i));
    expect(inspect(settled)!.tier).toBe("fallback");
    const t = summaryOf("hornerSettledByProfile")!;
    expect(t).toMatchObject({ calls: 5, tier: 0 });
    expect(t.fallbackReason).toMatch(/^the profile says compiling costs/);
    expect(t.args.filter((a) => a.stability !== "varies").map((a) => a.name)).toEqual(["coeffs"]);
    // The next generation settles on that entry with the same reason, said once.
    writeFileSync(join(dir, "gen2.json"), JSON.stringify(hornerProfile({ calls: t.calls, tier: 0, fallbackReason: t.fallbackReason, stableArgs: t.args.filter((a) => a.stability !== "varies") })));
    delete process.env.KOS_FEEDBACK_OUT;
    const gen2 = jit(horner, { tiering: { profile: loadProfile(join(dir, "gen2.json")) } });
    expect(gen2).toBe(horner);
    expect(inspect(gen2)!.fallbackReason).toBe(`the profiled run settled it on the original: ${t.fallbackReason}`);
    writeFileSync(join(dir, "gen3.json"), JSON.stringify(hornerProfile({ calls: t.calls, tier: 0, fallbackReason: inspect(gen2)!.fallbackReason, stableArgs: t.args.filter((a) => a.stability !== "varies") })));
    expect(inspect(jit(horner, { tiering: { profile: loadProfile(join(dir, "gen3.json")) } }))!.fallbackReason).toBe(inspect(gen2)!.fallbackReason);
  });

  it("a profile entry with stable types but no constant argument is bet to save a quarter of the time, not 0.8", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const profile = (stability: string) =>
      hornerProfile({ calls: 200_000, compileCpuMs: 150, tier0UsPerCall: 2, stableArgs: [{ index: 0, name: "coeffs", stability, type: "array" }] });
    const C = Object.freeze([1, 2]);
    // 200,000 calls of 2 µs: 320 ms to save at 0.8 (a constant argument), 100 ms at 0.25, against a 150 ms compile.
    writeFileSync(join(dir, "types.json"), JSON.stringify(profile("type")));
    const types = jit(horner, { tiering: { profile: loadProfile(join(dir, "types.json")) } });
    expect(types).toBe(horner);
    expect(inspect(types)!.fallbackReason).toMatch(/against at most 100\.0 ms saved over 200000 calls/);
    writeFileSync(join(dir, "constant.json"), JSON.stringify(profile("constant")));
    const constant = jit(horner, { tiering: { profile: loadProfile(join(dir, "constant.json")) } });
    expect(constant(C, 3)).toBe(horner(C, 3));
    expect(inspect(constant)!.tier).toBe(1);
    // Bet to save more than it costs, but not twice as much (320 ms against 200): the original.
    writeFileSync(join(dir, "thin.json"), JSON.stringify({ ...profile("constant"), hot: [{ ...profile("constant").hot[0], compileCpuMs: 200 }] }));
    const thin = jit(horner, { tiering: { profile: loadProfile(join(dir, "thin.json")) } });
    expect(thin).toBe(horner);
    expect(inspect(thin)!.fallbackReason).toMatch(/costs 2\d\d\.\d ms of CPU against at most 320\.0 ms saved/);
  });

  it("a profile entry whose timed calls stand for more than its samples is weighed by its samples, unless the profiled run compiled it", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const C = Object.freeze([1, 2]);
    const stableArgs = [{ index: 0, name: "coeffs", stability: "constant", type: "array" }];
    // 3.84 million calls timed at 0.083 µs (319 ms), a 20 ms compile: worth it by the timed calls,
    // not by its 9 ms of samples (9 of the 10 samples of a 10 ms run), as V8 inlined it.
    const inlined = { ...hornerProfile({ calls: 3_840_000, tier0UsPerCall: 0.083, predictedCompileCpuMs: 20, stableArgs }), durationMs: 10 };
    writeFileSync(join(dir, "inlined.json"), JSON.stringify(inlined));
    const settled = jit(horner, { tiering: { profile: loadProfile(join(dir, "inlined.json")) } });
    expect(settled).toBe(horner);
    expect(inspect(settled)!.fallbackReason).toMatch(/saved over 3840000 calls \(its 9\.0 ms of samples in the profiled run\)/);
    // The same entry from a long run, whose samples stand for more than its timed calls: compiled.
    writeFileSync(join(dir, "sampled.json"), JSON.stringify({ ...inlined, durationMs: 1000 }));
    const compiled = jit(horner, { tiering: { profile: loadProfile(join(dir, "sampled.json")) } });
    expect(compiled(C, 3)).toBe(horner(C, 3));
    expect(inspect(compiled)!.tier).toBe(1);
    // A function the profiled run compiled: its samples are its version's, and its timed calls decide.
    writeFileSync(join(dir, "tiered.json"), JSON.stringify({ ...hornerProfile({ calls: 3_840_000, tier0UsPerCall: 0.083, compileCpuMs: 20, tier: 1, stableArgs }), durationMs: 10 }));
    const tiered = jit(horner, { tiering: { profile: loadProfile(join(dir, "tiered.json")) } });
    expect(tiered(C, 3)).toBe(horner(C, 3));
    expect(inspect(tiered)!.tier).toBe(1);
  });

  it("a profile entry the profiled run settled on the original makes jit() return the function itself, with that reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-tier-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const hot = (extra: object) =>
      hornerProfile({ calls: 1e6, tier0UsPerCall: 0.01, stableArgs: [{ index: 0, name: "coeffs", stability: "constant", type: "array" }], ...extra });
    // Without a recorded cost the entry cannot say the compile will not pay, and it compiled at the
    // first call: here, where the profiled run had found the calls too short to gain from one.
    writeFileSync(join(dir, "settled.json"), JSON.stringify(hot({ tier: 0, fallbackReason: "its calls take under 20 ns" })));
    const settled = jit(horner, { tiering: { profile: loadProfile(join(dir, "settled.json")) } });
    expect(settled).toBe(horner);
    expect(inspect(settled)!.fallbackReason).toBe("the profiled run settled it on the original: its calls take under 20 ns");
    // So too an entry with no stable argument (a function no sample caught, kept for its reason).
    writeFileSync(join(dir, "settled-unsampled.json"), JSON.stringify(hornerProfile({ calls: 49_800, tier: 0, fallbackReason: "its calls take under 20 ns", stableArgs: [] })));
    const unsampled = jit(horner, { tiering: { profile: loadProfile(join(dir, "settled-unsampled.json")) } });
    expect(unsampled).toBe(horner);
    expect(inspect(unsampled)!.fallbackReason).toBe("the profiled run settled it on the original: its calls take under 20 ns");
    // A tier-1 entry (a version that was deoptimized later keeps its reason) still compiles.
    writeFileSync(join(dir, "compiled.json"), JSON.stringify(hot({ tier: 1, fallbackReason: null })));
    const compiled = jit(horner, { tiering: { profile: loadProfile(join(dir, "compiled.json")) } });
    const C = Object.freeze([1, 2]);
    expect(compiled(C, 3)).toBe(horner(C, 3));
    expect(inspect(compiled)!.tier).toBe(1);
  });

  it("records the compile time and the original's warm time per call in its feedback", () => {
    // A call far above the clock's 10 ns tick: \`k * x\` alone (about 1 ns) read 0 on more than half
    // of its warm calls in a loaded CI run, and its recorded time per call was 0.
    const f = jit(function scale(k: number, x: number) {
      let s = 0;
      for (let i = 0; i < 400; i++) s += k * x + (i & 3);
      return s;
    }, { tiering: { hotCalls: 1000 } });
    for (let i = 0; i < 1200; i++) f(3, i);
    const fb = collectFeedback().functions.find((x) => x.name === "scale")!;
    expect(inspect(f)!.tier).toBe(1);
    expect(fb.compileMs).toBeGreaterThan(0);
    expect(fb.compileCpuMs).toBeGreaterThan(0);
    expect(inspect(f)!.compileCpuMs).toBeCloseTo(fb.compileCpuMs!, 1);
    expect(fb.tier0UsPerCall).toBeGreaterThan(0);
  });

  it("a function hot by time before its warm window still reports its time per call, from the tier-0 samples", () => {
    function slowSum(k: number, n: number) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (k * i) % 5;
      return s;
    }
    const f = jit(slowSum, { tiering: { hotCalls: 100_000, hotTimeMs: 2 } });
    let calls = 0;
    while (inspect(f)!.tier === 0 && calls < 50_000) {
      f(3, 5000);
      calls++;
    }
    expect(inspect(f)!.tier).toBe(1);
    const fb = collectFeedback().functions.find((x) => x.name === "slowSum")!;
    expect(fb.tier0UsPerCall).toBeGreaterThan(0);
  });

  it("writes its feedback at exit when KOS_FEEDBACK_OUT is set", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-fb-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "feedback.json");
    const script = `import("kos").then(({ jit }) => { const f = jit(function scale(k, x) { return k * x; }); for (let i = 0; i < 50; i++) f(3, i); });`;
    const env = { ...process.env, KOS_FEEDBACK_OUT: out };
    delete env.KOS_FEEDBACK_UNHASHED;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status).toBe(0);
    const dump = JSON.parse(readFileSync(out, "utf8"));
    expect(dump.version).toBe(1);
    const fn = dump.functions.find((f: { name: string }) => f.name === "scale");
    expect(fn.calls).toBe(50);
    expect(fn.args[0]).toMatchObject({ name: "k", stability: "constant", value: 3 });
    expect(fn.args[1]).toMatchObject({ name: "x", stability: "type", type: "number" });
    expect(fn.sourceHash).toBe(sourceHash("function scale(k, x) { return k * x; }"));
    expect(fn.source).toBeUndefined();

    // Where the reader says it hashes (`kos profile` does: hashing at exit loaded node:crypto), the
    // text is there instead, and the reader's hashSources gives the same dump.
    rmSync(out); // else the second process adds its functions to the first one's dump
    const r2 = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env: { ...env, KOS_FEEDBACK_UNHASHED: "1" }, encoding: "utf8" });
    expect(r2.status).toBe(0);
    const unhashed = JSON.parse(readFileSync(out, "utf8"));
    const fn2 = unhashed.functions.find((f: { name: string }) => f.name === "scale");
    expect(fn2.sourceHash).toBe("");
    expect(fn2.source).toBe("function scale(k, x) { return k * x; }");
    expect(hashSources(unhashed)).toBe(true);
    expect(unhashed.functions.find((f: { name: string }) => f.name === "scale").sourceHash).toBe(fn.sourceHash);
  });

  it("tiers up in a profiling run only when the compile pays, and records the predicted cost of the compile it skipped", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-fb-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, "feedback.json");
    // 20,000 calls of a 64-step loop: a few milliseconds of work, against a compile of tens. (A
    // one-multiply kernel would settle on the original instead: too short to gain from a compile.)
    const script = `import("kos").then(({ jit, inspect }) => { const f = jit(function scale(k, x) { let s = 0; for (let i = 0; i < 64; i++) s += Math.sqrt(k * x + i); return s; }); for (let i = 0; i < 20000; i++) f(3, i); process.stdout.write(String(inspect(f).tier)); });`;
    const env = { ...process.env, KOS_FEEDBACK_OUT: out };
    delete env.KOS_HOT_CALLS;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("0");
    const fn = JSON.parse(readFileSync(out, "utf8")).functions.find((f: { name: string }) => f.name === "scale");
    expect(fn.tier).toBe(0);
    expect(fn.compileCpuMs).toBeUndefined();
    // BASE_MS (20) plus 20 ms per KB of its 100 characters of source, unscaled: nothing compiled to rescale it.
    expect(fn.predictedCompileCpuMs).toBeGreaterThan(20);
    expect(fn.predictedCompileCpuMs).toBeLessThan(23);
    // The warm window still timed the original.
    expect(fn.tier0UsPerCall).toBeGreaterThan(0);
  });

  it("loads neither node:crypto nor node's streams for a jit(fn) that is called and hashes nothing", () => {
    // Both came with kos's ES imports of node:crypto and node:fs: about 60 of node's internal modules
    // and 4 ms of CPU on the first jit() of every process.
    const script = `import("kos").then(({ jit }) => {
      const before = new Set(process.moduleLoadList);
      const f = jit(function scale(k, x) { return k * x; });
      for (let i = 0; i < 2000; i++) f(3, i);
      const loaded = JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m)));
      process.stdout.write(loaded); // (process.stdout itself loads streams: read the list first)
    });`;
    const env = { ...process.env };
    for (const k of ["KOS_FEEDBACK_OUT", "KOS_PROFILE", "KOS_HOT_CALLS", "KOS_JIT"]) delete env[k];
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const loaded: string[] = JSON.parse(r.stdout);
    expect(loaded.filter((m) => /crypto|stream/.test(m))).toEqual([]);
  });

  it("matches a jit(fn) to its KOS_PROFILE entry without loading node:crypto, and compiles it at its first call", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-key-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const text = "function scaleBy(k, x) { return k.f * x; }";
    const file = join(dir, "kos-profile.json");
    writeFileSync(file, JSON.stringify({
      version: 1, command: ["node", "x.js"], date: new Date().toISOString(), durationMs: 1, totalSamples: 10, source: "cpu-prof", flamegraph: null,
      hot: [{ name: "scaleBy", file: "x.js", line: 1, column: 1, selfPercent: 90, totalPercent: 90, selfSamples: 9, totalSamples: 9,
        sourceHash: sourceHash(text), sourceKey: sourceKey(text), stableArgs: [{ index: 0, name: "k", stability: "constant", type: "object" }] },
      // A sampled function kos never wrapped: hashed, with no key and nothing for tiering to act on.
      { name: "parse", file: "y.js", line: 1, column: 1, selfPercent: 5, totalPercent: 5, selfSamples: 1, totalSamples: 1, sourceHash: sourceHash("function parse() {}") }],
    }));
    const script = `import("kos").then(({ jit, inspect }) => {
      const before = new Set(process.moduleLoadList);
      const f = jit(${text});
      const g = jit(function other(a) { return a + 1; });
      const k = Object.freeze({ f: 3 });
      const matched = g(1);
      // (The compile that f's first call starts may load crypto for its own ends; the match did not.)
      const crypto = process.moduleLoadList.filter((m) => !before.has(m) && /crypto/.test(m));
      const r = f(k, 2) + matched;
      process.stdout.write(JSON.stringify({ r, tier: inspect(f).tier, crypto }));
    });`;
    const env: NodeJS.ProcessEnv = { ...process.env, KOS_PROFILE: file };
    for (const k of ["KOS_FEEDBACK_OUT", "KOS_HOT_CALLS", "KOS_JIT"]) delete env[k];
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ r: 8, tier: 1, crypto: [] });
  });

  // A first version no faster than the original goes back to it: test/profiler/verify-gain.test.ts (on a
  // virtual clock; both sides are timed in the same windows, so no real timing can set that up).
  it("keeps a first version that is faster, and says so in its history", () => {
    function weighted(w: readonly number[], x: number) {
      let s = 0;
      for (let i = 0; i < w.length; i++) s += w[i]! * Math.sqrt(x + i);
      return s;
    }
    const W = Object.freeze(Array.from({ length: 512 }, (_, i) => (i % 5) - 2));
    const f = jit(weighted, { tiering: { hotCalls: 1000 } });
    for (let i = 0; i < 20_000; i++) f(W, i);
    const info = inspect(f)!;
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    expect(info.history.some((h) => h.event === "verified")).toBe(true);
    expect(f(W, 7)).toBe(weighted(W, 7));
  }, 60_000);

  it("a timed call the machine paused counts at most 8 times the usual call: a fast function does not tier up on one", () => {
    // One call in 16 spins 0.3 ms (as a preempted or GC-paused call would take); the others take
    // nanoseconds. Counted whole, each spinning call the sampler times stood for 256 calls of 0.3 ms.
    const script = `import("kos").then(({ jit, inspect }) => {
      const f = jit(function spiky(k, x) { if (x % 16 === 0) { const t = performance.now(); while (performance.now() - t < 0.3); } return k * x; });
      for (let i = 1; i <= 20000; i++) f(3, i);
      const info = inspect(f);
      process.stdout.write(String(info.tier));
    });`;
    const env = { ...process.env };
    for (const k of ["KOS_FEEDBACK_OUT", "KOS_PROFILE", "KOS_HOT_CALLS", "KOS_JIT"]) delete env[k];
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    // Waiting at tier 0, or settled on the original as too short to gain: never compiled on a spike.
    expect(["0", "fallback"]).toContain(r.stdout);
  }, 30_000);

  // Retried: under the full suite on 2 loaded cores, a clean-clone CI run once timed this 1 ns call
  // high enough, over 1.2 million calls, to tier it up (1 tier-up); alone it passed 3 of 3. The bug it
  // guards against tiers up at 595,000 calls on any machine, so it fails every try.
  it("times a call less the clock's own cost: a function that takes a nanosecond settles on the original, never tiering up", { timeout: 30_000, retry: 2 }, () => {
    // Read raw, each timed call of \`o.v + y\` measured the two clock reads around it (tens of ns)
    // and stood for up to 65,536 calls: the function looked like it had used 87 ms, enough to pay
    // for a compile, after 595,000 calls that took 0.24 ms. The compiled version was no faster.
    const script = `import("kos").then(({ jit, inspect }) => {
      const o = Object.freeze({ v: 1 });
      // The core tiers it: alone, the dormant tier returns a function this small as it is (compiler/small-function.ts).
      jit((x, k) => x * k, { specialize: { k: 2 } });
      const f = jit(function add(o, y) { return o.v + y; });
      let s = 0;
      for (let i = 0; i < 1200000; i++) s = (s + f(o, i)) | 0;
      const info = inspect(f);
      process.stdout.write(JSON.stringify({ tier: info.tier, tierUps: info.history.filter((h) => h.event.startsWith("tier1")).length, reason: info.fallbackReason }));
    });`;
    const env = { ...process.env };
    for (const k of ["KOS_FEEDBACK_OUT", "KOS_PROFILE", "KOS_HOT_CALLS", "KOS_JIT"]) delete env[k];
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { tier: number | string; tierUps: number; reason: string | null };
    expect(out.tierUps).toBe(0);
    // It settles on the original, with the reason, once its timed calls read under 20 ns; on a loaded
    // machine they may read more, and it waits at tier 0 instead.
    if (out.tier === "fallback") expect(out.reason).toMatch(/^its calls take under 20 ns .*too short for a compiled version to gain/);
    else expect(out.tier).toBe(0);
  });
});

describe("the time a tier-up may compile", () => {
  it("is 4 times the gate's prediction, between 1 s and the compiler's 5 s, unless the caller set maxCompileMs", async () => {
    const { compileTimeLimit } = await import("../../profiler/tiering.js");
    // Node's util.format: predicted 395 ms of CPU, and its compile ran to the 5 s limit before (sweep38).
    expect(compileTimeLimit({ ms: 395 }, undefined)).toEqual({ maxCompileMs: 1580 });
    expect(compileTimeLimit({ ms: 40 }, undefined)).toEqual({ maxCompileMs: 1000 });
    expect(compileTimeLimit({ ms: 3000 }, undefined)).toEqual({ maxCompileMs: 5000 });
    expect(compileTimeLimit({ ms: 395 }, 8000)).toEqual({});
    expect(compileTimeLimit(null, undefined)).toEqual({});
  });

  it("under the compile budget, has no 1 s floor: the factor's room, or the budget's headroom if that is more (sweep47 #1)", async () => {
    const { compileTimeLimit } = await import("../../profiler/tiering.js");
    // A 55 ms prediction admitted with 60 ms of headroom: cut at 220 ms, not at 1 s.
    expect(compileTimeLimit({ ms: 55 }, undefined, 60)).toEqual({ maxCompileMs: 220 });
    // A long-running process with 3 s of headroom gives the same compile that room.
    expect(compileTimeLimit({ ms: 55 }, undefined, 3000)).toEqual({ maxCompileMs: 3000 });
    expect(compileTimeLimit({ ms: 55 }, undefined, 60_000)).toEqual({ maxCompileMs: 5000 });
    expect(compileTimeLimit({ ms: 55 }, 8000, 60)).toEqual({});
  });

  it("a compile on the receiver that fails, with nothing else to specialize, is counted once", () => {
    // The compile with `this` fails (the method assigns a module variable); with no argument
    // there is nothing else to specialize and no second compile, and inspect reported the one compile's time twice
    // (mingo's tiering use: 2,075 ms for a 1,036 ms compile).
    let total = 0;
    const o = { k: 3, ks: Array.from({ length: 20 }, (_, i) => i), m() { let s = 0; for (let i = 0; i < this.ks.length; i++) { for (let j = 0; j < this.ks.length; j++) s += this.ks[i]! * j; } total = s; return s + this.k; } };
    const f = jit(o.m, { tiering: { hotCalls: 5 } });
    for (let i = 0; i < 50; i++) expect(f.call(o)).toBe(o.m());
    expect(total).toBeGreaterThan(0);
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    const dropped = info.history.find((h) => h.event === "receiver dropped");
    const after = Number(/\(after (\d+) ms\)/.exec(dropped?.detail ?? "")?.[1]);
    expect(after).toBeGreaterThan(0);
    expect(info.compileTimeMs).toBeLessThan(after * 1.5 + 10);
  });
});
