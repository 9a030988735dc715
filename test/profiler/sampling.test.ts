import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KosError } from "../../errors.js";
import { mergeThreadProfiles, parseCpuProfile, readCpuProfile, readCpuProfileDir, validateCpuProfile, type CpuProfile } from "../../profiler/cpuprofile.js";
import { analyzeCpuProfile } from "../../profiler/hot.js";
import { SamplingProfiler, profileCall, saveCpuProfile } from "../../profiler/sampling.js";

const dir = mkdtempSync(join(tmpdir(), "kos-sampling-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Built with new Function so vitest's transform does not touch it: the
// profile then names it under this sourceURL.
const burn = new Function("ms", "const t0 = Date.now(); let s = 0; while (Date.now() - t0 < ms) { for (let i = 0; i < 1000; i++) s += Math.sqrt(i); } return s;\n//# sourceURL=kos://burn.js") as (ms: number) => number;

describe("in-process sampling profiler", () => {
  it("samples this thread and finds the busy function", async () => {
    const profiler = await SamplingProfiler.start({ intervalUs: 200 });
    expect(profiler.running).toBe(true);
    burn(300);
    const profile = await profiler.stop();
    expect(profiler.running).toBe(false);
    const report = analyzeCpuProfile(profile, { sourceOf: false });
    const top = report.functions.find((f) => f.url === "kos://burn.js");
    expect(top).toBeDefined();
    expect(top!.totalPercent).toBeGreaterThan(30);
  });

  it("refuses to stop twice and rejects a bad interval", async () => {
    const profiler = await SamplingProfiler.start();
    await profiler.stop();
    await expect(profiler.stop()).rejects.toMatchObject({ code: "KOS_SAMPLING_STOPPED" });
    await expect(SamplingProfiler.start({ intervalUs: 0 })).rejects.toBeInstanceOf(KosError);
  });

  it("profileCall returns the result and the profile, and stops on a throw", async () => {
    const { result, profile } = await profileCall(() => burn(50) >= 0);
    expect(result).toBe(true);
    expect(profile.nodes.length).toBeGreaterThan(1);
    await expect(profileCall(() => { throw new Error("boom"); })).rejects.toThrow("boom");
    // The profiler was released: a new one starts fine.
    await (await SamplingProfiler.start()).stop();
  });

  it("saves a .cpuprofile that reads back", async () => {
    const { profile } = await profileCall(() => burn(30));
    const path = join(dir, "out", "x.cpuprofile");
    await saveCpuProfile(profile, path);
    expect((await readCpuProfile(path)).profile).toEqual(profile);
  });
});

describe("reading .cpuprofile files", () => {
  const minimal = { nodes: [{ id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, hitCount: 0 }], startTime: 0, endTime: 1, samples: [1], timeDeltas: [1] };

  it("parseCpuProfile of a parsed object says it takes text (it said the object was not valid JSON)", () => {
    expect(() => parseCpuProfile(minimal as never)).toThrow(expect.objectContaining({ code: "KOS_CPUPROFILE_INVALID", message: expect.stringContaining("validateCpuProfile") }));
    expect(() => parseCpuProfile(undefined as never)).toThrow(expect.objectContaining({ code: "KOS_CPUPROFILE_INVALID" }));
    expect(parseCpuProfile(JSON.stringify(minimal)).nodes).toHaveLength(1);
  });

  it("reads every thread's file from a --cpu-prof directory, main thread first", async () => {
    const d = join(dir, "threads");
    mkdirSync(d);
    writeFileSync(join(d, "CPU.20260101.000000.42.3.002.cpuprofile"), JSON.stringify(minimal));
    writeFileSync(join(d, "CPU.20260101.000000.42.0.001.cpuprofile"), JSON.stringify(minimal));
    writeFileSync(join(d, "notes.txt"), "ignored");
    const files = await readCpuProfileDir(d);
    expect(files.map((f) => [f.pid, f.threadId])).toEqual([[42, 0], [42, 3]]);
  });

  it("rejects malformed profiles with KOS_CPUPROFILE_INVALID", () => {
    const bad = [
      "not json",
      JSON.stringify({ nodes: [] , startTime: 0, endTime: 1 }),
      JSON.stringify({ ...minimal, nodes: [{ id: 1 }] }),
      JSON.stringify({ ...minimal, nodes: [minimal.nodes[0], minimal.nodes[0]] }),
      JSON.stringify({ ...minimal, samples: [7] }),
      JSON.stringify({ ...minimal, nodes: [{ ...minimal.nodes[0], children: [9] }] }),
      JSON.stringify({ ...minimal, timeDeltas: [1, 2] }),
    ];
    for (const text of bad) expect(() => parseCpuProfile(text), text).toThrow(expect.objectContaining({ code: "KOS_CPUPROFILE_INVALID" }));
    expect(validateCpuProfile(minimal)).toBe(minimal);
  });

  it("merges threads into one tree with a child per thread, keeping every hit", () => {
    const thread = (fn: string, hits: number): CpuProfile => ({
      startTime: 5,
      endTime: 9,
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [2] },
        { id: 2, callFrame: { functionName: fn, scriptId: "1", url: "file:///a.js", lineNumber: 0, columnNumber: 10 }, hitCount: hits },
      ],
    });
    const merged = validateCpuProfile(mergeThreadProfiles([{ profile: thread("main", 3), threadId: 0 }, { profile: thread("work", 7), threadId: 1 }]));
    expect(merged.nodes[0]!.children).toHaveLength(2);
    const names = merged.nodes.map((n) => n.callFrame.functionName);
    expect(names).toEqual(["(root)", "(main thread)", "main", "(worker thread 1)", "work"]);
    const report = analyzeCpuProfile(merged, { sourceOf: false });
    expect(report.functions.map((f) => [f.name, f.selfSamples])).toEqual([["work", 7], ["main", 3]]);
  });

  it("keeps every thread's samples, in time order, with their time deltas (speedscope reads only such files; sweep35)", () => {
    const thread = (fn: string, start: number, deltas: number[]): CpuProfile => ({
      startTime: start,
      endTime: start + deltas.reduce((a, b) => a + b, 0),
      nodes: [
        { id: 1, callFrame: { functionName: "(root)", scriptId: "0", url: "", lineNumber: -1, columnNumber: -1 }, hitCount: 0, children: [2] },
        { id: 2, callFrame: { functionName: fn, scriptId: "1", url: "file:///a.js", lineNumber: 0, columnNumber: 10 }, hitCount: 1 },
      ],
      samples: deltas.map(() => 2),
      timeDeltas: deltas,
    });
    const merged = validateCpuProfile(mergeThreadProfiles([{ profile: thread("main", 100, [10, 10, 10]), threadId: 0 }, { profile: thread("work", 105, [10, 10]), threadId: 1 }]));
    const byId = new Map(merged.nodes.map((n) => [n.id, n.callFrame.functionName]));
    expect(merged.samples!.map((id) => byId.get(id))).toEqual(["main", "work", "main", "work", "main"]);
    expect(merged.timeDeltas).toEqual([10, 5, 5, 5, 5]);
    // hitCount agrees with the samples (the thread's own nodes said 1).
    expect(merged.nodes.filter((n) => n.callFrame.functionName === "main")[0]!.hitCount).toBe(3);
    const report = analyzeCpuProfile(merged, { sourceOf: false });
    expect(report.functions.map((f) => [f.name, f.selfSamples])).toEqual([["main", 3], ["work", 2]]);
  });
});
