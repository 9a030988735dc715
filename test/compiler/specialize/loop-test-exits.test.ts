/**
 * A loop test `dynamic && static` unrolls on its static side, leaving at each
 * iteration where the dynamic side fails (compiler/specialize/loop-test-exits.ts).
 * Found on lodash: `_.property(["a", "b", 0, "c"])` reads its path with
 * `while (object != null && index < length)`, which stayed a loop and ran slower
 * than the library.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { pick, seededRandom } from "../../../fixtures/random.js";

const outcome = (f: () => unknown) => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
};

function baseGet(path: readonly PropertyKey[], object: any) {
  let index = 0;
  const length = path.length;
  while (object != null && index < length) object = object[path[index++]!];
  return index && index == length ? object : undefined;
}

describe("loop tests with a dynamic and a static side", () => {
  it("unroll on the static side, with an exit where the dynamic side fails, in either order", () => {
    const path = Object.freeze(["a", "b", 0, "c"]);
    const swapped = (p: readonly PropertyKey[], object: any) => {
      let index = 0;
      while (index < p.length && object != null) object = object[p[index++]!];
      return [index, object];
    };
    const inputs = [null, undefined, 5, "s", {}, { a: null }, { a: { b: [] } }, { a: { b: [{ c: -0 }] } }, { a: { b: [{ c: NaN }, 1] } }, { a: { b: "xy" } }];
    for (const [fn, name] of [[baseGet, "path"], [swapped, "p"]] as const) {
      const j = jit(fn as (p: readonly PropertyKey[], o: unknown) => unknown, { specialize: { [name]: path } });
      const info = inspect(j)!;
      expect(info.tier).toBe(1);
      expect(info.source).not.toMatch(/\bwhile \(|\bfor \(/);
      for (const o of inputs) expect(outcome(() => j(path, o))).toEqual(outcome(() => fn(path, o)));
    }
  });

  it("reads through getters in the original's order, and a static side that is false first ends the loop", () => {
    const log: string[] = [];
    const deep = { get a() { log.push("a"); return { get b() { log.push("b"); return null; } }; } };
    const j = jit(baseGet, { specialize: { path: Object.freeze(["a", "b", "c"]) } });
    expect(j(Object.freeze(["a", "b", "c"]), deep)).toBeUndefined();
    const seen = log.splice(0);
    baseGet(["a", "b", "c"], deep);
    expect(seen).toEqual(log);
    const none = jit(baseGet, { specialize: { path: Object.freeze([]) } });
    expect(none([], { a: 1 })).toBeUndefined();
    expect(none([], null)).toBeUndefined();
  });

  it("a side that writes a variable keeps the loop as written (`i++ < n` evaluated apart from the exit left `i` unchanged)", () => {
    function walk(n: number, a: { next: unknown } | null) {
      let i = 0;
      while (a != null && i++ < n) a = a.next as typeof a;
      return i;
    }
    const j = jit(walk, { specialize: { n: 5 } });
    for (const list of [null, { next: null }, { next: { next: null } }, { next: { next: { next: { next: { next: { next: null } } } } } }]) expect(j(5, list)).toBe(walk(5, list));
  });

  it("random loops over `&&` tests of static and dynamic sides agree with the original", () => {
    const rnd = seededRandom(77);
    const sides = ["a != null", "i < n", "i++ < n", "s < 9", "a", "n > 2", "(i & 1) === 0 || a != null", "a !== 3", "k[i] !== void 0", "!(a && a.stop)"];
    const bodies = ["i++;", "a = a && a.next;", "s += i; i++;", "if (a === 3) break; i++;", "i++; if (s > 4) continue; s += 2;", "s += k.length; i += 2;"];
    const lists = [null, 0, 3, { next: null }, { next: { next: 3 } }, { stop: true, next: null }, { next: { stop: 1 } }];
    for (let p = 0; p < 150; p++) {
      const test = Array.from({ length: 2 + Math.floor(rnd() * 2) }, () => pick(rnd, sides)).join(" && ");
      const kind = pick(rnd, ["while", "for", "do"]);
      const body = `if (++g > 40) break; ${pick(rnd, bodies)}`;
      const loop = kind === "while" ? `while (${test}) { ${body} }` : kind === "for" ? `for (; ${test}; s++) { ${body} }` : `do { ${body} } while (${test});`;
      const src = `return function f(n, k, a) { let i = 0, s = 0, g = 0; ${loop} return [i, s, g, a]; }`;
      const f = new Function(src)() as (n: number, k: number[], a: unknown) => unknown;
      const k = Object.freeze([1, 2, 3]);
      const j = jit(f, { specialize: { n: 4, k } });
      for (const a of lists) expect(outcome(() => j(4, k, a)), `${loop} on ${JSON.stringify(a)}`).toEqual(outcome(() => f(4, k, a)));
    }
  });

  it("a side that calls or writes keeps the loop as written", () => {
    function count(cfg: { n: number }, more: () => boolean) {
      let i = 0;
      while (i < cfg.n && more()) i++;
      return i;
    }
    const j = jit(count, { specialize: { cfg: Object.freeze({ n: 3 }) } });
    expect(inspect(j)!.source).toMatch(/\bwhile \(|\bfor \(/);
    let k = 0;
    const more = () => ++k < 3;
    expect(j(Object.freeze({ n: 3 }), more)).toBe(2);
    expect(k).toBe(3);
  });
});
