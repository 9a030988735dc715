/**
 * A speculation fork that keeps missing (compiler/fork-misses.ts). The function reads a module
 * cache it fills on a miss, after reading an argument's property (a getter may run there, so the
 * cache is re-checked at a fork, not at the entry). Specialized before its first call, the
 * version folds the key as absent; the first call fills the cache, and every later call took the
 * fork's generic branch, for good. Now the version that keeps missing is replaced by one
 * specialized on the filled cache; a fork that misses now and then is left as it is, and one that
 * misses on every call whatever the version gets a bounded number of versions. The calls stay
 * under the gain check's first window (256 calls), whose verdict is timing.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";
import { FORK_MISS_WINDOW, forkMissCounter, MAX_FORK_RESPECIALIZATIONS } from "../../compiler/fork-misses.js";

const cache: Record<string, string[]> = {};
function parse(s: string): string[] {
  return s.split(".");
}

function lookup(key: string, opts: { scale: number }): number {
  const scale = opts.scale;
  if (!cache[key]) cache[key] = parse(key);
  const parts = cache[key]!;
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i]!.length * scale;
  return n;
}

const options: Array<{ scale: number }> = [{ scale: 1 }, { scale: 2.5 }, { scale: -0 }, { scale: NaN }, { get scale() { return 3; } }, { scale: "2" as unknown as number }];
const events = (f: Function) => inspect(f)!.history.map((h) => h.event);

describe("a fork that keeps missing", () => {
  it("gets a version specialized on the cache its first call filled", () => {
    const key = "a.bb.ccc";
    const j = jit(lookup, { specialize: { key } });
    // The first version folds the key as absent, at a fork whose generic branch reports its misses.
    expect(inspect(j)!.source).toContain(`"${key}" in`);
    expect(inspect(j)!.source).toMatch(/deopt\(\)/);
    let filled: string[] | undefined;
    for (let i = 0; i < 200; i++) {
      const o = options[i % options.length]!;
      expect(Object.is(j(key, o), lookup(key, o))).toBe(true);
      filled ??= cache[key];
    }
    // Filled once, by the first call.
    expect(cache[key]).toBe(filled);
    const info = inspect(j)!;
    expect(events(j).filter((e) => e === "respecialized")).toHaveLength(1);
    expect(info.versions).toHaveLength(1);
    // The new version folds the filled entry: its parts' lengths are constants, no absent key.
    expect(info.source).not.toContain(`"${key}" in`);
    expect(info.source).toMatch(/\b3 \* scale/);
    expect(info.versions[0]!.calls).toBeGreaterThan(150);
    // A later change of the entry is still seen (the new version guards it).
    cache[key] = ["xxxxxxx"];
    expect(j(key, { scale: 1 })).toBe(7);
  });

  it("is left alone when it misses now and then", () => {
    const key = "x.yy";
    cache[key] = parse(key);
    const j = jit(lookup, { specialize: { key } });
    // Forks at the cache read, then in the unrolled iterations after a multiplication (which may
    // run valueOf): a version this small reports the outer one's misses only (assemble.ts).
    expect(inspect(j)!.source!.match(/ else \{/g)!.length).toBeGreaterThanOrEqual(2);
    expect(inspect(j)!.source!.match(/deopt\(\)/g)).toHaveLength(1);
    const filled = cache[key]!;
    // One call in ten finds another entry (25 misses, more than a window's), then the cache is as
    // it was. Fewer calls than the gain check's first window (256): its verdict stays out of it.
    for (let i = 0; i < 250; i++) {
      const o = options[i % options.length]!;
      if (i % 10 === 9) cache[key] = ["zzz"];
      expect(Object.is(j(key, o), lookup(key, o))).toBe(true);
      cache[key] = filled;
    }
    expect(events(j)).not.toContain("respecialized");
    expect(inspect(j)!.versions).toHaveLength(1);
  });

  it("counts calls that missed, in windows: one in a thousand never fills one", () => {
    let calls = 0;
    let steady = 0;
    const miss = forkMissCounter(() => calls, () => steady++);
    for (calls = 1; calls <= 100_000; calls++) if (calls % 1000 === 0) miss();
    expect(steady).toBe(0);
    // Many misses in one call (a fork in a loop) count as one call.
    for (let k = 0; k < 100; k++) miss();
    expect(steady).toBe(0);
    // Half the calls of a window.
    for (let k = 0; k < 2 * FORK_MISS_WINDOW; k++, calls++) if (k % 2 === 0) miss();
    expect(steady).toBe(1);
    // Once.
    for (let k = 0; k < 4 * FORK_MISS_WINDOW; k++, calls++) miss();
    expect(steady).toBe(1);
  });

  it("gets a bounded number of versions when it misses on every call", () => {
    const key = "p.qq.rrr.ssss";
    const j = jit(lookup, { specialize: { key } });
    for (let i = 0; i < 200; i++) {
      // A new entry before each call: whatever a version folded, its fork misses.
      cache[key] = parse(key);
      const o = options[i % options.length]!;
      expect(Object.is(j(key, o), lookup(key, o))).toBe(true);
    }
    expect(events(j).filter((e) => e === "respecialized")).toHaveLength(MAX_FORK_RESPECIALIZATIONS);
    expect(inspect(j)!.versions).toHaveLength(1);
  });
});
