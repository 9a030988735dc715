import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";

function scale(k: number, x: number) {
  return k * x + 1;
}

function horner(coeffs: readonly number[], x: number) {
  let r = 0;
  for (let i = coeffs.length - 1; i >= 0; i--) r = r * x + coeffs[i]!;
  return r;
}

describe("dispatcher: polymorphic versions", () => {
  it("a second stable constant gets its own version; the first is not deoptimized", () => {
    const f = jit(scale, { tiering: { hotCalls: 50 } });
    for (let i = 0; i < 100; i++) expect(f(3, i)).toBe(scale(3, i));
    expect(inspect(f)!.versions!.length).toBe(1);
    // Now a second constant, interleaved with the first.
    for (let i = 0; i < 400; i++) {
      const k = i % 2 ? 3 : 7;
      expect(f(k, i)).toBe(scale(k, i));
    }
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    const guards = info.versions!.map((v) => v.assumptions.map((a) => a.description).join("; "));
    expect(guards.length).toBe(2);
    expect(guards[0]).toMatch(/k === 3/);
    expect(guards[1]).toMatch(/k === 7/);
    // Both versions keep taking their calls.
    const before = info.versions!.map((v) => v.calls);
    for (let i = 0; i < 10; i++) f(7, i);
    const after = inspect(f)!.versions!.map((v) => v.calls);
    expect(after[1]! - before[1]!).toBe(10);
    expect(f(11, 2)).toBe(scale(11, 2)); // neither: the original, same result
  });

  it("goes generic after maxVersions live versions, and keeps returning the same values", () => {
    const f = jit(scale, { tiering: { hotCalls: 20, maxVersions: 2 } });
    for (let k = 0; k < 6; k++) for (let i = 0; i < 200; i++) expect(f(k, i)).toBe(scale(k, i));
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/polymorphic limit/);
    expect(f(-0, 5)).toBe(scale(-0, 5));
    expect(Object.is(f(-0, -0), scale(-0, -0))).toBe(true);
  });

  it("an argument that varies after tier-up is dropped from speculation, not recompiled per value", () => {
    const f = jit(scale, { tiering: { hotCalls: 20 } });
    for (let i = 0; i < 30; i++) f(3, i);
    for (let i = 0; i < 300; i++) expect(f(i, 2)).toBe(scale(i, 2));
    const info = inspect(f)!;
    // Version 2 speculates on no `k`; version 1 (k === 3), which every call then missed, left the chain.
    expect(info.versions!.length).toBe(1);
    expect(info.versions![0]!.assumptions.some((a) => a.param === "k" && a.kind !== "type")).toBe(false);
    expect(info.history.map((h) => h.event)).toEqual(expect.arrayContaining(["deoptimized", "tier1 v2", "dropped v1"]));
  });

  it("explicit specialize and tiering report through the same inspect fields", () => {
    const C = Object.freeze([1, 2, 3]);
    const e = jit(horner, { specialize: { coeffs: C } });
    const t = jit(horner, { tiering: { hotCalls: 10 } });
    for (let i = 0; i < 30; i++) expect(t(C, i)).toBe(e(C, i));
    for (const f of [e, t]) {
      const info = inspect(f)!;
      expect(info.tier).toBe(1);
      expect(info.versions!.length).toBe(1);
      expect(info.source).toContain("coeffs");
      expect(Object.keys(info).sort()).toEqual(["assumptions", "calls", "compileCpuMs", "compileTimeMs", "deopts", "fallbackReason", "history", "name", "passes", "source", "tier", "versions"]);
    }
    // The explicit version is too small for the gain check: outside a profiling run it counts no calls.
    expect(inspect(e)!.calls).toBe(0);
    expect(inspect(t)!.calls).toBe(30);
  });

  it("records the receiver of functions that mention this, and keeps this semantics", () => {
    const proto = { k: 2, get(this: { k: number }, x: number) { return this.k * x; } };
    const o = Object.create(proto);
    o.get = jit(proto.get, { tiering: { hotCalls: 20 } });
    for (let i = 0; i < 50; i++) expect(o.get(i)).toBe(2 * i);
    const other = { k: 5, get: o.get };
    expect(other.get(3)).toBe(15);
  });

  it("a reused typed-array buffer is speculated on by type, never by identity (its elements change)", () => {
    // Regression (bench/programs/dsp.ts): speculating on the buffer's identity made every
    // folded element read a guard and the program 14× slower; an old compiler also miscompiled it.
    function fir(coeffs: readonly number[], input: Float64Array, output: Float64Array) {
      const taps = coeffs.length;
      for (let n = 0; n < input.length; n++) {
        let acc = 0;
        for (let k = 0; k < taps; k++) {
          const i = n - k;
          if (i >= 0) acc += coeffs[k]! * input[i]!;
        }
        output[n] = acc;
      }
    }
    const F = Object.freeze([0.02, 0.05, 0.09, 0.14, 0.2, 0.14, 0.09, 0.05, 0.02, 0.01, 0.005, 0.0025]);
    const a = new Float64Array(64), out = new Float64Array(64), expected = new Float64Array(64);
    const f = jit(fir, { tiering: { hotCalls: 20 } });
    for (let call = 0; call < 60; call++) {
      for (let i = 0; i < a.length; i++) a[i] = Math.sin(call * 64 + i);
      f(F, a, out);
      fir(F, a, expected);
      expect([...out]).toEqual([...expected]);
    }
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    expect(info.assumptions.find((x) => x.param === "input")?.kind).toBe("type");
  });
});

describe("dispatcher: the entry's targets", () => {
  // Each target is a new state of the entry's own (a prototype of its slot holding it: a rewritten
  // field is one V8 no longer folds; compiler/dispatcher.ts), and the last one set runs.
  for (const [kind, arity, exact] of [["fixed-arity", 1, false], ["exact", -1, true]] as const) {
    it(`a ${kind} entry runs its first version, a timing route, the first again, and a replacement after going generic`, async () => {
      const { Dispatcher } = await import("../../compiler/dispatcher.js");
      const original = (x: number) => `original ${x}`;
      const d = Dispatcher.tiered(original, { name: "f", arity, exact, event: () => "event" }, original);
      const entry = d.entry as (x: number) => string;
      d.setNext(Infinity);
      expect(entry(1)).toBe("original 1");
      const v1 = (x: number) => `v1 ${x}`;
      d.addVersion({ fn: v1, source: null, passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 });
      expect(entry(2)).toBe("v1 2");
      d.routeHead((x: number) => `timed ${x}`);
      expect(entry(3)).toBe("timed 3");
      d.restoreHead();
      expect(entry(4)).toBe("v1 4");
      d.goGeneric("test");
      expect(entry(5)).toBe("original 5");
      d.addVersion({ fn: (x: number) => `v2 ${x}`, source: null, passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 });
      expect(entry(6)).toBe("v2 6");
      d.restoreHead();
      expect(entry(7)).toBe("v2 7");
    });

    it(`a ${kind} entry's state is its own: names a program adds to Object.prototype, and other entries' states, change nothing`, async () => {
      const { Dispatcher } = await import("../../compiler/dispatcher.js");
      const proto = Object.prototype as Record<string, unknown>;
      proto.run = () => "hijacked";
      proto.generic = true;
      try {
        const make = (tag: string) => {
          const original = (x: number) => `${tag} original ${x}`;
          const d = Dispatcher.tiered(original, { name: tag, arity, exact, event: (self, args) => Reflect.apply(original, self, args) }, original);
          d.setNext(Infinity);
          return { d, entry: d.entry as (x: number) => string };
        };
        const a = make("a");
        const b = make("b");
        expect(a.entry(1)).toBe("a original 1");
        a.d.addVersion({ fn: (x: number) => `a v1 ${x}`, source: null, passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 });
        b.d.goGeneric("test");
        expect(a.entry(2)).toBe("a v1 2");
        expect(b.entry(3)).toBe("b original 3");
        const c = make("c");
        expect(c.entry(4)).toBe("c original 4");
        expect(inspect(c.entry)!.calls).toBe(1);
      } finally {
        delete proto.run;
        delete proto.generic;
      }
    });
  }
});

describe("dispatcher: the exact entry forwards calls as they came", () => {
  // The exact entry hands its `arguments` to `apply` only (compiler/dispatcher.ts): the policy's
  // event and `new` go through helpers that take them as rest parameters. Each mode must still
  // see the argument count, `this` and `new.target` of the call.
  it("calls the original and its versions as they are: an own `call` of the original and a patched Function.prototype.call are never used", () => {
    // The entry calls through Function.prototype.call uncurried when kos loaded (entry-factory.ts);
    // `target.call(this, ...)` would run either of these.
    const seen: string[] = [];
    function addK(k: number, x: number) {
      return k + x;
    }
    (addK as unknown as { call: unknown }).call = () => seen.push("own call");
    const saved = Function.prototype.call;
    const f = jit(addK, { tiering: { hotCalls: 20 } });
    const results: number[] = [];
    try {
      // Patched only while calls run, so that nothing else in the suite sees it. (Other code calls it
      // too, kos's own and the test runner's: only calls of addK and of its versions are counted.)
      Function.prototype.call = function (this: Function, ...args: unknown[]) {
        if (this === addK || this.name === "addK") seen.push("patched call");
        return Reflect.apply(this, args[0], args.slice(1));
      } as typeof saved;
      for (let i = 0; i < 100; i++) results.push(f(5, i));
    } finally {
      Function.prototype.call = saved;
    }
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => 5 + i));
    expect(seen).toEqual([]);
    // Counting at tier 0, then its version: both paths ran.
    expect(inspect(f)!.tier).toBe(1);
  });

  it("in every mode: the argument count, this, and new with its new.target and prototype", async () => {
    const { Dispatcher } = await import("../../compiler/dispatcher.js");
    function original(this: unknown, ...args: unknown[]) {
      return { who: "original", n: args.length, args, self: this, nt: new.target };
    }
    const events: Array<{ self: unknown; args: unknown[]; nt: unknown }> = [];
    const d = Dispatcher.tiered(original, { name: "original", arity: -1, exact: true, event: (self, args, nt) => (events.push({ self, args, nt }), nt ? Reflect.construct(original, args, nt as Function) : Reflect.apply(original, self, args)) }, original);
    const entry = d.entry as (...a: unknown[]) => { who: string; n: number; args: unknown[]; self: unknown; nt: unknown };
    const recv = { tag: "recv" };
    // Tier 0: the first call reaches the policy's event (next = 1).
    expect(entry.call(recv, 1, undefined)).toMatchObject({ who: "original", n: 2, self: recv, nt: undefined });
    expect(events).toHaveLength(1);
    expect(events[0]!.self).toBe(recv);
    expect(events[0]!.args).toEqual([1, undefined]);
    expect(events[0]!.args).toHaveLength(2);
    const E = entry as unknown as new (...a: unknown[]) => object;
    const made = new E("a") as unknown as { who: string; n: number; self: unknown; nt: unknown };
    expect(events).toHaveLength(2);
    // `new entry()` is `new original()`: the original is `new.target` (sweep31 repro-3).
    expect(events[1]!.nt).toBe(original);
    expect(events[1]!.args).toEqual(["a"]);
    expect(made.nt).toBe(original);
    d.setNext(Infinity);
    // Tier 0, counting only: the original runs.
    expect(entry.call(recv)).toMatchObject({ who: "original", n: 0, self: recv });
    const nt0 = new E(1, 2, 3) as unknown as { n: number; nt: unknown };
    expect(nt0).toMatchObject({ n: 3, nt: original });
    // A version, a timing route, generic.
    function v1(this: unknown, ...args: unknown[]) {
      return { who: "v1", n: args.length, args, self: this, nt: new.target };
    }
    d.addVersion({ fn: v1, source: null, passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 });
    expect(entry.call(recv, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).toMatchObject({ who: "v1", n: 10, self: recv, nt: undefined });
    expect((new E(7) as unknown as { who: string; nt: unknown; n: number })).toMatchObject({ who: "v1", nt: original, n: 1 });
    d.routeHead(function route(this: unknown, ...args: unknown[]) {
      return { who: "route", n: args.length, self: this };
    });
    expect(entry.call(recv, undefined)).toMatchObject({ who: "route", n: 1, self: recv });
    d.goGeneric("test");
    expect(entry()).toMatchObject({ who: "original", n: 0, self: undefined });
    expect(entry.call(recv, 1, 2)).toMatchObject({ who: "original", n: 2, args: [1, 2], self: recv });
    const g = new E() as unknown as { who: string; nt: unknown };
    expect(g).toMatchObject({ who: "original", nt: original });
    // `new` without a result object: the instance made with the original's prototype.
    function Point(this: { x: number }, x: number, ...rest: unknown[]) {
      this.x = x + rest.length;
    }
    Point.prototype.norm = function (this: { x: number }) {
      return Math.abs(this.x);
    };
    const p = Dispatcher.tiered(Point, { name: "Point", arity: -1, exact: true, event: () => undefined }, Point);
    p.setNext(Infinity);
    const P = p.entry as unknown as new (x: number, ...rest: unknown[]) => { x: number; norm(): number };
    const pt = new P(-4, "a", "b");
    expect(pt.x).toBe(-2);
    expect(pt.norm()).toBe(2);
    expect(pt).toBeInstanceOf(Point);
    expect(pt).toBeInstanceOf(P);
  });
});

describe("dispatcher: what inspect reads", () => {
  it("an entry carries its dispatcher where the program cannot see it, and each entry its own", () => {
    function plain(a: number, b: number) { return a + b; }
    const before = Reflect.ownKeys(plain);
    const entries = [jit(plain), jit(plain, { specialize: { a: 2 } }), jit(plain, { name: "other" })];
    for (const e of entries) {
      expect(Object.getOwnPropertySymbols(e)).toEqual([]);
      expect(Reflect.ownKeys(e).filter((k) => !before.includes(k))).toEqual([]);
      expect(e(2, 3)).toBe(5);
    }
    expect(inspect(entries[0]!)!.tier).toBe(0);
    expect(inspect(entries[1]!)!.tier).toBe(1);
    expect(inspect(entries[2]!)!.name).toBe("other");
    // What jit() returned stands for the original: jit() of it again is the same function.
    expect(jit(entries[0]!)).toBe(entries[0]);
    // The program's own function is given nothing, and is not kos's.
    expect(Reflect.ownKeys(plain)).toEqual(before);
    expect(inspect(plain)).toBeNull();
  });

  it("a frozen original still gets an entry that inspect reads (the entry is kos's, the original untouched)", () => {
    const frozen = Object.freeze(function frozenFn(x: number) { return x * 2; });
    const e = jit(frozen, { tiering: { hotCalls: 5 } });
    for (let i = 0; i < 20; i++) expect(e(i)).toBe(i * 2);
    expect(inspect(e)!.name).toBe("frozenFn");
    expect(e).not.toBe(frozen);
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(inspect(frozen)).toBeNull();
  });
});

// sweep31 repro-3: the original's body saw the function jit() returned as `new.target`, and through
// the gain check's timing route a tiered version ran as a call on the object `new` had made.
describe("dispatcher: `new` of a function jit() returned is `new` of the original", () => {
  function F(this: any, x: number) {
    this.x = x;
    this.isF = new.target === F;
    this.nt = new.target === undefined ? "none" : new.target === F ? "F" : (new.target as Function).name;
  }
  function G(this: any, x: number, ...rest: unknown[]) {
    this.x = x;
    this.isG = new.target === G;
    this.n = rest.length;
  }
  const forms: Array<[string, (C: Function) => Function]> = [
    ["tiering", (C) => jit(C)],
    ["explicit", (C) => jit(C, { specialize: { x: 1 } })],
    ["tiering, compiled", (C) => jit(C, { tiering: { hotCalls: 3 } })],
  ];
  for (const [form, make] of forms) {
    it(`${form}: new.target is the original in its body, before and after a compile, and a subclass's own`, () => {
      for (const C of [F, G] as any[]) {
        const j = make(C) as any;
        class SubJ extends j {}
        class SubC extends C {}
        for (let i = 0; i < 12; i++) {
          const a = new j(1), b = new C(1);
          expect(a).toEqual(b);
          expect(Object.getPrototypeOf(a)).toBe(C.prototype);
          expect(a instanceof j).toBe(true);
          expect(Reflect.construct(j, [1], SubC)).toEqual(Reflect.construct(C, [1], SubC));
        }
        const s = new SubJ(1) as any;
        const plain = new SubC(1) as any;
        expect({ ...s, nt: undefined }).toEqual({ ...plain, nt: undefined });
        // The subclass is `new.target`, as with a subclass of the original.
        if (C === F) expect(s.nt).toBe("SubJ");
        expect(s instanceof SubJ).toBe(true);
      }
    });
  }
});

// sweep32 repro-3: a subclass made of a jitted constructor before its first `new` inherited the
// entry's own fresh prototype, not the original's.
describe("dispatcher: a constructor's prototype before any `new`", () => {
  it("a function named as a constructor shares the original's prototype from jit() on", () => {
    function Point(this: any, a: number) {
      this.a = a;
    }
    Point.prototype.sum = function (this: any) {
      return this.a + 1;
    };
    const J = jit(Point) as any;
    expect(J.prototype).toBe(Point.prototype);
    const S = class extends J {};
    expect(new S(1).sum()).toBe(2);
    expect(new (Point as any)(2) instanceof J).toBe(true);
  });
});
