import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const script = `import("kos").then(({ jit }) => {
  const f = jit(function scale(k, x) { return k * x; }, { tiering: { hotCalls: 20 } });
  for (let i = 0; i < 30; i++) f(3, i);
  f(4, 1);
  jit(Math.max);
  jit(function usesEval(n) {
    return eval("n");
  }, { scope: {} });
});`;

function run(env: Record<string, string>) {
  const clean = { ...process.env };
  delete clean.NODE_DEBUG;
  delete clean.KOS_TRACE;
  return spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env: { ...clean, ...env }, encoding: "utf8" });
}

describe("trace switch", () => {
  it("prints nothing by default", () => {
    const r = run({});
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });

  for (const [label, env, prefix] of [["KOS_TRACE=1", { KOS_TRACE: "1" }, /^kos: /m], ["NODE_DEBUG=kos", { NODE_DEBUG: "kos" }, /^KOS \d+: /m]] as const) {
    it(`${label} prints tier-ups, deopts with their reason, fallbacks with the line`, () => {
      const r = run(env);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(prefix);
      expect(r.stderr).toMatch(/tier-up scale v1 after 20 calls \(compiled in [\d.]+ ms, [\d.]+ ms of CPU\): .*k === 3/);
      expect(r.stderr).toMatch(/deopt scale v1: failed: k === 3/);
      expect(r.stderr).toMatch(/fallback max: NATIVE_FUNCTION/);
      // The fallback names the construct's line: as a diagnostic (file:line:col, the line quoted) where kos finds the file.
      expect(r.stderr).toMatch(/fallback usesEval: USES_EVAL: .*(\(line 2\)|\n\s+at .*:\d+:\d+\n\s+\d+ \| .*eval)/);
    });
  }
});
