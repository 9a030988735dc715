/**
 * jit() rejects option keys it does not know, at once and always (as Numba's
 * `@jit` rejects unknown options): `jit(fn, { hotCalls: 200 })` used to leave
 * the function at tier 0 with nothing said, since hotCalls is a tiering option.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect, jit } from "../../index.js";

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
