// `kos profile` draws its outputs before the command has quite exited when it can
// (profiler/early-analysis.ts, prepareRun); they must be the files analyzeRun writes after the exit.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/profile.js";
import { analyzeRun, prepareRun } from "../../profiler/profile-analysis.js";
import { readPprof } from "../../profiler/pprof.js";

const scratch = mkdtempSync(join(tmpdir(), "kos-prepare-run-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("prepareRun", () => {
  it("writes the same kos-profile.json, .cpuprofile, flamegraph and pprof samples as analyzeRun from the same run", async () => {
    const out = join(scratch, "out");
    const program = fileURLToPath(new URL("./programs/jitted-dot.mjs", import.meta.url));
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const err: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
    try {
      expect(await main(["--out", out, "--", program, "8000"]), err.join("\n")).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    // The program's process left the hashes to kos (KOS_FEEDBACK_UNHASHED); the dump kos leaves has them, as before.
    const dump = JSON.parse(readFileSync(join(out, "kos-feedback.json"), "utf8")) as { functions: Array<{ sourceHash: string; source?: string }> };
    expect(dump.functions.length).toBeGreaterThan(0);
    for (const f of dump.functions) {
      expect(f.sourceHash).toMatch(/^[0-9a-f]{64}$/);
      expect(f.source).toBeUndefined();
    }
    const threads = join(out, "threads");
    const profilePaths = readdirSync(threads).map((n) => join(threads, n));
    const run = { command: ["node", program, "8000"], feedbackPath: join(out, "kos-feedback.json"), profilePaths, started: new Date() };
    const after = join(scratch, "after");
    const early = join(scratch, "early");
    mkdirSync(after);
    mkdirSync(early);
    const a = await analyzeRun({ ...run, outDir: after, wallMs: 1234 });
    const prepared = await prepareRun({ ...run, outDir: early });
    expect(prepared).not.toBeNull();
    const b = await prepared!.write();

    expect(b.profile).toEqual({ ...a.profile, flamegraph: join(early, "flamegraph.html") });
    expect(b.profile.hot.some((h) => h.name === "dot" && h.calls !== undefined)).toBe(true);
    expect(readFileSync(b.profilePath, "utf8")).toBe(readFileSync(a.profilePath, "utf8").split(after).join(early));
    expect(b.wrapped).toEqual(a.wrapped);
    for (const name of ["profile.cpuprofile", "flamegraph.html"]) expect(readFileSync(join(early, name), "utf8")).toBe(readFileSync(join(after, name), "utf8"));
    // The pprof profile's start time is read from the clock when it is drawn; all else is the same.
    const [pa, pb] = [readPprof(readFileSync(a.pprofPath)), readPprof(readFileSync(b.pprofPath))];
    pa.timeNanos = pb.timeNanos = 0;
    expect(pb).toEqual(pa);
  }, 120_000);
});
