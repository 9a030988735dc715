/**
 * A residual for-of over a value held in a temporary is written under the source's name
 * (`{ let value = arg; for (const item of value) … }`) where its body declares that name only in
 * scopes of its own (compiler/specialize/outer-name-reads.ts), instead of iterating the value
 * through the helper that words "value is not iterable".
 */
import { describe, expect, it } from "vitest";
import * as acorn from "acorn";
import { inspect, jit } from "../../../index.js";
import { readsOuterName } from "../../../compiler/specialize/outer-name-reads.js";

const stmt = (src: string) => (acorn.parse(src, { ecmaVersion: "latest", sourceType: "script" }) as any).body[0];

describe("readsOuterName", () => {
  it("a reference bound inside the statement reads that binding", () => {
    expect(readsOuterName(stmt("for (const x of a) { const f = (k) => { const value = x; return value[k]; }; }"), "value")).toBe(false);
    expect(readsOuterName(stmt("for (const x of a) { [1].map((value) => value + 1); }"), "value")).toBe(false);
    expect(readsOuterName(stmt("for (const x of a) { { let value = x; g(value); } }"), "value")).toBe(false);
    expect(readsOuterName(stmt("for (const value of a) g(value);"), "value")).toBe(false);
    expect(readsOuterName(stmt("try { g(); } catch (value) { h(value); }"), "value")).toBe(false);
    expect(readsOuterName(stmt("for (const x of a) { (function () { g(value); var value = 1; })(); }"), "value")).toBe(false);
    expect(readsOuterName(stmt("L: for (const x of a) { o.value = x; p = { value: 1 }; break L; }"), "value")).toBe(false);
  });

  it("a reference outside the declaring scope, or one it cannot place, reads from outside", () => {
    expect(readsOuterName(stmt("for (const x of a) { g(value); }"), "value")).toBe(true);
    expect(readsOuterName(stmt("for (const x of a) { { let value = x; } g(value); }"), "value")).toBe(true);
    expect(readsOuterName(stmt("for (const x of a) { p = { value }; }"), "value")).toBe(true);
    expect(readsOuterName(stmt("for (const x of a) { var value = x; }"), "value")).toBe(true);
    expect(readsOuterName(stmt("for (const x of a) { { function value() {} } }"), "value")).toBe(true);
    expect(readsOuterName(stmt("for (const x of a) { eval('value'); }"), "value")).toBe(true);
    expect(readsOuterName(stmt("for (const x of a) { ((k = value) => { var value; return k; })(); }"), "value")).toBe(true);
    expect(readsOuterName(stmt("switch (value) { case 1: let value = 2; }"), "value")).toBe(true);
  });
});

describe("a residual for-of under its source's name", () => {
  function visitArray(schema: { keys: string[] }, value: unknown) {
    if (!Array.isArray(value)) return false;
    for (const el of value) {
      if (!schema.keys.every((k) => { const value = el; return typeof value[k] === "number"; })) return false;
    }
    return true;
  }
  function run(schema: { keys: string[] }, data: { list: unknown }) {
    return visitArray(schema, data.list);
  }

  it("iterates the array itself when the body's closure declares the same name, and agrees with the original", () => {
    const schema = { keys: ["a", "b"] };
    const j = jit(run, { specialize: { schema }, scope: { visitArray } });
    expect(j(schema, { list: [] })).toBe(true);
    const source = inspect(j).source!;
    expect(source).toContain("of value)");
    expect(source).not.toContain("is not iterable");
    const outcome = (f: typeof run, list: unknown) => {
      try {
        return f(schema, { list });
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    };
    // An array proxy whose iterator is not a function: the same message as the original's.
    const broken = new Proxy([{ a: 1, b: 2 }], { get: (t, k) => (k === Symbol.iterator ? undefined : Reflect.get(t, k)) });
    for (const list of [[{ a: 1, b: 2 }], [{ a: 1 }], [], 5, null, broken]) expect(outcome(j, list)).toEqual(outcome(run, list));
  });
});
