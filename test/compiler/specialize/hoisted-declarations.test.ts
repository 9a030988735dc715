/**
 * Function declarations are hoisted to the top of their block, and may name
 * declarations that come after them. Found on papaparse's `unparse` (its
 * `serialize` calls `safe`, declared below it): 1,134 of 2,000 inputs threw
 * "\"id\" is not valid JSON" under kos, because the copy of the first
 * function called the function being compiled in place of its sibling.
 * - every hoisted declaration gets its slot before any is copied
 *   (specialize/patterns.ts, hoistFunctions);
 * - only a function expression's own name means the function itself, not a
 *   function declared in its body (expressions.ts, verbatim.ts);
 * - a class declared after a function that constructs it is that class,
 *   not a second binding left in its temporal dead zone (statements.ts);
 * - a closure in a binding's own initialiser (fuse.js's `const evaluate =
 *   (node) => … node.children.map(evaluate)`) names the binding as renamed
 *   in an inlined callee: it threw "evaluate is not defined"
 *   (specializer.ts, referencedBeforeDeclaration).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function laterSibling(x: unknown, k: string): string {
  return wrap(x) + k;
  function wrap(d: unknown): string {
    return inner(d);
  }
  function inner(s: unknown): string {
    return `<${String(s)}>`;
  }
}

function parity(x: number, k: string): string {
  return String(isEven(x)) + k;
  function isEven(n: number): boolean {
    return n === 0 ? true : isOdd(n - 1);
  }
  function isOdd(n: number): boolean {
    return n === 0 ? false : isEven(n - 1);
  }
}

function laterClass(x: unknown, k: string): string {
  function mk(d: unknown): string {
    return new C(d).s;
  }
  class C {
    s: string;
    constructor(d: unknown) {
      this.s = `<${String(d)}>`;
    }
  }
  return mk(x) + k;
}

/** fuse.js's `_searchLogical`: a recursive arrow bound by a const, in a callee kos inlines. */
function logical(cfg: { sep: string }, query: unknown): string[] {
  const sep = cfg.sep;
  const evaluate = (node: any): string => ("children" in node ? node.children.map(evaluate).join(sep) : String(node.v));
  return [1].map(() => evaluate(query));
}
function search(cfg: { sep: string }, query: unknown): unknown {
  if (typeof query === "string") return query;
  return logical(cfg, query);
}

/** The shape of papaparse's unparse: a field list serialized through helpers declared later. */
function unparseLike(fields: string[], row: Record<string, unknown>, quote: string): string {
  return serialize(fields, row);
  function serialize(f: string[], r: Record<string, unknown>): string {
    let out = "";
    for (let i = 0; i < f.length; i++) {
      if (i > 0) out += ",";
      out += safe(r[f[i]!], i);
    }
    return out;
  }
  function safe(v: unknown, i: number): string {
    const s = v === undefined || v === null ? "" : String(v);
    return hasAny(s, [",", quote]) ? quote + s + quote + i : s;
  }
  function hasAny(s: string, chars: string[]): boolean {
    for (const c of chars) if (s.indexOf(c) > -1) return true;
    return false;
  }
}

const outcome = (f: () => unknown): string => {
  try {
    return `returned ${JSON.stringify(f())}`;
  } catch (e) {
    return `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
};

describe("hoisted declarations that name later ones", () => {
  it("a nested function calls its sibling declared after it, not the compiled function", () => {
    const f = jit(laterSibling, { specialize: { k: "!" } });
    expect(inspect(f)!.tier).toBe(1);
    for (const x of ["a", 1, null]) expect(outcome(() => f(x, "!"))).toBe(outcome(() => laterSibling(x, "!")));
    const g = jit(parity, { specialize: { k: "?" } });
    for (const x of [0, 1, 3, 8]) expect(outcome(() => g(x, "?"))).toBe(outcome(() => parity(x, "?")));
  });

  it("a class declared after the function that constructs it", () => {
    const f = jit(laterClass, { specialize: { k: "!" } });
    expect(inspect(f)!.tier).toBe(1);
    for (const x of ["a", 2]) expect(outcome(() => f(x, "!"))).toBe(outcome(() => laterClass(x, "!")));
  });

  it("a closure that names its own binding, in an inlined callee", () => {
    const cfg = { sep: "+" };
    const f = jit(search, { specialize: { cfg } });
    for (const q of [{ children: [{ v: 1 }, { children: [{ v: 2 }] }] }, { v: 3 }, "s", { children: [] }]) {
      expect(outcome(() => f(cfg, q))).toBe(outcome(() => search(cfg, q)));
    }
  });

  it("papaparse's shape: helpers declared below the one that calls them", () => {
    const fields = Object.freeze(["id", "name", "note"]) as string[];
    const f = jit(unparseLike, { specialize: { fields, quote: '"' } });
    for (const row of [{ id: 1, name: "a,b", note: null }, { id: "x", name: 'q"', note: 3 }, {}]) {
      expect(outcome(() => f(fields, row, '"'))).toBe(outcome(() => unparseLike(fields, row, '"')));
    }
  });
});

// Two declarations of one function name in a function body: the last is the binding's value. Kos
// declared the slot twice once the callee was inlined, and fell back ("Identifier 'd_2' has already
// been declared"; sweep12, repro-4).
describe("a function body that declares one function twice", () => {
  it("an inlined sloppy callee, and a root function, strict and sloppy", () => {
    const dup = new Function("return function dup(o) { function d() { return 1; } var a = d(); function d() { return o.k; } return [a, d(), d.name]; }")() as (o: { k: number }) => unknown;
    const outer = function outer(o: { k: number }) {
      const d = 0;
      return [d, dup(o)];
    };
    const strictRoot = function strictRoot(o: { k: number }) {
      "use strict";
      function d() {
        return 1;
      }
      // eslint-disable-next-line no-redeclare
      function d() {
        return o.k;
      }
      return d();
    };
    for (const f of [outer, dup, strictRoot] as Array<(o: { k: number }) => unknown>) {
      const j = jit(f, { specialize: { o: { k: 3 } }, strict: true });
      expect(inspect(j)!.tier, f.name).toBe(1);
      expect(j({ k: 3 }), f.name).toEqual(f({ k: 3 }));
    }
  });
});
