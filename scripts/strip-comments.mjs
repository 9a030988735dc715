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
 * The declaration files of the compiler's own passes (compiler/specialize, residual, discover,
 * analyze), which no public type reaches for its documentation, are printed again without
 * their comments too (by TypeScript's printer, through ts-morph's bundled compiler): they were
 * 348 KB of the 1.07 MB of declarations the package ships twice (ES and CommonJS), and the
 * installed package went over the 5 MiB budget again (5.25 MB).
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

const INTERNAL_DECLARATIONS = ["specialize", "residual", "discover", "analyze"].map((d) => join(dist, "compiler", d));
function* declarationFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* declarationFiles(p);
    else if (e.name.endsWith(".d.ts")) yield p;
  }
}
let ts = null;
try {
  ts = (await import("@ts-morph/common")).ts;
} catch {
  console.log("kos: @ts-morph/common is not installed: internal declarations keep their comments");
}
if (ts) {
  const printer = ts.createPrinter({ removeComments: true });
  let dFiles = 0;
  let dBefore = 0;
  let dAfter = 0;
  for (const file of INTERNAL_DECLARATIONS.flatMap((d) => [...declarationFiles(d)])) {
    const text = readFileSync(file, "utf8");
    const printed = printer.printFile(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
    writeFileSync(file, printed);
    dFiles++;
    dBefore += Buffer.byteLength(text);
    dAfter += Buffer.byteLength(printed);
  }
  console.log(`kos: comments dropped from ${dFiles} internal declaration files (${(dBefore / 1024).toFixed(0)} KB → ${(dAfter / 1024).toFixed(0)} KB)`);
}
