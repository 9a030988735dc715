/**
 * The smallest programs that showed two wrong results, each found once more
 * inlining reached them (the random-program suite, seed 12648430, #1803, and
 * mingo's `resolve`):
 * - a call split over a choice (`f(k, c ? a : b)`) whose callee throws on both
 *   sides returned undefined: the join of two dead branches dropped their code;
 * - a hoisted inner function that writes a later `let` of its function threw
 *   "Cannot access before initialization": the declaration got a second name.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function thrower(a: unknown, b: unknown): unknown {
  if (a === undefined) throw new TypeError("no value");
  return b;
}
function splitOverChoice(p0: unknown, p1: unknown, p2: unknown): unknown {
  return thrower(p2, p0 ? p1 : p2);
}
function pushSplit(p0: unknown, p2: unknown, log: unknown[]): number {
  log.push(thrower(p2, p0 ? 1 : 2));
  return 1;
}

function resolve(obj: any, sel: string): any {
  if (typeof obj !== "object") return obj;
  if (sel.length < 3) return obj[sel];
  let depth = 0;
  function inner(o: any): any {
    depth += 1;
    return o[sel] ?? depth;
  }
  return inner(obj);
}

const outcome = (f: () => unknown): string => {
  try {
    return `returned ${String(f())}`;
  } catch (e) {
    return `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
};

describe("wrong results found by inlining more", () => {
  it("a call split over a choice throws when its callee throws on both sides", () => {
    const f = jit(splitOverChoice, { specialize: { p2: undefined } });
    expect(inspect(f)!.tier).toBe(1);
    for (const p0 of [0, 1]) expect(outcome(() => f(p0, 2, undefined))).toBe(outcome(() => splitOverChoice(p0, 2, undefined)));
    expect(outcome(() => f(1, 2, undefined))).toBe("threw TypeError: no value");
    const g = jit(pushSplit, { specialize: { p2: undefined } });
    const log: unknown[] = [];
    expect(outcome(() => g(1, undefined, log))).toBe("threw TypeError: no value");
    expect(log).toEqual([]);
  });

  it("a function declared in an inlined callee's try block writes the block's `let` (ejs with compileDebug threw 'out_2 is not defined')", () => {
    function inner(d: { title: unknown }): string {
      try {
        let out = "";
        function app(s: string): void {
          out += s;
        }
        app("<" + String(d.title) + ">");
        return out;
      } catch (e) {
        throw e;
      }
    }
    const render = (data: { title: unknown }): string => inner(data);
    const f = jit(render, { specialize: {} });
    expect(inspect(f)!.tier).toBe(1);
    for (const x of [{ title: "a" }, { title: 1 }, { title: null }, null]) expect(outcome(() => f(x as { title: unknown }))).toBe(outcome(() => render(x as { title: unknown })));
  });

  it("a for-of or for-in that runs no iteration leaves a method call's receiver as it was (tinyqueue's empty queue threw reading `q.length`)", () => {
    class Bag {
      data: number[];
      length: number;
      constructor(data: number[]) {
        this.data = data;
        this.length = data.length;
      }
      push(item: number): void {
        this.data.push(item);
        this.length++;
      }
    }
    function collectOf(k: number, items: number[]): number {
      const q = new Bag([]);
      for (const x of items) q.push(x * k);
      return q.length;
    }
    function collectIn(k: number, items: Record<string, number>): number {
      let q = { n: 0, add(v: number) { this.n += v; } };
      for (const key in items) q.add(items[key]! * k);
      return q.n;
    }
    const f = jit(collectOf, { specialize: { k: 2 } });
    const g = jit(collectIn, { specialize: { k: 2 } });
    for (const items of [[1, 2, 3], [], [-0]]) expect(outcome(() => f(2, items))).toBe(outcome(() => collectOf(2, items)));
    for (const items of [{ a: 1 }, {}, { a: 1, b: NaN }]) expect(outcome(() => g(2, items))).toBe(outcome(() => collectIn(2, items)));
  });

  it("a hoisted function writing a later `let` reads the binding its declaration made", () => {
    for (const f of [jit(resolve, { specialize: { sel: "abcd" } }), jit((o: any) => resolve(o, "abcd"), { specialize: {} })]) {
      expect(inspect(f)!.tier).toBe(1);
      for (const x of [{}, { abcd: 5 }, 3, null]) expect(outcome(() => f(x, "abcd"))).toBe(outcome(() => resolve(x, "abcd")));
    }
  });
  it("a for-of over a specialized iterable that is not an array reads the parameter, not the block's copy of its name (moo's lexer threw 'Cannot access x before initialization')", () => {
    function sum(x: Iterable<number>): number {
      let s = 0;
      for (const t of x) s += t;
      return s;
    }
    const generated = {
      *[Symbol.iterator](): Generator<number> {
        yield 4;
        yield 5;
      },
    };
    const lexer = { [Symbol.iterator]: () => [7, 8][Symbol.iterator]() };
    for (const x of [new Set([1, 2]), generated, lexer] as Iterable<number>[]) {
      const f = jit(sum, { specialize: { x } });
      expect(inspect(f)!.tier).toBe(1);
      expect(outcome(() => f(x))).toBe(outcome(() => sum(x)));
    }
    // An old-style default, `var x = x || {}`: the `var` is the parameter, written by its initialiser.
    const O = { a: 1, list: [1, 2] };
    const old = function (x: any, y: any): number {
      var x = x || {};
      if (y) x = y;
      let s = 0;
      for (const t of x.list) s += t;
      return s + x.a;
    };
    const k = jit(old, { specialize: { x: O } });
    for (const y of [null, { a: 5, list: [3] }]) expect(outcome(() => k(O, y))).toBe(outcome(() => old(O, y)));
  });
  it("a loop whose speculated iterations run out of budget inside a guarded branch leaves the loop, not into the shared rest (fuzzysort's `go` matched every target from the second on twice)", () => {
    const cache = new Map<string, { target: string; codes: number[] }>();
    const prepared = (t: string) => {
      let p = cache.get(t);
      if (p === undefined) cache.set(t, (p = { target: t, codes: Array.from(t, (c) => c.charCodeAt(0)) }));
      return p;
    };
    const score = (q: string, t: { codes: number[] }): number | null => {
      let j = 0;
      for (let k = 0; k < t.codes.length; k++) {
        if (t.codes[k] === q.charCodeAt(j)) j++;
        if (j === q.length) return k;
      }
      return null;
    };
    function go(search: string, targets: string[]): string {
      const out: string[] = [];
      for (let i = 0; i < targets.length; i++) {
        const t = prepared(targets[i]!);
        if (score(search, t) === null) continue;
        out.push(t.target.slice(0, 6));
      }
      return out.join(",");
    }
    const names = ["React", "Preact", "Vue"];
    names.forEach(prepared);
    // Budgets at which the unrolling stops in the second iteration's guarded branch (25 and 35 did).
    for (const unrollBudget of [25, 35, 45]) {
      const f = jit(go, { specialize: { targets: names }, scope: { prepared, score, cache }, unrollBudget });
      expect(inspect(f)!.tier).toBe(1);
      for (const q of ["v", "re", "t", "x", "e", ""]) expect(outcome(() => f(q, names))).toBe(outcome(() => go(q, names)));
    }
  });
  it("an inlined method whose parameter has the name of the caller's specialized parameter keeps its own `this` (bn.js's `num.sub(this)` computed this - this)", () => {
    class B {
      constructor(public v: number) {}
      clone(): B {
        return new B(this.v);
      }
      isub(o: B): B {
        this.v -= o.v;
        return this;
      }
      sub(num: B): B {
        return this.clone().isub(num);
      }
    }
    function add(this: B, num: B): B {
      return num.sub(this);
    }
    const C = new B(10);
    const f = jit(add, { specialize: { num: C } });
    expect(inspect(f)!.tier).toBe(1);
    expect(f.call(new B(3), C).v).toBe(add.call(new B(3), C).v);
    expect(C.v).toBe(10);
  });
  it("a statement list split after foreign code keeps one binding for a `let` that a hoisted function declaration of the list reads (jsonc-parser's format threw 'scanner_16 is not defined')", () => {
    const shared = { eols: ["\n", "\r\n"], spaces: ["", " ", "  "] };
    const createScanner = (text: string) => {
      let pos = 0;
      return { scan: () => (pos < text.length ? text[pos++]! : null) };
    };
    function format(text: string, options: { insertSpaces: boolean; tabSize: number }): string {
      let eol = "\n";
      for (let i = 0; i < text.length; i++) {
        if (text.charAt(i) === "\r") {
          eol = "\r\n";
          break;
        }
      }
      const fast = shared.eols.includes(eol);
      let indent;
      if (options.insertSpaces) indent = shared.spaces[options.tabSize];
      else indent = "\t";
      let scanner = createScanner(text);
      let out = "";
      for (let c; (c = next()) !== null; ) out += c + indent + fast;
      return out;
      // Declared last, as jsonc-parser does: hoisted above the split all the same.
      function next(): string | null {
        return scanner.scan();
      }
    }
    const run = (text: string, options: { insertSpaces: boolean; tabSize: number }) => format(text, options);
    const options = { tabSize: 2, insertSpaces: true };
    const f = jit(run, { specialize: { options } });
    expect(inspect(f)!.tier).toBe(1);
    for (const text of ["xy", "a\r\nb", ""]) expect(outcome(() => f(text, options))).toBe(outcome(() => run(text, options)));
  });
  it("an object a variable holds, chosen by a dynamic test on both sides, is the same object afterwards (fuzz seed 5007 #1938: each side made its own and the variable was never assigned)", () => {
    function pick(x: number, log: unknown[]): unknown[] {
      const acc = { kind: "b" };
      log.push(x === 1 ? acc : acc);
      return [acc, log[0] === acc];
    }
    const f = jit(pick, { specialize: {} });
    expect(inspect(f)!.tier).toBe(1);
    for (const x of [1, 2]) {
      const got = f(x, []);
      expect(got).toEqual(pick(x, []));
      expect(got[1]).toBe(true);
    }
  });
  it("a for-of over an unfrozen configuration array calls the iterator the array has at the call, not the one it had at jit()", () => {
    function total(c: { list: number[] }, x: number): number {
      let s = 0;
      for (const v of c.list) s += v;
      return s * x;
    }
    const config = { list: [1, 2, 3] };
    const f = jit(total, { specialize: { c: config } });
    expect(f(config, 1)).toBe(6);
    expect(inspect(f)!.tier).toBe(1);
    (config.list as unknown as Record<symbol, unknown>)[Symbol.iterator] = function* () {
      yield 10;
    };
    expect(f(config, 1)).toBe(total(config, 1));
    expect(f(config, 1)).toBe(10);
  });

  it("a method call calls the function it read before its arguments ran, when an argument replaced it (the call read the property again after them)", () => {
    // Each run on a state of its own: the argument's call replaces the method the call already read.
    const make = () => {
      const cfg = { fns: { f: Math.max as (a: number, b: number) => number }, g: Math.max as (a: number, b: number) => number };
      const swap = (x: number): number => {
        cfg.fns.f = Math.min;
        cfg.g = Math.min;
        return x;
      };
      return {
        nested: (a: number): number => cfg.fns.f(swap(a), 5),
        direct: (a: number): number => cfg.g(swap(a), 5),
        optional: (a: number): number | undefined => cfg.fns.f?.(swap(a), 5),
        spread: (a: number): number => cfg.g(...[swap(a), 5]),
      };
    };
    for (const k of ["nested", "direct", "optional", "spread"] as const) {
      const original = make()[k];
      const jitted = jit(make()[k], { specialize: {} });
      expect(jitted(1)).toBe(original(1));
      expect(jitted(1)).toBe(1);
    }
  });

  it("a closure copied twice keeps the module's array it reads, not a copy of it (an object literal's method made by an inlined function pushed to a copy)", () => {
    const log: string[] = [];
    const make = (v: string) => ({ m() { log.push(v); return v; } });
    function build(): { m(): string } {
      return make("z");
    }
    const f = jit(build, { specialize: {}, strict: true });
    f().m();
    expect(log).toEqual(["z"]);
    const item = (v: string) => ({ toString() { log.push(v); return v; } });
    const cat = (a: unknown) => [item("1"), a, item("3")].join("");
    const g = jit(cat, { specialize: {} });
    log.length = 0;
    expect(g({ toString: () => (log.push("2"), "2") })).toBe("123");
    expect(log).toEqual(["1", "2", "3"]);
  });

  describe("a residual `for` with an update writes the body's last assignments after its early exits (micromustache's toPath, sweep 10)", () => {
    const programs: Record<string, (s: unknown, n: number) => unknown> = {
      assignUpdate: new Function("s", "n", "var flag = false; for (var i = 0; i < n; i = n) { if (!s) break; flag = true; } return flag;") as never,
      plusEquals: new Function("s", "n", "var flag = false; for (var i = 0; i < n; i += 1) { if (!s) break; flag = 'b'; } return flag;") as never,
      earlyReturn: new Function("s", "n", "var v = 0; for (var i = 0; i < n; i = i + 1) { if (!s) return v; v = 1; } return v;") as never,
      continued: new Function("s", "n", "var c = 0, flag = false; for (var i = 0; i < n; i += 1) { if (!s) { c++; continue; } flag = true; } return [flag, c];") as never,
      noUpdate: new Function("s", "n", "var flag = false, i = 0; for (; i < n;) { i = n; if (!s) break; flag = true; } return flag;") as never,
      parentChain: new Function("o", "_", "let seen = false; for (let n = o; n; n = n.parent) { if (n.stop) break; seen = true; } return seen;") as never,
    };
    const inputs: Array<[unknown, number]> = [["", 1], ["x", 1], ["", 3], ["x", 3], ["x", 0], [{ stop: true }, 0], [{ parent: { stop: true } }, 0], [{}, 0], [null, 0]];
    for (const [name, f] of Object.entries(programs)) {
      it(name, () => {
        const j = jit(f, { specialize: {} });
        for (const [s, n] of inputs) expect(outcome(() => JSON.stringify(j(s, n)))).toBe(outcome(() => JSON.stringify(f(s, n))));
        expect(inspect(j)!.tier).toBe(1);
      });
    }
  });

  // A small jump (`return p0`) moved into both branches that decide its test was copied through a
  // JSON round trip, which made new objects of its constants: the specialized array came back as a
  // copy, with NaN and -0 items as null (random programs, seed 3133 #1550).
  it("a jump moved into the branches of its test returns the specialized object itself, items intact", () => {
    const prog = function (p0: unknown[], log: unknown[]) {
      if (Math.floor(p0 as unknown as number) ? p0.length : (log.push(-1), p0)) return p0;
      return 5;
    };
    for (const p of [[null, 3, 100], [NaN, -0, undefined], [{ k: 1 }, () => 2]]) {
      const j = jit(prog, { specialize: { p0: p } });
      const out = j(p, []);
      expect(out).toBe(p);
      expect(out).toBe(prog(p, []));
      expect(inspect(j)!.tier).toBe(1);
    }
  });

  // An inlined call's argument went into a temporary, which the clean-up forwarded into a method
  // call of the body: the method was then read (and threw, on `undefined`) before the argument was
  // evaluated. Found by the fuzzer (seed 5123 #1159, #1870); present before the stop that fixed it.
  it("an inlined call's argument is evaluated before the body's method read, which may throw", () => {
    const h0 = new Function("return function h0(o, v) { return o.fns[o.i](v); }")();
    const prog = new Function("h0", "return function prog(c, x) { return h0(c.n, c.n * x + c.n); }")(h0) as (c: object, x: unknown) => unknown;
    const cfg = Object.freeze({ n: 2 });
    const j = jit(prog, { specialize: { c: cfg } });
    const log: string[] = [];
    const noisy = { valueOf() { log.push("valueOf"); return 1; } };
    for (const x of [1n, noisy, 3]) {
      log.length = 0;
      const want = outcome(() => prog(cfg, x));
      const wantLog = [...log];
      log.length = 0;
      expect(outcome(() => j(cfg, x))).toBe(want);
      expect(log).toEqual(wantLog);
    }
    expect(outcome(() => j(cfg, 1n))).toMatch(/Cannot mix BigInt/);
    expect(inspect(j)!.tier).toBe(1);
  });

  // sweep21 repro-4: an optional call of a folded value that is not a function (`cfg.hook?.(x)` with
  // `hook` 5: `?.` passes anything but null and undefined) returned kos's internal "not callable"
  // marker where the original throws "cfg.hook is not a function" (jsdoc-type-pratt-parser's
  // `traverse(ast, visit, false)` returned undefined where it throws "onLeave is not a function").
  it("an optional call of a known value that is not a function throws as written", () => {
    const bodies: Array<(cfg: any, x: number) => unknown> = [
      (cfg, x) => ["after", cfg.hook?.(x)],
      (cfg, x) => cfg.obj.m?.(x) ?? "dflt",
      (cfg, x) => cfg?.hook(x),
      (cfg, x) => cfg.list[0]?.(x),
      (cfg, x) => cfg.hook?.call(null, x),
    ];
    for (const hook of [5, "str", {}, true, (x: number) => x * 2, null]) {
      const cfg = Object.freeze({ hook, obj: Object.freeze({ m: hook }), list: Object.freeze([hook]) });
      for (const f of bodies) {
        const j = jit(f, { specialize: { cfg } });
        for (const x of [1, 2]) expect(outcome(() => j(cfg, x))).toBe(outcome(() => f(cfg, x)));
      }
    }
  });

  // sweep23 repro (in the builds before too): a `const` in a `try` block, on a speculation's generic
  // branch, was hoisted under one name (`fl_6`, the try keeps what its block assigns in variables),
  // then renamed to its source name when declared in place: the declaration at the top said `fl`
  // and the code assigned `fl_6`, a ReferenceError in strict code on every call down that branch.
  it("a binding in a try block keeps the name it was hoisted under", () => {
    function f(cfg: any, inp: any, cb: () => number) {
      const out = [];
      out.push(cb());
      out.push(cfg.a);
      if (inp.c) {
        cb();
        throw new Error("x");
      }
      out.push(cfg.m);
      if (inp.c) out.push(0);
      try {
        const fl = () => cfg.b;
        out.push(fl());
      } finally {
        out.push("f");
      }
      return out;
    }
    const cfg = { a: 1, b: 2, m: "x" };
    const j = jit(f, { specialize: { cfg } });
    // The callback changes the configuration: the rest runs on the generic branch.
    const changes = () => ((cfg.m = "y"), 0);
    const keeps = () => 0;
    for (const cb of [changes, keeps, changes]) {
      cfg.m = "x";
      const want = outcome(() => f(cfg, { c: false }, cb));
      cfg.m = "x";
      expect(outcome(() => j(cfg, { c: false }, cb))).toBe(want);
    }
    expect(inspect(j)!.tier).toBe(1);
  });

  // sweep23 repro-3 (in the builds before too): a failed guard ran the original through its own
  // `apply`, which a function whose prototype is not Function.prototype lacks (ansi-colors sets each
  // style function's prototype to its styles object): "$k_generic.apply is not a function".
  it("a failed guard runs an original whose prototype is not Function.prototype", () => {
    const styles = { enabled: true };
    const red = (s: string, k: number) => `<${s}:${k}>`;
    Object.setPrototypeOf(red, styles);
    const j = jit(red, { specialize: { k: 1 } });
    expect(j("x", 1)).toBe("<x:1>");
    expect(inspect(j)!.tier).toBe(1);
    expect(outcome(() => j("x", 2))).toBe(outcome(() => red("x", 2)));
    expect(outcome(() => j("y", 3))).toBe("returned <y:3>");
  });
});

// An assignment's target (its object and key) is evaluated before its right side. kos stored
// after the right side had changed them: denque's `removeOne` (`this._list[i] = this._list[i = (i
// - 1 + len) & mask]`) removed the wrong element, as does a heap's `a[pos] = a[pos = parent]`
// (sweep24 repro-4 and repro-5).
describe("an assignment's target is read before its right side", () => {
  function shiftDown(a: number[], index: number, tag: string) {
    // eslint-disable-next-line no-var -- denque's own form: a `var`, pinned lazily
    var i = index;
    a[i] = a[(i = i - 1)]!;
    return a.join() + tag;
  }
  function replaceList(o: { list: number[] }, i: number, tag: string) {
    o.list[i] = ((o.list = [9, 9, 9, 9]), 5);
    return JSON.stringify(o) + tag;
  }
  function viaClosure(a: number[], i: number, tag: string) {
    const dec = () => i--;
    a[i] = a[dec()]! + 100;
    return a.join() + tag;
  }
  function getterOrder(o: { inner: { q: number } }, log: string[], tag: string) {
    o.inner.q = (log.push("rhs"), 5);
    return log.join(";") + tag;
  }
  function viaLocalClosure(a: number[], i: number, tag: string) {
    const o = { p: a };
    const grow = () => {
      o.p = [0, 0, 0, 0];
      return 7;
    };
    o.p[i] = grow();
    return a.join() + "|" + o.p.join() + tag;
  }
  const withGetter = (): [{ inner: { q: number } }, string[]] => {
    const log: string[] = [];
    const inner = { q: 1 };
    return [{ get inner() { log.push("get inner"); return inner; } }, log];
  };
  const cases: Array<[string, (...a: any[]) => string, () => unknown[]]> = [
    ["a[i] = a[i = i - 1]", shiftDown as any, () => [[10, 11, 12, 13], 2]],
    ["o.list[i] = (o.list = [...], 5)", replaceList as any, () => [{ list: [10, 11, 12, 13] }, 2]],
    ["a[i] = a[dec()] + 100, dec a closure that writes i", viaClosure as any, () => [[10, 11, 0, 13], 2]],
    ["o.inner.q = (log.push(…), 5), inner a getter", getterOrder as any, withGetter],
    ["o.p[i] = grow(), grow a local closure that replaces o.p", viaLocalClosure as any, () => [[10, 11, 12, 13], 2]],
  ];
  for (const [label, f, args] of cases) {
    it(label, () => {
      const j = jit(f, { specialize: { tag: "!" } });
      expect(j(...args(), "!")).toBe(f(...args(), "!"));
      expect(inspect(j)!.tier).toBe(1);
    });
  }
});

// sweep25: a method call whose arguments reassign its receiver calls the method read before them,
// and a destructuring assignment into properties stores each one before it reads the next.
describe("evaluation order of calls and destructuring assignments (sweep25)", () => {
  const mkcfg = () => ({ a: { m: Math.abs }, b: { m: (x: unknown) => "B" + JSON.stringify(x) }, list: [1] as unknown[] });
  const frozenWithM = () => Object.freeze({ list: [1] as unknown[], m: () => "cfg.m called" });
  const mkx = () => ({ p: "new", q: "old" }) as Record<string, unknown>;
  const cases: Array<[string, (cfg: any, x: any) => unknown, () => object]> = [
    // kos read `o.m` again after the argument had made o an object without m: "o.m is not a function" (repro-1).
    ["o.m(o = { m: 1 })", (cfg) => {
      let o = cfg.a;
      return o.m((o = { m: 1 }));
    }, mkcfg],
    // The original fails reading m of the array; kos read m off the new o and called it (repro-2).
    ["o.m(o = cfg), o an array without m, cfg frozen", (cfg) => {
      let o = cfg.list;
      o.p = 2;
      return o.m((o = cfg));
    }, frozenWithM],
    // The argument stores null under m of an object kos has not allocated: the function read first is called (repro-9).
    ["o.m(o.m = null), o a local object", (cfg) => {
      const o: any = { m: cfg.fns.self };
      return [o.m((o.m = null)), o];
    }, () => {
      const sink: unknown[] = [];
      return Object.freeze({ fns: Object.freeze({ self: Array.prototype.push.bind(sink) }) });
    }],
    ["o.m(o = cfg.b)", (cfg) => {
      let o = cfg.a;
      return o.m((o = cfg.b));
    }, mkcfg],
    // The store into x.q happens before q is read (repro-3).
    ["({ p: x[k], q: k } = x)", (cfg, x) => {
      let k = cfg.k;
      ({ p: x[k], q: k } = x);
      return k;
    }, () => ({ k: "q" })],
    // Worded as a read, not as a declaration's destructuring (repro-4).
    ["({ p: x[k], q: k } = undefined)", (cfg, x) => {
      let k = cfg.k;
      ({ p: x[k], q: k } = cfg.missing);
      return k + x.q;
    }, () => ({ k: "q" })],
  ];
  for (const [label, f, config] of cases) {
    it(label, () => {
      // Each side on its own configuration and input (the functions write to them).
      const expected = outcome(() => f(config(), mkx()));
      const cfg = config();
      const j = jit(f, { specialize: { cfg } });
      expect(outcome(() => j(cfg, mkx()))).toBe(expected);
      expect(inspect(j)!.tier).toBe(1);
    });
  }
});

// sweep25: a template converts each substitution before it evaluates the next (an object's toString
// is foreign code), and a spread takes a virtual array or object as it is at its position.
describe("conversions and spreads at their own position (sweep25)", () => {
  it("`${cfg.p}|${x}|${cfg.p}` reads cfg.p again after x's toString changed it (repro-6)", () => {
    const f = (cfg: { p: string }, x: unknown) => `${cfg.p}|${x}|${cfg.p}`;
    const mkx = (cfg: { p: string }) => ({ toString: () => ((cfg.p = "changed"), "x") });
    const c1 = { p: "old" };
    const expected = outcome(() => f(c1, mkx(c1)));
    const c2 = { p: "old" };
    const j = jit(f, { specialize: { cfg: c2 } });
    expect(outcome(() => j(c2, mkx(c2)))).toBe(expected);
    expect(inspect(j)!.tier).toBe(1);
  });

  // (The literal cases failed in the sweep's plain JavaScript, not in this file's transformed form;
  // the call's spread fails here without the fix.)
  const spreads: Array<[string, (cfg: any) => unknown]> = [
    ["[...a, ...(a.push(9), a)]", function (this: unknown) {
      const a = [1, 2];
      return [...a, ...(a.push(9), a)];
    }],
    ["cfg.id(...a, (a.push(9), 0))", function (this: unknown, cfg: any) {
      const a = [1, 2];
      return cfg.id(...a, (a.push(9), 0));
    }],
    ["{ ...o, q: (o.p = 2, o.r = 3) }", function (this: unknown) {
      const o: Record<string, number> = { p: 1 };
      return { ...o, q: ((o.p = 2), (o.r = 3)) };
    }],
  ];
  for (const [label, f] of spreads) {
    it(`${label} spreads the operand as it was there (repro-5)`, () => {
      const mk = () => ({ id: (...v: unknown[]) => v });
      const expected = outcome(() => f(mk()));
      const cfg = mk();
      const j = jit(f, { specialize: { cfg } });
      expect(outcome(() => j(cfg))).toBe(expected);
    });
  }
});

describe("a for-in over an object the function made skips the keys deleted before they are reached (sweep27 repro-2)", () => {
  const programs: Record<string, (cfg: any, log: unknown[]) => unknown> = {
    unrolled: (cfg, log) => { const o: any = { p: 0, q: undefined }; for (const k in o) { log.push(k); delete o.q; } return log; },
    readded: (cfg, log) => { const o: any = { a: 1, b: 2, c: 3 }; for (const k in o) { log.push(k); if (k === "a") { delete o.b; o.b = 9; } } return log; },
    underCondition: (cfg, log) => { const o: any = { a: 1, b: 2, c: 3 }; for (const k in o) { log.push(k); if (cfg.x > 0) delete o.c; } return log; },
    byCalledCode: (cfg, log) => { const o: any = { a: 1, b: 2, c: 3 }; for (const k in o) { log.push(k); cfg.f(o); } return log; },
    inheritedName: (cfg, log) => { const o: any = { a: 1, hasOwnProperty: 2, c: 3 }; for (const k in o) { log.push(k); delete o.hasOwnProperty; } return log; },
    pastTheBudget: (cfg, log) => { const o: any = {}; for (let i = 0; i < 300; i++) o["k" + i] = i; let n = 0; for (const k in o) { n++; if (k === "k1") for (let i = 2; i < 300; i += 2) delete o["k" + i]; } log.push(n); return log; },
    nested: (cfg, log) => { const o: any = { a: 1, b: 2 }, p: any = { x: 1, y: 2 }; for (const k in o) for (const q in p) { log.push(k + q); delete p.y; delete o.b; } return log; },
    nullPrototype: (cfg, log) => { const o = Object.create(null); o.a = 1; o.toString = 2; o.z = 3; for (const k in o) { log.push(k); delete o.toString; } return log; },
    returned: (cfg, log) => { const o: any = { a: 1, b: 2, c: 3 }; for (const k in o) { log.push(k); delete o.c; } return [log, Object.keys(o)]; },
  };
  for (const [name, f] of Object.entries(programs)) {
    it(name, () => {
      for (const cfg of [{ x: 1, f: (o: any) => void delete o.b }, { x: -1, f: () => {} }]) {
        const j = jit(f, { specialize: { cfg } });
        expect(inspect(j).tier).toBe(1);
        expect(j(cfg, [])).toEqual(f(cfg, []));
      }
    });
  }
});

describe("receivers and defaults (sweep27)", () => {
  it("`(u?.m)?.(1)` calls m with its receiver, as `(u?.m)(2)` does (repro-1)", () => {
    const seen: string[] = [];
    const cfg: any = { obj: { m(this: unknown) { seen.push(this === cfg.obj ? "obj" : String(this)); return 1; } } };
    function f(cfg: any) {
      "use strict";
      const u = cfg.obj;
      return [(u?.m)?.(1), (u?.m)(2), (cfg.obj?.m)(3), (cfg.obj?.m)?.(4)];
    }
    const plain = f(cfg);
    const plainSeen = seen.splice(0);
    const j = jit(f, { specialize: { cfg } });
    expect(inspect(j).tier).toBe(1);
    expect(j(cfg)).toEqual(plain);
    expect(seen).toEqual(plainSeen);
    expect(plainSeen).toEqual(["obj", "obj", "obj", "obj"]);
  });

  it("`(0, cfg.obj.m)(i)` calls m without a receiver, as does `(x || cfg.obj.m)(1)` (repro-3)", () => {
    const log: string[] = [];
    const cfg: any = {};
    cfg.obj = { m(this: unknown, v: unknown) { log.push(this === cfg.obj ? "obj" : this === undefined ? "undef" : typeof this); return (typeof v === "number" ? v : 1) + 1; } };
    Object.freeze(cfg);
    function f(cfg: any) {
      "use strict";
      let i = 2;
      const h = () => i++;
      return (0, cfg.obj.m)(i);
    }
    function g(cfg: any, x: unknown) {
      "use strict";
      return (x || cfg.obj.m)(1);
    }
    for (const fn of [f, g] as Array<(c: any, x?: unknown) => unknown>) {
      const plain = fn(cfg, 0);
      const plainLog = log.splice(0);
      const j = jit(fn, { specialize: { cfg } });
      expect(inspect(j).tier).toBe(1);
      expect(j(cfg, 0)).toEqual(plain);
      expect(log.splice(0)).toEqual(plainLog);
      expect(plainLog).toEqual(["undef"]);
    }
  });

  it("an object literal's method that names its own `const`, after a speculated call, names the binding its evaluation declared (repro-6)", () => {
    function f(cfg: any) {
      let i = 0, r;
      try { cfg.cbs.push(() => i); } catch (e) { }
      r = cfg.cbs.map((q: () => number) => q());
      { const lo: any = { m() { return this === lo; } }; r = lo.m(); }
      return r;
    }
    for (const cbs of [[], [() => 1]]) {
      const cfg = { cbs };
      const j = jit(f, { specialize: { cfg } });
      expect(inspect(j).tier).toBe(1);
      expect(j({ cbs: [...cbs] } as any)).toBe(f({ cbs: [...cbs] }));
      expect(j(cfg)).toBe(true);
    }
  });

  it("a default before a rest element runs once (repro-4)", () => {
    function f(cfg: unknown, log: string[]) {
      let i = 1;
      const { p = (log.push("dp"), i), ...rest } = { p: undefined } as { p?: number };
      return [p, Object.keys(rest)];
    }
    const cfg = {};
    const plainLog: string[] = [];
    const plain = f(cfg, plainLog);
    const j = jit(f, { specialize: { cfg } });
    expect(inspect(j).tier).toBe(1);
    const log: string[] = [];
    expect(j(cfg, log)).toEqual(plain);
    expect(log).toEqual(plainLog);
    expect(plainLog).toEqual(["dp"]);
  });
});

describe("a for-of over an array the function made reads it as the array iterator does (sweep27 repro-7)", () => {
  const programs: Record<string, (cfg: any, log: unknown[]) => unknown> = {
    pushed: (cfg, log) => { const a = [1, 2]; for (const v of a) { if (a.length < 5) a.push(v * 10); log.push(v); } return [a, log]; },
    popped: (cfg, log) => { const a = [1, 2, 3, 4]; for (const v of a) { a.pop(); log.push(v); } return [a, log]; },
    shifted: (cfg, log) => { const a = [1, 2, 3, 4]; for (const v of a) { a.shift(); log.push(v); } return [a, log]; },
    emptied: (cfg, log) => { const a = [1, 2, 3]; for (const v of a) { log.push(v); a.length = 0; } return [a, log]; },
    underCondition: (cfg, log) => { const a = [1, 2]; for (const v of a) { if (cfg.x > 0 && a.length < 6) a.push(v + 1); log.push(v); } return [a, log]; },
    byCalledCode: (cfg, log) => { const a = [1, 2]; for (const v of a) { cfg.f(a); log.push(v); } return [a, log]; },
    itemWritten: (cfg, log) => { const a = [1, 2, 3]; for (const v of a) { a[2] = 9; log.push(v); } return [a, log]; },
    pastTheBudget: (cfg, log) => { const a: number[] = []; for (let i = 0; i < 400; i++) a.push(i); let s = 0; for (const v of a) { s += v; if (v === 10) a.push(1000); } log.push(s); return log; },
    nested: (cfg, log) => { const a = [1, 2], b = [3]; for (const x of a) for (const y of b) { if (b.length < 3) b.push(y + 1); log.push(x * 10 + y); } return log; },
  };
  for (const [name, f] of Object.entries(programs)) {
    it(name, () => {
      for (const cfg of [{ x: 1, f: (a: number[]) => void (a.length < 4 && a.push(7)) }, { x: -1, f: () => {} }]) {
        const j = jit(f, { specialize: { cfg } });
        expect(inspect(j).tier).toBe(1);
        expect(j(cfg, [])).toEqual(f(cfg, []));
      }
    });
  }
});

describe("a closure an inlined call returned reads that call's bindings, once its block has ended (sweep26 repro-1, rambda)", () => {
  function splitEvery(sliceLength: number) {
    return (list: unknown[]) => {
      const out = [];
      let counter = 0;
      while (counter < list.length) out.push(list.slice(counter, (counter += sliceLength)));
      return out;
    };
  }
  function uniqBy(fn: (x: unknown) => unknown) {
    return (list: unknown[]) => { const set = new Set(); return list.map((item) => set.has(fn(item))); };
  }
  const minimal = (n: number) => (list: unknown[]) => { const out = []; for (let c = 0; c < list.length; c++) out.push(list.slice(c, n)); return out; };
  const dynamic = (n: number) => (list: unknown[]) => { const out = []; for (let c = 0; c < list.length; c++) out.push(list.slice(c, n)); return out; };
  const cases: Array<[string, (a: any, list: unknown[]) => unknown, unknown, Record<string, unknown>]> = [
    ["splitEvery", (n, list) => splitEvery(n)(list), 2, { n: 2 }],
    ["uniqBy", (fn, list) => uniqBy(fn)(list), Math.abs, { fn: Math.abs }],
    ["minimal", (n, list) => minimal(n)(list), 2, { n: 2 }],
    ["a value kos does not know", (n, list) => dynamic(n.k)(list), { k: 3 }, {}],
  ];
  for (const [name, user, arg, specialize] of cases) {
    it(name, () => {
      const j = jit(user, { specialize });
      for (const list of [[1, -2, 3, 4, 5], [], ["a"]]) expect(j(arg, list)).toEqual(user(arg, list));
      expect(inspect(j).tier).toBe(1);
    });
  }
});

describe("a block's binding named as a global the function also reads (sweep28 repro-1)", () => {
  it("`try { const JSON = cfg.codec; … }` leaves the global JSON to the reads after the block", () => {
    function f(cfg: any, log: unknown[]) {
      try { const JSON = cfg.codec; log.push(JSON.stringify(1)); } catch (e) { log.push("err"); }
      return [JSON.stringify([1, 2]), log];
    }
    const mk = () => ({ codec: { stringify: (v: unknown) => "codec:" + v } });
    const cfg = mk();
    const j = jit(f, { specialize: { cfg } });
    expect(inspect(j).tier).toBe(1);
    expect(j(cfg, [])).toEqual(f(mk(), []));
  });
  it("a `for (let process …)` loop kept a loop leaves the global `process` to a later read (repro-3)", () => {
    function f(cfg: unknown, arr: number[], log: unknown[]) {
      "use strict";
      for (let process = 0; process < arr.length; process++) log.push(arr[process]);
      return [typeof process, log];
    }
    const cfg = {};
    const j = jit(f, { specialize: { cfg } });
    expect(inspect(j).tier).toBe(1);
    expect(j(cfg, [1, 2], [])).toEqual(f(cfg, [1, 2], []));
    expect(f(cfg, [1, 2], [])[0]).toBe("object");
  });
});

/** As `outcome`, with the value as JSON (the calls below return arrays and objects). */
const jsonOutcome = (run: () => unknown): string => outcome(() => JSON.stringify(run()));

describe("modern built-ins and classes (sweep42)", () => {
  it("a typed array's length is read again after code that can detach or resize its buffer (repro-5)", () => {
    function sum(cfg: { data: Float64Array; onItem(i: number): void }, x: number): unknown[] {
      let s = 0;
      for (let i = 0; i < cfg.data.length; i++) {
        s += cfg.data[i]!;
        cfg.onItem(i);
      }
      return [s, cfg.data.length, x];
    }
    const world = (kind: "detach" | "resize" | "none") => {
      const buf = kind === "resize" ? new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer & { resize(n: number): void })(32, { maxByteLength: 64 }) : new ArrayBuffer(32);
      const cfg = { data: new Float64Array(buf), onItem: (_i: number) => {} };
      cfg.data.set([1, 2, 3, 4]);
      cfg.onItem = (i) => {
        if (i !== 1) return;
        if (kind === "resize") (buf as { resize(n: number): void }).resize(16);
        else if (kind === "detach") structuredClone(buf, { transfer: [buf] });
      };
      return cfg;
    };
    for (const kind of ["detach", "resize", "none"] as const) {
      const expected = jsonOutcome(() => sum(world(kind), 1));
      const w = world(kind);
      const j = jit(sum, { specialize: { cfg: w } });
      expect(jsonOutcome(() => j(w, 1)), kind).toBe(expected);
      expect(inspect(j)!.tier).toBe(1);
    }
  });

  it("Object.values (and Object.entries) run the getters of an unfrozen object: a read after them is not folded (repro-6)", () => {
    // As the sweep wrote it (plain JavaScript: the test's own transform changed which reads fold).
    const { cfg, read } = new Function(`
      const cfg = { state: "idle", fields: { a: 1, get b() { cfg.state = "busy"; return 2; } } };
      function read(cfg, x) {
        const vals = Object.values(cfg.fields);
        const after = cfg.state;
        cfg.state = "idle";
        return [vals, after, x];
      }
      return { cfg, read };`)() as { cfg: object; read(c: object, x: number): unknown[] };
    const j = jit(read, { specialize: { cfg } });
    expect(j(cfg, 1)).toEqual([[1, 2], "busy", 1]);
    expect(j(cfg, 1)).toEqual(read(cfg, 1));
  });

  it("concat of a known array respects its Symbol.isConcatSpreadable, set before or after jit() (repro-1)", () => {
    function f(cfg: { list: number[]; extra: number }): unknown {
      return cfg.list.concat(cfg.extra);
    }
    const flagged = { list: Object.assign([1, 2], { [Symbol.isConcatSpreadable]: false }), extra: 3 };
    const r = jit(f, { specialize: { cfg: flagged } })(flagged) as unknown[];
    expect(r.length).toBe(2);
    expect(r[0]).toBe(flagged.list);
    const later = { list: [1, 2], extra: 3 };
    const j = jit(f, { specialize: { cfg: later } });
    expect(j(later)).toEqual([1, 2, 3]);
    (later.list as unknown as Record<symbol, boolean>)[Symbol.isConcatSpreadable] = false;
    const after = j(later) as unknown[];
    expect(after.length).toBe(2);
    expect(after[0]).toBe(later.list);
  });

  it("an inlined `new C()` defines fields before a parameter default reads them, and names the functions they hold (repro-2, repro-3)", () => {
    class Rule {
      limit = 10;
      max: number;
      constructor(max = this.limit) {
        this.max = max;
      }
    }
    class Button {
      onClick = () => "clicked";
      handler = function () {};
      Inner = class {};
      plain = 1;
    }
    function build(cfg: { Rule: typeof Rule; Button: typeof Button }, x: number): unknown[] {
      const r = new cfg.Rule();
      const b = new cfg.Button();
      return [r.max, r.limit, b.onClick.name, b.handler.name, b.Inner.name, b.onClick(), b.plain, x];
    }
    const cfg = { Rule, Button };
    const j = jit(build, { specialize: { cfg } });
    expect(j(cfg, 1)).toEqual(build(cfg, 1));
    expect(j(cfg, 1)).toEqual([10, 10, "onClick", "handler", "Inner", "clicked", 1, 1]);
    expect(inspect(j)!.tier).toBe(1);
  });

  it("a computed key converts right after its expression, before its value (repro-4)", () => {
    const log: string[] = [];
    const key = (name: string) => ({ [Symbol.toPrimitive]() { log.push(`key ${name}`); return name; } });
    const bad = { [Symbol.toPrimitive]() { throw new TypeError("bad key"); } };
    function build(cfg: { a: object; b: object }, x: number): unknown {
      return { [cfg.a as never]: (log.push("value a"), x), [cfg.b as never]: (log.push("value b"), x + 1) };
    }
    for (const cfg of [{ a: key("a"), b: key("b") }, { a: bad, b: key("b") }]) {
      const j = jit(build, { specialize: { cfg } });
      log.length = 0;
      const expected = jsonOutcome(() => build(cfg, 1)) + log.join();
      log.length = 0;
      expect(jsonOutcome(() => j(cfg, 1)) + log.join()).toBe(expected);
    }
    // A dynamic key with only a toString converts before the value too.
    function keyed(cfg: { value(): number }, k: object): string[] {
      return Object.keys({ [k as never]: cfg.value(), z: 1 });
    }
    const cfg = { value: () => (log.push("value"), 1) };
    const k = { toString: () => (log.push("key"), "k") };
    log.length = 0;
    keyed(cfg, k);
    const expected = log.join();
    log.length = 0;
    jit(keyed, { specialize: { cfg } })(cfg, k);
    expect(log.join()).toBe(expected);
    expect(expected).toBe("key,value");
  });
});

describe("bindings that cannot be assigned, and a typed array's own length (sweep44)", () => {
  it("a const or a function expression's own name assigned by a closure, or by a pattern with a property target, fails or is ignored as in the original (repro-2..5)", () => {
    const fns = new Function(`
      const sloppyName = function g(n) { var h = function () { g = 2; }; h(); var r = function () { return g; }; return typeof r() + n; };
      return {
        sloppyName,
        strictName: function g(n) { "use strict"; var h = function () { g = 2; }; h(); return typeof g + n; },
        closureConst: function c(n) { const L = 1; var h = function () { L = 2; }; try { h(); } catch (e) { return e.constructor.name + ": " + e.message; } return "no throw, L=" + L + n; },
        arrowConst: function c(n) { const L = 1; const h = () => { L += 1; }; h(); return L + n; },
        patternConst: function e(n) { const L = 1; const o = {}; [o.a, L] = [n, 2]; return L; },
      };`)() as Record<string, (n: number) => unknown>;
    for (const [name, f] of Object.entries(fns)) {
      const expected = jsonOutcome(() => f(1));
      const j = jit(f, { specialize: { n: 1 } });
      expect(jsonOutcome(() => j(1)), name).toBe(expected);
      const t = jit(f, { tiering: { hotCalls: 3 } });
      for (let i = 0; i < 6; i++) expect(jsonOutcome(() => t(1)), name).toBe(expected);
    }
    expect(fns.sloppyName!(1)).toBe("function1");
  });

  it("a typed array whose prototype of the program's has a `length` getter: the getter runs as often as in the original (repro-1)", () => {
    function sum(ta: Float64Array): number {
      let s = 0;
      for (let i = 0; i < ta.length; i++) s += ta[i]!;
      return s;
    }
    const make = (log: string[]) => {
      const t = new Float64Array([1, 2, 3, 4]);
      Object.setPrototypeOf(t, Object.create(Float64Array.prototype, { length: { get: () => (log.push("len"), log.length <= 2 ? 2 : 4) } }));
      return t;
    };
    const logO: string[] = [];
    const logJ: string[] = [];
    const tO = make(logO);
    const tJ = make(logJ);
    const j = jit(sum, { specialize: { ta: tJ } });
    logJ.length = 0;
    expect(j(tJ)).toBe(sum(tO));
    expect(logJ.length).toBe(logO.length);
  });
});

describe("hidden state: sloppy arguments, var declarators, bound functions, class fields, replaced built-ins (sweep46)", () => {
  it("a sloppy function that writes a parameter by `var`, a pattern, a for-in/of target or a function declaration keeps `arguments` in step (repro-1)", () => {
    const bodies = {
      varInit: "var a = 'written'; return arguments[0];",
      destructArgs: "[arguments[0]] = ['written']; return a;",
      forOfArgs: "for (arguments[0] of ['written']); return a;",
      destructParam: "[a] = ['written']; return arguments[0];",
      forInParam: "for (a in { written: 1 }); return arguments[0];",
      forVarOf: "for (var a of ['written']); return arguments[0];",
      funcDecl: "function a() {} return typeof arguments[0];",
      logIdiom: "var a = a || 'info'; return Array.prototype.join.call(arguments, ' ');",
    };
    for (const [name, body] of Object.entries(bodies)) {
      const f = new Function(`return function sl(a, b) { ${body} }`)() as (a: unknown, b: unknown) => unknown;
      const expected = outcome(() => f("", 2));
      expect(outcome(() => jit(f, { specialize: { a: "" } })("", 2)), name).toBe(expected);
      const t = jit(f, { tiering: { hotCalls: 3 } });
      for (let i = 0; i < 6; i++) expect(outcome(() => t("", 2)), name).toBe(expected);
    }
  });

  it("a closure binding set by its `var` declarator is not folded before the declarator runs, nor while a loop runs it again (repro-9)", () => {
    const later = (wrap: (g: (k: string) => string) => (k: string) => string) => {
      const f = wrap(function label(k: string) { return String(conf) + k; });
      const out = [f("!"), f("!")];
      // eslint-disable-next-line no-var
      var conf = "set";
      out.push(f("!"), f("!"));
      return out.join(",");
    };
    const loop = (wrap: (g: (q: number) => number) => (q: number) => number) => {
      const f = wrap(function price(qty: number) { return qty * rate; });
      const out: number[] = [];
      for (let i = 0; i < 5; i++) {
        // eslint-disable-next-line no-var
        var rate = 10 + i;
        out.push(f(2));
      }
      return out.join(",");
    };
    expect(later((g) => jit(g, { specialize: { k: "!" } }))).toBe(later((g) => g));
    expect(later((g) => jit(g, { tiering: { hotCalls: 2 } }))).toBe(later((g) => g));
    expect(loop((g) => jit(g, { specialize: { qty: 2 } }))).toBe(loop((g) => g));
    expect(loop((g) => jit(g, { tiering: { hotCalls: 2 } }))).toBe("20,22,24,26,28");
  });

  it("a flag a program hangs on a bound function, renamed or not, or on a native function, is read when the call runs, not folded (repro-6; sweep48 repro-1, repro-12)", () => {
    const renamed = function logger(msg: string) { return msg; }.bind(null);
    Object.defineProperty(renamed, "name", { value: "logger" });
    Object.defineProperty(renamed, "prototype", { value: {} });
    // A named function of the engine's, the way a native addon's function is: enumerable own properties are the program's.
    const native = structuredClone as unknown as (msg: string) => string;
    for (const fn of [function logger(msg: string) { return msg; }.bind(null), renamed, native]) {
      const log = Object.assign(fn, { enabled: true });
      const cfg = { log };
      const emit = (c: typeof cfg, msg: string) => (c.log.enabled ? c.log(msg) : "(muted)");
      const f = jit(emit, { specialize: { c: cfg } });
      const t = jit(emit, { tiering: { hotCalls: 3 } });
      for (let i = 0; i < 6; i++) {
        if (i === 4) log.enabled = false;
        const expected = emit(cfg, `m${i}`);
        expect(f(cfg, `m${i}`)).toBe(expected);
        expect(t(cfg, `m${i}`)).toBe(expected);
      }
      delete (log as { enabled?: boolean }).enabled;
    }
  });

  it("a jit() refused before a `var` declarator ran compiles once it has (sweep48 repro-9)", () => {
    const make = () => {
      const label = (k: string) => String(conf) + k;
      const early = jit(label, { specialize: { k: "!" } });
      const before = [early("!"), inspect(early)!.tier];
      // eslint-disable-next-line no-var
      var conf = "set";
      // The same function again: its first closure read found `conf` not set yet.
      const late = jit(label, { specialize: { k: "!" } });
      return { before, after: [late("!"), inspect(late)!.tier] };
    };
    expect(make()).toEqual({ before: ["undefined!", "fallback"], after: ["set!", 1] });
  });

  it("a class field's initializer reads its variable when an instance is made, after later writes (repro-8)", () => {
    function make(k: number) {
      let x = 1;
      class C { v = x; }
      x = k;
      return new C().v;
    }
    expect(jit(make, { specialize: { k: 5 } })(5)).toBe(5);
    const t = jit(make, { tiering: { hotCalls: 3 } });
    for (let i = 0; i < 6; i++) expect(t(5)).toBe(5);
  });
});
