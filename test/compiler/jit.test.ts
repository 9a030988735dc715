import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jit, inspect, JitError, KosError } from "../../index.js";
import { parseFunctionSource } from "../../compiler/parse.js";
import { outcome, sameValue } from "../support/compile.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
// A module binding a function writes: its value can change after jit.
let mutableLimit = 1;
export function bumpLimit(): void {
  mutableLimit++;
}

describe("jit: fallbacks name the construct and its line", () => {
  const cases: Array<[string, Function, Record<string, unknown>, string]> = [
    ["free variable that can change", function f(x: number) { return x + mutableLimit; }, {}, "FREE_VARIABLE"],
    ["generator", function* g(n: number) { yield n; }, {}, "GENERATOR"],
    ["async", async function a(n: number) { return n; }, {}, "ASYNC_FUNCTION"],
    ["arrow `this`", new Function("return (n) => this.k + n")(), {}, "USES_THIS"],
    ["native", Math.max, {}, "NATIVE_FUNCTION"],
    ["bound native (the target's reason)", Math.max.bind(null, 1), {}, "NATIVE_FUNCTION"],
    ["class", class C {}, {}, "CLASS_CONSTRUCTOR"],
    ["assigns free variable", function w(n: number) { counter = n; return n; }, { counter: 0 }, "ASSIGNS_FREE_VARIABLE"],
  ];
  for (const [label, fn, scope, code] of cases) {
    it(`${label} → ${code}`, () => {
      const j = jit(fn, { scope });
      const info = inspect(j)!;
      expect(info.tier).toBe("fallback");
      expect(info.fallbackReason).toMatch(new RegExp(`^${code}:`));
      expect(() => jit(fn, { scope, strict: true })).toThrow(JitError);
      try {
        jit(fn, { scope, strict: true });
      } catch (e) {
        expect(e).toBeInstanceOf(KosError);
        expect((e as JitError).code).toBe(code);
      }
    });
  }

  it("methods that use private class members → USES_PRIVATE_NAME", () => {
    class Counter { #n = 1; add(k: number) { return this.#n + k; } }
    const c = new Counter();
    const j = jit(c.add, { scope: {} });
    expect(inspect(j)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME:/);
    expect(j.call(c, 2)).toBe(3);
  });

  it("a brand check (`#x in o`) in a method, a getter or an arrow → USES_PRIVATE_NAME, not PARSE_ERROR (URLSearchParams' methods)", () => {
    class Branded {
      #n = 1;
      static check = (o: object) => #n in o;
      has(o: object) { return #n in o; }
      get self() { return #n in this; }
    }
    const b = new Branded();
    const getter = Object.getOwnPropertyDescriptor(Branded.prototype, "self")!.get!;
    for (const [fn, args, thisArg] of [[b.has, [b], b], [getter, [], b], [Branded.check, [{}], undefined]] as const) {
      const j = jit(fn as (...a: unknown[]) => unknown, { scope: {} });
      expect(inspect(j)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME:/);
      expect(j.apply(thisArg, args as unknown[])).toBe((fn as (...a: unknown[]) => unknown).apply(thisArg, args as unknown[]));
    }
  });

  it("names the line of the offending construct", () => {
    const fn = new Function("n", "const a = n;\nconst b = a + 1;\nwith (a) return b;");
    // A diagnostic: the file (here new Function's "<anonymous>") and its line, then the line quoted.
    expect(inspect(jit(fn, { scope: {} }))!.fallbackReason).toMatch(/^USES_WITH: .*\n {2}at .*:5:\d+\n {3}5 \| with \(a\)/);
  });

  it("new.target compiles: a call reads undefined, and `new` runs the original with the same new.target", () => {
    function Nt(this: { made?: number } | void, n: number) {
      if (new.target) { (this as { made: number }).made = n; return; }
      return n * 2;
    }
    const j = jit(Nt, { specialize: { n: 3 } }) as unknown as { (n: number): number; new (n: number): { made: number } };
    expect(inspect(j)!.tier).toBe(1);
    expect(j(3)).toBe(6);
    const o = new j(3);
    expect(o.made).toBe(3);
    expect(o instanceof (Nt as unknown as Function)).toBe(true);
    const arrow = new Function("return function outer() { return (n) => new.target === undefined ? n : -n; }")()();
    // An arrow's new.target is its enclosing function's: it does not even parse on its own.
    expect(inspect(jit(arrow, { scope: {} }))!.tier).toBe("fallback");
  });

  it("`this` and `arguments` compile, and behave exactly like the original", () => {
    function h(this: unknown, n: number) { return arguments.length + n + (arguments[1] ?? 0); }
    const jh = jit(h, { specialize: { n: 2 } });
    expect(inspect(jh)!.tier).toBe(1);
    expect([jh(2), (jh as Function)(2, 5), (jh as Function)(3)]).toEqual([h(2), (h as Function)(2, 5), (h as Function)(3)]);
    const recv = { k: 4 };
    function t(this: { k: number }, n: number) { return this.k + n; }
    const jt = jit(t, { specialize: { this: recv } });
    expect(inspect(jt)!.tier).toBe(1);
    expect(jt.call(recv, 1)).toBe(5);
    expect(jt.call({ k: 10 }, 1)).toBe(11);
    expect(inspect(jt)!.deopts).toBe(1);
  });

  it("falls back for `eval` and `with` (sloppy code)", () => {
    const e = new Function("s", "return eval(s);");
    expect(inspect(jit(e, { scope: {} }))!.fallbackReason).toMatch(/^USES_EVAL/);
    const w = new Function("o", "with (o) { return x; }");
    expect(inspect(jit(w, { scope: {} }))!.fallbackReason).toMatch(/^USES_WITH/);
    expect(jit(w, { scope: {} })({ x: 3 })).toBe(3);
  });

  it("reports syntax acorn rejects as PARSE_ERROR", () => {
    expect(() => parseFunctionSource("function (a) { return a +; }", "f", false)).toThrow(/acorn could not parse/);
    try {
      parseFunctionSource("function f(a) { return a +; }", "f", false);
    } catch (e) {
      expect((e as JitError).code).toBe("PARSE_ERROR");
    }
  });

  it("the fallback still behaves exactly like the original, including `new` and `this`", () => {
    function Point(this: { x: number }, x: number) { this.x = x; }
    const P = jit(Point) as unknown as new (x: number) => { x: number };
    const p = new P(3);
    expect(p.x).toBe(3);
    expect(p).toBeInstanceOf(Point);
    const obj = { k: 2, m: jit(function (this: { k: number }, n: number) { return this.k * n; }) };
    expect(obj.m(5)).toBe(10);
  });

  it("rejects specializing something that is not a simple parameter", () => {
    function f({ a }: { a: number }, b: number) { return a + b; }
    expect(() => jit(f, { specialize: { a: 1 }, strict: true })).toThrow(/UNKNOWN_PARAMETER|not a simple parameter/);
    expect(inspect(jit(f, { specialize: { zz: 1 } }))!.fallbackReason).toMatch(/^UNKNOWN_PARAMETER/);
  });

  it("rejects a non-function with a typed error", () => {
    expect(() => jit(42 as unknown as Function)).toThrow(JitError);
  });

  it("KOS_JIT=0 disables compilation everywhere", () => {
    const r = spawnSync(process.execPath, ["-e", `import("kos").then(({ jit, inspect }) => { const j = jit((n, x) => n * x, { specialize: { n: 2 } }); console.log(JSON.stringify([inspect(j).tier, inspect(j).fallbackReason, j(2, 4)])); })`], { cwd: repoRoot, env: { ...process.env, KOS_JIT: "0" }, encoding: "utf8" });
    expect(JSON.parse(r.stdout.trim())).toEqual(["fallback", "DISABLED: compilation is disabled by KOS_JIT=0", 8]);
  });

  it("falls back instead of crashing when code generation from strings is disallowed", () => {
    const r = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "-e", `import("kos").then(({ jit, inspect }) => { const j = jit((n, x) => n * x, { specialize: { n: 2 } }); console.log(JSON.stringify([inspect(j).tier, inspect(j).fallbackReason.split(":")[0], j(2, 4)])); })`], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout.trim())).toEqual(["fallback", "CODEGEN_DISALLOWED", 8]);
  });

  it("calls a built-in the program replaced before kos loaded, as the original does, instead of folding it (sweep46 #5)", () => {
    // A test's stub of Math.max and String.prototype.padStart, installed before kos loads: kos took them
    // for the built-ins, called them at compile time and folded their first answer.
    const script = `const realMax = Math.max, realPad = String.prototype.padStart; let calls = 0; const answers = [];
      Math.max = function max(...a) { calls++; return answers.length ? answers.shift() : realMax(...a); };
      String.prototype.padStart = function padStart(n, c) { calls++; return "[" + realPad.call(this, n, c) + "]"; };
      const realEntries = Object.entries;
      Object.entries = function entries(o) { calls++; return realEntries(o).slice(0, 1); };
      import("kos").then(({ jit }) => {
        const cfg = Object.freeze({ a: 1, b: 2, w: 4 });
        const f = (c) => Math.max(c.a, c.b) + "ab".padStart(c.w, "*") + Object.entries(c).length;
        const j = jit(f, { specialize: { c: cfg } });
        const run = (g) => { calls = 0; answers.push(10, 20, 30); const out = [g(cfg), g(cfg), g(cfg)]; answers.length = 0; return [out, calls]; };
        console.log(JSON.stringify([run(f), run(j)]));
      });`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    const [original, kos] = JSON.parse(r.stdout.trim());
    expect(original).toEqual([["10[**ab]1", "20[**ab]1", "30[**ab]1"], 9]);
    expect(kos).toEqual(original);
  });
});

describe("jit: parses every function form", () => {
  it("compiles declarations, expressions, arrows (expression and block bodies) and methods", () => {
    const forms: Array<[string, Function]> = [
      ["declaration", function scale(k: number, x: number) { return k * x; }],
      ["expression", function (k: number, x: number) { return k * x; }],
      ["arrow", (k: number, x: number) => k * x],
      ["arrow block", (k: number, x: number) => { return k * x; }],
      ["method", { scale(k: number, x: number) { return k * x; } }.scale],
      ["computed method", { ["sc" + "ale"](k: number, x: number) { return k * x; } }.scale],
    ];
    for (const [label, fn] of forms) {
      const j = jit(fn, { specialize: { k: 3 } });
      expect(inspect(j)!.tier, label).toBe(1);
      expect(inspect(j)!.source, label).toContain("3 * x");
      expect(j(3, 5), label).toBe(15);
    }
  });
});

describe("jit: guards, deopts and inspect", () => {
  function scaled(k: number, x: number) { return 1 / (k * x); }

  it("guards primitives exactly: -0, +0 and NaN are different specializations", () => {
    const neg = jit(scaled, { specialize: { k: -0 } });
    const pos = jit(scaled, { specialize: { k: 0 } });
    const nan = jit(scaled, { specialize: { k: NaN } });
    for (const k of [0, -0, NaN, 1]) {
      for (const j of [neg, pos, nan]) expect(Object.is(j(k, 2), scaled(k, 2))).toBe(true);
    }
    expect(inspect(neg)!.deopts).toBe(3);
    expect(inspect(nan)!.deopts).toBe(3);
  });

  it("counts deopts, and calls in a profiling run, and lists the assumptions", () => {
    const j = jit(scaled, { specialize: { k: 3 } });
    j(3, 1); j(3, 2); j(4, 1);
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // A small explicit version counts no calls outside a profiling run (a counter cost horner a third of its time).
    expect(info.calls).toBe(0);
    expect(info.history.find((h) => h.event === "compiled")?.detail).toMatch(/calls not counted/);
    const saved = process.env.KOS_FEEDBACK_OUT;
    process.env.KOS_FEEDBACK_OUT = "/nonexistent/kos-feedback.json";
    let counted: typeof j;
    try {
      counted = jit(scaled, { specialize: { k: 3 } });
    } finally {
      if (saved === undefined) delete process.env.KOS_FEEDBACK_OUT;
      else process.env.KOS_FEEDBACK_OUT = saved;
    }
    counted(3, 1); counted(3, 2); counted(4, 1);
    expect(inspect(counted)!.calls).toBe(3);
    expect(inspect(counted)!.history.find((h) => h.event === "compiled")?.detail).not.toMatch(/calls not counted/);
    // A version with a loop counts no calls either: the counter had been kept there for a speed-up on
    // the convolution fixture that no longer shows, and it cost the validator fixture 2 ns a call.
    function sumTimes(k: number, xs: number[]) {
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[i]! * k;
      return s;
    }
    const looped = jit(sumTimes, { specialize: { k: 2 } });
    expect(looped(2, [1, 2, 3])).toBe(12);
    expect(looped(2, [4])).toBe(8);
    expect(inspect(looped)!.calls).toBe(0);
    expect(inspect(looped)!.source).not.toMatch(/\$k_calls/);
    expect(info.deopts).toBe(1);
    expect(info.assumptions).toEqual([{ param: "k", kind: "value", description: "k === 3" }]);
    expect(info.source).toContain("sourceURL" === "x" ? "" : "3 * x");
    expect(info.compileTimeMs).toBeGreaterThan(0);
    expect(info.history.some((h) => h.event === "deopt")).toBe(true);
  });

  it("keeps the source after every pass with tracePasses", () => {
    const j = jit(scaled, { specialize: { k: 3 }, tracePasses: true });
    const passes = inspect(j)!.passes!;
    expect(passes[0]!.pass).toBe("input");
    expect(passes.map((p) => p.pass)).toContain("specialize");
    expect(passes.at(-1)!.source).toContain("3 * x");
  });

  it("switches passes off by name, and rejects unknown names", () => {
    function f(n: number, a: number[]) { let s = 0; for (let i = 0; i < n; i++) s += a[i]; return s; }
    expect(inspect(jit(f, { specialize: { n: 3 }, disablePasses: ["unrollLoops"] }))!.source).toContain("for (");
    // At jit(), as every bad option is (it was a fallback at the compile), tiering or not.
    expect(() => jit(f, { specialize: { n: 3 }, disablePasses: ["nope"] })).toThrow(expect.objectContaining({ code: "BAD_OPTIONS", message: expect.stringMatching(/^unknown pass 'nope' in disablePasses \(passes: specialize, unrollLoops/) }));
    expect(() => jit(f, { tiering: { hotCalls: 5 }, disablePasses: ["nope"] })).toThrow(expect.objectContaining({ code: "BAD_OPTIONS" }));
  });

  it("names generated code kos://<name>.js in stack traces", () => {
    function thrower(n: number) { if (n > 0) throw new Error("boom"); return n; }
    const j = jit(thrower, { specialize: { n: 1 } });
    try {
      j(1);
    } catch (e) {
      expect((e as Error).stack).toContain("kos://thrower.js");
    }
  });

  it("keeps the function's name and length", () => {
    function three(a: number, b: number, c: number) { return a + b + c; }
    const j = jit(three, { specialize: { a: 1 } });
    expect(j.name).toBe("three");
    expect(j.length).toBe(3);
  });

  it("guards type assumptions", () => {
    function f(x: unknown) { return typeof x === "string" ? (x as string).length : -1; }
    const j = jit(f, { assume: { x: "string" } });
    expect(j("abc")).toBe(3);
    expect(j(5)).toBe(-1);
    expect(inspect(j)!.deopts).toBe(1);
  });
});

describe("jit: specialized objects are kept honest", () => {
  function area(shape: { w: number; h: number }, s: number) { return shape.w * shape.h * s; }

  it("by default folds reads of an unfrozen object behind entry guards, and never freezes it", () => {
    const shape = { w: 2, h: 3, nested: { z: 1 } };
    const j = jit(area, { specialize: { shape } });
    expect(j(shape, 2)).toBe(12);
    expect(Object.isFrozen(shape) || Object.isFrozen(shape.nested)).toBe(false);
    expect(inspect(j)!.source).toContain("6 * s");
    shape.w = 10;
    expect(j(shape, 2)).toBe(area(shape, 2));
    expect(inspect(j)!.deopts).toBe(1);
  });

  it("with freeze: 'deep', deep-freezes specialized objects, so mutation fails loudly", () => {
    const shape = { w: 2, h: 3, nested: { z: 1 } };
    const j = jit(area, { specialize: { shape }, freeze: "deep" });
    expect(j(shape, 2)).toBe(12);
    expect(Object.isFrozen(shape) && Object.isFrozen(shape.nested)).toBe(true);
    expect(() => { (shape as { w: number }).w = 10; }).toThrow(TypeError);
    expect(j(shape, 2)).toBe(area(shape, 2));
  });

  it("with freeze: 'reference', reads stay at run time and mutation is seen", () => {
    const shape = { w: 2, h: 3 };
    const j = jit(area, { specialize: { shape }, freeze: "reference" });
    expect(Object.isFrozen(shape)).toBe(false);
    shape.w = 10;
    expect(j(shape, 2)).toBe(60);
  });

  it("with freeze: 'require-frozen', only already-frozen objects are folded", () => {
    const open = { w: 2, h: 3 };
    const j = jit(area, { specialize: { shape: open }, freeze: "require-frozen" });
    // Nothing folded (shape.w and shape.h read as written): no version, the original runs.
    expect(inspect(j)!.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    open.h = 5;
    expect(j(open, 1)).toBe(10);
    const frozen = Object.freeze({ w: 2, h: 3 });
    expect(inspect(jit(area, { specialize: { shape: frozen }, freeze: "require-frozen" }))!.source).toContain("6 * s");
  });

  it("guards typed arrays by identity and length (their elements are read at run time)", () => {
    function sum(k: Float64Array, x: number) { let s = 0; for (let i = 0; i < k.length; i++) s += k[i]! * x; return s; }
    const k = new Float64Array([1, 2, 3]);
    // `x` a number: nothing between the reads can change the length, and the loop unrolls whole.
    const j = jit(sum, { specialize: { k }, assume: { x: "number" } });
    expect(inspect(j)!.source).not.toContain("for (");
    k[0] = 10;
    expect(j(k, 2)).toBe(sum(k, 2));
    expect(j(new Float64Array([1, 2]), 2)).toBe(6);
    // `x` of any type: its valueOf may detach the buffer mid-loop (sweep42), so the length is checked again after it.
    const any = jit(sum, { specialize: { k } });
    const detaching = { valueOf: () => (structuredClone(k.buffer, { transfer: [k.buffer] }), 1) };
    expect(Object.is(any(k, detaching as unknown as number), 10)).toBe(true);
    expect(k.length).toBe(0);
  });
});

describe("jit: user data never becomes code", () => {
  const hostile = [
    "\"); globalThis.__kosPwned = 1; (\"",
    "'; globalThis.__kosPwned = 1; '",
    "`${globalThis.__kosPwned = 1}`",
    "\\\"); globalThis.__kosPwned = 1; //",
    "\u2028globalThis.__kosPwned = 1\u2029",
    "</script><script>globalThis.__kosPwned=1</script>",
    "*/ globalThis.__kosPwned = 1; /*",
    "\ud800 lone surrogate",
  ];
  it("hostile strings as specialized values, object keys and values stay data", () => {
    function render(cfg: Record<string, string>, v: Record<string, string>) {
      let out = "";
      for (const k of Object.keys(cfg)) out += JSON.stringify(k) + cfg[k] + (v[k] ?? "") + k.length;
      return out;
    }
    const cfg: Record<string, string> = {};
    hostile.forEach((s, i) => (cfg[s] = hostile[(i + 1) % hostile.length]!));
    const v: Record<string, string> = { [hostile[0]!]: hostile[2]! };
    const expected = render(cfg, v);
    const j = jit(render, { specialize: { cfg } });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(cfg, v)).toBe(expected);
    for (const s of hostile) expect(jit((p: string, x: string) => p + x, { specialize: { p: s } })(s, "!")).toBe(s + "!");
    expect((globalThis as Record<string, unknown>).__kosPwned).toBeUndefined();
  });

  it("objects with hostile toString/valueOf/getters are passed by reference, never printed", () => {
    let touched = 0;
    const evil = { toString() { touched++; return "globalThis.__kosPwned = 1"; }, valueOf() { touched++; return 1; }, get g() { touched++; return 2; } };
    function f(o: object, x: number) { return [o, x]; }
    const j = jit(f, { specialize: { o: evil } });
    expect(j(evil, 1)[0]).toBe(evil);
    expect(touched).toBe(0);
    expect(inspect(j)!.source ?? "").not.toContain("__kosPwned");
  });

  it("exotic primitives round-trip exactly", () => {
    const values = [-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, 5e-324, -1.5e300, 10n ** 30n, -7n, "", "\0\b\f\n\r\t\v\\", null, undefined, true];
    for (const value of values) {
      const j = jit((p: unknown) => [p, typeof p], { specialize: { p: value } });
      expect(sameValue(j(value), [value, typeof value])).toBe(true);
      expect(inspect(j)!.tier).toBe(1);
    }
  });

  it("symbols are references", () => {
    const s = Symbol("x");
    const j = jit((p: symbol, o: Record<symbol, number>) => o[p], { specialize: { p: s } });
    expect(j(s, { [s]: 4 })).toBe(4);
    expect(outcome(() => j(Symbol("y"), {})).value).toBeUndefined();
  });
});
