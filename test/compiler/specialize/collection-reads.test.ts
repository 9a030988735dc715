/**
 * A lookup in a Map or Set kos does not own (an interpreter's parse cache in
 * its module, a keyword set) folds behind an entry guard that asks the
 * collection again. The program the library parsed once is then what kos
 * specializes on; a cache the function fills itself is specialized again
 * after its first call; a collection changed after jit() gives the new
 * behaviour.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Tok = { op: "num"; v: number } | { op: "var"; name: string } | { op: "+" | "*" | ">" | "and" };

const OPS = new Set(["+", "*", ">", "and"]);
const cache = new Map<string, Tok[]>();
let parses = 0;

function parse(src: string): Tok[] {
  parses++;
  return src.split(" ").map((t): Tok => (/^\d+$/.test(t) ? { op: "num", v: Number(t) } : OPS.has(t) ? { op: t as "+" } : { op: "var", name: t }));
}

/** An RPN interpreter that parses each program once, into a module-level Map. */
function run(src: string, env: Record<string, number>): number | boolean {
  let prog = cache.get(src);
  if (prog === undefined) {
    prog = parse(src);
    cache.set(src, prog);
  }
  const stack: Array<number | boolean> = [];
  for (let i = 0; i < prog.length; i++) {
    const t = prog[i]!;
    if (t.op === "num") stack.push(t.v);
    else if (t.op === "var") stack.push(env[t.name]!);
    else {
      const b = stack.pop()!;
      const a = stack.pop()!;
      stack.push(t.op === "+" ? (a as number) + (b as number) : t.op === "*" ? (a as number) * (b as number) : t.op === ">" ? a > b : a && b);
    }
  }
  return stack.pop()!;
}

const SRC = "x 2 * y + 10 > x 0 > and";
const envs = [{ x: 3, y: 5 }, { x: 1, y: 1 }, { x: -4, y: 40 }, { x: 7, y: -100 }, { x: 0, y: 99 }];

describe("Map and Set lookups on collections kos does not own", () => {
  it("a parse cache filled before jit(): the cached program folds and the interpreter unrolls", () => {
    cache.clear();
    run(SRC, envs[0]!);
    const j = jit(run, { specialize: { src: SRC }, strict: true });
    const src = inspect(j)!.source!;
    // The entry guard asks the Map again; the program read from it at compile time is unrolled
    // (env reads may run getters, so the later tokens are re-checked where they are used).
    // (`cache.get` itself is guarded too: a Map kos does not own may get an own `get`.)
    expect(src).toMatch(/\.call\(\$k_\w+, "x 2 \* y \+ 10 > x 0 > and"\)/);
    expect(src).toMatch(/= \w+ \* 2;/);
    for (const env of envs) expect(j(SRC, env)).toBe(run(SRC, env));
  });

  it("a cache the function fills itself: its first call fills it, the second specializes again on the entry", () => {
    cache.clear();
    const j = jit(run, { specialize: { src: SRC }, strict: true });
    const before = parses;
    expect(j(SRC, envs[0]!)).toBe(true);
    expect(parses).toBe(before + 1); // the first call parsed, as the original does
    expect(j(SRC, envs[1]!)).toBe(run(SRC, envs[1]!));
    expect(parses).toBe(before + 1); // and no call parses again
    const info = inspect(j)!;
    expect(info.history.some((h) => h.event === "respecialized")).toBe(true);
    for (const env of envs) expect(j(SRC, env)).toBe(run(SRC, env));
  });

  it("an entry replaced or removed after jit(): the next call gives the new behaviour", () => {
    cache.clear();
    run(SRC, envs[0]!);
    const j = jit(run, { specialize: { src: SRC }, strict: true });
    expect(j(SRC, { x: 3, y: 5 })).toBe(true);
    cache.set(SRC, parse("x y +"));
    expect(j(SRC, { x: 3, y: 5 })).toBe(8);
    cache.get(SRC)!.push({ op: "num", v: 2 }, { op: "*" });
    expect(j(SRC, { x: 3, y: 5 })).toBe(16);
    cache.delete(SRC);
    const n = parses;
    expect(j(SRC, { x: 3, y: 5 })).toBe(true);
    expect(parses).toBe(n + 1);
  });

  it("a Set's membership folds, and an item added after jit() counts", () => {
    const keywords = new Set(["if", "else"]);
    const isKeyword = (word: string, x: number) => (keywords.has(word) ? x * 2 : x + 1);
    const j = jit(isKeyword, { specialize: { word: "while" }, strict: true });
    expect(inspect(j)!.source).not.toMatch(/\.has\(/);
    expect(j("while", 5)).toBe(6);
    keywords.add("while");
    expect(j("while", 5)).toBe(10);
  });

  it("a Map subclass with its own get runs that method, in order", () => {
    const log: string[] = [];
    class LoggingMap extends Map<string, number> {
      override get(k: string): number | undefined {
        log.push(`get ${k}`);
        return super.get(k);
      }
    }
    const m = new LoggingMap([["a", 1]]);
    const f = (k: string, x: number) => (m.get(k) ?? 0) + x;
    const j = jit(f, { specialize: { k: "a" } });
    expect(j("a", 2)).toBe(3);
    expect(log).toEqual(["get a"]);
    m.set("a", 10);
    expect(j("a", 2)).toBe(12);
  });

  it("a lookup after foreign code is made at run time (the callback may change the Map)", () => {
    const m = new Map([["k", 1]]);
    const f = (k: string, cb: () => void) => {
      const a = m.get(k);
      cb();
      return [a, m.get(k)];
    };
    const j = jit(f, { specialize: { k: "k" }, strict: true });
    expect(j("k", () => m.set("k", 2))).toEqual([1, 2]);
    expect(j("k", () => m.delete("k"))).toEqual([2, undefined]);
  });
});
