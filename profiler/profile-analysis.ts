/**
 * What `kos profile` does once the command has exited: rank its hot
 * functions from the CPU profiles, attach source hashes and kos's own call
 * feedback, and write `kos-profile.json`, one `.cpuprofile`, a pprof profile
 * and a flamegraph.
 *
 * A module of its own so that profile-run.ts can load it while the command
 * runs: its imports (acorn, pprof-format, the analysis) took 21 ms to load,
 * which was on the wall time of every `kos profile` (rules program: 0.38 s).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KosError } from "../errors.js";
import { addUnsampledWrapped, foldCompiledVersions, hashSources, mergeFeedback, readFeedbackDump } from "./feedback-merge.js";
import { functionTextAt } from "./function-source.js";
import { parseCpuProfile, type CpuProfile } from "./cpuprofile.js";
import { analyzeCpuProfiles, readSourceFromDisk, type HotFunction, type HotReport } from "./hot.js";
import { dropKosPlumbing, isKosOwnScript } from "./kos-frames.js";
import { artifactPaths, readRunProfiles, renderArtifactFiles, warmArtifacts, writeArtifacts, writeRendered, type ArtifactJob } from "./profile-artifacts.js";
import { profileText, sourceHash, writeProfile, type HotEntry, type KosProfile } from "./profile-file.js";
import { recordSettleVerdicts } from "./profile-verdicts.js";
import { ScriptFunctionCache } from "./script-cache.js";
import type { FeedbackDump, FunctionFeedback } from "./profile-format.js";
import { WARM_SOURCE, WARM_URL, warmCpuProfile, warmFeedbackDump } from "./warm-profile.js";

/** A finished profiling run, as profile-run.ts hands it over. */
export interface FinishedRun {
  command: string[];
  outDir: string;
  feedbackPath: string;
  /** The `.cpuprofile` files the run left, one per thread and process. */
  profilePaths: string[];
  started: Date;
  /** Wall time of the command as kos saw it. */
  wallMs: number;
  includeInternals?: boolean;
  maxEntries?: number;
}

/** What the analysis wrote. */
export interface RunAnalysis {
  profile: KosProfile;
  profilePath: string;
  report: HotReport;
  cpuprofilePath: string;
  pprofPath: string;
  wrapped: FunctionFeedback[];
}

/** The `file` of hot entries for code with no URL. */
export const EVAL_FILE = "(eval)";
/** The `file` of hot entries for V8 builtins (no URL, no position). */
export const NATIVE_FILE = "(native)";

/** Calls after which a wrapped function no sample caught still gets an entry (the tiering's default hotCalls). */
const UNSAMPLED_MIN_CALLS = 1000;

/** Entries below this self share get no sourceHash (kos build's default --min-self is 1). */
const HASH_MIN_SELF_PERCENT = 0.5;

const INTERNAL = /^node:|[\\/]0x[\\/]lib[\\/]preload[\\/]|kos-profiler-preload\.cjs$/;

function fileOf(url: string): string {
  if (url.startsWith("file://")) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

/** Ranked entries with source hashes. `sourceOf` reads a script by URL. */
export function hotEntries(report: HotReport, sourceOf: (url: string) => string | undefined, options: { includeInternals?: boolean; maxEntries?: number; wrappedNames?: ReadonlySet<string> } = {}): HotEntry[] {
  const keep = (f: HotFunction) => (options.includeInternals || !INTERNAL.test(f.url)) && (f.selfSamples > 0 || f.totalPercent >= 1);
  // Entries share a few scripts: each URL converted once (100 conversions were 2.8 ms of a cold analysis).
  const files = new Map<string, string>();
  const pathOf = (url: string) => {
    let path = files.get(url);
    if (path === undefined) files.set(url, (path = fileOf(url)));
    return path;
  };
  return report.functions
    .filter(keep)
    .slice(0, options.maxEntries ?? 100)
    .map((f) => {
      const entry: HotEntry = {
        name: f.name,
        // No URL: code from eval or new Function (e.g. ajv's compiled validators),
        // or, with no position either, a V8 builtin such as Date.now.
        file: f.url ? pathOf(f.url) : f.line < 0 ? NATIVE_FILE : EVAL_FILE,
        line: Math.max(0, f.line + 1),
        column: Math.max(0, f.column + 1),
        selfPercent: f.selfPercent,
        totalPercent: f.totalPercent,
        selfSamples: f.selfSamples,
        totalSamples: f.totalSamples,
      };
      // The hash matches live functions to entries (KOS_PROFILE, kos build). It needs the script
      // parsed, about 20 ms for a large file: only entries that can matter get one, those with
      // at least HASH_MIN_SELF_PERCENT of self time or a kos:// URL (measured: hashing all 100
      // entries was 180 ms of a 0.56 s analysis), and not those that ran mostly for kos itself:
      // acorn under a compile in the profiled run (its 235 KB parse was 74 ms of a 0.4 s
      // `kos profile` of bench/programs/dsp.ts).
      // An entry named as a function the program wrapped in jit() is hashed at any share, so that the
      // feedback's calls and stable arguments join it: the demo's matmul, horner and query-filter
      // (0.1-0.4% of the samples each) had their rows with no calls, and a second, unsampled entry.
      const forKos = f.underKosSamples * 2 > f.selfSamples;
      const worthHashing = (f.selfPercent >= HASH_MIN_SELF_PERCENT || f.url.startsWith("kos://") || options.wrappedNames?.has(f.name) === true) && !isKosOwnScript(f.url) && !forKos;
      const source = worthHashing && f.url ? sourceOf(f.url) : undefined;
      const text = source === undefined ? undefined : functionTextAt(source, f.line, f.column);
      if (text !== undefined) entry.sourceHash = sourceHash(text);
      return entry;
    });
}

/** Adds what the feedback dump says about each wrapped function (tier, fallback reason) to its hot entry. */
function attachTiers(hot: HotEntry[], dumps: FeedbackDump[]): HotEntry[] {
  const byHash = new Map<string, FunctionFeedback>();
  for (const d of dumps) for (const f of d.functions) if (!byHash.has(f.sourceHash) || f.calls > byHash.get(f.sourceHash)!.calls) byHash.set(f.sourceHash, f);
  return hot.map((e) => {
    const f = e.sourceHash ? byHash.get(e.sourceHash) : undefined;
    if (!f) return e;
    const out: HotEntry = { ...e, tier: f.tier };
    if (f.fallbackReason) out.fallbackReason = f.fallbackReason;
    return out;
  });
}

/** What ranking a run needs to say about it. */
type RunFacts = Pick<FinishedRun, "command" | "started" | "wallMs" | "includeInternals" | "maxEntries">;

/**
 * The run's functions from its profiles, ranked, with source hashes.
 * @throws KosError `KOS_PROFILE_NO_SAMPLES` when the run left no samples of its own code
 */
function rankRun(profiles: CpuProfile[], dump: FeedbackDump | undefined, sourceOf: (url: string) => string | undefined, run: RunFacts): { report: HotReport; hot: HotEntry[] } {
  const report = analyzeCpuProfiles(profiles, { sourceOf });
  const hot = hotEntries(report, sourceOf, { ...run, ...(dump ? { wrappedNames: new Set(dump.functions.map((f) => f.name).filter(Boolean)) } : {}) });
  if (report.totalSamples === 0 || hot.length === 0) {
    throw new KosError(
      "KOS_PROFILE_NO_SAMPLES",
      `the command ran for ${run.wallMs} ms but produced no CPU samples${report.totalSamples > 0 ? " in its own code" : ""}; ` +
        `profile a longer or busier run${run.includeInternals ? "" : " (or pass --include-internals)"}: ${run.command.join(" ")}`,
    );
  }
  return { report, hot };
}

/** The run's `kos-profile.json`: the ranked functions with what the feedback dump says of them. */
function profileOfRun(run: RunFacts, profiles: CpuProfile[], report: HotReport, ranked: HotEntry[], dump: FeedbackDump | undefined, flamegraph: string): KosProfile {
  const hot = dump ? addUnsampledWrapped(attachTiers(mergeFeedback(foldCompiledVersions(ranked, [dump]), [dump]), [dump]), [dump], UNSAMPLED_MIN_CALLS) : ranked;
  // The program's own wall time, from the profiles' clocks (µs), without kos's analysis.
  let first = Infinity;
  let last = -Infinity;
  for (const p of profiles) {
    first = Math.min(first, p.startTime);
    last = Math.max(last, p.endTime);
  }
  const durationMs = last > first ? Math.round((last - first) / 1000) : run.wallMs;
  // What KOS_PROFILE will settle, recorded so that it needs no core to (profile-verdicts.ts).
  const shares = new Map<string, number>();
  for (const f of dump?.functions ?? []) if (f.sourceKey && f.savedShare !== undefined) shares.set(f.sourceKey, f.savedShare);
  return recordSettleVerdicts({
    version: 1,
    command: run.command,
    date: run.started.toISOString(),
    durationMs,
    totalSamples: report.totalSamples,
    source: "cpu-prof",
    flamegraph,
    hot,
  }, (key) => shares.get(key));
}

/**
 * Runs the analysis and draws the artifacts of a small synthetic run (warm-profile.ts), and throws
 * the results away, so that their code is warm when the real run's profiles arrive: profile-run.ts
 * calls it while the command runs. Writes nothing, reads no file; never throws.
 */
export function warmAnalysis(): void {
  warmArtifacts();
  try {
    const profiles = [0, 1].map((thread) => dropKosPlumbing(parseCpuProfile(JSON.stringify(warmCpuProfile(thread)))));
    const sourceOf = (url: string) => (url === WARM_URL ? WARM_SOURCE : undefined);
    const run: RunFacts = { command: ["node", "warm-up.js"], started: new Date(), wallMs: 1 };
    const first = rankRun(profiles, undefined, sourceOf, run);
    const inner = first.hot.find((e) => e.name === "inner")?.sourceHash ?? "";
    const dump = warmFeedbackDump(inner);
    const { report, hot } = rankRun(profiles, dump, sourceOf, run);
    profileText(profileOfRun(run, profiles, report, hot, dump, "/kos-warm-up/flamegraph.html"), "(warm-up)");
  } catch {
    // a warm-up that fails leaves the analysis cold, nothing more
  }
}

/**
 * Analyzes a finished run and writes its outputs into `run.outDir`.
 * @throws KosError `KOS_PROFILE_NO_SAMPLES` when the run left no samples of its own code
 */
export async function analyzeRun(run: FinishedRun): Promise<RunAnalysis> {
  if (run.profilePaths.length === 0) {
    // No node process wrote a profile (`kos profile -- true`): no flag of kos's can help, and none is suggested.
    throw new KosError(
      "KOS_PROFILE_NO_SAMPLES",
      `the command ran for ${run.wallMs} ms and no node process of it wrote a CPU profile (kos profiles node programs; it started none, or they were killed before node could write one): ${run.command.join(" ")}`,
    );
  }
  const job: ArtifactJob = { profilePaths: run.profilePaths, outDir: run.outDir, title: artifactTitle(run) };
  const files = await readRunProfiles(run.profilePaths);
  const { scripts, sourceOf } = scriptReader();
  const { dump, writeDump } = readDump(run.feedbackPath);
  const { report, hot } = rankRun(files.map((f) => f.profile), dump, sourceOf, run);
  // One .cpuprofile for every thread and process (each a child of the root), a pprof and a flamegraph.
  const { cpuprofilePath, pprofPath, flamegraph } = artifactPaths(run.outDir);
  const artifacts = outputError(run.outDir, writeArtifacts(job, files));
  const profile = profileOfRun(run, files.map((f) => f.profile), report, hot, dump, flamegraph);
  const profilePath = join(run.outDir, "kos-profile.json");
  writeProfile(profilePath, profile);
  writeDump();
  scripts.persist();
  await artifacts;
  return { profile, profilePath, report, cpuprofilePath, pprofPath, wrapped: dump?.functions ?? [] };
}

/**
 * The run's feedback dump, with the hashes its process left to kos filled in (feedback-merge.ts
 * hashSources); `writeDump` writes it back so, as a process that hashed would have written it.
 */
function readDump(path: string): { dump: FeedbackDump | undefined; writeDump: () => void } {
  const dump = readFeedbackDump(path);
  const hashed = dump !== undefined && hashSources(dump);
  return {
    dump,
    writeDump: () => {
      if (!hashed) return;
      try {
        writeFileSync(path, JSON.stringify(dump));
      } catch (e) {
        throw new KosError("KOS_PROFILE_OUT", `cannot write the profile's files into ${dirname(path)}: ${(e as Error).message}`, { cause: e });
      }
    },
  };
}

const artifactTitle = (run: Pick<FinishedRun, "command">) => `kos profile: ${run.command.join(" ")}`;

/** Each script read once, and its functions taken from the cache of earlier runs when it has them. */
function scriptReader(): { scripts: ScriptFunctionCache; sourceOf: (url: string) => string | undefined } {
  const scripts = new ScriptFunctionCache();
  const sources = new Map<string, string | undefined>();
  const sourceOf = (url: string): string | undefined => {
    if (sources.has(url)) return sources.get(url);
    const text = readSourceFromDisk(url) ?? (existsSync(url) ? readFileSync(url, "utf8") : undefined);
    if (text !== undefined) scripts.prime(text);
    sources.set(url, text);
    return text;
  };
  return { scripts, sourceOf };
}

/** A write of the outputs, its failure said as KOS_PROFILE_OUT (observed at once, reported where it is awaited). */
function outputError(outDir: string, write: Promise<void>): Promise<void> {
  const w = write.catch((e: unknown) => {
    throw new KosError("KOS_PROFILE_OUT", `cannot write the profile's files into ${outDir}: ${(e as Error).message}`, { cause: e });
  });
  w.catch(() => undefined);
  return w;
}

/** {@link analyzeRun}'s outputs, computed and drawn; `write` writes them (and nothing was written before). */
export interface PreparedRun {
  write(): Promise<RunAnalysis>;
}

/**
 * What {@link analyzeRun} does, but for a command that has not quite exited: its profiles are
 * written, its process is still tearing down (10-12 ms for bench/programs/life.ts, from the main
 * thread's profile on disk to the exit event), so everything is computed and drawn now and
 * written by `write` once profile-run.ts has checked that the command left nothing more. Null when
 * the profiles' own clocks do not give the run's duration (kos-profile.json then takes the
 * command's wall time, known at its exit).
 * @throws what analyzeRun throws (a profile not complete yet: KOS_CPUPROFILE_INVALID)
 */
export async function prepareRun(run: Omit<FinishedRun, "wallMs">): Promise<PreparedRun | null> {
  const files = await readRunProfiles(run.profilePaths);
  if (!(Math.max(...files.map((f) => f.profile.endTime)) > Math.min(...files.map((f) => f.profile.startTime)))) return null;
  const facts = { ...run, wallMs: NaN };
  const { scripts, sourceOf } = scriptReader();
  const { dump, writeDump } = readDump(run.feedbackPath);
  const { report, hot } = rankRun(files.map((f) => f.profile), dump, sourceOf, facts);
  const { cpuprofilePath, pprofPath, flamegraph } = artifactPaths(run.outDir);
  const rendered = renderArtifactFiles(files, artifactTitle(run));
  const profile = profileOfRun(facts, files.map((f) => f.profile), report, hot, dump, flamegraph);
  const profilePath = join(run.outDir, "kos-profile.json");
  return {
    async write() {
      const artifacts = outputError(run.outDir, writeRendered(run.outDir, rendered));
      writeProfile(profilePath, profile);
      writeDump();
      scripts.persist();
      await artifacts;
      return { profile, profilePath, report, cpuprofilePath, pprofPath, wrapped: dump?.functions ?? [] };
    },
  };
}
