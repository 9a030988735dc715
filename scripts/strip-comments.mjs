#!/usr/bin/env node
/**
 * Drops the comments from tsc's JavaScript output (dist/**\/*.js), which the package ships
 * without its TypeScript sources or source maps: the comments there explain the sources, and
 * they are 27% of the shipped ES module files (643 KB of 140 files, 467 KB without; the
 * installed package went over the 5 MiB footprint budget of test/package/ with them). The
 * declaration files keep theirs (editors show them), as do the fixtures and benchmarks, which
 * are not shipped or whose text jit() reads. The bundles and the CommonJS build are made from
 * these files afterwards (esbuild drops comments there by itself).
 *
 * Usage: node scripts/strip-comments.mjs [distDir]   (default: dist)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { transform } from "esbuild";

const dist = resolve(process.argv[2] ?? "dist");
/** Top-level directories left as tsc wrote them (see above); cjs is rebuilt after this step. */
const KEEP = new Set(["cjs", "bench", "fixtures", "test"]);

function* jsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (dir === dist && KEEP.has(e.name)) continue;
      yield* jsFiles(p);
    } else if (e.name.endsWith(".js")) yield p;
  }
}

let files = 0;
let before = 0;
let after = 0;
for (const file of jsFiles(dist)) {
  const text = readFileSync(file, "utf8");
  // ES2022 in, ES2022 out: nothing is lowered, only printed again without comments.
  const { code } = await transform(text, { loader: "js", format: "esm", target: "es2022", legalComments: "none", sourcefile: file });
  writeFileSync(file, code);
  files++;
  before += Buffer.byteLength(text);
  after += Buffer.byteLength(code);
}
console.log(`kos: comments dropped from ${files} files in ${dist} (${(before / 1024).toFixed(0)} KB → ${(after / 1024).toFixed(0)} KB)`);
