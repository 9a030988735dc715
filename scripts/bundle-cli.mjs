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
 * Usage: node scripts/bundle-cli.mjs [distDir]   (default: dist)
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const dist = resolve(process.argv[2] ?? "dist");
const entry = join(dist, "cli", "kos.js");
const cliDir = dirname(entry);
const errorsFile = join(dist, "errors.js");

/** `target` as a specifier relative to the bundle's directory. */
const fromCli = (target) => {
  const rel = relative(cliDir, target).split(sep).join("/");
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
      name: "kos-cli-bundle",
      setup(b) {
        // Dynamic imports (the other commands, the analysis) and errors.js stay in their files.
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          const target = resolve(args.resolveDir, args.path);
          if (args.kind === "dynamic-import" && target !== join(cliDir, "profile.js")) return { path: fromCli(target), external: true };
          if (target === errorsFile) return { path: fromCli(target), external: true };
          return undefined;
        });
        b.onLoad({ filter: /\.js$/ }, (args) => {
          if (dirname(args.path) === cliDir) return undefined;
          const text = readFileSync(args.path, "utf8");
          if (!text.includes("import.meta.url")) return undefined;
          return { contents: text.split("import.meta.url").join(`new URL(${JSON.stringify(fromCli(args.path))}, import.meta.url).href`), loader: "js" };
        });
      },
    },
  ],
});
console.log(`kos: the kos command's entry bundled with ${Object.keys(result.metafile.inputs).length - 1} modules in ${relative(process.cwd(), entry)}`);
