/**
 * The settle verdicts `kos profile` records (profiler/profile-verdicts.ts) and the dormant tier reads
 * (profiler/recorded-verdicts.ts): each is the core's own decision (profile-guided.ts) for the entry
 * its lookup takes, and a file the core would decide otherwise (several profiles, a bad file,
 * another model) gives the dormant tier none.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOAD_MS } from "../../profiler/compile-budget.js";
import { CLOSURE_ONLY_SAVED_SHARE, CompileCostModel } from "../../profiler/compile-cost.js";
import { loadProfile, sourceKey, type HotEntry, type KosProfile } from "../../profiler/profile-file.js";
import { profileSaysGeneric, profileShare } from "../../profiler/profile-guided.js";
import { mergeProfiles } from "../../profiler/profile-merge.js";
import { recordSettleVerdicts } from "../../profiler/profile-verdicts.js";
import { readSettleVerdicts, VERDICT_MODEL } from "../../profiler/recorded-verdicts.js";

const dir = mkdtempSync(join(tmpdir(), "kos-verdicts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const texts = {
  tiny: "function tiny(a, b) { return a + b; }",
  cheap: "function cheap(k, x) { return k.f * x; }",
  pays: "function pays(k, x) { let s = 0; for (let i = 0; i < 64; i++) s += k.f * x + i; return s; }",
  typed: "function typed(s) { return s.length; }",
  untouched: "function untouched(x) { return x; }",
  twice: "function twice(x) { return x * 2; }",
};
const key = (name: keyof typeof texts) => sourceKey(texts[name]);
const base = { file: "/app/a.js", line: 1, column: 1, selfPercent: 1, totalPercent: 1, selfSamples: 1 };
const tooShort = "its calls take under 20 ns: too short for a compiled version to gain what its guards cost";

function profile(hot: HotEntry[]): KosProfile {
  return { version: 1, command: ["node", "app.js"], date: new Date(0).toISOString(), durationMs: 500, totalSamples: 500, source: "cpu-prof", flamegraph: null, hot };
}

function sample(): KosProfile {
  return profile([
    // Settled in the profiled run: settles again, whatever its share.
    { ...base, name: "tiny", totalSamples: 2, sourceKey: key("tiny"), calls: 50_000, tier: 0, fallbackReason: tooShort, stableArgs: [] },
    // A constant argument, and a compile that cannot pay over 40,000 calls of 0.05 µs.
    { ...base, name: "cheap", totalSamples: 3, sourceKey: key("cheap"), calls: 40_000, tier0UsPerCall: 0.05, predictedCompileCpuMs: 22, stableArgs: [{ index: 0, name: "k", stability: "constant", type: "object" }] },
    // A compile that pays: 2 million calls of 1 µs, 400 ms of samples.
    { ...base, name: "pays", totalSamples: 400, sourceKey: key("pays"), calls: 2_000_000, tier0UsPerCall: 1, predictedCompileCpuMs: 25, stableArgs: [{ index: 0, name: "k", stability: "constant", type: "object" }] },
    // A stable type only: the closure-only share, which needs no share from the source.
    { ...base, name: "typed", totalSamples: 1, sourceKey: key("typed"), calls: 5_000, tier0UsPerCall: 0.1, predictedCompileCpuMs: 21, stableArgs: [{ index: 0, name: "s", stability: "type", type: "string" }] },
    // Nothing stable and not settled: the core's lookup does not act on it.
    { ...base, name: "untouched", totalSamples: 1, sourceKey: key("untouched"), calls: 5_000, tier0UsPerCall: 0.1, predictedCompileCpuMs: 21, stableArgs: [] },
    // Two entries of one key: the first is the one the core takes (it compiles), the second would settle.
    { ...base, name: "twice", totalSamples: 300, sourceKey: key("twice"), calls: 2_000_000, tier0UsPerCall: 1, predictedCompileCpuMs: 21, stableArgs: [{ index: 0, name: "x", stability: "constant", type: "number" }] },
    { ...base, name: "twice", totalSamples: 1, sourceKey: key("twice"), calls: 10, tier: 0, fallbackReason: tooShort, stableArgs: [] },
  ]);
}

const shares = new Map([key("cheap"), key("pays"), key("twice")].map((k) => [k, 0.8]));

/** What the core decides for a live function of `text` under a profile at `path` (tiering.ts, createTieredFunction). */
function coreDecides(path: string, text: string): string | null {
  const entry = loadProfile(path).lookup(new Function(`return ${text}`)(), { stableOnly: true });
  return entry ? profileSaysGeneric(entry, profileShare(entry, CompileCostModel.estimate(text)), LOAD_MS) : null;
}

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe("recordSettleVerdicts", () => {
  it("records on each entry the core takes the settle reason the core gives it, and nothing where it does not settle", () => {
    const recorded = recordSettleVerdicts(sample(), (k) => shares.get(k));
    expect(recorded.verdictModel).toBe(VERDICT_MODEL);
    const path = write("sample.json", recorded);
    for (const name of Object.keys(texts) as Array<keyof typeof texts>) {
      const first = recorded.hot.find((e) => e.sourceKey === key(name))!;
      expect(first.settle ?? null, name).toBe(coreDecides(path, texts[name]));
    }
    const byName = (name: string) => recorded.hot.filter((e) => e.name === name).map((e) => e.settle);
    expect(byName("tiny")).toEqual([`the profiled run settled it on the original: ${tooShort}`]);
    expect(byName("cheap")[0]).toMatch(/^the profile says compiling costs 45\.0 ms of CPU against at most [\d.]+ ms saved over 40000 calls/);
    expect(byName("typed")[0]).toMatch(/^the profile says compiling costs/);
    expect(byName("pays")).toEqual([undefined]);
    expect(byName("untouched")).toEqual([undefined]);
    // The second entry of a key is never the core's: no verdict there either.
    expect(byName("twice")).toEqual([undefined, undefined]);
  });

  it("records nothing where the source's share is needed and unknown, and replaces verdicts it is given", () => {
    const stale = sample();
    stale.hot[2]!.settle = "stale";
    const recorded = recordSettleVerdicts(stale, () => undefined);
    expect(recorded.hot.find((e) => e.name === "cheap")!.settle).toBeUndefined();
    expect(recorded.hot.find((e) => e.name === "pays")!.settle).toBeUndefined();
    // These need no share.
    expect(recorded.hot.find((e) => e.name === "tiny")!.settle).toBeDefined();
    expect(recorded.hot.find((e) => e.name === "typed")!.settle).toBeDefined();
  });

  it("are dropped from a merged fleet profile, which the core decides anew", () => {
    const a = recordSettleVerdicts(sample(), (k) => shares.get(k));
    const merged = mergeProfiles([a, a]);
    expect(merged.verdictModel).toBeUndefined();
    expect(merged.hot.some((e) => e.settle !== undefined)).toBe(false);
    expect(mergeProfiles([a])).toBe(a);
  });
});

describe("readSettleVerdicts", () => {
  it("gives the recorded reasons by source key, of the first entry of each key", () => {
    const recorded = recordSettleVerdicts(sample(), (k) => shares.get(k));
    // A hand-made second entry with a verdict: the core takes the first, which compiles.
    recorded.hot[6]!.settle = "not the core's";
    const verdicts = readSettleVerdicts(write("read.json", recorded))!;
    expect([...verdicts.keys()].sort()).toEqual([key("tiny"), key("cheap"), key("typed")].sort());
    expect(verdicts.get(key("tiny"))).toBe(recorded.hot[0]!.settle);
    expect(verdicts.has(key("twice"))).toBe(false);
  });

  it("ignores a verdict on an entry the core does not act on", () => {
    const p = recordSettleVerdicts(sample(), (k) => shares.get(k));
    p.hot[4]!.settle = "hand-made";
    expect(readSettleVerdicts(write("untouched.json", p))!.has(key("untouched"))).toBe(false);
  });

  it("gives none where the core decides: several profiles, a file it rejects, verdicts of another model or none", () => {
    const good = write("good.json", recordSettleVerdicts(sample(), (k) => shares.get(k)));
    expect(readSettleVerdicts(good)?.size).toBe(3);
    expect(readSettleVerdicts(` ${good} `)?.size).toBe(3);
    expect(readSettleVerdicts(`${good},${good}`)).toBeNull();
    expect(readSettleVerdicts(`${good}:${good}`)).toBeNull();
    expect(readSettleVerdicts(join(dir, "missing.json"))).toBeNull();
    const notJson = join(dir, "not.json");
    writeFileSync(notJson, "{");
    expect(readSettleVerdicts(notJson)).toBeNull();
    const recorded = recordSettleVerdicts(sample(), (k) => shares.get(k));
    expect(readSettleVerdicts(write("v2.json", { ...recorded, version: 2 }))).toBeNull();
    expect(readSettleVerdicts(write("invalid.json", { ...recorded, hot: [...recorded.hot, { name: "x" }] }))).toBeNull();
    expect(readSettleVerdicts(write("model.json", { ...recorded, verdictModel: VERDICT_MODEL + 1 }))).toBeNull();
    const { verdictModel: _m, ...unstamped } = recorded;
    expect(readSettleVerdicts(write("unstamped.json", unstamped))).toBeNull();
  });
});

describe("VERDICT_MODEL", () => {
  // The decisions a verdict of this model stands for, on a grid of entries through each branch of
  // profileSaysGeneric, with the shares and the compiler's load they use. A profile recorded under
  // one model is trusted by a kos of the same model without the core: if this fails, what KOS_PROFILE
  // decides changed, so bump VERDICT_MODEL (profiler/recorded-verdicts.ts) and pin the new hash.
  it("pins the decisions of its model", () => {
    const out: unknown[] = [LOAD_MS, CLOSURE_ONLY_SAVED_SHARE, VERDICT_MODEL];
    for (const text of Object.values(texts).concat(["function m(o) { return helper(o) + this.k; }", "function d(o) { return TABLE[o] * 2; }"])) {
      const e = CompileCostModel.estimate(text);
      out.push([e.savedShare]);
    }
    const argSets = [[], [{ index: 0, name: "k", stability: "constant" as const }], [{ index: 0, name: "k", stability: "type" as const }]];
    for (const stableArgs of argSets)
      for (const calls of [undefined, 1_000, 1_000_000])
        for (const us of [undefined, 0.05, 2])
          for (const runMs of [undefined, 3, 300])
            for (const cost of [{}, { compileCpuMs: 30 }, { compileMs: 20 }, { predictedCompileCpuMs: 400 }])
              for (const extra of [{}, { tier: 1 }, { callsAtLeast: true }, { fallbackReason: tooShort }]) {
                const entry = { stableArgs, calls, tier0UsPerCall: us, runMs, ...cost, ...extra };
                for (const share of [0.5, 0.8]) out.push(profileSaysGeneric(entry, profileShare(entry, { savedShare: share }), LOAD_MS));
              }
    const hash = createHash("sha256").update(JSON.stringify(out)).digest("hex").slice(0, 16);
    expect(new Set(out.map((o) => (typeof o === "string" ? o.slice(0, 30) : o))).size).toBeGreaterThan(5);
    expect(hash).toBe("669725c9175b5f38");
  });
});
