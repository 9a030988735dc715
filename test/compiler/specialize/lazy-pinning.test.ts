/**
 * `let`/`const` bindings a closure captures stay known values until a closure
 * that captures them is made (Specializer.newSlot), as `var`s do; where a
 * closure may read them before their declaration runs, they stay pinned from
 * the start, so their temporal dead zone is kept.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";
import { readFileSync } from "node:fs";
import { formatMismatch, runProgram, type FuzzApi, type FuzzProgram } from "../../../fixtures/fuzz/index.js";

describe("lazily pinned let/const", () => {
  it("a loop over a const array that a later closure captures unrolls (TypeBox's knownKeys)", () => {
    const schema = { properties: { a: { t: "n" }, b: { t: "s" }, c: { t: "n" } } };
    function check(schema: { properties: Record<string, { t: string }> }, value: Record<string, unknown>) {
      const knownKeys = Object.getOwnPropertyNames(schema.properties);
      for (const k of knownKeys) {
        const want = schema.properties[k]!.t === "n" ? "number" : "string";
        if (typeof value[k] !== want) return false;
      }
      return Object.keys(value).every((key) => knownKeys.includes(key));
    }
    const j = jit(check, { specialize: { schema } });
    const inputs = [{ a: 1, b: "x", c: 2 }, { a: 1, b: "x", c: 2, d: 0 }, { a: "1", b: "x", c: 2 }, { a: 1, b: 2, c: 3 }, {}];
    for (const v of inputs) expect(j(schema, v)).toBe(check(schema, v));
    const src = inspect(j)!.source!;
    // Unrolled: each key's test is there with its type, and no loop over the keys remains.
    expect(src).toMatch(/"number"/);
    expect(src).toMatch(/"string"/);
    expect(src).not.toMatch(/for \(const \w+ of/);
  });

  it("a function declaration hoisted above the const it captures sees it (jsonpath-plus's addRet over ret)", () => {
    // `add` leaves as a value (to a callback kos cannot see), so it is made as written, at block entry.
    function collect(xs: number[], each: (xs: number[], f: (x: number) => void) => void) {
      const ret: number[] = [];
      function add(x: number) {
        ret.push(x * 2);
      }
      each(xs, add);
      return ret;
    }
    // Inlined into a caller, its bindings get fresh names: the copy of `add` must use the one of `ret`.
    function run(xs: number[], each: (xs: number[], f: (x: number) => void) => void) {
      const ret = collect(xs, each);
      return ret;
    }
    const xs = [1, 2, 3];
    const j = jit(run, { specialize: { xs }, scope: { collect } });
    expect(j(xs, (xs, f) => xs.forEach(f))).toEqual([2, 4, 6]);
    expect(inspect(j)!.deopts).toBe(0);
  });

  it("a closure that reads a const before its declaration still throws, as the original does", () => {
    function early(call: boolean) {
      const read = () => later;
      if (call) read();
      const later = 5;
      return read() + later;
    }
    const j = jit(early, { specialize: { call: true } });
    expect(() => j(true)).toThrow(ReferenceError);
    const k = jit(early, { specialize: { call: false } });
    expect(k(false)).toBe(10);
  });

  it("closures made in unrolled iterations capture one binding each (a wrong result before: every closure read the last iteration's binding, [30, 30, 30] for [10, 20, 30])", () => {
    function makers(xs: number[]) {
      const fs: Array<() => number> = [];
      for (const x of xs) {
        const y = x * 10;
        fs.push(() => y);
      }
      return fs.map((f) => f());
    }
    const xs = [1, 2, 3];
    const j = jit(makers, { specialize: { xs } });
    expect(j(xs)).toEqual([10, 20, 30]);
    expect(inspect(j)!.deopts).toBe(0);
    // removeDeadStores drops the `this;` statements the inlined arrows' receivers left.
    expect(inspect(j)!.source).not.toMatch(/^\s*this;$/m);
  });

  it("a const pinned late on one branch of a speculation is declared afresh on the other (fuzz seed 2501 #82: 'Assignment to constant variable')", () => {
    // The fuzzer's own reduction of the program, with its calls, as it failed: a closure loop after a
    // logger's push, which kos speculated on (the log's length), so the loop was evaluated on both branches.
    const program = JSON.parse(readFileSync(new URL("../fuzz-found/seed-2501-82.json", import.meta.url), "utf8")) as FuzzProgram;
    const r = runProgram(program, { jit, inspect } as FuzzApi, {});
    expect(r.mismatch ? formatMismatch(r.mismatch) : null).toBeNull();
  });

  it("inside a loop over an input's items, the keys loop unrolls; a closure of each iteration keeps its own binding", () => {
    // The const is declared in a loop that stays a loop (over `rows`, an input): one binding per
    // iteration, declared at the top of the loop's body. Pinned, the loop over its keys stayed a loop.
    const schema = { properties: { sku: { t: "s" }, qty: { t: "n" } }, strict: false };
    function rowsOk(schema: { properties: Record<string, { t: string }>; strict: boolean }, rows: Array<Record<string, unknown>>, later: Array<() => string>) {
      for (const row of rows) {
        const knownKeys = Object.getOwnPropertyNames(schema.properties);
        for (const k of knownKeys) {
          const want = schema.properties[k]!.t === "n" ? "number" : "string";
          if (typeof row[k] !== want) return false;
        }
        // Kept and called after the loop: each must see its own iteration's array and row.
        later.push(() => `${knownKeys.join("+")}:${Object.keys(row).length}`);
        if (schema.strict && !Object.keys(row).every((key) => knownKeys.includes(key))) return false;
      }
      return true;
    }
    const j = jit(rowsOk, { specialize: { schema } });
    const rows = [{ sku: "a", qty: 1 }, { sku: "b", qty: 2, extra: 0 }, { sku: "c", qty: 3, x: 1, y: 2 }];
    for (const input of [rows, rows.slice(1), [{ sku: 1, qty: 1 }], []]) {
      const a: Array<() => string> = [];
      const b: Array<() => string> = [];
      expect(j(schema, input, b)).toBe(rowsOk(schema, input, a));
      expect(b.map((f) => f())).toEqual(a.map((f) => f()));
    }
    const src = inspect(j)!.source!;
    // The keys loop unrolled where the schema is as it was (the else branch, after a getter changed
    // it, loops as the original does): each key's test names its key and type.
    expect(src).toMatch(/typeof (\w+|\(\w+ \?\? \$k_nullRead\(\w+, "sku"\)\))\.sku !== "string"/);
    expect(src).toMatch(/typeof \w+\.qty !== "number"/);
    expect(inspect(j)!.deopts).toBe(0);
  });

  it("a let of a loop's body, captured and then written, is each iteration's own", () => {
    function f(cfg: { k: number }, xs: number[]) {
      const fns: Array<() => number> = [];
      for (const x of xs) {
        let acc = cfg.k;
        fns.push(() => acc);
        acc += x;
        if (x > 2) acc *= 2;
      }
      return fns.map((g) => g());
    }
    const cfg = { k: 10 };
    const j = jit(f, { specialize: { cfg } });
    for (const xs of [[1, 2, 3], [], [5], [-1, 4, 0]]) expect(j(cfg, xs)).toEqual(f(cfg, xs));
    expect(inspect(j)!.tier).toBe(1);
  });
});
