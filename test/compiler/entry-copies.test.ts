/**
 * The entries `jit()` returns come from copies of their factory's text (compiler/entry-factory.ts,
 * DISTINCT_ENTRIES): a factory's first entries each get a function literal of their own, so that
 * V8 keeps call feedback per entry and inlines each entry's original where a call site sees many
 * entries; later entries share one more copy. Which literal an entry runs is read from V8's
 * [[FunctionLocation]] (its place in the factory's text). Every copy must behave the same.
 */
import { describe, expect, it } from "vitest";
import { jit } from "../../index.js";
import { DISTINCT_ENTRIES } from "../../compiler/entry-factory.js";
import { functionLocation, releaseDebugger } from "../../compiler/discover/closure.js";

const where = (f: Function): string => {
  const loc = functionLocation(f);
  if (!loc) throw new Error("no location");
  return `${loc.scriptId ?? loc.file}:${loc.line}:${loc.column}`;
};

describe("entries of one factory", () => {
  it("the first ones each run a copy of their own, later ones share one more, and all behave alike", () => {
    const count = DISTINCT_ENTRIES + 4;
    // Three parameters: no other test of this file makes entries of that arity and form.
    const originals = Array.from({ length: count }, (_, i) => new Function("a", "b", "c", `"use strict"; if (this !== undefined) { this.k = ${i}; return; } return a * ${i} + b - c;`) as (a: number, b: number, c: number) => number);
    const entries = originals.map((f) => jit(f, { tiering: { hotCalls: Infinity } }) as (a: number, b: number, c: number) => number);
    let places: string[];
    try {
      places = entries.map(where);
    } finally {
      releaseDebugger();
    }
    const own = places.slice(0, DISTINCT_ENTRIES);
    expect(new Set(own).size).toBe(DISTINCT_ENTRIES);
    const shared = places.slice(DISTINCT_ENTRIES);
    expect(new Set(shared).size).toBe(1);
    expect(own).not.toContain(shared[0]);
    entries.forEach((g, i) => {
      const original = originals[i]!;
      expect(g(2, 3, 1)).toBe(original(2, 3, 1));
      expect(g.name).toBe(original.name);
      expect(g.length).toBe(3);
      expect((new (g as any)(1, 2, 3) as { k: number }).k).toBe(i);
    });
  });

  it("a function's rest-parameter entry (the exact entry) takes its copy the same way", () => {
    const originals = Array.from({ length: DISTINCT_ENTRIES + 2 }, (_, i) => new Function("...xs", `return xs.length * ${i};`) as (...xs: number[]) => number);
    const entries = originals.map((f) => jit(f, { tiering: { hotCalls: Infinity } }) as (...xs: number[]) => number);
    let places: string[];
    try {
      places = entries.map(where);
    } finally {
      releaseDebugger();
    }
    expect(new Set(places.slice(0, DISTINCT_ENTRIES)).size).toBe(DISTINCT_ENTRIES);
    expect(new Set(places.slice(DISTINCT_ENTRIES)).size).toBe(1);
    expect(places.slice(0, DISTINCT_ENTRIES)).not.toContain(places[DISTINCT_ENTRIES]);
    entries.forEach((g, i) => expect(g(1, 2, 3, 4)).toBe(4 * i));
  });
});
