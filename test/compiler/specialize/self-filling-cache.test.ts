/**
 * An interpreter whose parse cache is a plain object it fills on the first
 * call (`cache[src] ??= parse(src)`), given to an explicit jit() before that
 * call: the first version folds the miss, its first call fills the cache, and
 * jit specializes again at the next call, on the parsed program. Lazily made
 * fields behave the same. Every call gives what the original gives.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Op = { kind: "add" | "mul"; by: number };
const programs: Record<string, Op[]> = {};
let parsed = 0;

function parse(src: string): Op[] {
  parsed++;
  return src.split(",").map((part) => ({ kind: part[0] === "*" ? "mul" : "add", by: Number(part.slice(1)) }));
}

function run(src: string, x: number): number {
  let prog = programs[src];
  if (prog === undefined) {
    prog = parse(src);
    programs[src] = prog;
  }
  for (let i = 0; i < prog.length; i++) x = prog[i]!.kind === "mul" ? x * prog[i]!.by : x + prog[i]!.by;
  return x;
}

describe("a cache the function fills on its first call", () => {
  it("is specialized again once filled, on the cached program", () => {
    const src = "+1,*3,+2,*2";
    const j = jit(run, { specialize: { src }, strict: true });
    const before = parsed;
    expect(j(src, 1)).toBe(16);
    expect(parsed).toBe(before + 1);
    expect(j(src, 2)).toBe(run(src, 2));
    const info = inspect(j)!;
    expect(info.history.map((h) => h.event)).toContain("respecialized");
    // The second version folded the cached program: its operations are constants.
    expect(info.source).toMatch(/\* 3/);
    for (const x of [0, -1, 0.5, NaN, 1e308]) expect(j(src, x)).toBe(run(src, x));
    expect(parsed).toBe(before + 1);
  });

  it("an entry the program replaces later is read again", () => {
    const src = "+5";
    const j = jit(run, { specialize: { src }, strict: true });
    expect(j(src, 1)).toBe(6);
    expect(j(src, 1)).toBe(6);
    programs[src] = [{ kind: "mul", by: 10 }];
    expect(j(src, 2)).toBe(20);
    delete programs[src];
    expect(j(src, 2)).toBe(7);
  });
});
