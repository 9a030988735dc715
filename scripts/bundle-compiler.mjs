#!/usr/bin/env node
/**
 * Bundles the compiler (dist/compiler/index.js and every kos module only it uses) into one file,
 * which lazy-modules.ts loads at the first compile. Why: the first `jit()` that compiles loaded
 * about 110 ES modules, and Node's ESM loader resolves, reads and links each one: 35-41 ms here,
 * against 15-16 ms for the same code as one file (Node 20.20.2, 2 cores,
 * medians of 3). That load is part of what a program pays for its first
 * tier-up.
 *
 * The compiler's bundle is CommonJS with its packages (acorn, acorn-walk, astring, eslint-scope)
 * inside, dist/compiler/index.cached.cjs, so that it runs as one script through V8's code cache
 * (code-cached-script.ts). Its first line carries a hash of its text, which names its caches.
 *
 * A kos module that another lazily loaded entry (or the eager `index.js`) also
 * imports stays outside the bundle, imported from its own file, so that
 * there is one instance of it: one `JitError` class, one `Dispatcher`.
 *
 * Usage: node scripts/bundle-compiler.mjs [distDir]   (default: dist)
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const dist = resolve(process.argv[2] ?? "dist");
/**
 * Each entry that lazy-modules.ts loads from one bundled file. The tiering (what the first
 * `jit(fn)` loads) is one too: its 12 ES modules took 7 ms of CPU to load on the rules
 * program's first `jit()` (bench/programs/rules.ts), a few percent of a 0.4 s run.
 */
const BUNDLES = [
  { entry: "compiler/index.js", out: "compiler/index.cached.cjs", format: "cjs" },
  { entry: "profiler/tiering.js", out: "profiler/tiering.bundle.js", format: "esm" },
];

/** The lazily loaded entries, from source-preload's list (the built copy). */
function lazyEntries() {
  const text = readFileSync(join(dist, "source-preload.js"), "utf8");
  const list = text.match(/LAZY_MODULES\s*=\s*\[([\s\S]*?)\]/);
  if (!list) throw new Error("bundle-compiler: LAZY_MODULES not found in dist/source-preload.js");
  return [...list[1].matchAll(/"\.\/([^"]+)"/g)].map((m) => m[1]);
}

/** Every file (dist-relative, or a package path) an entry's static import graph reaches. */
async function inputsOf(entry) {
  const r = await build({ entryPoints: [join(dist, entry)], bundle: true, platform: "node", format: "esm", write: false, metafile: true, logLevel: "silent", outdir: "/tmp/kos-bundle-probe" });
  return new Set(Object.keys(r.metafile.inputs).map((p) => resolve(p)));
}

for (const { entry: ENTRY, out: OUT, format } of BUNDLES) {
const others = ["index.js", ...lazyEntries().filter((e) => e !== ENTRY)].filter((e) => existsSync(join(dist, e)));
const shared = new Set();
for (const e of others) for (const p of await inputsOf(e)) shared.add(p);

const outFile = join(dist, OUT);
const keepShared = {
  name: "keep-shared-modules-external",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!shared.has(target)) return undefined;
      const rel = relative(dirname(outFile), target).split(sep).join("/");
      return { path: rel.startsWith(".") ? rel : `./${rel}`, external: true };
    });
  },
};

const cjs = format === "cjs";
const result = await build({
  entryPoints: [join(dist, ENTRY)],
  outfile: outFile,
  bundle: true,
  platform: "node",
  format,
  target: "node20",
  plugins: [keepShared],
  metafile: true,
  logLevel: "warning",
  write: false,
  // The ES bundle keeps packages as imports (they are installed anyway, and a copy of acorn in
  // each of the ESM and CommonJS bundles took the install past its 5 MB budget); the CommonJS
  // compiler bundle, which both builds load, holds them, so that the code cache covers them too.
  external: cjs ? [] : ["acorn", "acorn-walk", "astring"],
  // code-cached-script.ts passes what import.meta.url was as this parameter of its wrapper.
  ...(cjs ? { define: { "import.meta.url": "__kos_import_meta_url" } } : {}),
  // Whitespace is minified; names stay, so stack traces through the compiler still read.
  minifyWhitespace: true,
});
const text = result.outputFiles[0].text;
writeFileSync(outFile, cjs ? `//kos-build:${createHash("sha256").update(text).digest("hex").slice(0, 32)}\n${text}` : text);
const bundled = Object.keys(result.metafile.inputs).length;
console.log(`kos: bundle of ${bundled} modules in ${relative(process.cwd(), outFile)} (${[...shared].length} shared modules kept external)`);
}
