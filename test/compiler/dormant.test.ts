/**
 * The dormant tier (compiler/dormant.ts): in a fresh process from the build, the plain `jit(fn)`
 * does not load kos's core until the process has used enough CPU for the load to fit the compile
 * budget; the entry behaves as the original meanwhile, and wakes into the tiering it always had.
 * (From the TypeScript sources everything is preloaded, so vitest's own process never sleeps.)
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { FIRST_QUIET_CALLS, inspectDormant, sleepingJit } from "../../compiler/dormant.js";

const repo = resolve(__dirname, "..", "..");

/** Runs an ES module script that imports kos's build, in a process with none of kos's variables set; its JSON output. */
function run(script: string, env: Record<string, string> = {}): Record<string, unknown> {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith("KOS_")) delete clean[k];
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", `import * as kos from "kos";\nconst { jit, inspect } = kos;\n${script}`], {
    cwd: repo,
    env: { ...clean, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

/** A script's function that spends `ms` of the process's user CPU time. */
const burn = `function burn(ms) { const end = process.cpuUsage().user + ms * 1000; let x = 0; while (process.cpuUsage().user < end) for (let i = 0; i < 1e4; i++) x += i; return x; }`;

// The functions put to sleep here call something (Number): one with no loop and no call but Math's
// is too small to sleep, and jit() returns it as it is (compiler/small-function.ts; tested below).
describe("the dormant tier of jit(fn)", () => {
  it("counts calls without loading the core, and behaves as the original", () => {
    const out = run(`
      function add(a, b) { return Number(a) + b; }
      function Point(x) { this.x = Number(x); }
      const frozen = Object.freeze(function frozenFn(a) { return Number(a) * 2; });
      function withRest(...xs) { return Number(xs.length) + arguments.length; }
      const j = jit(add), P = jit(Point), z = jit(frozen), r = jit(withRest);
      let s = 0;
      for (let i = 0; i < 50000; i++) s += j(i, 1);
      const p = new P(3);
      const info = inspect(j);
      console.log(JSON.stringify({
        s, name: j.name, length: j.length, again: jit(j) === j,
        x: p.x, isPoint: p instanceof Point, isP: p instanceof P,
        frozen: Object.isFrozen(z), z: z(4), rest: r(1, 2, 3),
        tier: info.tier, calls: info.calls, events: info.history.map((h) => h.event),
        cpuMs: process.cpuUsage().user / 1000,
      }));`);
    expect(out.s).toBe(50000 * 49999 / 2 + 50000);
    expect(out).toMatchObject({ name: "add", length: 2, again: true, x: 3, isPoint: true, isP: true, frozen: true, z: 8, rest: 6, tier: 0, calls: 50000 });
    // Had the core loaded, the history would start with tiering's own "tier0" event.
    expect(out.events).toEqual(["dormant"]);
  });

  // jit(obj.method.bind(obj)) loaded the core to unbind, and its target ran at tier 0 from the first
  // call: minimatch's bound `match` at 0.94-0.97x the library until a compile paid (compiler/discover/bound-parts.ts).
  it("sleeps for a bound function too: its target's dormant entry, bound the same way, and no core", () => {
    const out = run(`
      class Counter { constructor(k) { this.k = k; } add(x, y = 0) { return Number(this.k) + x + y; } }
      function Pair(a, b) { this.s = Number(a) + b; }
      const c = new Counter(5);
      const add = jit(c.add.bind(c, 1));
      const BP = Pair.bind(null, 1), P = jit(BP);
      let s = 0;
      for (let i = 0; i < 20000; i++) s += add(i);
      const p = new P(2);
      let thrown = null;
      try { new add(1); } catch (e) { thrown = e.constructor.name; }
      const info = inspect(add);
      console.log(JSON.stringify({
        s, name: add.name, length: add.length, again: jit(add) === add, thrown,
        ps: p.s, isPair: p instanceof Pair, isP: p instanceof P, isBP: p instanceof BP, pName: P.name, pLength: P.length,
        tier: info.tier, calls: info.calls, events: info.history.map((h) => h.event), pEvents: inspect(P).history.map((h) => h.event),
      }));`);
    expect(out.s).toBe(20000 * 6 + 20000 * 19999 / 2);
    expect(out).toMatchObject({ name: "bound add", length: 0, again: true, thrown: "TypeError", ps: 3, isPair: true, isP: true, isBP: true, pName: "bound Pair", pLength: 1, tier: 0, calls: 20000 });
    // The core's path starts with tiering's "tier0" event.
    expect(out.events).toEqual(["dormant"]);
    expect(out.pEvents).toEqual(["dormant"]);
  });

  // Dormant functions wake at 5.5 s of the process's CPU (the core's load and a first compile over the 1% budget).
  it("wakes once the core's load and a first compile fit the compile budget, and tiers up as before", () => {
    const out = run(`
      ${burn}
      function scale(k, x) { let s = 0; for (let i = 0; i < 64; i++) s += k.a * x + i; return s; }
      const k = Object.freeze({ a: 3 });
      const f = jit(scale);
      let before = 0;
      for (let i = 0; i < 2000; i++) before += f(k, i);
      const asleep = inspect(f).history.map((h) => h.event);
      burn(5600);
      // Its count was set from the fast calls above: the recheck timer makes the next call check.
      await new Promise((r) => setTimeout(r, 400));
      let s = 0;
      for (let i = 0; i < 400000; i++) s += f(k, i & 1023);
      let expected = 0;
      for (let i = 0; i < 400000; i++) expected += scale(k, i & 1023);
      const info = inspect(f);
      console.log(JSON.stringify({ asleep, events: info.history.map((h) => h.event), calls: info.calls, same: s === expected }));`);
    expect(out.asleep).toEqual(["dormant"]);
    const events = out.events as string[];
    expect(events[0]).toBe("dormant");
    expect(events[1]).toBe("tier0");
    // The dormant entry's 2000 calls and more counted by tiering (which stops counting once it settles on the original).
    expect(out.calls).toBeGreaterThan(2000);
    expect(out.same).toBe(true);
  });

  it("wakes by its count in a synchronous program, where no timer runs", () => {
    const out = run(`
      ${burn}
      function scale(k, x) { let s = 0; for (let i = 0; i < 64; i++) s += k.a * x + i; return s; }
      const k = Object.freeze({ a: 3 });
      const f = jit(scale);
      let s = 0, expected = 0;
      // Its first call checks; the next check comes at call 2^22 (dormant.ts, FIRST_QUIET_CALLS),
      // after the process has worked elsewhere past the wake point.
      s += f(k, 0);
      burn(2800);
      for (let i = 1; i < 2000; i++) s += f(k, i);
      burn(2800);
      for (let i = 0; i < 4300000; i++) s += f(k, i & 1023);
      const events = inspect(f).history.map((h) => h.event);
      for (let i = 0; i < 2000; i++) expected += scale(k, i);
      for (let i = 0; i < 4300000; i++) expected += scale(k, i & 1023);
      console.log(JSON.stringify({ events, same: s === expected }));`);
    expect((out.events as string[]).slice(0, 2)).toEqual(["dormant", "tier0"]);
    expect(out.same).toBe(true);
  });

  it("does not sleep where the core is loaded already, or where options or the environment ask for it", () => {
    const out = run(`
      const first = jit(function a(x) { return Number(x) + 1; });
      first(1);
      const firstEvents = inspect(first).history.map((h) => h.event);
      jit((x, k) => x * k, { specialize: { k: 2 } });
      const later = jit(function b(x) { return Number(x) + 2; });
      later(1);
      const withOptions = jit(function c(x) { return Number(x) + 3; }, { tiering: { hotCalls: 1000 } });
      withOptions(1);
      console.log(JSON.stringify({ firstEvents, later: inspect(later).history[0].event, withOptions: inspect(withOptions).history[0].event }));`);
    expect(out).toEqual({ firstEvents: ["dormant"], later: "tier0", withOptions: "tier0" });
    const hot = run(`const f = jit(function d(x) { return Number(x); }); f(1); console.log(JSON.stringify({ first: inspect(f).history[0].event }));`, { KOS_HOT_CALLS: "5" });
    expect(hot.first).toBe("tier0");
  });

  it("lets the program drop a function it called: the recheck timer holds it weakly", () => {
    const out = run(
      `
      let f = jit(function add(a, b) { return Number(a) + b; });
      f(1, 2);
      const ref = new WeakRef(f);
      f = null;
      for (let i = 0; i < 3; i++) { await new Promise((r) => setTimeout(r, 5)); gc(); }
      console.log(JSON.stringify({ collected: ref.deref() === undefined }));`,
      { NODE_OPTIONS: "--expose-gc" },
    );
    expect(out.collected).toBe(true);
  });

  it("under KOS_JIT=0 returns the function itself, and inspect says why", () => {
    const out = run(`
      function add(a, b) { return Number(a) + b; }
      const j = jit(add);
      const info = inspect(j);
      console.log(JSON.stringify({ same: j === add, tier: info.tier, reason: info.fallbackReason, r: j(1, 2), plain: inspect(function other() {}) }));`, { KOS_JIT: "0" });
    expect(out).toEqual({ same: true, tier: "fallback", reason: "DISABLED: compilation is disabled by KOS_JIT=0", r: 3, plain: null });
    // index.ts reads the switch without loading compiler/jit-switch.ts: the same values turn it off.
    for (const value of ["false", " Off ", "no", "1"]) {
      const o = run(`const f = function g() { return Number(0); }; const j = jit(f); console.log(JSON.stringify({ same: j === f, reason: inspect(j).fallbackReason }));`, { KOS_JIT: value });
      const off = /^(0|false|off)$/i.test(value.trim());
      expect(o, value).toEqual(off ? { same: true, reason: `DISABLED: compilation is disabled by KOS_JIT=${value.trim()}` } : { same: false, reason: null });
    }
  });

  it("counts where code generation from strings is disallowed (its entry is a closure)", () => {
    const clean = { ...process.env };
    for (const k of Object.keys(clean)) if (k.startsWith("KOS_")) delete clean[k];
    const r = spawnSync(
      process.execPath,
      [
        "--disallow-code-generation-from-strings",
        "--input-type=module",
        "-e",
        `import { jit, inspect } from "kos";
        function add(a, b) { return Number(a) + b; }
        const j = jit(add);
        let s = 0;
        for (let i = 0; i < 1000; i++) s += j(i, 1);
        const asleep = inspect(j).history.map((h) => h.event);
        const P = jit(function Point(x) { this.x = Number(x); });
        console.log(JSON.stringify({ s, asleep, calls: inspect(j).calls, x: new P(4).x }));`,
      ],
      { cwd: repo, env: clean, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ s: 499500 + 1000, asleep: ["dormant"], calls: 1000, x: 4 });
  });

  it("hands an explicit jit() of a dormant entry its original", () => {
    const out = run(`
      function mul(x, k) { return Number(x) * k; }
      const d = jit(mul);
      const e = jit(d, { specialize: { k: 3 } });
      console.log(JSON.stringify({ r: e(5, 3), tier: inspect(e).tier, dormant: inspect(d).history[0].event }));`);
    expect(out).toEqual({ r: 15, tier: 1, dormant: "dormant" });
  });
});

describe("a dormant entry's wake (with a host of the test's own)", () => {
  /** A host whose core "loads" when the test says, and whose wake runs `wake`. */
  const host = (wake: () => { entry: Function; inspect(): null }) => {
    let loaded = false;
    const woken: Function[] = [];
    return {
      load: () => (loaded = true),
      woken,
      host: {
        coreLoaded: () => loaded,
        wake: (original: Function) => {
          woken.push(original);
          return wake();
        },
      },
    };
  };
  // The first check comes at the first call, the next at FIRST_QUIET_CALLS calls later, then one set
  // from the call rate; the recheck timer (250 ms after a check) checks by itself where there were
  // calls.
  const recheck = () => new Promise((r) => setTimeout(r, 300));

  it("runs the original until it wakes, then what the wake gave it, once", async () => {
    function add(a: number, b: number) {
      return Number(a) + b;
    }
    const h = host(() => ({ entry: (a: number, b: number) => a * b, inspect: () => null }));
    const d = sleepingJit(add, {}, h.host)! as (a: number, b: number) => number;
    expect(d).not.toBe(add);
    expect(d(2, 3)).toBe(5);
    expect(inspectDormant(d)!.history.map((e) => e.event)).toEqual(["dormant"]);
    h.load();
    expect(d(2, 3)).toBe(5);
    expect(h.woken).toEqual([]); // the calls between checks only count
    await recheck(); // the timer's check, there having been a call since the last
    expect(h.woken).toEqual([add]);
    expect(d(2, 3)).toBe(6);
    expect(d(4, 5)).toBe(20);
    expect(h.woken).toEqual([add]);
  });

  it("wakes by its count alone where no timer runs (a synchronous loop)", () => {
    function add(a: number, b: number) {
      return Number(a) + b;
    }
    const h = host(() => ({ entry: (a: number, b: number) => a * b, inspect: () => null }));
    const d = sleepingJit(add, {}, h.host)! as (a: number, b: number) => number;
    const results = new Set<number>();
    // Loaded after the first call's check: the next (FIRST_QUIET_CALLS), a count alone, wakes it.
    results.add(d(2, 3));
    h.load();
    for (let i = 0; i <= FIRST_QUIET_CALLS; i++) results.add(d(2, 3));
    expect(h.woken).toEqual([add]);
    expect([...results]).toEqual([5, 6]); // the call whose count reached the check still ran the original
    expect(d(4, 5)).toBe(20);
  });

  it("does not tick again before FIRST_QUIET_CALLS in a synchronous loop of a fast function", () => {
    // A tick after a caller was optimized deoptimizes it (the life program of bench/programs: 0.888×
    // no kos with its kernels ticking at call 2^20, 0.979× with no tick). After the first call's,
    // the next tick is at 2^22 calls, and no sooner.
    function add(a: number, b: number) {
      return Number(a) + b;
    }
    let call = 0;
    const checkedAt: number[] = [];
    const h = host(() => ({ entry: add, inspect: () => null }));
    const d = sleepingJit(add, {}, { ...h.host, coreLoaded: () => (checkedAt.push(call), h.host.coreLoaded()) })! as (a: number, b: number) => number;
    let s = 0;
    for (; call < FIRST_QUIET_CALLS; call++) s += d(call, 1);
    expect(s).toBe((FIRST_QUIET_CALLS * (FIRST_QUIET_CALLS - 1)) / 2 + FIRST_QUIET_CALLS);
    // jit()'s own question, then the check at the first call.
    expect(checkedAt).toEqual([0, 0]);
    expect(h.woken).toEqual([]);
  });

  it("does not wake a function that is not called", async () => {
    function add(a: number, b: number) {
      return Number(a) + b;
    }
    const h = host(() => ({ entry: (a: number, b: number) => a * b, inspect: () => null }));
    const d = sleepingJit(add, {}, h.host)! as (a: number, b: number) => number;
    d(1, 2);
    h.load();
    await recheck();
    expect(h.woken).toEqual([]);
    expect(d(1, 2)).toBe(3);
  });

  it("settles on the original, with the reason, when the core cannot load", async () => {
    function add(a: number, b: number) {
      return Number(a) + b;
    }
    const h = host(() => {
      throw new Error("no core here");
    });
    const d = sleepingJit(add, {}, h.host)! as (a: number, b: number) => number;
    d(1, 1);
    h.load();
    d(1, 1);
    await recheck();
    expect(d(2, 3)).toBe(5);
    expect(d(3, 3)).toBe(6);
    const info = inspectDormant(d)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/^INTERNAL: kos's core did not load \(no core here\)/);
    expect(h.woken).toEqual([add]);
  });
});

describe("jit(fn) of a function too small to gain from tiering", () => {
  // Two such functions in a tight loop ran at 0.46-0.60x no kos behind their counting entries
  // (compiler/small-function.ts): returned as they are, they cost the loop nothing.
  it("returns it as it is, settled with the reason, and sleeps for one that loops or calls", () => {
    const out = run(`
      function clamp(x, lo, hi) { return x < lo ? lo : x > hi ? hi : x; }
      const lerp = (a, b, t) => a + (b - a) * t;
      function sum(xs) { let s = 0; for (let i = 0; i < xs.length; i++) s += xs[i]; return s; }
      function scaled(x) { return Math.abs(x) * 2; }
      function viaCall(x) { return Number(x) * 2; }
      const c = jit(clamp), l = jit(lerp), s = jit(sum), m = jit(scaled), v = jit(viaCall);
      let t = 0;
      for (let i = 0; i < 1000; i++) t += c(l(i, -i, 0.5), -3, 3) + s([i, 1]) + m(-i) + v(i);
      const info = inspect(c);
      console.log(JSON.stringify({
        t, same: [c === clamp, l === lerp, s === sum, m === scaled, v === viaCall],
        tier: info.tier, reason: info.fallbackReason, events: info.history.map((h) => h.event),
        others: [inspect(s).history[0].event, inspect(v).history[0].event],
      }));`);
    let t = 0;
    for (let i = 0; i < 1000; i++) t += Math.min(3, Math.max(-3, i + (-i - i) * 0.5)) + (i + 1) + Math.abs(-i) * 2 + i * 2;
    expect(out.t).toBe(t);
    expect(out.same).toEqual([true, true, false, true, false]);
    expect(out.tier).toBe("fallback");
    expect(out.reason).toMatch(/^too small to gain from tiering what counting its calls costs \(\d+ characters of code, no loop, no call but Math's\)/);
    expect(out.events).toEqual(["fallback"]);
    expect(out.others).toEqual(["dormant", "dormant"]);
  });

  it("leaves it to the core where the core decides: a profiling run, or a process whose core is loaded", () => {
    const profiled = run(`const f = jit(function clamp(x, lo, hi) { return x < lo ? lo : x > hi ? hi : x; }); f(1, 0, 2); console.log(JSON.stringify({ first: inspect(f).history[0].event }));`, { KOS_HOT_CALLS: "5" });
    expect(profiled.first).toBe("tier0");
    const loaded = run(`
      jit((x, k) => x * k, { specialize: { k: 2 } });
      const f = jit(function clamp(x, lo, hi) { return x < lo ? lo : x > hi ? hi : x; }); f(1, 0, 2);
      console.log(JSON.stringify({ first: inspect(f).history[0].event }));`);
    expect(loaded.first).toBe("tier0");
  });
});
