/**
 * Runs a script in a child node with --allow-natives-syntax (V8's `%HaveSameMap`,
 * `%HasFastProperties`), from the repository's root so that it imports "kos", with kos's
 * environment variables cleared, and returns what it wrote to stdout, parsed as JSON.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export function runWithNatives(script: string): any {
  const env = { ...process.env };
  for (const k of ["KOS_FEEDBACK_OUT", "KOS_PROFILE", "KOS_HOT_CALLS", "KOS_JIT", "KOS_CACHE"]) delete env[k];
  const r = spawnSync(process.execPath, ["--allow-natives-syntax", "-e", script], { cwd: repoRoot, env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}
