#!/usr/bin/env node
/**
 * Removes the declaration files (.d.ts) that no public entry reaches, from the ESM build and its
 * CommonJS twin. tsc writes one per module, and the package shipped all of them twice (dist/ and
 * dist/cjs/): 832 KB of its 3.0 MB, of which the public API (`kos`, `kos/build`) reaches 251 KB
 * per build (2026-12-07). An installed kos is held to 5 MiB with its dependencies
 * (test/package/installed-package.test.ts); the compiler's internals need no declarations there.
 *
 * Reachable: the entries' declarations, then every relative `from "…"` / `import("…")` in them,
 * transitively. Usage: node scripts/prune-declarations.mjs [distDir]   (default: dist)
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const dist = resolve(process.argv[2] ?? "dist");
/** The public entries (package.json "exports"), relative to a build's root. */
const ENTRIES = ["index.d.ts", "aot/index.d.ts"];

function reachable(root) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      visit(resolve(dirname(file), m[1].replace(/\.js$/, ".d.ts")));
    }
  };
  for (const e of ENTRIES) visit(join(root, e));
  return seen;
}

function* declarations(dir, skip) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(p)) yield* declarations(p, skip);
    } else if (e.name.endsWith(".d.ts")) yield p;
  }
}

let removed = 0;
let bytes = 0;
// Each build on its own: dist/cjs holds the CommonJS build's copies. Benchmarks and fixtures keep
// theirs (not shipped; the bench and tests run from dist).
for (const root of [dist, join(dist, "cjs")]) {
  if (!existsSync(join(root, ENTRIES[0]))) continue;
  const keep = reachable(root);
  const skip = new Set([join(dist, "cjs"), join(dist, "bench"), join(dist, "fixtures"), join(root, "bench"), join(root, "fixtures")].filter((p) => p !== root));
  for (const file of declarations(root, skip)) {
    if (keep.has(file)) continue;
    bytes += readFileSync(file).length;
    rmSync(file);
    removed++;
  }
}
console.log(`kos: ${removed} declaration files no public entry reaches removed (${Math.round(bytes / 1024)} KB)`);
