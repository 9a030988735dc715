/**
 * A profile compiles a function at its first call only where the version the profiled run timed
 * against the original saves enough over a run like that one (profiler/profile-guided.ts,
 * measuredSavingMs): the saving is measured, not bet on the source. A profiling run compiles what
 * its own time pays for without waiting for the process's budget (tiering-options.ts), and times
 * every first version, short calls too (verify-gain.ts), so that the profile has the measurement.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { inspect, jit, loadProfile, sourceHash } from "../../index.js";
import { Dispatcher, type Version } from "../../compiler/dispatcher.js";
import { summarize } from "../../profiler/feedback-summary.js";
import { measuredSavingMs } from "../../profiler/profile-guided.js";
import { tieringThresholds } from "../../profiler/tiering-options.js";
import { verifyGain } from "../../profiler/verify-gain.js";
import { VirtualClock } from "../support/virtual-clock.js";

function kernel(k: { f: number; g: number }, x: number) {
  let s = 0;
  for (let i = 0; i < 8; i++) s += k.f * x + k.g * i;
  return s;
}

/** A profile of one entry for `kernel`, over a run of `durationMs` with 10 samples, 9 of them in it. */
function kernelProfile(fields: object, durationMs = 100_000) {
  return {
    version: 1, command: ["node", "x.js"], date: new Date().toISOString(), durationMs, totalSamples: 10, source: "cpu-prof", flamegraph: null,
    hot: [{ name: "kernel", file: "x.js", line: 1, column: 1, selfPercent: 90, totalPercent: 90, selfSamples: 9, totalSamples: 9,
      sourceHash: sourceHash(Function.prototype.toString.call(kernel)),
      stableArgs: [{ index: 0, name: "k", stability: "constant", type: "object" }, { index: 1, name: "x", stability: "type", type: "number" }], ...fields }],
  };
}

const K = { f: 2, g: 3 };

describe("KOS_PROFILE weighs a compile against the saving the profiled run measured", () => {
  it("a version timed at little saving a call yields no compile, where the bet on the source would have compiled", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-payback-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // 1,000,000 calls of 0.5 µs timed, 90 s of samples: bet at 0.8 of it, 400 ms against a 30 ms
    // compile. The profiled run timed its version 0.02 µs a call faster: 20 ms over the run.
    const fields = { calls: 1_000_000, tier0UsPerCall: 0.5, compileCpuMs: 30, tier: 1, savedUsPerCall: 0.02, callsAtCompile: 100_000 };
    writeFileSync(join(dir, "small.json"), JSON.stringify(kernelProfile(fields)));
    const small = jit(kernel, { tiering: { profile: loadProfile(join(dir, "small.json")) } });
    expect(small).toBe(kernel);
    expect(small(K, 3)).toBe(kernel(K, 3));
    expect(inspect(small)!.fallbackReason).toMatch(/^the profiled run timed its version at 0\.020 µs a call faster than the original: at most 20\.0 ms saved over 1000000 calls against a compile of [\d.]+ ms of CPU/);
    // Slower in the profiled run (a negative saving): no compile either.
    writeFileSync(join(dir, "slower.json"), JSON.stringify(kernelProfile({ ...fields, savedUsPerCall: -0.01 })));
    const slower = jit(kernel, { tiering: { profile: loadProfile(join(dir, "slower.json")) } });
    expect(slower).toBe(kernel);
    expect(inspect(slower)!.fallbackReason).toMatch(/at most 0\.0 ms saved/);
  });

  it("a version timed at a saving that pays back over the run compiles at the first call", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-payback-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    // 0.3 µs a call over 1,000,000 calls: 300 ms saved against a 30 ms compile (and the compiler's load).
    writeFileSync(join(dir, "pays.json"), JSON.stringify(kernelProfile({ calls: 1_000_000, tier0UsPerCall: 0.5, compileCpuMs: 30, tier: 1, savedUsPerCall: 0.3, callsAtCompile: 100_000 })));
    // The compiler's own 5 s limit: tiering's, a few times the predicted cost, cut this compile on a
    // machine at load average 15 and the function fell back (the decision under test is the profile's).
    const pays = jit(kernel, { maxCompileMs: 5000, tiering: { profile: loadProfile(join(dir, "pays.json")) } });
    expect(inspect(pays)!.fallbackReason ?? null).toBeNull();
    expect(pays).not.toBe(kernel);
    expect(pays(K, 3)).toBe(kernel(K, 3));
    expect(inspect(pays)!.tier, inspect(pays)!.fallbackReason ?? "").toBe(1);
    expect(inspect(pays)!.calls).toBe(1);
  });

  it("the measured saving is bounded by the original's samples, scaled to all calls where the profiled run compiled it", () => {
    // 2 µs a call saved over 1,000,000 calls is 2 s, but the original took 90 ms of samples over its
    // first 250,000 calls: at most 360 ms over the run.
    const entry = { calls: 1_000_000, savedUsPerCall: 2, tier: 1, callsAtCompile: 250_000, runMs: 90 };
    expect(measuredSavingMs(entry)).toBeCloseTo(360, 6);
    // Not compiled there: its samples cover every call.
    expect(measuredSavingMs({ ...entry, tier: 0 })).toBeCloseTo(90, 6);
    // A count that is a lower bound says nothing of the saving over the run; no measurement, no figure.
    expect(measuredSavingMs({ ...entry, callsAtLeast: true })).toBeUndefined();
    expect(measuredSavingMs({ calls: 1_000_000, tier: 1 })).toBeUndefined();
  });
});

describe("a profiling run measures what a profile will weigh", () => {
  it("compiles without waiting for the process's compile budget", () => {
    expect(tieringThresholds({}, NaN, true).compileBudget).toBe(Infinity);
    expect(tieringThresholds({}, NaN, false).compileBudget).toBe(0.01);
    expect(tieringThresholds({ compileBudget: 0.05 }, NaN, true).compileBudget).toBe(0.05);
  });

  it("times a first version whose calls are too short for the gain check, and records what it saved a call", () => {
    const original = (x: number) => x * 2 + 1;
    const d = Dispatcher.tiered(original, { name: "original", arity: 1, exact: true, event: () => undefined }, original);
    let calls = 0;
    const v: Version = { fn: (x: number) => (calls++, x * 2 + 1), source: "", passes: null, assumptions: [], calls: () => calls, deopts: 0, compileTimeMs: 0 };
    d.addVersion(v);
    const windows: Array<[number, number]> = [];
    // 0.1 µs against 0.3 µs: under the gain check's floor, which leaves such a version untimed.
    verifyGain(d, v, () => 0.0003, new VirtualClock((fn) => (fn === original ? 0.0003 : 0.0001)), (versionMs, originalMs) => void windows.push([versionMs, originalMs]));
    const f = d.entry as (x: number) => number;
    for (let i = 0; i < 2000; i++) expect(f(i)).toBe(original(i));
    expect(windows.length).toBeGreaterThanOrEqual(1);
    expect(windows[0]![0]).toBeCloseTo(0.0001, 9);
    expect(windows[0]![1]).toBeCloseTo(0.0003, 9);
    expect(d.tier).toBe(1);
    // The summary the profile is made of carries the saving a call, in µs, and the calls at the compile.
    const summary = summarize(d, {
      names: ["x"], sourceHash: "h", sourceKey: "k", profiles: [], receiver: null, predictedCompileCpuMs: () => 0, savedShare: 0.8,
      warmTimes: [], tier0Calls: 5000, tier0Ms: 1.5, timedGain: { versionMs: windows[0]![0], originalMs: windows[0]![1] },
    });
    expect(summary.savedUsPerCall).toBeCloseTo(0.2, 6);
    expect(summary.callsAtCompile).toBe(5000);
  });
});
