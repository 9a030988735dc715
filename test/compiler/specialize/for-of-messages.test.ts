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

// A proxy is left to the loop, whose lookup runs its trap: where V8 prints the expression, its
// message names the residual's temporary (docs/compiler.md); where V8 describes the value, the
// residual loop's `t && t` is described the same way.
const proxies: unknown[] = [new Proxy({}, {}), new Proxy(function () {}, {}), new Proxy([1, 2], {})];
const valueForm = new Set(["orEmpty", "conditional", "andOther"]);

describe("a failing for-of throws the original's message", () => {
  for (const [name, loop] of Object.entries(loops)) {
    it(name, () => {
      const values = valueForm.has(name) ? [...allValues, ...proxies] : allValues;
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
