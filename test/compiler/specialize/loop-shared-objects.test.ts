/**
 * A residual loop whose body calls a known method on an instance it made, with a node of a tree
 * kos built (specialize/loop-shared-objects.ts): the tree is allocated once before the loop and
 * stays virtual in it, so the call inlines on the node per item, behind a test of the method and
 * of a flag that the other branch sets when it hands a node to code kos does not follow. Compared
 * with the original where a getter of an item replaces the method mid-loop with one that mutates
 * the nodes it is given (later items must see the mutation), or with a non-function, and on
 * proxies whose traps log the order of reads.
 */
import { afterEach, describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const lib = new Function(`"use strict";
  function Rt() { this.calls = 0; Rt.last = this; }
  function Interp(rt) { this.rt = rt; }
  Interp.prototype.search = function (node, value) { return this.visit(node, value); };
  Interp.prototype.visit = function (node, value) {
    switch (node.type) {
      case "field": return value === null || typeof value !== "object" ? null : value[node.name];
      case "lit": return node.value;
      case "map": {
        const base = this.visit(node.children[0], value);
        if (!Array.isArray(base)) return null;
        const res = [];
        for (let i = 0; i < base.length; i++) {
          const r = this.visit(node.children[1], base[i]);
          res.push(r);
        }
        return res;
      }
      case "gte": return this.visit(node.children[0], value) >= this.visit(node.children[1], value);
      case "filter": {
        const base = this.visit(node.children[0], value);
        if (!Array.isArray(base)) return null;
        const out = [];
        for (let i = 0; i < base.length; i++) {
          if (this.visit(node.children[1], base[i]) === true) {
            const picked = this.visit(node.children[2], base[i]);
            out.push(picked);
          }
        }
        // Read after the loop: what a replaced method did to the tree shows here.
        return [out, node.children[1].children[1].value];
      }
    }
    throw new Error("unknown " + node.type);
  };
  return { Rt, Interp };
`)() as { Rt: (new () => unknown) & { last?: { it: { visit?: Function } } }; Interp: { prototype: { visit: Function } } };

const search = new Function("Rt", "Interp", `"use strict"; return function search(data) {
  const rt = new Rt();
  const it = new Interp(rt);
  rt.it = it;
  const tree = { type: "filter", children: [
    { type: "field", name: "people" },
    { type: "gte", children: [{ type: "field", name: "age" }, { type: "lit", value: 18 }] },
    { type: "field", name: "name" },
  ] };
  return it.search(tree, data);
}`)(lib.Rt, lib.Interp) as (data: unknown) => unknown;

/** The same filter inside a loop over groups: two residual loops, one in the other. */
const searchNested = new Function("Rt", "Interp", `"use strict"; return function searchNested(data) {
  const it = new Interp(new Rt());
  const tree = { type: "map", children: [
    { type: "field", name: "groups" },
    { type: "filter", children: [
      { type: "field", name: "people" },
      { type: "gte", children: [{ type: "field", name: "age" }, { type: "lit", value: 18 }] },
      { type: "field", name: "name" },
    ] },
  ] };
  return it.search(tree, data);
}`)(lib.Rt, lib.Interp) as (data: unknown) => unknown;

const visit0 = lib.Interp.prototype.visit;
afterEach(() => {
  lib.Interp.prototype.visit = visit0;
});

function outcome(fn: (d: unknown) => unknown, make: () => unknown): unknown {
  try {
    return { value: fn(make()) };
  } catch (e) {
    return { error: String(e) };
  } finally {
    lib.Interp.prototype.visit = visit0;
  }
}

const people = (n: number) => Array.from({ length: n }, (_, i) => ({ name: "p" + i, age: 10 + i * 4 }));

/** An item whose `age` getter replaces the method with `replacement` (once), then reads as `age`. */
function replacingItem(age: number, replacement: () => unknown) {
  let done = false;
  return {
    name: "r",
    get age() {
      if (!done) {
        done = true;
        lib.Interp.prototype.visit = replacement() as Function;
      }
      return age;
    },
  };
}

describe("objects a residual loop hands out only on a guarded call's other branch", () => {
  const j = jit(search, { specialize: {}, scope: { Rt: lib.Rt, Interp: lib.Interp } }) as typeof search;

  it("stay virtual in the loop: the call inlines on the node per item", () => {
    for (let k = 0; k < 50; k++) expect(j({ people: people(6) })).toEqual(search({ people: people(6) }));
    const src = inspect(j)!.source!;
    // The loop tests the flag, and reads no node's type at run time.
    expect(src).toMatch(/!shared(_\d+)?\b/);
    expect(src).not.toMatch(/\.type\b/);
  });

  it("agree on ordinary and odd inputs", () => {
    const inputs: (() => unknown)[] = [
      () => ({ people: people(0) }), () => ({ people: people(7) }), () => null, () => 3, () => ({ people: "x" }),
      () => ({ people: [null, 1, { age: "30", name: 1 }, { age: 18 }, {}] }),
    ];
    for (const make of inputs) expect(outcome(j, make)).toEqual(outcome(search, make));
  });

  it("see the mutations of a method that replaced the original mid-loop", () => {
    // The replacement raises the literal the filter compares with: later items see 100.
    const mutating = () =>
      function (this: unknown, node: { type: string; value?: number }, value: unknown) {
        if (node.type === "lit") node.value = 100;
        return visit0.call(this, node, value);
      };
    const make = () => ({ people: [...people(3), replacingItem(50, mutating), ...people(8), { name: "late", age: 99 }, { name: "old", age: 120 }] });
    const want = outcome(search, make);
    expect(outcome(j, make)).toEqual(want);
    expect(JSON.stringify(want)).toContain("old");
    expect(JSON.stringify(want)).not.toContain("late");
  });

  it("see a method replaced on the instance mid-loop, and what it did to the nodes after the loop", () => {
    const make = () => ({
      people: [
        ...people(4),
        {
          name: "i",
          get age() {
            lib.Rt.last!.it.visit = function (this: unknown, node: { type: string; value?: number; name?: string }, value: unknown) {
              if (node.type === "lit") node.value = 33;
              if (node.type === "field" && node.name === "name") node.name = "age";
              return visit0.call(this, node, value);
            };
            return 30;
          },
        },
        ...people(9),
      ],
    });
    const want = outcome(search, make);
    expect(outcome(j, make)).toEqual(want);
    expect(JSON.stringify(want)).toContain("33");
  });

  it("agree in a loop inside a loop, where the method is replaced in an inner iteration", () => {
    const jn = jit(searchNested, { specialize: {}, scope: { Rt: lib.Rt, Interp: lib.Interp } }) as typeof searchNested;
    const mutating = () =>
      function (this: unknown, node: { type: string; value?: number }, value: unknown) {
        if (node.type === "lit") node.value = 40;
        return visit0.call(this, node, value);
      };
    const makes: (() => unknown)[] = [
      () => ({ groups: [{ people: people(5) }, { people: people(9) }] }),
      () => ({ groups: [{ people: people(3) }, { people: [...people(2), replacingItem(30, mutating), ...people(12)] }, { people: people(14) }] }),
      () => ({ groups: [null, { people: 1 }, {}] }),
    ];
    for (let k = 0; k < 20; k++) for (const make of makes) expect(outcome(jn, make)).toEqual(outcome(searchNested, make));
  });

  it("throw the engine's error where the method became a non-function", () => {
    const make = () => ({ people: [...people(2), replacingItem(40, () => 7), ...people(2)] });
    expect(outcome(j, make)).toEqual(outcome(search, make));
  });

  it("read proxies' properties in the same order", () => {
    const run = (fn: typeof search) => {
      const log: string[] = [];
      const wrap = <T extends object>(o: T, tag: string): T =>
        new Proxy(o, { get: (t, k, r) => (log.push(tag + ":" + String(k)), Reflect.get(t, k, r)) });
      const data = wrap({ people: wrap(people(4).map((p, i) => wrap(p, "p" + i)), "arr") }, "root");
      return [outcome(fn, () => data), log];
    };
    expect(run(j)).toEqual(run(search));
  });
});
