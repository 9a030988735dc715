/**
 * kos as an installed package (issue 13): the install footprint of a project
 * that installs kos alone, what `import "kos"` / `require("kos")` cost over
 * a bare node, and the start-up time of the `kos` command.
 *
 * The package is `npm pack`ed from dist/ (run `npm run build` first) and
 * installed into a temporary project from the local npm cache. Times are
 * whole-process wall times (spawn to exit), medians of interleaved runs, so
 * each figure includes node's own start-up; the "over bare node" column is
 * the difference of medians.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { markdownTable, type BenchSection } from "./harness.js";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Runs per command: 21 interleaved runs gave medians stable to about ±3 ms on the loaded 2-core machine. */
const RUNS = 21;

function sh(cmd: string, args: string[], cwd: string, timeout = 180_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function footprint(dir: string): { bytes: number; disk: number; packages: string[] } {
  let bytes = 0;
  let disk = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        bytes += s.size;
        disk += s.blocks * 512;
      }
    }
  };
  walk(dir);
  const packages: string[] = [];
  const list = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith(".") || !e.isDirectory()) continue;
      if (e.name.startsWith("@")) list(join(d, e.name));
      else packages.push(relative(dir, join(d, e.name)));
      const nested = join(d, e.name, "node_modules");
      try {
        if (statSync(nested).isDirectory()) list(nested);
      } catch {
        /* no nested node_modules */
      }
    }
  };
  list(dir);
  return { bytes, disk, packages };
}

/**
 * Install `specs` into a fresh project; null when npm fails. From the npm cache where it can be: a
 * fresh `npm ci` caches the lockfile's tarballs but not the registry metadata a bare range needs
 * (`--offline` then failed with ENOTCACHED on acorn), so npm may fetch that.
 */
function install(root: string, name: string, specs: string[]): string | null {
  const project = join(root, name);
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: `kos-bench-${name}`, version: "1.0.0", private: true }));
  const r = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...specs], { cwd: project, encoding: "utf8", timeout: 600_000 });
  return r.status === 0 ? project : null;
}

/** Median wall time (ms) of each command, runs interleaved so load drifts hit all alike. */
function wallTimes(commands: Array<{ args: string[]; cwd: string }>): number[] {
  const times = commands.map(() => [] as number[]);
  for (let run = 0; run < RUNS; run++) {
    commands.forEach((c, i) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, c.args, { cwd: c.cwd, stdio: "ignore" });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`node ${c.args.join(" ")} exited ${r.status}`);
      times[i]!.push(ms);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

export default async function packageBench(): Promise<BenchSection> {
  const root = mkdtempSync(join(tmpdir(), "kos-package-bench-"));
  try {
    const packed = JSON.parse(sh("npm", ["pack", "--ignore-scripts", "--pack-destination", root, "--json"], repo)) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
    const tarball = join(root, packed[0]!.filename);
    const alone = install(root, "alone", [tarball]);
    if (!alone) throw new Error("npm install of the kos tarball failed: the npm cache (after `npm ci`) or the registry must hold kos's dependencies");
    const withPeers = install(root, "with-peers", [tarball, "piscina", "prom-client", "ts-morph", "tsx"]);
    const rows: Array<Array<string | number>> = [];
    const a = footprint(join(alone, "node_modules"));
    rows.push(["kos alone (what `jit()` needs)", a.packages.length, mb(a.bytes), mb(a.disk)]);
    if (withPeers) {
      const p = footprint(join(withPeers, "node_modules"));
      rows.push(["kos + every optional peer (piscina, prom-client, ts-morph, tsx)", p.packages.length, mb(p.bytes), mb(p.disk)]);
    } else rows.push(["kos + every optional peer", "not measured: not all in the npm cache", "", ""]);
    const installTable = markdownTable(["install", "packages", "size of files", "on disk (du)"], rows);

    const kosBin = join(alone, "node_modules", "kos", "dist", "cli", "kos.js");
    const commands = [
      { label: "bare `node -e 0`", args: ["-e", "0"], cwd: alone },
      { label: '`import "kos"`', args: ["--input-type=module", "-e", 'import "kos";'], cwd: alone },
      { label: '`require("kos")`', args: ["-e", 'require("kos")'], cwd: alone },
      { label: '`import "kos"` + first `jit()` (loads the compiler)', args: ["--input-type=module", "-e", 'import { jit } from "kos"; jit((x, k) => x * k, { specialize: { k: 2 } })(1, 2);'], cwd: alone },
      { label: "`kos --version`", args: [kosBin, "--version"], cwd: alone },
      { label: "`kos --help`", args: [kosBin, "--help"], cwd: alone },
    ];
    const medians = wallTimes(commands);
    const bare = medians[0]!;
    const timeTable = markdownTable(
      ["process", "median wall time", "over bare node"],
      commands.map((c, i) => [c.label, `${medians[i]!.toFixed(1)} ms`, i === 0 ? "—" : `${(medians[i]! - bare).toFixed(1)} ms`]),
    );
    return {
      id: "package",
      title: "Package: install footprint, import and start-up time",
      markdown:
        `The tarball (\`npm pack\`): ${packed[0]!.entryCount} files, ${mb(packed[0]!.size)} packed, ${mb(packed[0]!.unpackedSize)} unpacked. ` +
        `Installed into an empty project from the npm cache (the install step builds the native addon):\n\n${installTable}\n\n` +
        `Whole-process wall time, median of ${RUNS} interleaved runs each, in that project (target: \`import "kos"\` ≤ 15 ms over bare node):\n\n${timeTable}`,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
