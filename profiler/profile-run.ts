/**
 * `kos profile` as a library call: run a command under `node --cpu-prof`
 * (or, for commands that are not node scripts, with an inspector preload),
 * rank its hot functions, attach source hashes and kos's own call feedback,
 * and write `kos-profile.json`, a `.cpuprofile`, a pprof profile and a
 * flamegraph.
 *
 * Why not 0x any more (measured on the fixtures' demo program, 2 cores):
 * 0x cost 3.1-3.6× the program's wall time against 1.03× for `--cpu-prof`,
 * logged code made by `new Function` without its sourceURL (so compiled
 * functions lost their `kos://` names) and hid it under "native" in its
 * flamegraph.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KosError } from "../errors.js";
import { mergeThreadProfiles, readCpuProfile } from "./cpuprofile.js";
import { addUnsampledWrapped, foldCompiledVersions, mergeFeedback, readFeedbackDump } from "./feedback-merge.js";
import { resolveCommand, runWithCpuProf, runWithProfilerPreload, type RunOptions } from "./flame.js";
import { flamegraphHtml } from "./flame-html.js";
import { functionTextAt } from "./function-source.js";
import { analyzeCpuProfiles, readSourceFromDisk, type HotFunction, type HotReport } from "./hot.js";
import { dropKosPlumbing, isKosOwnScript } from "./kos-frames.js";
import { cpuProfilesToPprof } from "./pprof.js";
import { sourceHash, writeProfile, type HotEntry, type KosProfile } from "./profile-file.js";
import type { FeedbackDump, FunctionFeedback } from "./profile-format.js";

export interface ProfileCommandOptions {
  /** Output directory (default `./kos-profile-out`). */
  outDir?: string;
  /** Kept for compatibility: every thread is always profiled now. */
  workers?: boolean;
  /** Keep node's own internals (`node:` URLs) in the hot list. */
  includeInternals?: boolean;
  /** Most entries to keep in `kos-profile.json` (default 100). */
  maxEntries?: number;
  cwd?: string;
  stdio?: RunOptions["stdio"];
  /** Progress callback for long runs, every `progressEveryMs` (default 5000). */
  onProgress?: (message: string) => void;
  progressEveryMs?: number;
}

export interface ProfileCommandResult {
  profile: KosProfile;
  profilePath: string;
  outDir: string;
  /** The raw analysis, including the hottest stacks. */
  report: HotReport;
  /** How the command was profiled, when not with `node --cpu-prof` directly. */
  fallbackReason?: string;
  /** Every thread and process pooled, for DevTools and speedscope. */
  cpuprofilePath: string;
  /** The same samples as a gzipped pprof profile. */
  pprofPath: string;
  /** Every function the program wrapped in `jit()`: calls, tier, fallback reason. */
  wrapped: FunctionFeedback[];
  /** Wall time of the profiled command, as kos saw it (start to exit, profile writing included). */
  wallMs: number;
  /** Captured output when `stdio` was "pipe". */
  output?: string;
}

/** File name of the feedback dump the tiering writes into the output dir. */
export const FEEDBACK_FILE = "kos-feedback.json";

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
export function hotEntries(report: HotReport, sourceOf: (url: string) => string | undefined, options: { includeInternals?: boolean; maxEntries?: number } = {}): HotEntry[] {
  const keep = (f: HotFunction) => (options.includeInternals || !INTERNAL.test(f.url)) && (f.selfSamples > 0 || f.totalPercent >= 1);
  return report.functions
    .filter(keep)
    .slice(0, options.maxEntries ?? 100)
    .map((f) => {
      const entry: HotEntry = {
        name: f.name,
        // No URL: code from eval or new Function (e.g. ajv's compiled validators),
        // or, with no position either, a V8 builtin such as Date.now.
        file: f.url ? fileOf(f.url) : f.line < 0 ? NATIVE_FILE : EVAL_FILE,
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
      // entries was 180 ms of a 0.56 s analysis).
      const worthHashing = (f.selfPercent >= HASH_MIN_SELF_PERCENT || f.url.startsWith("kos://")) && !isKosOwnScript(f.url);
      const source = worthHashing && f.url ? sourceOf(f.url) : undefined;
      const text = source === undefined ? undefined : functionTextAt(source, f.line, f.column);
      if (text !== undefined) entry.sourceHash = sourceHash(text);
      return entry;
    });
}

function removeArtifacts(dir: string, names: RegExp): void {
  if (!existsSync(dir)) return;
  for (const n of readdirSync(dir)) if (names.test(n)) rmSync(join(dir, n), { force: true, recursive: true });
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

/**
 * Profiles a command and writes into the output directory:
 * `profile.cpuprofile` (Chrome DevTools, speedscope), `profile.pb.gz`
 * (pprof), `flamegraph.html` and `kos-profile.json`.
 *
 * The program runs under `node --cpu-prof` (every thread, about 1.03× its
 * own wall time); a command that is not a node script (`tsx app.ts`,
 * `npm run x`) runs with a preload in NODE_OPTIONS that starts the same
 * profiler through `node:inspector` in every node process it starts.
 * @throws KosError `KOS_PROFILE_COMMAND_FAILED` (nonzero exit or signal; `exitCode` on the error),
 *   `KOS_PROFILE_NO_SAMPLES`, `KOS_PROFILE_USAGE`, `KOS_PROFILE_SPAWN`
 */
export async function profileCommand(command: string[], options: ProfileCommandOptions = {}): Promise<ProfileCommandResult> {
  const resolved = resolveCommand(command);
  const outDir = resolve(options.cwd ?? process.cwd(), options.outDir ?? "kos-profile-out");
  const feedbackPath = join(outDir, FEEDBACK_FILE);
  const rawDir = join(outDir, "threads");
  removeArtifacts(outDir, /^(isolate-.*-v8\.log.*|meta\.json|flamegraph\.html|kos-profile\.json|.*\.cpuprofile|profile\.pb\.gz|threads)$/);
  rmSync(feedbackPath, { force: true });
  mkdirSync(rawDir, { recursive: true });
  const started = new Date();
  const say = options.onProgress;
  const run: RunOptions = {
    env: { KOS_FEEDBACK_OUT: feedbackPath },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.stdio ? { stdio: options.stdio } : {}),
    ...(say ? { onProgress: (ms: number) => say(`still profiling: ${Math.round(ms / 1000)} s elapsed`) } : {}),
    progressEveryMs: options.progressEveryMs ?? 5000,
  };
  const failed = (code: number | null, output?: string) => {
    const err = new KosError(
      "KOS_PROFILE_COMMAND_FAILED",
      `the profiled command ${code === null ? "was killed by a signal" : `exited with code ${code}`}: ${command.join(" ")}` +
        (output ? `\n--- its output ---\n${output.trimEnd()}` : ""),
    );
    (err as KosError & { exitCode?: number | null }).exitCode = code;
    return err;
  };

  const cp = resolved.kind === "node" ? await runWithCpuProf(resolved, rawDir, run) : await runWithProfilerPreload(resolved, rawDir, run);
  if (cp.exitCode !== 0) throw failed(cp.exitCode, cp.output);
  const files = (await Promise.all(cp.profiles.map(readCpuProfile))).map((f) => ({ ...f, profile: dropKosPlumbing(f.profile) }));
  const report = analyzeCpuProfiles(files.map((f) => f.profile));
  const sourceOf = (url: string) => readSourceFromDisk(url) ?? (existsSync(url) ? readFileSync(url, "utf8") : undefined);
  let hot = hotEntries(report, sourceOf, options);
  if (report.totalSamples === 0 || hot.length === 0) {
    throw new KosError(
      "KOS_PROFILE_NO_SAMPLES",
      `the command ran for ${cp.durationMs} ms but produced no CPU samples${report.totalSamples > 0 ? " in its own code" : ""}; ` +
        `profile a longer or busier run${options.includeInternals ? "" : " (or pass --include-internals)"}: ${command.join(" ")}`,
    );
  }
  // One .cpuprofile for every thread and process (each a child of the root), a pprof and a flamegraph.
  const merged = files.length === 1 ? files[0]!.profile : mergeThreadProfiles(files);
  const cpuprofilePath = join(outDir, "profile.cpuprofile");
  writeFileSync(cpuprofilePath, JSON.stringify(merged));
  const pprofPath = join(outDir, "profile.pb.gz");
  writeFileSync(pprofPath, cpuProfilesToPprof(files.map((f, i) => ({ profile: f.profile, thread: files.length > 1 ? `${f.pid ?? "?"}/${f.threadId ?? i}` : undefined }))));
  const flamegraph = join(outDir, "flamegraph.html");
  writeFileSync(flamegraph, flamegraphHtml(merged, `kos profile: ${command.join(" ")}`));

  const dump = readFeedbackDump(feedbackPath);
  if (dump) hot = addUnsampledWrapped(attachTiers(mergeFeedback(foldCompiledVersions(hot, [dump]), [dump]), [dump]), [dump], UNSAMPLED_MIN_CALLS);

  // The program's own wall time, from the profiles' clocks (µs), without kos's analysis.
  let first = Infinity;
  let last = -Infinity;
  for (const f of files) {
    first = Math.min(first, f.profile.startTime);
    last = Math.max(last, f.profile.endTime);
  }
  const durationMs = last > first ? Math.round((last - first) / 1000) : cp.durationMs;
  const profile: KosProfile = {
    version: 1,
    command,
    date: started.toISOString(),
    durationMs,
    totalSamples: report.totalSamples,
    source: "cpu-prof",
    flamegraph,
    hot,
  };
  const profilePath = join(outDir, "kos-profile.json");
  writeProfile(profilePath, profile);
  const result: ProfileCommandResult = { profile, profilePath, outDir, report, cpuprofilePath, pprofPath, wrapped: dump?.functions ?? [], wallMs: cp.durationMs };
  if (resolved.kind !== "node") result.fallbackReason = "not a node script: profiled through a NODE_OPTIONS preload (node:inspector) in every node process it starts";
  if (cp.output !== undefined) result.output = cp.output;
  return result;
}
