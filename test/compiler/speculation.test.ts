/**
 * Speculating again after foreign code (compiler/specialize/speculation.ts):
 * reads of an unfrozen configuration are folded again after a call or a read
 * of a dynamic input, behind a guard at that point, next to the generic rest.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";

type Node = { op: string; v?: number; name?: string; l?: Node; r?: Node };

/** A tiny tree-walking interpreter: every `env[name]` read is foreign code (a getter may run). */
function evalNode(node: Node, env: Record<string, number>): number {
  switch (node.op) {
    case "num": return node.v!;
    case "var": return env[node.name!]!;
    case "add": return evalNode(node.l!, env) + evalNode(node.r!, env);
    case "mul": return evalNode(node.l!, env) * evalNode(node.r!, env);
    default: throw new Error("bad op " + node.op);
  }
}

const program = (): Node => ({ op: "add", l: { op: "mul", l: { op: "var", name: "a" }, r: { op: "num", v: 3 } }, r: { op: "add", l: { op: "var", name: "b" }, r: { op: "num", v: 4 } } });

describe("speculation after foreign code", () => {
  it("folds the program after each input read: no interpretation is left in the code", () => {
    const prog = program();
    const f = jit(evalNode, { specialize: { node: prog } });
    expect(f(prog, { a: 2, b: 5 })).toBe(15);
    const src = inspect(f).source!;
    // The right operand is read after `env.a` ran: it is folded behind a guard, not dispatched with `switch`.
    expect(src).not.toMatch(/switch/);
    expect(src).toMatch(/env\.b/);
    expect(inspect(f).tier).toBe(1);
  });

  it("a getter on the input that changes the program mid-call: the rest of the call follows the change, as the original", () => {
    const prog = program();
    const f = jit(evalNode, { specialize: { node: prog } });
    const env = {
      get a() {
        // Runs after the left operand's program was read, before the right one is.
        (prog.r as Node).l = { op: "num", v: 100 };
        return 2;
      },
      b: 5,
    };
    const expected = (() => {
      const copy = program();
      const e2 = { get a() { (copy.r as Node).l = { op: "num", v: 100 }; return 2; }, b: 5 };
      return evalNode(copy, e2);
    })();
    expect(expected).toBe(110);
    expect(f(prog, env)).toBe(expected);
    // The next call sees the changed program at entry: the guard fails and the original runs.
    expect(f(prog, { a: 1, b: 1 })).toBe(evalNode(prog, { a: 1, b: 1 }));
  });

  it("never freezes or changes the program it folds", () => {
    const prog = program();
    const before = JSON.stringify(prog);
    const f = jit(evalNode, { specialize: { node: prog } });
    for (let i = 0; i < 10; i++) f(prog, { a: i, b: -i });
    expect(Object.isFrozen(prog)).toBe(false);
    expect(JSON.stringify(prog)).toBe(before);
  });

  it("an array allocated before a dynamic branch is allocated on every path (fuzz seed 777 #185)", () => {
    function ev(node: { op: string; args?: unknown[]; c?: unknown; x?: number }, env: { x: unknown }): unknown {
      if (node.op === "x") return env.x;
      if (node.op === "call") {
        const args: unknown[] = [];
        for (const a of node.args!) args.push(ev(a as never, env));
        return Math.max(...(args as number[]));
      }
      if (node.op === "pick") return env.x ? -100 : ev({ op: "call", args: [{ op: "x" }] }, env);
      return 0;
    }
    function prog(c: { tree: { op: string } }, x: unknown) {
      return ev(c.tree as never, { x });
    }
    const c = { tree: { op: "call", args: [{ op: "pick" }, { op: "x" }] } };
    const f = jit(prog, { specialize: { c }, scope: { ev } });
    const x = { valueOf() { return 100; } };
    expect(f(c, x)).toBe(prog(c, x));
    expect(f(c, 0)).toBe(prog(c, 0));
  });

  it("a loop that pushes to a local array after foreign code pushes each item once (fuzz seed 24301 #217)", () => {
    function prog(c: { n: number }, log: unknown[]) {
      log.push("start");
      const r: Array<{ t: string }> = [];
      for (let i = 0; i < c.n; i++) r.push({ t: `m ${i}` });
      return r.map((e) => e.t).join("|");
    }
    const c = { n: 3 };
    const f = jit(prog, { specialize: { c } });
    expect(f(c, [])).toBe("m 0|m 1|m 2");
  });

  it("for-of over an unfrozen array that foreign code grows mid-loop sees the new items, as the original", () => {
    function prog(c: { list: number[] }, hook: (list: number[]) => void) {
      let s = 0;
      for (const v of c.list) {
        hook(c.list);
        s = s * 10 + v;
      }
      return s;
    }
    const make = () => ({ list: [1, 2] });
    const grow = (list: number[]) => {
      if (list.length < 4) list.push(list.length + 1);
    };
    const c = make();
    const f = jit(prog, { specialize: { c } });
    expect(f(c, grow)).toBe(prog(make(), grow));
    expect(f(make(), () => {})).toBe(12);
  });

  it("a callee that reads `n.arguments` (a property, not the arguments object) is inlined", () => {
    function walkArgs(n: { arguments: number[] }, k: number): number {
      let s = 0;
      for (const a of n.arguments) s += a * k;
      return s;
    }
    function top(c: { call: { arguments: number[] } }, k: number) {
      return walkArgs(c.call, k);
    }
    const c = { call: { arguments: [1, 2, 3] } };
    const f = jit(top, { specialize: { c }, scope: { walkArgs } });
    expect(f(c, 2)).toBe(12);
    expect(inspect(f).source).not.toMatch(/walkArgs|\$k_ref_\d+\(/);
  });
});

describe("inherited properties of objects kos does not own", () => {
  class Writer {
    scale = 2;
    render(x: number): number {
      return this.format(x) + 1;
    }
    format(x: number): number {
      return x * this.scale;
    }
  }

  it("a method on the prototype of a specialized receiver is folded and inlined behind a guard", () => {
    const w = new Writer();
    function run(writer: Writer, x: number) {
      return writer.render(x);
    }
    const f = jit(run, { specialize: { writer: w } });
    expect(f(w, 5)).toBe(11);
    expect(inspect(f)!.source).not.toMatch(/\.render\(|\.format\(/);
  });

  it("a change to the prototype, or an own property that shadows it, gives the new behaviour at the next call", () => {
    const w = new Writer();
    function run(writer: Writer, x: number) {
      return writer.render(x);
    }
    const f = jit(run, { specialize: { writer: w } });
    expect(f(w, 5)).toBe(11);
    (w as unknown as { format(x: number): number }).format = (x: number) => x - 1;
    expect(f(w, 5)).toBe(run(w, 5));
    const proto = Object.getPrototypeOf(w) as { render(x: number): number };
    const saved = proto.render;
    try {
      proto.render = function () { return 42; };
      expect(f(w, 5)).toBe(42);
    } finally {
      proto.render = saved;
    }
  });

  it("an accessor on the prototype is never read at compile time", () => {
    let reads = 0;
    class Lazy {
      get value() {
        reads++;
        return 7;
      }
    }
    const o = new Lazy();
    function run(obj: Lazy) {
      return obj.value + 1;
    }
    const f = jit(run, { specialize: { obj: o } });
    expect(reads).toBe(0);
    expect(f(o)).toBe(8);
    expect(reads).toBe(1);
  });
});

describe("sweep findings", () => {
  it("a fork whose second speculative pass folds nothing emits no empty guard (sweep: parse-asn1)", () => {
    // `box` is virtual at the fork, so the fork allocates it and evaluates again: `box.c` is then read
    // at run time and nothing unfrozen is folded, where the first pass folded `cfg.inner.k`.
    function f(cfg: { inner: { k: number } }, log: unknown[]) {
      const box = { c: cfg.inner };
      log.push(1);
      return box.c.k + 1;
    }
    const cfg = { inner: { k: 5 } };
    const g = jit(f, { specialize: { cfg } });
    expect(g(cfg, [])).toBe(6);
    expect(inspect(g)!.tier).toBe(1);
    expect(inspect(g)!.fallbackReason).toBeNull();
  });
});

describe("copies of residual code", () => {
  it("tracePasses: the per-pass preview never edits the code that runs (an object literal's property values were shared)", () => {
    // Found by the package sweep (parse-asn1) with tracePasses on: the preview of a pass replaced the
    // constant in `{ tag: s.match(RE)[1] }` by a display name in the real code too.
    const RE = /x(\d)/;
    function f(s: string, log: unknown[]) {
      const o = { tag: s.match(RE)![1] };
      log.push(o);
      return o.tag;
    }
    const g = jit(f, { scope: { RE }, tracePasses: true });
    expect(g("ax5", [])).toBe("5");
    expect(inspect(g)!.tier).toBe(1);
    expect(inspect(g)!.fallbackReason).toBeNull();
    expect(inspect(g)!.passes!.length).toBeGreaterThan(1);
  });
});

describe("content guards", () => {
  it("a symbol-keyed read is guarded on that symbol (it was guarded on obj[undefined], so an undefined value never re-checked)", () => {
    const K = Symbol("k");
    const cfg: Record<PropertyKey, unknown> = { [K]: undefined, n: 1 };
    const f = (c: typeof cfg, x: number) => (c[K] === undefined ? x + (c.n as number) : x - 1);
    const j = jit(f, { specialize: { c: cfg } });
    expect(j(cfg, 5)).toBe(6);
    cfg[K] = "z";
    expect(j(cfg, 5)).toBe(f(cfg, 5));
    expect(j(cfg, 5)).toBe(4);
    const T = Symbol("t");
    const tagged: Record<PropertyKey, unknown> = { [T]: "Object" };
    const g = (c: typeof tagged) => (c[T] === "Object" ? "obj" : "other");
    const k = jit(g, { specialize: { c: tagged } });
    expect(k(tagged)).toBe("obj");
    expect(inspect(k)!.deopts).toBe(0);
  });

  it("Object.getOwnPropertyNames of a known unfrozen object unrolls, guarded on the same names (non-enumerable ones too)", () => {
    const props: Record<string, number> = { a: 1, b: 2 };
    Object.defineProperty(props, "hidden", { value: 3, enumerable: false, configurable: true, writable: true });
    const cfg = { props };
    const f = (c: typeof cfg, x: number) => {
      let s = 0;
      for (const k of Object.getOwnPropertyNames(c.props)) s += c.props[k]! * x;
      return s;
    };
    const j = jit(f, { specialize: { c: cfg } });
    expect(inspect(j)!.source).not.toContain("getOwnPropertyNames");
    expect(j(cfg, 2)).toBe(12);
    props.d = 10;
    expect(j(cfg, 2)).toBe(f(cfg, 2));
    delete props.hidden;
    expect(j(cfg, 2)).toBe(f(cfg, 2));
    expect(Object.isFrozen(props)).toBe(false);
  });

  it("`x == null` runs no code: a recursive method of an unfrozen object is still inlined after it (object-path's get)", () => {
    const api: { get(obj: unknown, path: string | string[]): unknown } = {
      get(obj, path) {
        if (obj == null) return "none";
        if (typeof path === "string") return api.get(obj, path.split("."));
        const next = (obj as Record<string, unknown>)[path[0]!];
        return path.length === 1 ? next : api.get(next, path.slice(1));
      },
    };
    const f = jit(api.get, { specialize: { path: "a.b.c" } });
    const src = inspect(f).source!;
    // Each level is inlined (behind a re-check after each read of the input): the path is never split or sliced.
    expect(src).not.toMatch(/split|slice/);
    expect(src).toMatch(/= obj\.a;/);
    for (const o of [{ a: { b: { c: -0 } } }, { a: null }, null, { a: { b: 5 } }, { a: { b: { c: NaN } } }]) expect(f(o, "a.b.c")).toBe(api.get(o, "a.b.c"));
    // The method is replaced: the version's guard sees it.
    const original = api.get;
    api.get = (obj, path) => (typeof path === "string" ? original(obj, path) : "replaced");
    expect(f({ a: { b: { c: 1 } } }, "a.b.c")).toBe("replaced");
  });

  it("`x == y` with an object on one side and no nullish constant may run valueOf: reads after it are re-checked", () => {
    const config = { k: 1 };
    function g(x: unknown, c: { k: number }): number[] {
      const before = c.k;
      const eq = x == 3;
      return [before, c.k, eq ? 1 : 0];
    }
    const f = jit(g, { specialize: { c: config } });
    const x = { valueOf() { config.k = 2; return 3; } };
    expect(f(x, config)).toEqual([1, 2, 1]);
  });

  it("hoisting an inner function declaration runs no code: reads after it still fold behind the entry guards", () => {
    const cfg = { k: 3 };
    const f = (c: typeof cfg, x: number) => {
      const k = c.k;
      return helper(x) * k;
      function helper(v: number) {
        return Math.max(v, 0) + 1;
      }
    };
    const j = jit(f, { specialize: { c: cfg } });
    expect(inspect(j)!.source).not.toMatch(/c\.k\b/);
    expect(j(cfg, 1)).toBe(6);
    cfg.k = 5;
    expect(j(cfg, 1)).toBe(10);
  });
});

