/**
 * Anonymous functions and classes are named by where the source defines them
 * (NamedEvaluation), and the residual defines them elsewhere: under a renamed
 * variable, in a temporary, forwarded into a use, or as an inlined callee's
 * parameter. Their `name` (and a class's `constructor.name`) is what the
 * source gives (specialize/function-names.ts, residual/function-names.ts).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const cfg = { k: 1 };
function nameOf(f: unknown): string {
  return (f as { name: string }).name;
}
function apply(cb: (x: number) => number, x: number): [string, number] {
  return [nameOf(cb), cb(x)];
}
function make(k: number) {
  const cb = (x: number) => x + k;
  return cb;
}
const programs: Record<string, (c: typeof cfg) => unknown> = {
  renamedLocals(c) {
    const Handler = class {};
    const cb = () => c.k;
    return [new Handler().constructor.name, cb.name, make(c.k).name, make(2).name];
  },
  forwardedIntoUse(c) {
    const cb = function () {
      return c.k;
    };
    return [[cb][0]!.name, cb()];
  },
  argumentOfInlinedCallee(c) {
    return apply((x) => x * c.k, 3);
  },
  propertyValues(c) {
    const o = { value: function () {}, "a b": () => 0, __proto__: null, ["__proto__"]: () => c.k };
    return [o.value.name, o["a b"].name, (o as Record<string, Function>)["__proto__"]!.name];
  },
  assignedLater(c) {
    let f: () => number;
    f = () => c.k;
    const g = [() => 1][0]!;
    return [f.name, g.name, ((h = () => 2) => h.name)()];
  },
};

describe("names of functions and classes defined in jitted code", () => {
  for (const [name, fn] of Object.entries(programs)) {
    it(`${name}: what the original gives`, () => {
      const f = jit(fn, { specialize: { c: cfg }, strict: true });
      expect(inspect(f)!.tier).toBe(1);
      expect(f(cfg)).toEqual(fn(cfg));
    });
  }
});

// Declarations of an inlined callee whose names its caller also uses get a renamed slot
// (`run_2`): declared under that name, the function was named `run_2` (sweep12, repro-1).
function makeRun(o: number) {
  function run() {
    return o;
  }
  return run;
}
function makePoint(o: number) {
  class Point {
    constructor(readonly v: number) {}
  }
  return new Point(o);
}
function callClass(o: number) {
  class Task {}
  return o ? (Task as unknown as () => unknown)() : 0;
}
function recursiveDecl(o: number) {
  function count(n: number): number {
    return n <= 0 ? 0 : 1 + count(n - 1);
  }
  return [count.name, count(o)];
}

describe("function and class declarations of inlined callees keep their names", () => {
  it("a function declaration, a class declaration, a self-recursive declaration", () => {
    const outer = (o: number) => {
      const run = 1;
      const Point = 2;
      const count = 3;
      return [makeRun(o).name, makeRun(o)(), makePoint(o).constructor.name, makePoint(o).v, recursiveDecl(o), run + Point + count];
    };
    const f = jit(outer, { specialize: { o: 4 }, strict: true });
    expect(inspect(f)!.tier).toBe(1);
    expect(f(4)).toEqual([ "run", 4, "Point", 4, ["count", 4], 6 ]);
    expect(f(4)).toEqual(outer(4));
  });

  it("the engine's message names the class as the source does", () => {
    const outer = (o: number) => {
      const Task = 1;
      return [Task, callClass(o)];
    };
    const f = jit(outer, { specialize: { o: 1 }, strict: true });
    const message = (g: (o: number) => unknown) => {
      try {
        g(1);
        return "no throw";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(message(f)).toBe("Class constructor Task cannot be invoked without 'new'");
    expect(message(f)).toBe(message(outer));
  });
});
