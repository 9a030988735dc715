import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { loadProfile, sourceHash, type KosProfile } from "../../index.js";
import { mergeProfiles, mergeStableArgs, splitProfileList } from "../../profiler/profile-merge.js";

function kernel(k: number, x: number) {
  return k * x;
}
const hash = sourceHash(Function.prototype.toString.call(kernel));

function profile(samples: number, calls: number, k: unknown, extra: KosProfile["hot"] = []): KosProfile {
  return {
    version: 1, command: ["node", "app.js"], date: new Date().toISOString(), durationMs: 1000, totalSamples: samples + 10, source: "cpu-prof", flamegraph: null,
    hot: [
      { name: "kernel", file: "/srv/app.js", line: 1, column: 16, selfPercent: 0, totalPercent: 0, selfSamples: samples, totalSamples: samples, sourceHash: hash, calls,
        stableArgs: [{ index: 0, name: "k", stability: "constant", value: k as number, type: "number" }, { index: 1, name: "x", stability: "type", type: "number" }] },
      ...extra,
    ],
  };
}

describe("fleet profiles", () => {
  it("merges samples and calls, recomputes shares, keeps a constant only where all agree", () => {
    const a = profile(60, 1000, 3);
    const b = profile(30, 500, 3, [{ name: "other", file: "/srv/b.js", line: 2, column: 1, selfPercent: 0, totalPercent: 0, selfSamples: 20, totalSamples: 20 }]);
    const m = mergeProfiles([a, b]);
    expect(m.totalSamples).toBe(110);
    const k = m.hot.find((e) => e.name === "kernel")!;
    expect(k.selfSamples).toBe(90);
    expect(k.calls).toBe(1500);
    expect(k.selfPercent).toBeCloseTo(81.82, 1);
    expect(k.stableArgs).toEqual([{ index: 0, name: "k", stability: "constant", value: 3, type: "number" }, { index: 1, name: "x", stability: "type", type: "number" }]);
    expect(m.hot.map((e) => e.name)).toEqual(["kernel", "other"]);

    // Another machine saw k = 4: k is only "number" in the merged profile.
    const c = mergeProfiles([a, profile(10, 10, 4)]);
    expect(c.hot[0]!.stableArgs![0]).toEqual({ index: 0, name: "k", stability: "type", type: "number" });
  });

  it("where the runs left a function does not depend on the order of the profiles (sweep35 repro-7)", () => {
    const outcome = (p: KosProfile, tier: number, fallbackReason?: string) => {
      const e = p.hot[0]!;
      e.tier = tier;
      if (fallbackReason) e.fallbackReason = fallbackReason;
      return p;
    };
    const settled = () => outcome(profile(60, 1000, 3), 0, "generic: nothing stable");
    const compiled = () => outcome(profile(30, 500, 3), 1);
    for (const m of [mergeProfiles([settled(), compiled()]), mergeProfiles([compiled(), settled()])]) {
      expect(m.hot[0]!.tier).toBe(1);
      expect(m.hot[0]!.fallbackReason).toBeUndefined();
    }
    const other = () => outcome(profile(30, 5000, 3), 0, "generic: calls too short to gain");
    for (const m of [mergeProfiles([settled(), other()]), mergeProfiles([other(), settled()])]) {
      expect(m.hot[0]!.tier).toBe(0);
      expect(m.hot[0]!.fallbackReason).toBe("generic: calls too short to gain");
    }
  });

  it("an argument stable in one process but not recorded in another is dropped", () => {
    expect(mergeStableArgs([[{ index: 0, name: "k", stability: "constant", value: 1, type: "number" }], []])).toEqual([]);
  });

  it("splits lists on commas and the OS path delimiter", () => {
    expect(splitProfileList(`a.json,b.json${delimiter}c.json`)).toEqual(["a.json", "b.json", "c.json"]);
    expect(splitProfileList(["a.json", "b.json,c.json"])).toEqual(["a.json", "b.json", "c.json"]);
  });

  it("loadProfile takes several files and matches functions in the merge", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-fleet-"));
    try {
      const p1 = join(dir, "one.json");
      const p2 = join(dir, "two.json");
      writeFileSync(p1, JSON.stringify(profile(60, 1000, 3)));
      writeFileSync(p2, JSON.stringify(profile(30, 500, 3)));
      for (const list of [`${p1},${p2}`, `${p1}${delimiter}${p2}`, [p1, p2]]) {
        const loaded = loadProfile(list);
        expect(loaded.lookup(kernel)?.calls).toBe(1500);
        expect(loaded.lookup(kernel)?.selfSamples).toBe(90);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
