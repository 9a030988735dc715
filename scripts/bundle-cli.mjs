#!/usr/bin/env node
/**
 * Bundles the `kos` command's entry (dist/cli/kos.js, in place) with what it runs before `kos
 * profile` starts the profiled program: the command line, `cli/profile.js`, the runner
 * (`profiler/profile-run.js`, `flame.js`) and the profile format. Why: the `kos` process starts
 * before the program, and as ES modules its seven files cost 12-15 ms of CPU in Node's ES loader
 * before the program's spawn (82-96 ms from the process's start, against 68-81 ms as one file;
 * `node -e 0` is 70-75 ms here, 10 runs each, Node 20.20.2), which `kos profile`'s wall time pays
 * in full. The rest stays in its own files, loaded by the bundle as before: what the `kos`
 * process imports once the program runs (the analysis), the other commands (`demo`, `build`), and
 * `errors.js`, so that there is one `KosError` class.
 *
 * The entry's dynamic imports stay dynamic; the static graph of `cli/profile.js` comes in, each
 * module evaluated when the subcommand loads, as before. A bundled module outside `cli/` that
 * reads `import.meta.url` (to find a file beside it) reads its own file's URL, computed from the
 * bundle's.
 *
 * The analysis that `kos profile` imports once the program runs (profiler/profile-analysis.js)
 * is bundled in place the same way, for the CPU the `kos` process spends beside the program.
 *
 * Usage: node scripts/bundle-cli.mjs [distDir]   (default: dist)
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const dist = resolve(process.argv[2] ?? "dist");
const errorsFile = join(dist, "errors.js");

/**
 * Bundles `entry` in place with its static graph (packages and errors.js stay external). Dynamic
 * imports stay dynamic, except of the files `inline` names. A bundled module from another
 * directory that reads `import.meta.url` reads its own file's URL, computed from the bundle's.
 */
async function bundleInPlace(entry, inline = []) {
  const bundleDir = dirname(entry);
  /** `target` as a specifier relative to the bundle's directory. */
  const fromBundle = (target) => {
    const rel = relative(bundleDir, target).split(sep).join("/");
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
  const result = await build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    metafile: true,
    logLevel: "warning",
    // Whitespace only, as the compiler's bundles: names stay, so stack traces still read.
    minifyWhitespace: true,
    plugins: [
      {
        name: "kos-in-place-bundle",
        setup(b) {
          // Dynamic imports (the other commands, the analysis) and errors.js stay in their files.
          b.onResolve({ filter: /^\.\.?\// }, (args) => {
            const target = resolve(args.resolveDir, args.path);
            if (args.kind === "dynamic-import" && !inline.includes(target)) return { path: fromBundle(target), external: true };
            if (target === errorsFile) return { path: fromBundle(target), external: true };
            return undefined;
          });
          b.onLoad({ filter: /\.js$/ }, (args) => {
            if (dirname(args.path) === bundleDir) return undefined;
            const text = readFileSync(args.path, "utf8");
            if (!text.includes("import.meta.url")) return undefined;
            return { contents: text.split("import.meta.url").join(`new URL(${JSON.stringify(fromBundle(args.path))}, import.meta.url).href`), loader: "js" };
          });
        },
      },
    ],
  });
  return Object.keys(result.metafile.inputs).length - 1;
}

const entry = join(dist, "cli", "kos.js");
const cliModules = await bundleInPlace(entry, [join(dist, "cli", "profile.js")]);
console.log(`kos: the kos command's entry bundled with ${cliModules} modules in ${relative(process.cwd(), entry)}`);
// The analysis `kos profile` imports while the command runs (profile-run.ts): as 23 ES modules it
// took 23-49 ms of the kos process's CPU to import, as one file 16-27 ms (7 runs each, loaded host),
// CPU that competes with the profiled program's on a machine of few cores.
const analysis = join(dist, "profiler", "profile-analysis.js");
const analysisModules = await bundleInPlace(analysis);
console.log(`kos: kos profile's analysis bundled with ${analysisModules} modules in ${relative(process.cwd(), analysis)}`);
