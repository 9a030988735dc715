import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

describe("the feedback record survives", () => {
  it("keeps hot functions after the program drops them and a GC runs; drops cold ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-fb-"));
    try {
      const out = join(dir, "feedback.json");
      // hot: 5000 calls (past the record threshold); cold: 10 calls. Both dropped, then a full GC.
      const script = `import("kos").then(async ({ jit }) => {
        let hot = jit(function hotKernel(k, x) { return k * x; });
        let cold = jit(function coldKernel(k, x) { return k + x; });
        for (let i = 0; i < 5000; i++) hot(3, i);
        for (let i = 0; i < 10; i++) cold(3, i);
        hot = null; cold = null;
        await new Promise((r) => setTimeout(r, 10));
        for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      });`;
      // KOS_HOT_CALLS: tier up by count, so that the hot function is compiled by call 1000 (a
      // profiling run otherwise waits until the compile pays, which 5000 multiplies never do).
      const r = spawnSync(process.execPath, ["--expose-gc", "-e", script], { cwd: repoRoot, env: { ...process.env, KOS_FEEDBACK_OUT: out, KOS_HOT_CALLS: "1000" }, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const dump = JSON.parse(readFileSync(out, "utf8"));
      const names = dump.functions.map((f: { name: string }) => f.name);
      expect(names).toContain("hotKernel");
      expect(names).not.toContain("coldKernel");
      const hot = dump.functions.find((f: { name: string }) => f.name === "hotKernel");
      expect(hot.calls).toBeGreaterThanOrEqual(1000);
      expect(hot.tier).toBe(1);
      expect(hot.args[0]).toMatchObject({ name: "k", stability: "constant", value: 3 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
