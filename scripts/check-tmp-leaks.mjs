#!/usr/bin/env node
/**
 * Runs the given vitest files and fails if they leave `kos-*` entries in the
 * temp directory (issue 14: test runs left kos-cache-*, kos-build-hook-*,
 * kos-fb-* and kos-tier-* folders behind).
 *
 *   node scripts/check-tmp-leaks.mjs test/aot/cache.test.ts test/compiler/cache-jit.test.ts
 *
 * Entries that appear during the run but were not made by it (other
 * processes on a shared machine) can show up too: the list names them, so a
 * human can tell. Exit code: 0 clean, 1 leftovers, 2 the tests failed.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/check-tmp-leaks.mjs <test files…>");
  process.exit(2);
}
const list = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith("kos-")));
const before = list();
const r = spawnSync("npx", ["vitest", "run", ...files], { stdio: "inherit" });
const left = [...list()].filter((n) => !before.has(n)).sort();
if (left.length > 0) {
  console.error(`left behind in ${tmpdir()}:\n${left.map((n) => `  ${n}`).join("\n")}`);
  process.exit(1);
}
console.log(`no kos-* entries left in ${tmpdir()} by ${files.length} test file(s)`);
process.exit(r.status === 0 ? 0 : 2);
