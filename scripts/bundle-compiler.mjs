#!/usr/bin/env node
/**
 * Bundles what lazy-modules.ts loads on the first `jit()` into three CommonJS scripts, each run
 * through V8's code cache (code-cached-script.ts; the first line carries a hash of the text,
 * which names its caches):
 *
 * - the dormant tier, dist/compiler/tier0.cached.cjs: the entry a plain `jit(fn)` returns before
 *   the core loads (see TIER0 below);
 * - the core, dist/compiler/core.cached.cjs: the dispatcher, the tiering, and every kos module
 *   they share with the compiler or the compile cache (see CORE below);
 * - the compiler, dist/compiler/index.cached.cjs, with its packages (acorn, acorn-walk,
 *   astring, eslint-scope) inside. Why: the first `jit()` that compiles loaded about 110 ES
 *   modules, and Node's ESM loader resolves, reads and links each one: 35-41 ms here, against
 *   15-16 ms for the same code as one file (Node 20.20.2, 2 cores, medians of 3).
 *
 * A kos module that another lazily loaded entry (or the eager `index.js`) also imports stays
 * outside the compiler's bundle, and lazy-modules.ts serves it (from the core when the core
 * holds it, else its own file), so that there is one instance of it: one `JitError` class,
 * one `Dispatcher`.
 *
 * Usage: node scripts/bundle-compiler.mjs [distDir]   (default: dist)
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const dist = resolve(process.argv[2] ?? "dist");
/**
 * The core: what the first `jit(fn)` runs (the dispatcher, its precheck, the tiering) and every
 * kos module that it shares with the compiler or the compile cache, as one CommonJS script
 * through V8's code cache, as the compiler is. As ES modules, each loaded through require(esm),
 * they cost a program its first `jit()`: 9.4-9.6 ms of wall time for `jit((a, b) => a + b)`
 * (1.0-1.4 ms per small module in Node's ES loader, 4.4 ms for the tiering's 30 KB ES bundle),
 * against 0.1 ms for every later `jit()`; the rules program's whole run is 250 ms
 * (.scratch/loadparts2.mjs, .scratch/jitfirst.mjs, Node 20.20.2). lazy-modules.ts serves each of
 * these modules from the core, to the compiler's bundle too, so that each has one instance.
 * `errors.js` stays outside: `import "kos"` has loaded it already, and the loader hands it in.
 */
const CORE = { out: "compiler/core.cached.cjs", entries: ["compiler/dispatcher.js", "profiler/tiering.js", "compiler/cache.js"] };
/**
 * The dormant tier: what the first plain `jit(fn)` runs before the core is worth loading
 * (compiler/dormant.ts and the entry factories it shares with the core). Its own script, since the
 * ES loader costs about 1.0-1.7 ms of CPU per module: imported with `import "kos"`, its eight small
 * modules made that import 14.7-19.5 ms of CPU against 8.7-8.8 ms without them (medians of 15,
 * /tmp/probe/impcost.mjs). The core's script takes these modules from this one.
 */
const TIER0 = { out: "compiler/tier0.cached.cjs", entries: ["compiler/dormant.js"] };
/** The compiler: its packages (acorn, acorn-walk, astring, eslint-scope) inside, the core's modules outside. */
const COMPILER = { entry: "compiler/index.js", out: "compiler/index.cached.cjs" };

/** The lazily loaded entries, from source-preload's list (the built copy). */
function lazyEntries() {
  const text = readFileSync(join(dist, "source-preload.js"), "utf8");
  const list = text.match(/LAZY_MODULES\s*=\s*\[([\s\S]*?)\]/);
  if (!list) throw new Error("bundle-compiler: LAZY_MODULES not found in dist/source-preload.js");
  return [...list[1].matchAll(/"\.\/([^"]+)"/g)].map((m) => m[1]);
}

/** Every file (absolute, or a package path) the entries' static import graph reaches. */
async function inputsOf(entries) {
  const r = await build({ entryPoints: entries.map((e) => join(dist, e)), bundle: true, platform: "node", format: "esm", write: false, metafile: true, logLevel: "silent", outdir: "/tmp/kos-bundle-probe" });
  return new Set(Object.keys(r.metafile.inputs).map((p) => resolve(p)));
}

/** A plugin that leaves the modules in `shared` outside the bundle, imported by their path relative to `outFile`. */
function keepExternal(shared, outFile) {
  return {
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
}

/**
 * esbuild's `__export` defines a module's exports with a for-in over an object literal: a program
 * that had added an enumerable property to Object.prototype (`Object.prototype.extra = true`) made
 * kos's first jit() throw "Getter must be a function: true" while the bundle loaded. Own keys only.
 * The helper is matched exactly, so that another esbuild's wording fails the build here.
 */
function ownExportsOnly(text) {
  // As esbuild writes it with syntax minified (`!0` for true, the next helper after a comma).
  const helper = "var __export=(target,all)=>{for(var name in all)__defProp(target,name,{get:all[name],enumerable:!0})}";
  const parts = text.split(helper);
  if (parts.length !== 2 || !/\b__hasOwnProp=Object\.prototype\.hasOwnProperty[;,]/.test(text)) throw new Error("kos: esbuild's __export helper is not the one bundle-compiler.mjs knows: check ownExportsOnly");
  return parts.join("var __export=(target,all)=>{for(var name in all)if(__hasOwnProp.call(all,name))__defProp(target,name,{get:all[name],enumerable:!0})}");
}

/** Writes a CommonJS bundle with its build id on the first line (code-cached-script.ts names its caches by it). */
async function bundle(options, outFile) {
  const result = await build({
    ...options,
    outfile: outFile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    metafile: true,
    logLevel: "warning",
    write: false,
    // code-cached-script.ts passes what import.meta.url was as this parameter of its wrapper.
    define: { "import.meta.url": "__kos_import_meta_url" },
    // Whitespace and syntax are minified; names stay, so stack traces through the compiler still
    // read. Syntax too since the package went over its 5 MiB footprint again (5.257 MB, with the
    // kos command's bundle): it takes the compiler's script from 766 KB to 739 KB.
    minifyWhitespace: true,
    minifySyntax: true,
  });
  // Strict, as the ES modules it is made of: esbuild's CommonJS output has no "use strict" of its
  // own, and sloppy, kos's functions that pass `this` on (gain-check.ts's timing route) boxed a
  // primitive `this` and made undefined the global object.
  const text = `"use strict";${ownExportsOnly(result.outputFiles[0].text)}`;
  writeFileSync(outFile, `//kos-build:${createHash("sha256").update(text).digest("hex").slice(0, 32)}\n${text}`);
  console.log(`kos: bundle of ${Object.keys(result.metafile.inputs).length} modules in ${relative(process.cwd(), outFile)}`);
}

const distPath = (abs) => `./${relative(dist, abs).split(sep).join("/")}`;
const indexGraph = await inputsOf(["index.js"]);

/** A script of kos's modules by path (`modules`, for lazy-modules.ts); the modules in `outside` stay outside it. */
async function bundleModules(modules, outside, outFile, sourcefile) {
  await bundle(
    {
      stdin: {
        contents:
          modules.map((p, i) => `import * as m${i} from ${JSON.stringify(distPath(p))};\n`).join("") +
          `export const modules = {\n${modules.map((p, i) => `  ${JSON.stringify(distPath(p))}: m${i},\n`).join("")}};\n`,
        resolveDir: dist,
        sourcefile,
        loader: "js",
      },
      plugins: [keepExternal(outside, outFile)],
    },
    outFile,
  );
}

// The dormant tier, then the core without it: what index.js loads (errors.js) stays outside both.
const tier0Modules = [...(await inputsOf(TIER0.entries))].filter((p) => p.startsWith(dist + sep) && !indexGraph.has(p));
await bundleModules(tier0Modules, indexGraph, join(dist, TIER0.out), "kos-tier0-entry.js");
const beforeCore = new Set([...indexGraph, ...tier0Modules]);
const coreModules = [...(await inputsOf(CORE.entries))].filter((p) => p.startsWith(dist + sep) && !beforeCore.has(p));
await bundleModules(coreModules, beforeCore, join(dist, CORE.out), "kos-core-entry.js");

// The compiler: a module another lazily loaded entry (or index.js) also imports stays outside,
// so that there is one instance of it (one `JitError` class, one `Dispatcher`): the core's come
// from the core, the others from their own files.
const compilerFile = join(dist, COMPILER.out);
const shared = new Set();
for (const e of ["index.js", ...lazyEntries().filter((e) => e !== COMPILER.entry)].filter((e) => existsSync(join(dist, e)))) for (const p of await inputsOf([e])) shared.add(p);
await bundle({ entryPoints: [join(dist, COMPILER.entry)], plugins: [keepExternal(shared, compilerFile)] }, compilerFile);
