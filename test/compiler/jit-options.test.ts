/**
 * jit() rejects option keys it does not know, at once and always (as Numba's
 * `@jit` rejects unknown options): `jit(fn, { hotCalls: 200 })` used to leave
 * the function at tier 0 with nothing said, since hotCalls is a tiering option.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect, jit, JitError } from "../../index.js";

const repoRoot = join(fileURLToPath(import.meta.url), "..", "..", "..");

const add = (a: number, b: number) => a + b;
const bad = (options: unknown) => {
  try {
    jit(add, options as never);
  } catch (e) {
    return e as { code: string; message: string };
  }
  return null;
};

describe("jit() option keys", () => {
  it("a tiering option at the top level says where it belongs", () => {
    const e = bad({ hotCalls: 200 });
    expect(e?.code).toBe("BAD_OPTIONS");
    expect(e?.message).toMatch(/unknown option 'hotCalls': it is a tiering option, jit\(fn, \{ tiering: \{ hotCalls/);
  });

  it("a misspelt key names the near one; under tiering too", () => {
    expect(bad({ specialise: { b: 1 } })?.message).toMatch(/did you mean 'specialize'/);
    expect(bad({ freez: "deep" })?.message).toMatch(/did you mean 'freeze'/);
    expect(bad({ tiering: { hotcalls: 10 } })?.message).toMatch(/unknown tiering option 'hotcalls': did you mean 'hotCalls'/);
    expect(bad({ tiering: { strict: true } })?.message).toMatch(/an option of jit itself/);
    expect(bad({ whatever: 1 })?.code).toBe("BAD_OPTIONS");
  });

  it("options and tiering must be objects", () => {
    expect(bad(null)?.message).toMatch(/options must be an object, got null/);
    expect(bad(5)?.code).toBe("BAD_OPTIONS");
    expect(bad({ tiering: 5 })?.message).toMatch(/tiering must be an object/);
  });

  it("every documented key is accepted, and the function works", () => {
    const f = jit(add, { specialize: { b: 2 }, strict: true, fastmath: false, freeze: "guard", name: "add2", disablePasses: [], tracePasses: false, unrollBudget: 1000, maxCompileMs: 5000, outlineLimit: 12000, cache: false, assume: {}, scope: {} });
    expect(f(1, 2)).toBe(3);
    expect(inspect(f)!.tier).toBe(1);
    const g = jit(add, { tiering: { hotCalls: 10, hotTimeMs: 20, compileBudget: 0.5, maxVersions: 2 } });
    for (let i = 0; i < 50; i++) expect(g(i, 1)).toBe(i + 1);
    expect(jit(add, undefined)(1, 1)).toBe(2);
  });

  it("a key a program added to Object.prototype is no option, and kos still loads and compiles (in a fresh process)", () => {
    // Before: the options check's for-in counted `extra` as an unknown option, and the compiler's
    // bundle, loaded at the first compile, threw "Getter must be a function: true" (esbuild's __export).
    const script = `
      Object.prototype.extra = true;
      const { jit, inspect } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, "dist", "index.js")).href)});
      const g = jit((a, b) => a + b, { tiering: { hotCalls: 50 } });
      let s = 0;
      for (let i = 0; i < 300; i++) s += g(1, i);
      const h = jit((x) => x * 2, { specialize: { x: 3 } });
      console.log(JSON.stringify([s, inspect(g).tier, h(3), inspect(h).tier]));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout.trim())).toEqual([45150, 1, 6, 1]);
  });
});


describe("a function's name (sweep33 repro-2)", () => {
  const named = (value: unknown) => {
    const f = function (a: number, b: number) { return a + b; };
    Object.defineProperty(f, "name", { value });
    return f;
  };
  const outcomes = (f: (a: number, b: number) => number) => Array.from({ length: 12 }, (_, i) => {
    try {
      return f(i, 2);
    } catch (e) {
      return `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
  });

  it("a Symbol or a number as the function's own name: the calls return as the original's, tiered and explicit, and each compiles", () => {
    for (const value of [Symbol("s"), 42]) {
      const tiered = jit(named(value), { tiering: { hotCalls: 5 } }) as (a: number, b: number) => number;
      expect(outcomes(tiered)).toEqual(outcomes(named(value)));
      expect(inspect(tiered).fallbackReason).toBeNull();
      expect(inspect(tiered).tier).toBe(1);
      expect(tiered.name).toBe(value);
      const explicit = jit(named(value), { specialize: { a: 1 } }) as (a: number, b: number) => number;
      expect(outcomes(explicit).slice(1, 2)).toEqual([3]);
      expect(inspect(explicit).fallbackReason).toBeNull();
    }
  });

  it("`name` given as an option must be a string", () => {
    const e = bad({ name: 5 });
    expect(e?.code).toBe("BAD_OPTIONS");
    expect(e?.message).toBe("name must be a string, got number");
  });
});

describe("tiering counts and times (sweep48)", () => {
  it("rejects a hotCalls, hotTimeMs or maxVersions that is not a positive number, with BAD_OPTIONS", () => {
    const add = (a: number, b: number) => a + b;
    for (const key of ["hotCalls", "hotTimeMs", "maxVersions"]) {
      for (const bad of [0, -1, Number.NaN, "3", null]) {
        expect(() => jit(add, { tiering: { [key]: bad } as never }), `${key}: ${String(bad)}`).toThrow(expect.objectContaining({ code: "BAD_OPTIONS" }));
      }
      expect(() => jit(add, { tiering: { [key]: Infinity } as never })).not.toThrow();
    }
  });
});

describe("option values of the wrong type or range", () => {
  const add = function add(a: number, b: number) {
    let s = a;
    for (let i = 0; i < 3; i++) s += b;
    return s;
  };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    // Each of these was taken as given: a version specialized on nothing, the default policy, a fallback at the first call.
    ["specialize: 3", { specialize: 3 }, /^specialize must be an object/],
    ["specialize: null", { specialize: null }, /^specialize must be an object/],
    ["scope: a string", { specialize: { a: 1 }, scope: "x" }, /^scope must be an object/],
    ["assume: a number", { assume: 7 }, /^assume must be an object/],
    ["assume: a misspelt type", { assume: { b: "nubmer" } }, /^assume\.b must be one of number, string/],
    ["assume: an unknown typed array", { assume: { b: "typedarray:Float16Array" } }, /^assume\.b must be one of/],
    ["strict: a string", { specialize: { a: 1 }, strict: "yes" }, /^strict must be true or false, got "yes"$/],
    ["fastmath: 1", { specialize: { a: 1 }, fastmath: 1 }, /^fastmath must be true or false/],
    ["cache: a string", { specialize: { a: 1 }, cache: "x" }, /^cache must be true or false/],
    ["tracePasses: null", { specialize: { a: 1 }, tracePasses: null }, /^tracePasses must be true or false, got null$/],
    ["freeze: an unknown policy", { specialize: { a: 1 }, freeze: "sometimes" }, /^freeze must be one of guard, deep, require-frozen, reference/],
    ["disablePasses: a string", { specialize: { a: 1 }, disablePasses: "unrollLoops" }, /^disablePasses must be an array of pass names/],
    ["argumentCount: -1", { specialize: { a: 1 }, argumentCount: -1 }, /^argumentCount must be a whole number/],
    ["argumentCount: 1.5", { specialize: { a: 1 }, argumentCount: 1.5 }, /^argumentCount must be a whole number/],
    ["unrollBudget: -5", { specialize: { a: 1 }, unrollBudget: -5 }, /^unrollBudget must be a whole number/],
    ["outlineLimit: 0", { specialize: { a: 1 }, outlineLimit: 0 }, /^outlineLimit must be a positive integer/],
    ["maxCompileMs: a string", { specialize: { a: 1 }, maxCompileMs: "x" }, /^maxCompileMs must be a positive number/],
  ];
  for (const [label, options, message] of cases) {
    it(`${label}: BAD_OPTIONS at jit(), with what was given`, () => {
      let error: unknown;
      try {
        jit(add, options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(JitError);
      expect((error as JitError).code).toBe("BAD_OPTIONS");
      expect((error as JitError).message).toMatch(message);
    });
  }

  it("the values each option allows still compile", () => {
    const f = jit(add, { specialize: { a: 1 }, assume: { b: "number" }, scope: {}, strict: true, fastmath: false, freeze: "reference", disablePasses: [], argumentCount: 2, unrollBudget: 0, outlineLimit: 5000, maxCompileMs: 2000 });
    expect(f(1, 2)).toBe(7);
    expect(inspect(f)!.tier).toBe(1);
    expect(jit(add, { assume: { b: "typedarray:Float64Array" } })).toBeTypeOf("function");
  });

  it("inspect of a value that is not a function is null (it threw a TypeError for a primitive)", () => {
    for (const v of [5, undefined, null, "f", Symbol("s"), {}]) expect(inspect(v as never)).toBeNull();
  });
});

describe("pass names known before the compiler loads", () => {
  it("compiler/pass-names.ts lists the passes the residual pipeline runs, in its order", async () => {
    const { RESIDUAL_PASSES } = await import("../../compiler/residual/pipeline.js");
    const { RESIDUAL_PASS_NAMES, PASS_NAMES } = await import("../../compiler/pass-names.js");
    expect(RESIDUAL_PASSES.map((p) => p.name)).toEqual(RESIDUAL_PASS_NAMES);
    const { PASS_NAMES: exported } = await import("../../index.js");
    expect([...exported]).toEqual([...PASS_NAMES]);
  });
});
