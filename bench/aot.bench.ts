/**
 * Suite `aot`: kos build on the sample project (fixtures/aot-project/project).
 * The project's own benchmark cases, measured in one process on three builds
 * of the same source: plain tsc output, kos build output (annotations and
 * jit() call sites), and kos build output guided by a profile that
 * `kos profile` records from the plain build. Then runtime jit start-up
 * with the on-disk compile cache, cold versus warm, in fresh processes.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { kosBuild } from "../aot/build.js";
import type { BuildReport } from "../aot/report.js";
import { do_not_optimize, formatNs, geometricMean, markdownTable, speedup, time, type BenchSection } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const project = join(repo, "fixtures", "aot-project", "project");

interface BenchCase { name: string; run: () => unknown }

async function casesOf(outDir: string): Promise<BenchCase[]> {
  const mod = await import(pathToFileURL(join(outDir, "bench", "workload.js")).href);
  return mod.cases();
}

function cacheStart(dir: string): { totalMs: number; hits: number; misses: number; uncacheable: number; agree: boolean } {
  const out = execFileSync(process.execPath, [join(repo, "dist", "fixtures", "aot-project", "cache-start.js"), dir], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!);
}

export default async function (): Promise<BenchSection> {
  const tag = `out-bench-${process.pid}`;
  const dirs = { plain: join(project, `${tag}-tsc`), kos: join(project, `${tag}-kos`), prof: join(project, `${tag}-prof`), profile: join(project, `${tag}-profile`) };
  const notes: string[] = [];
  try {
    execFileSync(process.execPath, [join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", project, "--outDir", dirs.plain], { stdio: "pipe" });

    // A real profile of the plain build, by `kos profile` (0x).
    const prof = spawnSync(process.execPath, [join(repo, "dist", "cli", "kos.js"), "profile", "--out", dirs.profile, "--", process.execPath, join(dirs.plain, "bench", "workload.js"), "5000"], { encoding: "utf8", cwd: project });
    const profilePath = join(dirs.profile, "kos-profile.json");
    const haveProfile = prof.status === 0 && existsSync(profilePath);
    if (!haveProfile) notes.push(`kos profile failed (exit ${prof.status}): ${(prof.stderr || prof.stdout).trim().split("\n").slice(-2).join(" ")}`);

    let t = performance.now();
    const plainReport: BuildReport = await kosBuild({ project, out: dirs.kos });
    const buildMs = performance.now() - t;
    t = performance.now();
    const profReport: BuildReport | null = haveProfile ? await kosBuild({ project, out: dirs.prof, profile: profilePath }) : null;
    const profBuildMs = performance.now() - t;

    const variants: Array<[string, BenchCase[]]> = [["tsc", await casesOf(dirs.plain)], ["kos build", await casesOf(dirs.kos)]];
    if (profReport) variants.push(["kos build + profile", await casesOf(dirs.prof)]);

    const rows: Array<Array<string | number>> = [];
    const ratios: number[][] = variants.slice(1).map(() => []);
    for (let i = 0; i < variants[0]![1].length; i++) {
      const name = variants[0]![1][i]!.name;
      const expected = JSON.stringify(variants[0]![1][i]!.run());
      for (const [label, cases] of variants) {
        if (JSON.stringify(cases[i]!.run()) !== expected) notes.push(`${label} / ${name}: result differs from tsc output`);
      }
      // The machine is shared: measure three times in alternating orders (A B C, C B A, A B C) and keep each variant's lowest median,
      // so a load spike during one measurement does not decide a ratio.
      const medians: number[] = variants.map(() => Infinity);
      const forward = variants.map((_, k) => k);
      for (const order of [forward, [...forward].reverse(), forward]) {
        for (const k of order) {
          const c = variants[k]![1][i]!;
          medians[k] = Math.min(medians[k]!, (await time(() => do_not_optimize(c.run()), { minCpuTimeMs: 150 })).medianNs);
        }
      }
      medians.slice(1).forEach((m, k) => ratios[k]!.push(medians[0]! / m));
      rows.push([name, ...medians.map(formatNs), ...medians.slice(1).map((m) => speedup(medians[0]!, m))]);
    }
    rows.push(["**geometric mean**", ...variants.map(() => ""), ...ratios.map((r) => `**${geometricMean(r).toFixed(2)}×**`)]);
    const header = ["case", ...variants.map(([l]) => l), ...variants.slice(1).map(([l]) => `${l} vs tsc`)];

    const describe = (r: BuildReport) => r.functions.map((f) => `${f.name}${f.origins.includes("jit-call") ? " (jit call site)" : ""}: ${f.status === "optimized" ? "optimized" : `skipped (${f.reason})`}`).join("; ");

    // Compile cache: cold (empty dir) vs warm start of runtime jit over the fixtures, fresh processes.
    const cacheRows: Array<Array<string | number>> = [];
    for (let run = 1; run <= 2; run++) {
      const cacheDir = mkdtempSync(join(tmpdir(), "kos-cache-bench-"));
      try {
        const cold = cacheStart(cacheDir);
        const warm = cacheStart(cacheDir);
        if (!cold.agree || !warm.agree) notes.push(`cache run ${run}: a compiled fixture disagreed with its generic function`);
        cacheRows.push([`run ${run}`, `${cold.totalMs.toFixed(1)} ms (${cold.misses} compiled)`, `${warm.totalMs.toFixed(1)} ms (${warm.hits} from cache)`, speedup(cold.totalMs, warm.totalMs), String(cold.uncacheable)]);
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    }

    const markdown = [
      "The sample project's benchmark cases (`fixtures/aot-project/project/bench/workload.ts`), one process, mitata medians per call (each variant measured three times, in alternating orders; the lowest median is kept). " +
      "`tsc` is the plain TypeScript build (its `jit()` call site compiles at run time, and falls back because runtime jit cannot see the module helper it calls); " +
      "`kos build` uses the annotations and the call site; `+ profile` also uses a `kos-profile.json` recorded by `kos profile` on the plain build (5000 rounds). " +
      "No compile happens at run time in either kos build output.",
      "",
      markdownTable(header, rows),
      "",
      `kos build took ${(buildMs / 1000).toFixed(1)} s${profReport ? `, with the profile ${(profBuildMs / 1000).toFixed(1)} s` : ""} (ts-morph load, emit, build-time import and compile; shared machine).`,
      "",
      `Without profile: ${describe(plainReport)}.`,
      profReport ? `\nWith profile: ${describe(profReport)}.` : "",
      "",
      "**Runtime jit start-up with the on-disk compile cache** (`compileCached` over the 8 jit fixtures in a fresh process; cold = empty cache directory, warm = second process on the same directory; time to have every fixture compiled):",
      "",
      markdownTable(["", "cold", "warm", "warm vs cold", "uncacheable"], cacheRows),
      ...(notes.length ? ["", "Notes: " + notes.join("; ")] : []),
    ].join("\n");
    return { id: "aot", title: "kos build (ahead of time) and the compile cache", markdown };
  } finally {
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  }
}
