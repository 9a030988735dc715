#!/usr/bin/env node
/**
 * The CommonJS build: converts tsc's ESM output in dist/ into dist/cjs/, one
 * file per file (no bundling, so `require("kos")` loads the same lazy module
 * graph as `import "kos"`), and copies the .d.ts files beside it so a
 * `.cts` consumer type-checks against CommonJS-format declarations.
 *
 * Why esbuild over a second tsc run: sources use `import.meta.url` (module
 * paths, workers, the addon), which tsc refuses to emit as CommonJS. Here
 * each use becomes the URL of the file's ESM twin in dist/, so every
 * path computed from it (build/Release/kos_native.node, worker scripts, the
 * demo program) is the same in both builds.
 *
 * Usage: node scripts/build-cjs.mjs [distDir]   (default: dist)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { transform } from "esbuild";

const dist = resolve(process.argv[2] ?? "dist");
const out = join(dist, "cjs");
/** Not in the CommonJS build: benchmarks, fixtures and the CLI run from the ESM build only. */
const SKIP = new Set(["cjs", "bench", "test", "fixtures", "cli"]);
const META = "__kos_import_meta_url";

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (dir === dist && SKIP.has(e.name)) continue;
      yield* walk(p);
    } else yield p;
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "package.json"), '{\n  "type": "commonjs"\n}\n');
let files = 0;
for (const file of walk(dist)) {
  const rel = relative(dist, file);
  const target = join(out, rel);
  if (file.endsWith(".d.ts")) {
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    continue;
  }
  if (!file.endsWith(".js")) continue;
  if (rel === "source-preload.js") {
    // Only for running from .ts sources, and it uses top-level await, which CommonJS lacks.
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, '"use strict";\n// The CommonJS build never runs from sources: see source-preload.ts.\nexports.preloaded = null;\n');
    files++;
    continue;
  }
  const source = readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  const usesMeta = source.includes("import.meta");
  const result = await transform(source, {
    loader: "js",
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcefile: rel,
    // lazy-modules.ts loads the heavy modules with this name when it is CommonJS's require.
    define: { ...(usesMeta ? { "import.meta.url": META } : {}), __kos_cjs_require: "require" },
    // The compiler bundle is whitespace-minified in its ESM form (it ships twice); reprinting it
    // unminified made the CommonJS copy 317 KB against 250 KB. Names stay, for stack traces.
    ...(rel.endsWith(".bundle.js") ? { minifyWhitespace: true } : {}),
  });
  // esbuild warns when an import.meta other than import.meta.url would be left empty in CommonJS.
  const meta = result.warnings.find((w) => /import\.meta/.test(w.text));
  if (meta) throw new Error(`${rel}: ${meta.text} (only import.meta.url is supported by the CommonJS build)`);
  const up = relative(dirname(target), file).split(sep).join("/");
  // Strict, as the ES module it comes from: esbuild's CommonJS output does not say so, and sloppy,
  // a function that passes `this` on boxed a primitive `this` (see bundle-compiler.mjs).
  const banner = `"use strict";\n` + (usesMeta ? `var ${META} = require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(up)})).href;\n` : "");
  const code = result.code.startsWith("#!") ? result.code.replace(/^(#!.*\n)/, `$1${banner}`) : banner + result.code;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, code);
  files++;
}
console.log(`kos: CommonJS build of ${files} files in ${relative(process.cwd(), out) || out}`);
