/**
 * Which frames of a profile are kos's: its plumbing (entry, tier-0 hooks),
 * dropped from profiles, and its library scripts, kept but never parsed for
 * hashes or inlining attribution. Users' code beside kos (fixtures, tests,
 * the demo program) is neither.
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { isKosOwnScript, isKosPlumbing, KOS_ENTRY_URL } from "../../profiler/kos-frames.js";

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const url = (rel: string) => pathToFileURL(join(root, rel)).href;

describe("kos's own frames", () => {
  it("plumbing: the entry and the tier-0 path, not the compiler", () => {
    expect(isKosPlumbing(KOS_ENTRY_URL, "entry")).toBe(true);
    expect(isKosPlumbing(url("profiler/tiering.ts"), "onEvent")).toBe(true);
    // The build ships the tiering in its core bundle (both module formats load it), and as files.
    for (const rel of ["compiler/core.cached.cjs", "cjs/profiler/tiering.js", "compiler/call-clock.js", "compiler/gain-check.js", "cjs/compiler/dispatcher.js"]) expect(isKosPlumbing(url(rel), "run"), rel).toBe(true);
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
});
