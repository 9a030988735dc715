/**
 * A function that reads the variable it is kept in (`var lib = function (x) { … lib.count … }`,
 * the UMD idiom; validate.js calls `validate.processValidationResults` so): in the version that
 * name must still be the program's variable, which holds the original. A version named by a
 * function expression binds that name in its own body, and read its own properties there instead
 * (sweep40: `Object.keys(lib)` came out empty, and validate.js threw "is not a function").
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect, jit } from "../../index.js";

function fin(x: number) {
  return x + 1;
}

describe("a function that names itself through its variable", () => {
  it("reads the variable's object, not the version (function expression kept in a var)", () => {
    // eslint-disable-next-line no-var
    var lib: { (x: number, cfg: { pre(x: number): number }): [number, string]; fin?: (x: number) => number; count?: number } = function (x, cfg) {
      const r = cfg.pre(x);
      lib.count = (lib.count || 0) + 1;
      return [lib.fin!(r), Object.keys(lib).join()];
    };
    // A proxy kos does not inline: the call stays a call of `lib.fin` in the version.
    lib.fin = new Proxy(fin, {});
    const cfg = { pre: (x: number) => x * 2 };
    const expected = lib(1, cfg);
    delete lib.count;
    const j = jit(lib, { specialize: { cfg }, strict: true });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(1, cfg)).toEqual(expected);
    expect(lib.count).toBe(1);
    expect(j.name).toBe("lib");
    expect(j.length).toBe(2);
  });

  it("a declaration that reads its own name", () => {
    function declared(cfg: { scale: number }): unknown {
      // @ts-expect-error: properties of the function itself
      declared.hits = (declared.hits || 0) + 1;
      // @ts-expect-error: a property of the function itself
      return [declared.fmt(cfg.scale), Object.keys(declared).join()];
    }
    (declared as unknown as { fmt: unknown }).fmt = new Proxy(fin, {});
    const cfg = { scale: 3 };
    const j = jit(declared, { specialize: { cfg }, strict: true });
    expect(j(cfg)).toEqual([4, "fmt,hits"]);
    expect(j(cfg)).toEqual([4, "fmt,hits"]);
    expect((declared as unknown as { hits: number }).hits).toBe(2);
    expect(j.name).toBe("declared");
  });

  it("a declaration the program rebinds (`decl = jit(decl)`, a wrapper) falls back naming the write; one it never rebinds compiles (sweep41 #8)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-self-"));
    try {
      const file = join(dir, "rebinds.mjs");
      writeFileSync(file, [
        `export function decl(cfg, x) { decl.count = (decl.count || 0) + 1; return x * cfg.n + decl.count; }`,
        `export function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }`,
        `export function rebind(f) { decl = f(decl); }`,
        `export const call = (cfg, x) => decl(cfg, x);`,
        `export const count = () => decl.count;`,
      ].join("\n"));
      const m = (await import(pathToFileURL(file).href)) as {
        decl: (cfg: { n: number }, x: number) => number;
        fib: (n: number) => number;
        rebind(f: (d: Function) => Function): void;
        call(cfg: { n: number }, x: number): number;
        count(): number;
      };
      const cfg = { n: 3 };
      // The program puts the jitted function where the declaration was: its body then counts on the jitted one.
      m.rebind((d) => jit(d, { specialize: { cfg } }));
      expect([0, 1, 2, 3, 4].map((x) => m.call(cfg, x))).toEqual([1, 5, 9, 13, 17]);
      expect(m.count()).toBe(5);
      expect(inspect(m.decl)!.fallbackReason).toMatch(/^FREE_VARIABLE: `function decl` is reassigned at .*rebinds\.mjs:\d+/);
      const fib = jit(m.fib, { specialize: { n: 10 } });
      expect(fib(10)).toBe(55);
      expect(inspect(fib)!.tier).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
