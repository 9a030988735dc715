import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CompileCostModel, SAVED_SHARE, SELF_CONTAINED_SAVED_SHARE, calledNames, undeclaredNames } from "../../profiler/compile-cost.js";
import { inspect, jit } from "../../index.js";

const src = (f: Function) => Function.prototype.toString.call(f);
const moduleTable = { k: 2, scale: (i: number) => 2 * i };
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Calls `f(20000)` until its history has an event matching `until` or it leaves tier 0 (at most 300,000 calls). */
function callUntil(f: (n: number) => number, until: RegExp): void {
  for (let i = 0; i < 300_000; i++) {
    f(20000);
    const info = inspect(f)!;
    if (info.tier !== 0 || info.history.some((h) => until.test(h.detail ?? ""))) return;
  }
}

describe("compile cost: what a compile is predicted to cost", () => {
  it("counts a parameter that is called, or whose method no built-in has, as reaching unseen code (sweep47 #2)", async () => {
    const { parametersReachingCode } = await import("../../profiler/compile-cost.js");
    expect(parametersReachingCode("function handle(schema, body, options) { const { error } = schema.validate(body, options); return error ? 0 : 1; }")).toEqual(["schema"]);
    expect(parametersReachingCode("function apply(xs, fn) { let s = 0; for (const x of xs) s += fn(x); return s; }")).toEqual(["fn"]);
    expect(parametersReachingCode("(cfg, x) => cfg.transform(x) + x.toFixed(2)")).toEqual(["cfg"]);
    // Built-in methods of arrays, strings and typed arrays reach nothing the compile has not seen.
    expect(parametersReachingCode("function fir(c, input, out) { for (let n = 0; n < input.length; n++) out[n] = c[0] * input[n]; out.fill(0); return input.slice(1).map(Math.abs); }")).toEqual([]);
    expect(parametersReachingCode("function f(s, k) { return s.charCodeAt(k) + s.padStart(3) + ' validate(s)'; }")).toEqual([]);
    // A built-in's method on a module value reaches nothing unseen; `call` on one calls it.
    expect(calledNames("function parse(line) { const m = KV_RE.exec(line); return m ? TYPES.get(m[1]) : helper.call(null, line); }", ["KV_RE", "TYPES", "helper"])).toEqual(["helper"]);
    const handler = CompileCostModel.estimate("function handle(schema, body) { return schema.validate(body).error ? 0 : 1; }");
    expect(handler.reachMs).toBeGreaterThan(0);
    expect(handler.savedShare).toBe(SAVED_SHARE);
  });

  it("finds the names a function reads from closures or modules, not its own, globals, members or strings", () => {
    function kernel(xs: number[], k: number) {
      let s = 0;
      for (let i = 0, n = xs.length; i < n; i++) s += Math.abs(xs[i]! * k); // moduleTable in a comment
      const { a, b } = { a: 1, b: "moduleTable" };
      return s + a + b.length;
    }
    expect(undeclaredNames(src(kernel))).toEqual([]);
    function reader(x: number) {
      return x * moduleTable.k;
    }
    expect(undeclaredNames(src(reader))).toEqual(["moduleTable"]);
    expect(undeclaredNames("(x) => helper(x) + `${other}`")).toEqual(expect.arrayContaining(["helper"]));
    // The parameters of functions inside it are its own too (locutus's `sprintf` and its inner `pad`).
    expect(undeclaredNames("function sprintf(f) { var pad = function (str, len) { return str + len; }; return pad(f, 2) + f.map((q) => q + z).map(w => w * y); }").sort()).toEqual(["y", "z"]);
  });

  it("prices unknown callees, the receiver and the compiler's load, and learns from measured compiles", () => {
    const m = new CompileCostModel();
    const own = m.predict("function f(a, b) { return a + b; }");
    const closure = m.predict("function f(a) { return lib.apply(a); }");
    const method = m.predict("function f(a) { return this.run(a); }");
    expect(closure.ms).toBeGreaterThan(own.ms + 100);
    expect(method.ms).toBeGreaterThan(own.ms + 100);
    expect(own.why).toMatch(/loading the compiler/);
    expect(closure.why).toMatch(/calls lib/);
    // A compile measured at half its prediction halves what follows; the load is paid once.
    m.learn(own, own.ms / 2);
    const again = m.predict("function f(a, b) { return a + b; }");
    expect(again.why).not.toMatch(/loading the compiler/);
    expect(again.ms).toBeLessThan(own.ms / 2);
    // A cheap kernel's compile says nothing of a library's callees: their part keeps its price...
    const closureAfter = m.predict("function f(a) { return lib.apply(a); }");
    expect(closureAfter.reachMs).toBe(closure.reachMs);
    // ...until a compile with unknown callees is measured.
    m.learn(closureAfter, closureAfter.ownMs + closureAfter.reachMs * 2);
    expect(m.predict("function g(a) { return other.run(a); }").reachMs).toBeCloseTo(closure.reachMs * 2, 5);
    expect(CompileCostModel.worthIt(again.ms / SAVED_SHARE, again, SAVED_SHARE)).toBe(true);
    expect(CompileCostModel.worthIt((again.ms / SAVED_SHARE) * 0.9, again, SAVED_SHARE)).toBe(false);
  });

  it("tells names the code may call (or reach a call through) from names it only reads as data", () => {
    const called = (src: string) => calledNames(src, [...undeclaredNames(src), "this"]);
    expect(called("function f(a) { return lib.apply(a); }")).toEqual(["lib"]);
    expect(called("function f(a) { return this.run(a); }")).toEqual(["this"]);
    expect(called("function f(a) { return new Thing(a) + tag`x${a}`; }").sort()).toEqual(["Thing", "tag"]);
    expect(called("function f(a) { return ops[a.op][0](a) + tbl?.[a]?.(a); }").sort()).toEqual(["ops", "tbl"]);
    // Through a local alias, and passed along to code that may call it.
    expect(called("function f(a) { const g = helper.fn; return g(a); }")).toEqual(["helper"]);
    expect(called("function f(a) { return a.map(mapper); }")).toEqual(["mapper"]);
    expect(called("function f(a) { const self = this; return self.go(a); }")).toEqual(["this"]);
    // Read as data: module constants and tables, the receiver's fields, an alias never called.
    expect(called("function f(a) { var m = MAX; return this.k * T[Math.max(a, 1)] + (a === X ? m : X.length); }")).toEqual([]);
    // A parameter list is not an argument list.
    expect(called("function f(a, LIMIT) { return a < LIMIT; }")).toEqual([]);
  });

  it("prices a function that reads module data but calls none of it as self-contained (ngeohash's encode waited at tier 0 for good)", () => {
    const encode = CompileCostModel.estimate("function encode(lat, lon, n) { if (n === ENCODE_AUTO) n = SIGFIG[Math.max(lat, lon)]; var chars = [], max = MAX_LAT; while (chars.length < n) chars.push(BASE32[(lat > max) | 0]); return chars.join(''); }");
    expect(encode.reachMs).toBe(0);
    expect(encode.savedShare).toBe(SELF_CONTAINED_SAVED_SHARE);
    expect(encode.why).toMatch(/reads ENCODE_AUTO, SIGFIG, MAX_LAT, … as data/);
    const field = CompileCostModel.estimate("function distance(a, b) { const dx = (a[0] - b[0]) * this.kx; return Math.sqrt(dx * dx); }");
    expect(field.reachMs).toBe(0);
    const handler = CompileCostModel.estimate("function eligible(rules, req) { return jsonLogic.apply(rules, req) === true; }");
    expect(handler.reachMs).toBeGreaterThan(0);
    expect(handler.why).toMatch(/calls jsonLogic/);
  });

  it("bets a larger saving on a self-contained function than on one that reaches unseen callees", () => {
    // The fixtures tiered up saved 54-97% of their time; the real libraries' natural uses about half.
    const kernel = CompileCostModel.estimate("function fir(c, x, y) { for (let n = 0; n < x.length; n++) { let a = 0; for (let k = 0; k < c.length; k++) a += c[k] * x[n - k]; y[n] = a; } }");
    const handler = CompileCostModel.estimate("function eligible(rules, req) { return jsonLogic.apply(rules, req) === true; }");
    const method = CompileCostModel.estimate("function check(v) { return this.schema.run(v); }");
    expect(kernel.savedShare).toBe(SELF_CONTAINED_SAVED_SHARE);
    expect(handler.savedShare).toBe(SAVED_SHARE);
    expect(method.savedShare).toBe(SAVED_SHARE);
    expect(SELF_CONTAINED_SAVED_SHARE).toBeGreaterThan(SAVED_SHARE);
    // The kernel compiles once it has used 1.25 times its predicted cost, not twice.
    expect(CompileCostModel.usedToPay(40, kernel.savedShare)).toBeCloseTo(50, 5);
    expect(CompileCostModel.usedToPay(40, handler.savedShare)).toBeCloseTo(80, 5);
  });
});

describe("tiering waits until a compile pays", () => {
  it("a cheap function called thousands of times does not compile, saying why", () => {
    const f = jit(function addK(k: number, x: number) { return k + x; });
    for (let i = 0; i < 5000; i++) expect(f(3, i)).toBe(3 + i);
    const info = inspect(f)!;
    // Waiting for its compile to pay, or already settled on the original as too short to gain.
    expect(info.tier === 0 || info.tier === "fallback").toBe(true);
    const waiting = info.history.find((h) => h.event === "waiting");
    expect(waiting?.detail).toMatch(/predicted to cost \d+ ms of CPU .*compiles once the function has used \d+ ms/);
    if (info.tier === "fallback") expect(info.fallbackReason).toMatch(/too short for a compiled version to gain/);
  });

  it("a function that uses enough time compiles, and the result is unchanged", () => {
    function heavy(k: number, n: number) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (k * i) % 7;
      return s;
    }
    // The budget is the next describe's: here the function's own time alone decides.
    const f = jit(heavy, { tiering: { compileBudget: 1 } });
    let calls = 0;
    // Until the sampled time covers the prediction (about 100 ms here), capped so a failure ends.
    while (inspect(f)!.tier === 0 && calls < 200_000) {
      expect(f(3, 2000)).toBe(heavy(3, 2000));
      calls++;
    }
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    expect(calls).toBeGreaterThan(256);
    expect(info.compileCpuMs).toBeGreaterThan(0);
    expect(f(3, 2000)).toBe(heavy(3, 2000));
    expect(f(5, 10)).toBe(heavy(5, 10));
  });

  it("an explicit hotCalls tiers up after that many calls, whatever the cost", () => {
    const f = jit(function mulK(k: number, x: number) { return k * x; }, { tiering: { hotCalls: 300 } });
    for (let i = 0; i < 400; i++) f(3, i);
    expect(inspect(f)!.tier).toBe(1);
  });
});

describe("tiering's compile budget", () => {
  // A function that calls a module's method: its compile reaches callees kos has not seen (priced at REACH_MS).
  function reachTable(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += moduleTable.scale(i) % 7;
    return s;
  }
  const budgetWait = /fit in [\d.e-]+% of the process's CPU time/;

  it("waits, saying why, while the process has not used enough CPU for the compile to fit the budget", () => {
    const f = jit(reachTable, { tiering: { compileBudget: 1e-9 } });
    callUntil(f, budgetWait);
    const info = inspect(f)!;
    expect(info.tier).toBe(0);
    expect(info.history.find((h) => h.event === "waiting" && budgetWait.test(h.detail ?? ""))?.detail).toMatch(/would pay from its own time.*from \d+.*s of CPU \([\d.]+ s so far\)/);
    expect(f(20000)).toBe(reachTable(20000));
  });

  it("compiles once it fits, and the result is unchanged", () => {
    const f = jit(reachTable, { tiering: { compileBudget: 1 } });
    callUntil(f, budgetWait);
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    expect(info.history.some((h) => budgetWait.test(h.detail ?? ""))).toBe(false);
    expect(f(20000)).toBe(reachTable(20000));
    expect(f(7)).toBe(reachTable(7));
  });

  /**
   * In a fresh process with kos's defaults: `jit()` of `fnSource` (after `prelude`), called until it
   * says it waits for the budget. A first `jit()` with an option loads kos's core, so that the
   * function tiers from its first call instead of waiting in the dormant tier (compiler/dormant.ts,
   * test/compiler/dormant.test.ts), which loads no core until the budget allows a compile anyway.
   */
  const waitInFreshProcess = (prelude: string, fnSource: string): { tier: unknown; said: string | null } => {
    const script = `import("kos").then(({ jit, inspect }) => {
      jit(function loadsTheCore() {}, { tiering: { hotCalls: 1e9 } });
      ${prelude}
      const f = jit(${fnSource});
      let said = null;
      for (let i = 0; i < 300000 && !said && inspect(f).tier === 0; i++) {
        f(20000);
        said = inspect(f).history.find((h) => /fit in 1% of the process's CPU time/.test(h.detail)) ?? null;
      }
      process.stdout.write(JSON.stringify({ tier: inspect(f).tier, said: said && said.detail }));
    });`;
    const env = { ...process.env };
    for (const k of ["KOS_FEEDBACK_OUT", "KOS_PROFILE", "KOS_HOT_CALLS", "KOS_JIT"]) delete env[k];
    const r = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it("by default, keeps a fresh process's compile of a module-reaching function waiting (1% of a few seconds of CPU)", () => {
    const out = waitInFreshProcess("const table = { k: 2, scale: (i) => 2 * i };", "function reach(n) { let s = 0; for (let i = 0; i < n; i++) s += table.scale(i) % 7; return s; }");
    expect(out.tier).toBe(0);
    expect(out.said).toMatch(/from [34]\d\.\d s of CPU/);
  });

  // A self-contained kernel (no callee kos has not seen): the budget holds for it too. A 0.25 s
  // script compiled one near its end for 69 ms of CPU and took about twice the CPU it takes without kos.
  function selfContained(n: number) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (i * 3) % 7;
    return s;
  }

  it("holds for a self-contained function too: it waits while its compile does not fit", () => {
    const f = jit(selfContained, { tiering: { compileBudget: 1e-9 } });
    callUntil(f, budgetWait);
    const info = inspect(f)!;
    expect(info.tier).toBe(0);
    expect(info.history.find((h) => h.event === "waiting" && budgetWait.test(h.detail ?? ""))?.detail).toMatch(/would pay from its own time/);
    expect(f(20000)).toBe(selfContained(20000));
  });

  it("by default, keeps a fresh process's compile of a self-contained kernel waiting (1% of a few seconds of CPU)", () => {
    const out = waitInFreshProcess("", "function kernel(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * 3) % 7; return s; }");
    expect(out.tier).toBe(0);
    // A cold compile with the compiler's load is predicted at about 45-50 ms: 1% of it is 4.5-5 s.
    expect(out.said).toMatch(/from [3-6]\.\d s of CPU/);
  });

  it("rejects a compile budget that is not a share in (0, 1]", () => {
    for (const bad of [0, -1, 2, Number.NaN, "0.5"]) {
      expect(() => jit(reachTable, { tiering: { compileBudget: bad as number } })).toThrow(expect.objectContaining({ code: "BAD_OPTIONS" }));
    }
  });
});
