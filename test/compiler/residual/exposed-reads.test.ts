/**
 * exposedReads: the variables a run of statements may read before it surely wrote them. A part
 * that may not run (a branch of `?:`, the right of `&&`, `||`, `??`, what follows a `?.`, a loop's
 * test and update, a switch's case tests) is read with its own writes taken back after it: they
 * must not hide a later read, while they do hide a read inside the same part.
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { exposedReads, type TargetOf } from "../../../compiler/residual/exposed-reads.js";

const TRACKED = new Set(["x", "y"]);
const targetOf: TargetOf = (n) => (TRACKED.has(n.name) ? { key: n.name, reads: true } : null);
const exposed = (code: string): string[] => [...exposedReads((parse(code, { ecmaVersion: "latest" }) as any).body, targetOf)].sort();

describe("exposedReads", () => {
  it("a write in a part that may not run does not hide a read after it", () => {
    expect(exposed("c && (x = 1); f(x);")).toEqual(["x"]);
    expect(exposed("c ? (x = 1) : (y = 2); f(x, y);")).toEqual(["x", "y"]);
    expect(exposed("f(c ?? (x = 1), x);")).toEqual(["x"]);
    expect(exposed("o?.m(x = 1); f(x);")).toEqual(["x"]);
    expect(exposed("for (; c && (x = 1); y = 2) {} f(x, y);")).toEqual(["x", "y"]);
    expect(exposed("switch (v) { case (x = 1): break; } f(x);")).toEqual(["x"]);
    expect(exposed("do {} while (c && (x = 1)); f(x);")).toEqual(["x"]);
  });

  it("one branch's write does not hide a read in the other", () => {
    expect(exposed("f(c ? (x = 1) : x);")).toEqual(["x"]);
    expect(exposed("f(c ? (x = 1, y = 1) : d ? (y = 2) : x + y);")).toEqual(["x", "y"]);
  });

  it("a write hides a later read in the same part, and one before the part hides reads in it", () => {
    expect(exposed("c && (x = 1, f(x));")).toEqual([]);
    expect(exposed("x = 1; c ? f(x) : (x = 2); f(x);")).toEqual([]);
    expect(exposed("f((x = 1) && x, x);")).toEqual([]);
  });

  it("a nested part's writes are taken back, the enclosing part's kept until it ends", () => {
    expect(exposed("c && (x = 1, (d && (y = 2)), f(x, y)); f(y);")).toEqual(["y"]);
    expect(exposed("c && (x = 1, (d && (y = 2)), f(x)); f(x);")).toEqual(["x"]);
  });
});
