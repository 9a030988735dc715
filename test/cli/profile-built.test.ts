/**
 * `kos profile` as the built command runs it (dist/cli/kos.js, built by `pretest`): its entry is
 * one bundle (scripts/bundle-cli.mjs), and the analysis it loads while the command runs warms up
 * on a synthetic run (warm-profile.ts) before it writes the `.cpuprofile`, the pprof profile and
 * the flamegraph. Its files must be the ones kos's sources write from the same raw profiles.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readPprof } from "../../profiler/pprof.js";
import { writeArtifacts } from "../../profiler/profile-artifacts.js";

const repo = resolve(__dirname, "..", "..");
const kosJs = resolve(repo, "dist", "cli", "kos.js");
const program = resolve(repo, "test", "profiler", "programs", "one-hot-function.js");

function profileWithBuiltCli(out: string, ...command: string[]) {
  return spawnSync(process.execPath, [kosJs, "profile", "--out", out, "--", ...command], { encoding: "utf8", cwd: repo, timeout: 120_000 });
}

describe("kos profile (the built command)", () => {
  it("writes the same .cpuprofile, flamegraph and pprof samples as kos's sources do from its raw profiles", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "kos-profile-built-"));
    try {
      const out = join(scratch, "out");
      const r = profileWithBuiltCli(out, "node", program, "2000000");
      expect(r.status, r.stderr).toBe(0);
      const threads = join(out, "threads");
      const raw = readdirSync(threads).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(threads, f));
      expect(raw.length).toBeGreaterThan(0);

      const again = join(scratch, "again");
      mkdirSync(again);
      await writeArtifacts({ profilePaths: raw, outDir: again, title: `kos profile: node ${program} 2000000` });
      expect(readFileSync(join(out, "profile.cpuprofile"), "utf8")).toBe(readFileSync(join(again, "profile.cpuprofile"), "utf8"));
      expect(readFileSync(join(out, "flamegraph.html"), "utf8")).toBe(readFileSync(join(again, "flamegraph.html"), "utf8"));
      expect(readFileSync(join(out, "flamegraph.html"), "utf8")).toContain("hotMixing");
      const pprof = readPprof(readFileSync(join(out, "profile.pb.gz")));
      const expected = readPprof(readFileSync(join(again, "profile.pb.gz")));
      // timeNanos is the time of writing; everything drawn from the samples must agree.
      expect(pprof.stringTable.strings).toEqual(expected.stringTable.strings);
      expect(pprof.sample.map((s) => [s.locationId.map(Number), s.value.map(Number)])).toEqual(expected.sample.map((s) => [s.locationId.map(Number), s.value.map(Number)]));
      expect(pprof.sample.length).toBeGreaterThan(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
