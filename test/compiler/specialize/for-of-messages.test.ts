/**
 * A for-of that fails throws V8's own words, which depend on the form of
 * what it iterates: a name or path is printed ("d.items is not iterable"),
 * some other expressions too ("(it || []) is not iterable"), others make V8
 * describe the value ("number 5 is not iterable (cannot read property
 * Symbol(Symbol.iterator))"), a call's failure reads "… is not a function or
 * its return value is not iterable", and a pattern in the head names the item
 * `.for`. The residual iterates temporaries, so kos must word each of these
 * as the original does (found by a sweep over ejs: `for (const it of
 * (d.items || []))` said "it_1 is not iterable").
 */
import { describe, expect, it } from "vitest";
import * as acorn from "acorn";
import { inspect, jit } from "../../../index.js";
import { notIterableForm } from "../../../compiler/specialize/for-of-messages.js";

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

type Loop = (d: { items?: unknown; v?: unknown }, k: string) => unknown;

const loops: Record<string, Loop> = {
  orEmpty: (d, k) => {
    let out = "";
    for (const x of ((d.items as unknown[]) || [])) out += String(x) + k;
    return out;
  },
  conditional: (d, k) => {
    let out = "";
    for (const x of (k ? (d.items as unknown[]) : [])) out += String(x) + k;
    return out;
  },
  orName: (d, k) => {
    const it = d.items as unknown[];
    let out = "";
    for (const x of it || []) out += String(x) + k;
    return out;
  },
  andOther: (d, k) => {
    let out = "";
    for (const x of (d.v && (d.items as unknown[]))) out += String(x) + k;
    return out;
  },
  arithmetic: (d, k) => {
    let out = "";
    for (const x of ((d.items as number) + (k.length as number)) as unknown as unknown[]) out += String(x);
    return out;
  },
  methodCall: (d, k) => {
    let out = "";
    for (const x of (d.items as { slice(n: number): unknown[] }).slice(0)) out += String(x) + k;
    return out;
  },
  arrayPattern: (d, k) => {
    let out = "";
    for (const [a, b] of d.items as unknown[][]) out += String(a) + String(b) + k;
    return out;
  },
  objectPattern: (d, k) => {
    let out = "";
    for (const { a } of d.items as Array<{ a: unknown }>) out += String(a) + k;
    return out;
  },
  emptyObjectPattern: (d, k) => {
    let n = 0;
    // eslint-disable-next-line no-empty-pattern
    for (const {} of d.items as object[]) n++;
    return n + k;
  },
  letArrayPattern: (d, k) => {
    let out = "";
    for (let [a] of d.items as unknown[][]) out += String(a) + k;
    return out;
  },
};

const allValues: unknown[] = [5, -0, NaN, true, false, null, undefined, {}, () => 1, Symbol("s"), 10n, new Date(0), "ab", [1, 2], [[1, 2], [3]], [null], [undefined], [5], [{ a: 1 }], new Set([1])];

// A proxy, on the value or its prototype chain, and a getter for Symbol.iterator: the residual loop
// reads the iterator method once, through kos's helper (error-helpers.ts, iterableAsWritten), which
// throws the source's message where the loop over a temporary named the temporary (sweep13).
const proxies: unknown[] = [new Proxy({}, {}), new Proxy(function () {}, {}), new Proxy([1, 2], {}), Object.create(new Proxy({}, {})), { get [Symbol.iterator]() { return undefined; } }];

describe("a failing for-of throws the original's message", () => {
  for (const [name, loop] of Object.entries(loops)) {
    it(name, () => {
      const values = [...allValues, ...proxies];
      // What the original says, read while it is cold: once V8 optimizes it, its own message for
      // some of these turns into "undefined is not a function" (node 20), which no copy can follow.
      const want = values.map((v) => [0, 1].map((flag) => outcome(() => loop({ items: v, v: flag }, ","))));
      const f = jit(loop, { specialize: { k: "," } });
      const g = jit(loop);
      values.forEach((v, i) => [0, 1].forEach((flag) => expect(outcome(() => f({ items: v, v: flag }, ","))).toEqual(want[i]![flag])));
      // Tiering runs the original itself until it compiles: hot, that may say what the optimized
      // original says now. Never a third message (a temporary's name).
      for (let i = 0; i < 3000; i++) {
        const at = i % values.length;
        const d = { items: values[at], v: i % 2 };
        const got = outcome(() => g(d, ","));
        expect([want[at]![i % 2], outcome(() => loop(d, ","))]).toContainEqual(got);
      }
      expect(inspect(f).tier).toBe(1);
    });
  }
});

/** A proxy that logs its traps, whose Symbol.iterator is `iterator`. */
const logged = (log: string[], iterator: unknown) =>
  new Proxy({}, { get: (_t, key) => (log.push(`get ${String(key)}`), key === Symbol.iterator ? iterator : undefined), getPrototypeOf: () => (log.push("getPrototypeOf"), Object.prototype), getOwnPropertyDescriptor: (_t, key) => (log.push(`gopd ${String(key)}`), undefined) });
const iterators: unknown[] = [undefined, null, 5, {}, function* () { yield "a"; yield "b"; }, () => 5, () => ({ next: () => ({ done: true }) })];

/** `f` (a jitted `loop`) gives the original's outcome and runs the same traps, for each iterator a logged proxy gets. */
function sameTraps(f: Loop, loop: Loop, items: (proxy: unknown) => unknown): void {
  for (const iterator of iterators) {
    const mine: string[] = [];
    const theirs: string[] = [];
    const want = outcome(() => loop({ items: items(logged(theirs, iterator)) }, ","));
    expect(outcome(() => f({ items: items(logged(mine, iterator)) }, ","))).toEqual(want);
    expect(mine).toEqual(theirs);
  }
}

describe("a for-of over a proxy or a getter runs its traps as the original does", () => {
  const path: Loop = (d, k) => {
    let out = "";
    for (const x of d.items as unknown[]) out += String(x) + k;
    return out;
  };
  for (const [name, loop] of Object.entries({ path, orEmpty: loops.orEmpty!, orName: loops.orName!, arrayPattern: loops.arrayPattern! })) {
    it(name, () => {
      const f = jit(loop, { specialize: { k: "," } });
      expect(inspect(f).tier).toBe(1);
      sameTraps(f, loop, (proxy) => proxy);
      const getterLog: string[] = [];
      const withGetter = (log: string[]) => ({ get [Symbol.iterator]() { log.push("getter"); return undefined; } });
      const want = outcome(() => loop({ items: withGetter(getterLog) }, ","));
      const mine: string[] = [];
      expect(outcome(() => f({ items: withGetter(mine) }, ","))).toEqual(want);
      expect(mine).toEqual(getterLog);
    });
  }
});

describe("a for-of over a proxy kos was given as a constant", () => {
  it("throws the original's message, not one naming kos's constant", () => {
    const loop = (o: { list?: unknown }, x: number) => {
      let s = 0;
      for (const y of ((o.list as number[]) || [])) s += y;
      for (const y of o.list as number[]) s += y;
      return s + x;
    };
    for (const list of [new Proxy({}, {}), new Proxy([1, 2], {}), { get [Symbol.iterator]() { return undefined; } }]) {
      const o = { list };
      const f = jit(loop, { specialize: { o } });
      expect(outcome(() => f(o, 1))).toEqual(outcome(() => loop(o, 1)));
    }
  });
});

describe("a for-of head's array pattern over a proxy item runs its traps as the original does", () => {
  for (const [name, loop] of Object.entries({ arrayPattern: loops.arrayPattern!, letArrayPattern: loops.letArrayPattern! })) {
    it(name, () => {
      const f = jit(loop, { specialize: { k: "," } });
      expect(inspect(f).tier).toBe(1);
      sameTraps(f, loop, (proxy) => [["x", "y"], proxy]);
    });
  }
});

describe("the probe that finds V8's form (compiler/specialize/for-of-messages.ts)", () => {
  const expr = (src: string) => acorn.parseExpressionAt(src, 0, { ecmaVersion: "latest" }) as never;

  it("tells the printed form from the value form", () => {
    expect(notIterableForm(expr("it || []"), true)).toEqual({ kind: "fixed", message: "(it || []) is not iterable" });
    expect(notIterableForm(expr("d.items || []"), true)).toEqual({ kind: "value" });
    expect(notIterableForm(expr("k ? it : []"), false)).toEqual({ kind: "value" });
  });

  it("runs nothing that reaches a real object, or code the expression writes", () => {
    // Through a literal the probe would reach Array.prototype itself.
    expect(notIterableForm(expr("([].constructor.prototype.kosProbeMark = 1, d.items || [])"), true)).toBeNull();
    expect(Object.prototype.hasOwnProperty.call(Array.prototype, "kosProbeMark")).toBe(false);
    // On inert values this function would never end.
    expect(notIterableForm(expr("(() => { let v = d.items; while (v && v.next) v = v.next; return v; })() || []"), true)).toBeNull();
    expect(notIterableForm(expr("import(d.items) || []"), true)).toBeNull();
  });
});
