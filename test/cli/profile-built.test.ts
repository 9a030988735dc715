/**
 * `kos profile` as the built command runs it (dist/cli/kos.js, built by `pretest`): its entry is
 * one bundle (scripts/bundle-cli.mjs), and a worker thread writes the `.cpuprofile`, the pprof
 * profile and the flamegraph while the `kos` process analyzes (profile-artifacts-worker.ts). The
 * worker's files must be the ones the analysis writes itself (from kos's sources, where no
 * worker starts).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Worker } from "node:worker_threads";
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
  it("writes the same .cpuprofile, flamegraph and pprof samples from its worker as the analysis does in-process", async () => {
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

  it("the worker answers a job it cannot do with the error, and writes nothing", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "kos-profile-built-"));
    try {
      // A raw profile that exists, and an output directory that does not.
      const out = join(scratch, "out");
      const r = profileWithBuiltCli(out, "node", program, "300000");
      expect(r.status, r.stderr).toBe(0);
      const raw = readdirSync(join(out, "threads")).map((f) => join(out, "threads", f));
      const worker = new Worker(resolve(repo, "dist", "profiler", "profile-artifacts-worker.js"));
      try {
        const reply = new Promise<unknown>((settle) => worker.once("message", settle));
        worker.postMessage({ profilePaths: raw, outDir: join(scratch, "missing"), title: "t" });
        expect(await reply).toMatchObject({ ok: false, code: "ENOENT", message: expect.stringContaining("missing") });
      } finally {
        await worker.terminate();
      }
      expect(readdirSync(scratch)).toEqual(["out"]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
