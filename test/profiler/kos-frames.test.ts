/**
 * Which frames of a profile are kos's: its plumbing (entry, tier-0 hooks),
 * dropped from profiles, and its library scripts, kept but never parsed for
 * hashes or inlining attribution. Users' code beside kos (fixtures, tests,
 * the demo program) is neither.
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { dropKosPlumbing, isKosOwnScript, isKosPlumbing, KOS_ENTRY_URL } from "../../profiler/kos-frames.js";
import type { CpuProfile, CpuProfileNode } from "../../profiler/cpuprofile.js";

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const url = (rel: string) => pathToFileURL(join(root, rel)).href;

describe("kos's own frames", () => {
  it("plumbing: the entry and the tier-0 path, not the compiler", () => {
    expect(isKosPlumbing(KOS_ENTRY_URL, "entry")).toBe(true);
    expect(isKosPlumbing(url("profiler/tiering.ts"), "onEvent")).toBe(true);
    // The build ships the tiering in its core bundle (both module formats load it), and as files.
    for (const rel of ["compiler/core.cached.cjs", "cjs/profiler/tiering.js", "compiler/call-clock.js", "compiler/gain-check.js", "cjs/compiler/dispatcher.js"]) expect(isKosPlumbing(url(rel), "run"), rel).toBe(true);
    // So is the dormant tier, a script of its own (a dormant entry's check of the clock).
    for (const rel of ["compiler/tier0.cached.cjs", "compiler/dormant.js", "cjs/compiler/tiering-entry.js"]) expect(isKosPlumbing(url(rel), "tick"), rel).toBe(true);
    // The tiering policy's parts run on the same path (tier 0, the first version's timing, the misses).
    for (const part of ["tiering-options", "tier0-sampling", "call-times", "compile-gate", "no-constant-arguments", "profile-guided", "verify-gain", "miss-policy", "feedback-summary"]) {
      for (const rel of [`profiler/${part}.ts`, `profiler/${part}.js`, `cjs/profiler/${part}.js`]) expect(isKosPlumbing(url(rel), "run"), rel).toBe(true);
    }
    expect(isKosPlumbing(url("profiler/hot.js"), "hotEntries")).toBe(false);
    expect(isKosPlumbing(url("compiler/compile.ts"), "buildSpecialized")).toBe(false);
    expect(isKosPlumbing("kos://fir.js", "fir")).toBe(false);
  });

  it("library scripts (both builds, the compiler bundle), not users' code beside them", () => {
    for (const rel of ["compiler/index.cached.cjs", "profiler/hot.ts", "runtime/lru.ts", "index.ts", "lazy-modules.js"]) expect(isKosOwnScript(url(rel)), rel).toBe(true);
    for (const rel of ["fixtures/demo-program.js", "test/profiler/programs/one-hot-function.js", "bench/programs/dsp.js"]) expect(isKosOwnScript(url(rel)), rel).toBe(false);
    expect(isKosOwnScript("file:///elsewhere/app.js")).toBe(false);
    expect(isKosOwnScript("node:internal/modules/cjs/loader")).toBe(false);
    expect(isKosOwnScript("kos://fir.js")).toBe(false);
    expect(isKosOwnScript("")).toBe(false);
  });

  describe("dropKosPlumbing", () => {
    // A profile tree from [id, parent, functionName, url]; samples by id.
    function profile(frames: Array<[number, number | null, string, string]>, samples: number[]): CpuProfile {
      const nodes: CpuProfileNode[] = frames.map(([id, , functionName, u]) => ({ id, callFrame: { functionName, url: u, scriptId: "1", lineNumber: 0, columnNumber: 0 }, hitCount: samples.filter((x) => x === id).length, children: [] }));
      for (const [id, p] of frames) if (p !== null) nodes.find((n) => n.id === p)!.children!.push(id);
      return { nodes, startTime: 0, endTime: samples.length, samples, timeDeltas: samples.map(() => 1) };
    }
    const user = "file:///app/main.js";
    const names = (p: CpuProfile) => p.samples!.map((id) => p.nodes.find((n) => n.id === id)!.callFrame.functionName);
    const hits = (p: CpuProfile) => Object.fromEntries(p.nodes.map((n) => [n.callFrame.functionName, n.hitCount]));

    it("gives an entry frame's own samples to the function it called with the most samples of its own: V8 inlines that function into the entry", () => {
      // loop → entry → crc32 (3 samples of its own), and later loop → entry → the compiled crc32 (kos://crc32.js, 2).
      const p = profile(
        [[1, null, "(root)", ""], [2, 1, "loop", user], [3, 2, "entry", KOS_ENTRY_URL], [4, 3, "crc32", user], [5, 3, "crc32", "kos://crc32.js"]],
        [4, 3, 3, 4, 2, 3, 5, 3, 5, 4],
      );
      const out = dropKosPlumbing(p);
      expect(out.nodes.map((n) => n.id)).not.toContain(3);
      expect(out.nodes.find((n) => n.id === 2)!.children).toEqual([4, 5]);
      expect(out.samples).toEqual([4, 4, 4, 4, 2, 4, 5, 4, 5, 4]);
      expect(names(out)).toEqual(["crc32", "crc32", "crc32", "crc32", "loop", "crc32", "crc32", "crc32", "crc32", "crc32"]);
      expect(out.nodes.map((n) => [n.id, n.hitCount])).toEqual([[1, 0], [2, 1], [4, 7], [5, 2]]);
    });

    it("gives the caller the samples of an entry frame that never called out, and of the tier-0 policy", () => {
      // loop → entry (inlined original: no call below it); loop → entry2 → rare → event → f (a timed call).
      const p = profile(
        [[1, null, "(root)", ""], [2, 1, "loop", user], [3, 2, "entry", KOS_ENTRY_URL], [6, 2, "entry", KOS_ENTRY_URL], [7, 6, "rare", KOS_ENTRY_URL], [8, 7, "event", "file:///x/node_modules/kos/dist/compiler/core.cached.cjs"], [9, 8, "f", user]],
        [3, 3, 7, 8, 9, 6],
      );
      // The core bundle counts as plumbing only inside kos's own install: use the entry's script for the policy here.
      p.nodes.find((n) => n.id === 8)!.callFrame.url = KOS_ENTRY_URL;
      p.nodes.find((n) => n.id === 8)!.callFrame.functionName = "rare";
      const out = dropKosPlumbing(p);
      expect(out.nodes.map((n) => n.id).sort()).toEqual([1, 2, 9]);
      // Entry 3 called nothing: its samples go to the loop; the policy's to the loop; entry 6's own to f, which it called.
      expect(names(out)).toEqual(["loop", "loop", "loop", "loop", "f", "f"]);
      expect(hits(out)).toEqual({ "(root)": 0, loop: 4, f: 2 });
    });
  });
});
