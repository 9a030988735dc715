/**
 * Recursion on a signature already being inlined becomes a call of a
 * residual version specialized for it (specialize/residual-versions.ts), and
 * recursion that only moves a counter is generalized into one version.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

/** A key-path walker as query matchers write it (sift's walkKeyPathValues): arrays on the way are searched item by item. */
function walk(item: any, path: readonly string[], test: (v: unknown) => boolean, depth: number): boolean {
  if (Array.isArray(item) && depth < path.length && !(path[depth]! in item)) {
    for (let i = 0; i < item.length; i++) if (walk(item[i], path, test, depth)) return true;
    return false;
  }
  if (depth === path.length || item == null) return test(item);
  return walk(item[path[depth]!], path, test, depth + 1);
}

const isBig = (v: unknown) => typeof v === "number" && v > 10;

function matches(query: { path: readonly string[]; test: (v: unknown) => boolean }, item: unknown): boolean {
  return walk(item, query.path, query.test, 0);
}

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

const items: unknown[] = [
  null,
  5,
  { a: { b: 11 } },
  { a: { b: 3 } },
  { a: [{ b: 1 }, { b: 20 }] },
  { a: [[{ b: 1 }], [{ b: 30 }]] },
  { a: [[[[{ b: 12 }]]]] },
  { a: [] },
  { a: { b: [1, 2, 99] } },
  { a: [{ b: [1, [2, [40]]] }] },
  { a: { get b() { throw new RangeError("no b"); } } },
  { a: [{ b: 1 }, null, { b: 11 }] },
];

describe("residual versions of recursive calls", () => {
  it("a walker's recursion into arrays calls a version specialized on the path, at every depth", () => {
    const query = Object.freeze({ path: Object.freeze(["a", "b"]), test: isBig });
    const j = jit(matches, { specialize: { query } });
    for (const item of items) expect(outcome(() => j(query, item))).toEqual(outcome(() => matches(query, item)));
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    const src = info.source!;
    // A function of its own that calls itself: the recursion into arrays stays specialized.
    const version = /function (walk_\w+)\(/.exec(src);
    expect(version).not.toBeNull();
    expect(src.split(`${version![1]}(`).length).toBeGreaterThan(2);
    // The path's keys are folded into it, and the original walker is never called.
    expect(src).toMatch(/\.b\b/);
    expect(src).not.toMatch(/\bwalk\(/);
  });

  it("a walk whose end is known is not generalized: a frozen 5-key path folds every key", () => {
    const query = Object.freeze({ path: Object.freeze(["a", "b", "c", "d", "e"]), test: isBig });
    const j = jit(matches, { specialize: { query } });
    const deep: unknown[] = [{ a: { b: { c: { d: { e: 11 } } } } }, { a: [{ b: { c: [{ d: { e: 3 } }, { d: { e: 40 } }] } }] }, { a: { b: null } }, { a: [[{ b: { c: { d: [{ e: [1, 12] }] } } }]] }, 7];
    for (const item of [...deep, ...items]) expect(outcome(() => j(query, item))).toEqual(outcome(() => matches(query, item)));
    const src = inspect(j)!.source!;
    // The last key is read by name: the depth stayed a constant down to the end of the path.
    expect(src).toMatch(/\.e\b/);
  });

  it("errors thrown inside a version are the original's, in the same order of effects", () => {
    const log: string[] = [];
    const noting = (v: unknown) => {
      log.push(String(v));
      if (v === 13) throw new TypeError("thirteen");
      return false;
    };
    const query = Object.freeze({ path: Object.freeze(["a", "b"]), test: noting });
    const j = jit(matches, { specialize: { query } });
    const cases: unknown[] = [...items, { a: [{ b: 1 }, { b: 13 }, { b: 2 }] }, { a: [[{ b: 13 }]] }];
    for (const item of cases) {
      log.length = 0;
      const want = outcome(() => matches(query, item));
      const wantLog = [...log];
      log.length = 0;
      expect(outcome(() => j(query, item))).toEqual(want);
      expect(log).toEqual(wantLog);
    }
  });

  it("a dynamic receiver is passed to the version as its first parameter", () => {
    function sumIn(this: { bias: number }, node: any, key: string): number {
      if (node == null) return 0;
      let s = typeof node[key] === "number" ? node[key] : 0;
      if (Array.isArray(node.kids)) for (const k of node.kids) s += sumIn.call(this, k, key);
      return s + this.bias;
    }
    function total(self: { bias: number }, tree: unknown) {
      return sumIn.call(self, tree, "w");
    }
    const j = jit(total, { specialize: {} });
    const tree = { w: 1, kids: [{ w: 2, kids: [{ w: 3 }, null, { w: "x", kids: [{ w: 4 }] }] }, { kids: [] }] };
    for (const self of [{ bias: 0 }, { bias: 1 }, { bias: 0.5 }]) expect(j(self, tree)).toBe(total(self, tree));
    expect(outcome(() => j(null as never, tree))).toEqual(outcome(() => total(null as never, tree)));
    expect(outcome(() => j({ bias: 1 }, { kids: 5 }))).toEqual(outcome(() => total({ bias: 1 }, { kids: 5 })));
    expect(inspect(j)!.source).toMatch(/function sumIn_\w+\(self/);
  });
});

describe("generalized counting recursion", () => {
  function countFrom(node: any, step: number, n: number): number {
    if (node == null) return n;
    return countFrom(node.next, step, n + step);
  }
  function length(list: unknown) {
    return countFrom(list, 1, 0);
  }
  const list = (k: number) => {
    let l: unknown = null;
    for (let i = 0; i < k; i++) l = { next: l };
    return l;
  };

  it("a counter that moves at each level becomes a parameter of one version, not 48 unrolled levels", () => {
    const j = jit(length, { specialize: {} });
    for (const k of [0, 1, 2, 3, 5, 10, 100]) expect(j(list(k))).toBe(length(list(k)));
    expect(outcome(() => j({ next: { next: 7 } }))).toEqual(outcome(() => length({ next: { next: 7 } })));
    const src = inspect(j)!.source!;
    expect(src).toMatch(/function countFrom_\w+\(/);
    // A few levels unfolded before the counter became a parameter: far from the inlining depth.
    expect(src.split(".next").length - 1).toBeLessThan(10);
  });

  // Binary recursion on a counter that ends nothing: unfolded level by level it made 2^8 bodies
  // before the eighth level generalized the counter (71 KB of residual for `sumTree`, 148 KB with an
  // accumulator, 1.4 s; rou3's route lookup ran out of its 5 s this way).
  type Tree = { v: number; l?: Tree | null; r?: Tree | null } | null | undefined;
  function sumTree(node: any, depth: number): number {
    if (!node) return 0;
    return depth * node.v + sumTree(node.l, depth + 1) + sumTree(node.r, depth + 1);
  }
  function total(tree: Tree, n: number) {
    return sumTree(tree, n);
  }
  function collect(node: any, depth: number, acc: number[]): void {
    if (!node) return;
    acc.push(depth * node.v);
    collect(node.l, depth + 1, acc);
    collect(node.r, depth + 1, acc);
  }
  function listed(tree: Tree, n: number) {
    const acc: number[] = [];
    collect(tree, n, acc);
    return acc;
  }
  /** Trees to depth 12, with getters that log their reads and one that throws. */
  const trees = (log: string[]): Tree[] => {
    const build = (d: number, seed: number): Tree => (d === 0 || seed % 7 === 3 ? (seed % 5 === 0 ? undefined : null) : { v: seed % 11, l: build(d - 1, seed * 3 + 1), r: build(d - 1, seed * 5 + 2) });
    const logged = { get v() { log.push("v"); return 4; }, get l() { log.push("l"); return { v: -0, r: { v: NaN } }; }, get r() { log.push("r"); return null; } };
    const throwing = { v: 1, l: { v: 2, get r(): Tree { throw new RangeError("no r"); } } };
    return [null, undefined, { v: 3 }, build(4, 1), build(8, 2), build(12, 5), logged, throwing, { v: "x" as unknown as number, l: { v: 2n as unknown as number } }];
  };

  it("a counter moving in a recursion that branches is generalized from its first level: one version, not 2^8 bodies", () => {
    for (const [name, fn] of [["total", total], ["listed", listed]] as const) {
      const j = jit(fn, { specialize: { n: 1 } });
      const info = inspect(j)!;
      expect(info.tier, name).toBe(1);
      // 71,152 and 148,159 characters before (the body copied for each of the 2^8 paths to level 8).
      expect(info.source!.length, name).toBeLessThan(5000);
      const before: string[] = [];
      const after: string[] = [];
      const inputs = trees(before);
      const again = trees(after);
      inputs.forEach((t, i) => expect(outcome(() => j(again[i], 1)), `${name} #${i}`).toEqual(outcome(() => fn(t, 1))));
      expect(after).toEqual(before);
    }
  });
});

describe("recursion that is not counting", () => {
  /** A Pratt parser: `expression(rbp)` recurses with another binding power while `this.i` moves. */
  class Parser {
    i = 0;
    constructor(readonly src: string) {}
    peek() {
      return this.src[this.i];
    }
    next() {
      return this.src[this.i++];
    }
    expression(rbp: number): any {
      let left = this.nud(this.next());
      while (rbp < this.lbp(this.peek())) left = this.led(this.next()!, left);
      return left;
    }
    nud(t: string | undefined): any {
      if (t === "(") {
        const e = this.expression(0);
        this.next();
        return e;
      }
      return t === "x" ? { op: "x" } : { op: "num", v: Number(t) };
    }
    lbp(t: string | undefined) {
      return t === "+" ? 10 : t === "*" ? 20 : t === "^" ? 30 : 0;
    }
    led(t: string, left: unknown): any {
      return { op: t, l: left, r: this.expression(t === "^" ? 29 : this.lbp(t)) };
    }
  }
  function evalAst(n: any, x: number): number {
    switch (n.op) {
      case "x":
        return x;
      case "num":
        return n.v;
      case "+":
        return evalAst(n.l, x) + evalAst(n.r, x);
      case "*":
        return evalAst(n.l, x) * evalAst(n.r, x);
      default:
        return evalAst(n.l, x) ** evalAst(n.r, x);
    }
  }
  function run(src: string, x: number) {
    return evalAst(new Parser(src).expression(0), x);
  }

  it("a parser's recursion with another binding power after its position moved runs at compile time (jmespath's)", () => {
    const src = "1+2*x^2^1+(x+3)*4+x*x*x";
    const j = jit(run, { specialize: { src } });
    for (const x of [0, 1, 2, -3, 0.5, NaN]) expect(j(src, x)).toBe(run(src, x));
    const out = inspect(j)!.source!;
    // Parsed while compiling: the expression itself is what remains.
    expect(out).toMatch(/return 1 \+ 2 \* x \*\* 2 \+ \(x \+ 3\) \* 4 \+ x \* x \* x;/);
    expect(out).not.toMatch(/function \w+_\d+\(/);
  });
});
