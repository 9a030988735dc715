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

  it("counts every call of a function a profiling run settled on the original, and keeps counts of functions dropped in a synchronous loop", () => {
    const dir = mkdtempSync(join(tmpdir(), "kos-fb-"));
    try {
      const out = join(dir, "feedback.json");
      // A script's top-level loop over wrappers it never uses again: V8 may drop them before exit,
      // and no timer runs during the loop to refresh their kept summaries (the 10 ms waits below are
      // shorter than the refresh period). \`varying\` settles on the
      // original (its argument is never constant); \`waiting\` stays at tier 0 (a tier-up at no call
      // count: on a fast host its compile paid within the run, and a version counts its own calls,
      // which no observation refreshes); \`live\` settles too, and is still referenced at exit.
      const script = `import("kos").then(async ({ jit }) => {
        let varying = jit(function varyingKernel(x) { let s = 0; for (let j = 0; j < 8; j++) s += x * j; return s; });
        let waiting = jit(function waitingKernel(o, x) { let s = 0; for (let j = 0; j < 200; j++) s += (o.k * x + j) % 7; return s; }, { tiering: { hotCalls: Infinity } });
        const live = jit(function liveKernel(x) { return x + 1; });
        const o = { k: 3 };
        let acc = 0;
        for (let i = 0; i < 150000; i++) acc += varying(i) + waiting(o, i) + live(i);
        varying = null; waiting = null;
        await new Promise((r) => setTimeout(r, 10));
        for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
        globalThis.keep = live;
      });`;
      const env = { ...process.env, KOS_FEEDBACK_OUT: out };
      delete env.KOS_HOT_CALLS;
      const r = spawnSync(process.execPath, ["--expose-gc", "-e", script], { cwd: repoRoot, env, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const dump = JSON.parse(readFileSync(out, "utf8"));
      const byName = new Map(dump.functions.map((f: { name: string }) => [f.name, f]));
      const varying = byName.get("varyingKernel") as { calls: number; fallbackReason: string | null; collected?: boolean };
      const waiting = byName.get("waitingKernel") as { calls: number; tier: number; collected?: boolean };
      const live = byName.get("liveKernel") as { calls: number; fallbackReason: string | null; collected?: boolean };
      // Settled on the original, and the reason reached the profile though the function was dropped.
      expect(varying.fallbackReason).toBeTruthy();
      expect(varying.collected).toBe(true);
      // Its kept summary follows the policy's observations: within a few percent of the calls made
      // (before, it held the count of the last doubling, as low as half).
      expect(waiting).toMatchObject({ collected: true, tier: 0, fallbackReason: null });
      expect(waiting.calls).toBeGreaterThanOrEqual(0.85 * 150000);
      expect(waiting.calls).toBeLessThanOrEqual(150000);
      // Settled, and still counted: every call.
      expect(live.fallbackReason).toBeTruthy();
      expect(live.collected).toBeUndefined();
      expect(live.calls).toBe(150000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
