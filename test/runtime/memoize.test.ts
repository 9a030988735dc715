import { describe, expect, it, vi } from "vitest";
import { memoize, methodCache } from "../../runtime/memoize.js";
import { KosError } from "../../errors.js";

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof KosError ? e.code : `not KosError: ${String(e)}`;
  }
  return "no error";
}

describe("memoize keys", () => {
  it("caches a single primitive argument and counts hits and misses", () => {
    const spy = vi.fn((x: number) => x * 2);
    const m = memoize(spy);
    expect(m(2)).toBe(4);
    expect(m(2)).toBe(4);
    expect(m(3)).toBe(6);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(m.stats()).toEqual({ hits: 1, misses: 2, evictions: 0, expirations: 0, size: 2 });
  });

  it("single arguments use Map semantics: NaN, -0/0, symbols, null, undefined", () => {
    const spy = vi.fn((x: unknown) => String(x));
    const m = memoize(spy);
    const s = Symbol("s");
    for (let i = 0; i < 2; i++) {
      m(NaN);
      m(-0);
      m(0);
      m(s);
      m(Symbol("s"));
      m(null);
      m(undefined);
      m("1");
      m(1);
      m(1n);
    }
    // -0 and 0 share one entry; the fresh Symbol("s") each loop is a new key.
    expect(m.stats().size).toBe(10);
    expect(spy).toHaveBeenCalledTimes(10);
    expect(m(-0)).toBe("0");
  });

  it("several primitive arguments cannot collide across types or boundaries", () => {
    const spy = vi.fn((...args: unknown[]) => args.map((a) => typeof a).join(","));
    const m = memoize(spy);
    const calls: unknown[][] = [
      [1, "2"],
      ["1", 2],
      ["1", "2"],
      [1, 2],
      ["a,b", "c"],
      ["a", "b,c"],
      ["ab", ""],
      ["a", "b"],
      [true, "t"],
      ["t", true],
      [null, undefined],
      [undefined, null],
      [1n, 1],
      [1, 1n],
      [],
      [undefined],
      [undefined, undefined],
      [Symbol.for("k"), 1],
      ["k", 1],
    ];
    for (const args of calls) m(...args);
    for (const args of calls) m(...args);
    expect(spy).toHaveBeenCalledTimes(calls.length);
    expect(m(1, "2")).toBe("number,string");
    expect(m("1", 2)).toBe("string,number");
  });

  it("a one-argument string never poses as a multi-argument key", () => {
    const spy = vi.fn((...args: unknown[]) => args.length);
    const m = memoize(spy);
    const multi = m(1, 2);
    // Whatever the internal multi-argument key looks like, a string argument starting with NUL cannot reach it.
    expect(m("\0Mn1;n2;")).toBe(1);
    expect(m("\0S\0Mn1;n2;")).toBe(1);
    expect(m("\0Mn1;n2;")).toBe(1);
    expect(multi).toBe(2);
    expect(spy).toHaveBeenCalledTimes(3);
  });

  it("object and function arguments need a key function (typed error); with one they work", () => {
    const m = memoize((o: { id: number }) => o.id * 10);
    expect(codeOf(() => m({ id: 1 }))).toBe("MEMOIZE_KEY_REQUIRED");
    const m2 = memoize((a: number, o: object) => a, {});
    expect(codeOf(() => m2(1, {}))).toBe("MEMOIZE_KEY_REQUIRED");
    const spy = vi.fn((o: { id: number }, scale: number) => o.id * scale);
    const keyed = memoize(spy, { key: (o, scale) => `${o.id}/${scale}` });
    expect(keyed({ id: 2 }, 3)).toBe(6);
    expect(keyed({ id: 2 }, 3)).toBe(6);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("caches undefined results and does not cache thrown errors", () => {
    let n = 0;
    const m = memoize((x: number) => {
      n++;
      if (x < 0) throw new Error("neg");
      return undefined;
    });
    expect(m(1)).toBeUndefined();
    expect(m(1)).toBeUndefined();
    expect(n).toBe(1);
    expect(() => m(-1)).toThrow("neg");
    expect(() => m(-1)).toThrow("neg");
    expect(n).toBe(3);
  });

  it("passes this through to the function", () => {
    const obj = { base: 10, f: memoize(function (this: { base: number }, x: number) { return this.base + x; }) };
    expect(obj.f(1)).toBe(11);
  });

  it.each([
    ["unbounded", {}],
    ["bounded", { maxSize: 4 }],
    ["keyed", { key: (x: number) => x }],
  ] as const)("keys by receiver (%s): o2.m(1) never returns o1.m(1)'s result", (_name, options) => {
    let calls = 0;
    const m = memoize(function (this: { base: number } | null, x: number) {
      calls++;
      return (this?.base ?? 0) + x;
    }, options as never);
    const o1 = { base: 10, m };
    const o2 = { base: 20, m };
    expect(o1.m(1)).toBe(11);
    expect(o2.m(1)).toBe(21);
    expect(o1.m(1)).toBe(11);
    expect(o2.m(1)).toBe(21);
    expect(calls).toBe(2);
    // A call with no receiver has its own cache, apart from both objects'.
    expect(m.call(null, 1)).toBe(1);
    expect(calls).toBe(3);
    expect(m.stats()).toMatchObject({ hits: 2, misses: 3, size: 3 });
    m.clear();
    expect(o1.m(1)).toBe(11);
    expect(calls).toBe(4);
  });

  it("keys by receiver for primitive receivers given through call", () => {
    const m = memoize(function (this: unknown, x: number) {
      return `${String(this)}:${x}`;
    });
    expect(m.call("a" as never, 1)).toBe("a:1");
    expect(m.call("b" as never, 1)).toBe("b:1");
    expect(m.call("a" as never, 1)).toBe("a:1");
    expect(m.stats()).toMatchObject({ hits: 1, misses: 2 });
  });
});

describe("memoize bounds", () => {
  it("maxSize evicts the least recently used result", () => {
    const spy = vi.fn((x: number) => x + 1);
    const m = memoize(spy, { maxSize: 2 });
    m(1);
    m(2);
    m(1); // 1 is now most recent
    m(3); // evicts 2
    m(1);
    expect(spy).toHaveBeenCalledTimes(3);
    m(2);
    expect(spy).toHaveBeenCalledTimes(4);
    expect(m.stats()).toMatchObject({ hits: 2, misses: 4, evictions: 2, size: 2 });
  });

  it("ttl expires results on the injected clock", () => {
    let t = 0;
    const spy = vi.fn((x: string) => x.toUpperCase());
    const m = memoize(spy, { maxSize: 10, ttl: 50, now: () => t });
    m("a");
    t = 49;
    m("a");
    expect(spy).toHaveBeenCalledTimes(1);
    t = 50;
    m("a");
    expect(spy).toHaveBeenCalledTimes(2);
    expect(m.stats().expirations).toBe(1);
  });

  it("clear empties the cache", () => {
    const spy = vi.fn((x: number) => x);
    for (const m of [memoize(spy), memoize(spy, { maxSize: 5 })]) {
      m(1);
      m.clear();
      expect(m.stats().size).toBe(0);
      m(1);
    }
    expect(spy).toHaveBeenCalledTimes(4);
  });

  it("rejects bad options with typed errors", () => {
    const f = (x: number) => x;
    expect(codeOf(() => memoize(f, { maxSize: 0 }))).toBe("MEMOIZE_BAD_OPTION");
    expect(codeOf(() => memoize(f, { maxSize: 2.5 }))).toBe("MEMOIZE_BAD_OPTION");
    expect(codeOf(() => memoize(f, { ttl: 10 }))).toBe("MEMOIZE_BAD_OPTION");
    expect(codeOf(() => memoize(f, { key: 5 as never }))).toBe("MEMOIZE_BAD_OPTION");
    expect(codeOf(() => memoize(42 as never))).toBe("MEMOIZE_BAD_OPTION");
    expect(codeOf(() => memoize(f, { maxSize: 2, ttl: -1 }))).toBe("LRU_BAD_TTL");
  });
});

describe("memoize async", () => {
  it("concurrent calls with the same key share one promise", async () => {
    let calls = 0;
    const m = memoize(async (x: number) => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return x * 2;
    });
    const [a, b, c] = [m(1), m(1), m(2)];
    expect(a).toBe(b);
    expect(await Promise.all([a, b, c])).toEqual([2, 2, 4]);
    expect(calls).toBe(2);
    expect(await m(1)).toBe(2);
    expect(calls).toBe(2);
  });

  it("a rejection is shared by concurrent callers, then removed from the cache", async () => {
    let calls = 0;
    const m = memoize(
      async (x: number) => {
        calls++;
        await Promise.resolve();
        if (calls === 1) throw new Error(`fail ${x}`);
        return x;
      },
      { maxSize: 10 },
    );
    const p1 = m(7);
    const p2 = m(7);
    expect(p1).toBe(p2);
    await expect(p1).rejects.toThrow("fail 7");
    await expect(p2).rejects.toThrow("fail 7");
    expect(m.stats().size).toBe(0);
    expect(await m(7)).toBe(7);
    expect(calls).toBe(2);
    expect(await m(7)).toBe(7);
    expect(calls).toBe(2);
  });

  it("async: true handles non-native thenables too", async () => {
    let calls = 0;
    const thenable = (ok: boolean) => ({
      then(res: (v: string) => void, rej: (e: Error) => void) {
        queueMicrotask(() => (ok ? res("ok") : rej(new Error("no"))));
      },
    });
    const m = memoize((k: string) => {
      calls++;
      return thenable(calls > 1);
    }, { async: true });
    await expect(Promise.resolve(m("a"))).rejects.toThrow("no");
    await new Promise((r) => setTimeout(r, 0));
    expect(await m("a")).toBe("ok");
    expect(calls).toBe(2);
  });
});

// vitest's transform passes `@decorator` syntax through untouched and Node 20
// cannot parse it, so the decorated class is compiled here with TypeScript's
// own transpiler (ts-morph bundles TypeScript 6) down to ES2022, exactly as
// `tsc` compiles user code, and loaded from a data: URL.
const decoratedSource = `
export function makeCalc(memoize) {
  class Calc {
    calls = 0;
    constructor(readonly factor: number) {}

    @memoize()
    scale(x: number): number {
      this.calls++;
      return x * this.factor;
    }

    @memoize({ maxSize: 1 })
    pair(a: number, b: string): string {
      this.calls++;
      return \`\${a}\${b}\${this.factor}\`;
    }

    @memoize()
    static twice(x: number): number {
      return x * 2;
    }
  }
  return Calc;
}`;

interface CalcInstance {
  calls: number;
  scale(x: number): number;
  pair(a: number, b: string): string;
}
interface CalcClass {
  new (factor: number): CalcInstance;
  prototype: CalcInstance;
  twice(x: number): number;
}

async function loadCalc(): Promise<CalcClass> {
  const { ts } = await import("ts-morph");
  const js = ts.transpileModule(decoratedSource, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: false },
  }).outputText;
  expect(js).not.toMatch(/^\s*@memoize/m); // really lowered, not passed through
  const mod = await import(/* @vite-ignore */ `data:text/javascript,${encodeURIComponent(js)}`);
  return mod.makeCalc(memoize) as CalcClass;
}

describe("@memoize decorator (TC39)", () => {
  it("caches per instance", async () => {
    const Calc = await loadCalc();
    const a = new Calc(2);
    const b = new Calc(3);
    expect(a.scale(5)).toBe(10);
    expect(a.scale(5)).toBe(10);
    expect(b.scale(5)).toBe(15);
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(1);
    expect(methodCache(a, a.scale)?.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
    expect(methodCache(new Calc(1), Calc.prototype.scale)).toBeUndefined();
    expect(Calc.twice(4)).toBe(8);
    expect(Calc.twice(4)).toBe(8);
    expect(methodCache(Calc, Calc.twice)?.stats().hits).toBe(1);
  });

  it("honours options, and clear works through methodCache", async () => {
    const Calc = await loadCalc();
    const c = new Calc(1);
    c.pair(1, "x");
    c.pair(2, "y"); // maxSize 1: evicts (1, "x")
    c.pair(1, "x");
    expect(c.calls).toBe(3);
    methodCache(c, c.pair)!.clear();
    c.pair(1, "x");
    expect(c.calls).toBe(4);
  });

  it("applied by hand, rejects non-method targets and non-object receivers", () => {
    const deco = memoize();
    expect(codeOf(() => (deco as any)(() => 1, { kind: "field", name: "x" }))).toBe("MEMOIZE_BAD_TARGET");
    const method = deco(function (this: unknown, x: number) { return x; }, { kind: "method", name: "m" } as any);
    expect(codeOf(() => method.call(undefined as never, 1))).toBe("MEMOIZE_BAD_TARGET");
    const target = { f: method };
    expect(target.f(3)).toBe(3);
  });
});

describe("memoize multi-argument bookkeeping", () => {
  it("bounded: evicted and rejected argument lists leave no trace; throwing calls are not cached", async () => {
    let calls = 0;
    const m = memoize(
      (a: number, b: string) => {
        calls++;
        if (a < 0) throw new Error("neg");
        return `${a}${b}`;
      },
      { maxSize: 2 },
    );
    expect(m(1, "a")).toBe("1a");
    expect(m(2, "b")).toBe("2b");
    expect(m(1, "a")).toBe("1a");
    expect(m(3, "c")).toBe("3c"); // evicts (2, "b")
    expect(calls).toBe(3);
    expect(m(2, "b")).toBe("2b");
    expect(calls).toBe(4);
    expect(() => m(-1, "x")).toThrow("neg");
    expect(() => m(-1, "x")).toThrow("neg");
    expect(calls).toBe(6);
    expect(m.stats().size).toBe(2);

    let n = 0;
    const am = memoize(async (a: number, b: number) => {
      n++;
      if (n === 1) throw new Error("first");
      return a + b;
    }, { maxSize: 4 });
    await expect(am(1, 2)).rejects.toThrow("first");
    expect(am.stats().size).toBe(0);
    expect(await am(1, 2)).toBe(3);
    expect(await am(1, 2)).toBe(3);
    expect(n).toBe(2);
  });

  it("unbounded: a rejected multi-argument promise is removed and the one-argument fast path forgets it", async () => {
    let n = 0;
    const m = memoize(async (a: number, b?: number) => {
      n++;
      if (n <= 2) throw new Error(`fail${n}`);
      return a + (b ?? 0);
    });
    await expect(m(1, 2)).rejects.toThrow("fail1");
    await expect(m(5)).rejects.toThrow("fail2");
    expect(m.stats().size).toBe(0);
    expect(await m(1, 2)).toBe(3);
    expect(await m(5)).toBe(5);
    expect(await m(5)).toBe(5);
    expect(n).toBe(4);
  });

  it("repeated one-argument calls hit the fast path and still count as hits", () => {
    for (const m of [memoize((x: number) => x + 1), memoize((x: number) => x + 1, { maxSize: 1 })]) {
      for (let i = 0; i < 5; i++) expect(m(7)).toBe(8);
      expect(m(NaN)).toBeNaN();
      expect(m(NaN)).toBeNaN();
      expect(m.stats()).toMatchObject({ hits: 5, misses: 2 });
    }
  });
});

describe("memoize bounded: the last-argument shortcut after calls of other arities (sweep34)", () => {
  it("a one-argument call after a multi-argument call that evicted its entry runs fn again", () => {
    let calls = 0;
    const f = memoize((...a: number[]) => `${a.join(",")}#${++calls}`, { maxSize: 1 });
    expect(f(1)).toBe("1#1");
    f(2, 3); // evicts key 1
    expect(f(1)).toBe("1#3");
    expect(calls).toBe(3);
  });

  it("keeps the LRU order: a repeated one-argument hit counts as a use", () => {
    const calls: string[] = [];
    const f = memoize((...a: number[]) => { calls.push(a.join(",")); return a.length; }, { maxSize: 2 });
    f(1);
    f(2, 2);
    f(1); // 1 is the most recently used: (2,2) is next to go
    f(3, 3);
    f(1);
    f(2, 2);
    expect(calls).toEqual(["1", "2,2", "3,3", "2,2"]);
  });

  it("a rejected promise whose entry was evicted before it rejected is not answered again", async () => {
    let calls = 0;
    const f = memoize(async (...a: number[]) => { calls++; if (calls === 1) throw new Error("transient"); return a.length; }, { maxSize: 1 });
    const p1 = f(1);
    p1.catch(() => {});
    f(2, 3); // evicts key 1 before p1 rejects
    await new Promise((r) => setTimeout(r, 10));
    await expect(f(1)).resolves.toBe(1);
  });
});
