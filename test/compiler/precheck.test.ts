import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jit, inspect, JitError } from "../../index.js";
import { precheck, scanParameters } from "../../compiler/precheck.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

// A private method handed out by its class (`this.#run.bind(this)`, as @marcbachmann/cel-js does): its
// text is `#run(x) { … }`, which only the class body can define (it fell back as PARSE_ERROR).
class WithPrivate {
  #k = 2;
  #run(x: number) {
    return x * this.#k;
  }
  static #twice(x: number) {
    return 2 * x;
  }
  static privateMethod(): Function {
    return (Object.getOwnPropertyDescriptor(WithPrivate, "twiceRef")!.value as () => Function)();
  }
  static twiceRef() {
    return WithPrivate.#twice;
  }
  runRef() {
    return this.#run;
  }
}

describe("precheck at jit() time", () => {
  const cases: Array<[string, Function, string]> = [
    ["private method", new WithPrivate().runRef(), "USES_PRIVATE_NAME"],
    ["static private method", WithPrivate.privateMethod(), "USES_PRIVATE_NAME"],
    ["native", Math.max, "NATIVE_FUNCTION"],
    ["bound native", Math.max.bind(null), "NATIVE_FUNCTION"],
    ["class", class C {}, "CLASS_CONSTRUCTOR"],
    ["async", async function a(n: number) { return n; }, "ASYNC_FUNCTION"],
    ["async arrow", async (n: number) => n, "ASYNC_FUNCTION"],
    ["generator", function* g(n: number) { yield n; }, "GENERATOR"],
    ["async generator", async function* ag(n: number) { yield n; }, "GENERATOR"],
    ["proxy of a function", new Proxy(function add(a: number, b: number) { return a + b; }, {}), "PROXY_FUNCTION"],
  ];
  for (const [label, fn, code] of cases) {
    it(`${label}: ${code} at once, strict throws at once, and jit returns the function itself`, () => {
      const j = jit(fn);
      expect(j).toBe(fn); // nothing runs per call
      const info = inspect(j)!;
      expect(info.tier).toBe("fallback");
      expect(info.fallbackReason).toMatch(new RegExp(`^${code}:`));
      expect(info.calls).toBe(0);
      let thrown: unknown;
      try {
        jit(fn, { strict: true });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(JitError);
      expect((thrown as JitError).code).toBe(code);
      // The explicit path says the same.
      expect(() => jit(fn, { specialize: {}, scope: {}, strict: true })).toThrow(JitError);
    });
  }

  it("a proxy of a function: jit reads nothing of it (no trap runs), a revoked one throws only where the original does (sweep33)", () => {
    const log: string[] = [];
    const handler = {
      get(t: Function, k: PropertyKey) { log.push(`get ${String(k)}`); return Reflect.get(t, k); },
      getOwnPropertyDescriptor(t: Function, k: PropertyKey) { log.push(`gopd ${String(k)}`); return Reflect.getOwnPropertyDescriptor(t, k); },
      apply(t: Function, self: unknown, args: unknown[]) { log.push("apply"); return Reflect.apply(t, self, args); },
    };
    const p = new Proxy(function add(a: number, b: number) { return a + b; }, handler) as (a: number, b: number) => number;
    for (const options of [{}, { tiering: { hotCalls: 1 } }, { specialize: { a: 1 } }]) {
      const j = jit(p, options);
      expect(j).toBe(p);
      expect(log).toEqual([]);
    }
    expect(p(1, 2)).toBe(3);
    const { proxy, revoke } = Proxy.revocable(function id(a: number) { return a; }, {});
    revoke();
    const j = jit(proxy) as (a: number) => number;
    expect(j).toBe(proxy);
    expect(inspect(j)!.fallbackReason).toMatch(/^PROXY_FUNCTION:/);
    expect(() => j(1)).toThrow(/revoked/);
  });

  it("is not fooled by a patched Function.prototype.toString", () => {
    const saved = Function.prototype.toString;
    try {
      Function.prototype.toString = function () { return "function plain(a) { return a; }"; };
      expect(precheck(Math.max)).toMatchObject({ ok: false, code: "NATIVE_FUNCTION" });
    } finally {
      Function.prototype.toString = saved;
    }
  });

  it("a plain function passes, with its formal parameter count", () => {
    const r = precheck(function f(a: number, b = 5, c?: number) { return a + b + (c ?? 0); });
    expect(r).toMatchObject({ ok: true, arity: 3, exact: false });
  });

  it("counts parameters through defaults, strings, comments and destructuring", () => {
    expect(scanParameters("function f() {}")).toEqual({ arity: 0, rest: false });
    expect(scanParameters("(a, b,) => a")).toEqual({ arity: 2, rest: false });
    expect(scanParameters("x => x")).toEqual({ arity: 1, rest: false });
    expect(scanParameters("function f(a = (1, 2), { b, c } = {}, [d, e]) {}")).toEqual({ arity: 3, rest: false });
    expect(scanParameters("function f(a = \"),(\", /* ,) */ b) {}")).toEqual({ arity: 2, rest: false });
    expect(scanParameters("function f(a, ...rest) {}")).toEqual({ arity: 1, rest: true });
    expect(scanParameters("['k(' + 1](a, b) {}")).toEqual({ arity: 2, rest: false });
    expect(scanParameters("function f(a = /,/) {}").arity).toBe(-1); // a regex: only a parser can tell
  });

  it("a function with a default before other parameters still gets every argument", () => {
    // fn.length is 1 here; a wrapper of that arity would drop c.
    function f(a: number, b = 5, c = 0) { return a * 100 + b * 10 + c; }
    const j = jit(f, { tiering: { hotCalls: Infinity } });
    expect(j(1, 2, 3)).toBe(123);
    expect(j(1, undefined, 3)).toBe(153);
    expect(j.length).toBe(1);
  });

  it("forwards arguments, this and new.target exactly when the source needs it", () => {
    const count = jit(function (..._xs: unknown[]) { return arguments.length; });
    expect(count(1, 2, 3)).toBe(3);
    expect(count()).toBe(0);
    function K(this: { t?: unknown }) { this.t = new.target; }
    const J = jit(K) as unknown as new () => { t: unknown };
    // `new J()` is `new K()`: its body reads K as `new.target` (sweep31 repro-3); a subclass reads itself.
    expect(new J().t).toBe(K);
    class S extends (J as any) {}
    expect((new S() as { t: unknown }).t).toBe(S);
  });
});

describe("KOS_JIT", () => {
  for (const value of ["0", "false", "OFF", "Off"]) {
    it(`KOS_JIT=${value} disables kos; strict never throws; jit returns the function itself`, () => {
      const script = `import("kos").then(({ jit, inspect }) => {
        const f = (n, x) => n * x;
        const a = jit(f, { specialize: { n: 2 }, strict: true });
        const b = jit(f, { strict: true });
        const c = jit(Math.max, { strict: true });
        console.log(JSON.stringify([a === f, b === f, c === Math.max, inspect(a).tier, inspect(b).fallbackReason, a(2, 4)]));
      })`;
      const r = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env: { ...process.env, KOS_JIT: value }, encoding: "utf8" });
      expect(r.stderr).toBe("");
      const [sameA, sameB, sameC, tier, reason, result] = JSON.parse(r.stdout.trim());
      expect([sameA, sameB, sameC, tier, result]).toEqual([true, true, true, "fallback", 8]);
      expect(reason).toBe(`DISABLED: compilation is disabled by KOS_JIT=${value}`);
    });
  }
});
