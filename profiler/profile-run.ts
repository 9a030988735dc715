/**
 * `kos profile` as a library call: run a command under 0x (or `--cpu-prof`
 * for worker threads and non-node commands), rank its hot functions, attach
 * source hashes and kos's own call feedback, and write `kos-profile.json`.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KosError } from "../errors.js";
import { mergeThreadProfiles, readCpuProfile } from "./cpuprofile.js";
import { foldCompiledVersions, mergeFeedback, readFeedbackDump } from "./feedback-merge.js";
import { flamegraphFromCpuProfile, resolveCommand, runUnder0x, runWithCpuProf, type RunOptions } from "./flame.js";
import { functionTextAt } from "./function-source.js";
import { analyzeCpuProfiles, analyzeV8Log, readSourceFromDisk, type HotFunction, type HotReport } from "./hot.js";
import { sourceHash, writeProfile, type HotEntry, type KosProfile } from "./profile-file.js";
import type { V8LogJson, ZeroXInlinedMap } from "./v8-log.js";

export interface ProfileCommandOptions {
  /** Output directory (default `./kos-profile-out`). */
  outDir?: string;
  /** Use `--cpu-prof` from the start (the program uses worker threads). */
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
  /** Why 0x was not used, when `profile.source` is "cpu-prof". */
  fallbackReason?: string;
  /** Captured output when `stdio` was "pipe". */
  output?: string;
}

/** File name of the feedback dump the tiering writes into the output dir. */
export const FEEDBACK_FILE = "kos-feedback.json";

/** The `file` of hot entries for code with no URL. */
export const EVAL_FILE = "(eval)";
/** The `file` of hot entries for V8 builtins (no URL, no position). */
export const NATIVE_FILE = "(native)";

const INTERNAL = /^node:|[\\/]0x[\\/]lib[\\/]preload[\\/]/;

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
      const source = f.url ? sourceOf(f.url) : undefined;
      const text = source === undefined ? undefined : functionTextAt(source, f.line, f.column);
      if (text !== undefined) entry.sourceHash = sourceHash(text);
      return entry;
    });
}

function removeArtifacts(dir: string, names: RegExp): void {
  if (!existsSync(dir)) return;
  for (const n of readdirSync(dir)) if (names.test(n)) rmSync(join(dir, n), { force: true });
}

/**
 * Profiles a command and writes `flamegraph.html` and `kos-profile.json` into
 * the output directory.
 * @throws KosError `KOS_PROFILE_COMMAND_FAILED` (nonzero exit or signal; `exitCode` on the error),
 *   `KOS_PROFILE_NO_SAMPLES`, `KOS_PROFILE_USAGE`, `KOS_PROFILE_SPAWN`
 */
export async function profileCommand(command: string[], options: ProfileCommandOptions = {}): Promise<ProfileCommandResult> {
  const resolved = resolveCommand(command);
  const outDir = resolve(options.cwd ?? process.cwd(), options.outDir ?? "kos-profile-out");
  const feedbackPath = join(outDir, FEEDBACK_FILE);
  removeArtifacts(outDir, /^(isolate-.*-v8\.log.*|meta\.json|flamegraph\.html|kos-profile\.json|.*\.cpuprofile)$/);
  rmSync(feedbackPath, { force: true });
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

  let fallbackReason: string | undefined;
  let report: HotReport | undefined;
  let source: KosProfile["source"] = "0x";
  let flamegraph: string | null = null;
  let durationMs = 0;
  let output: string | undefined;
  let flameSource: string | undefined;
  const scriptsFrom0x = new Map<string, string>();

  if (resolved.kind === "other") fallbackReason = "the command is not a node script, so 0x cannot wrap it";
  else if (options.workers) fallbackReason = "--workers: 0x sees only the main isolate";
  else {
    // 0x sees one isolate. A preload notes whether the program starts a worker
    // (process 'worker' event), so a worker program is re-run under --cpu-prof.
    const markDir = mkdtempSync(join(tmpdir(), "kos-worker-mark-"));
    const mark = join(markDir, "started");
    const preload = join(markDir, "worker-mark.cjs");
    // Fixed text; the mark path reaches it through the environment.
    writeFileSync(preload, 'process.on("worker", () => require("fs").writeFileSync(process.env.KOS_WORKER_MARK, "1"));\n');
    let ox: Awaited<ReturnType<typeof runUnder0x>>;
    try {
      ox = await runUnder0x(["--require", preload, ...resolved.nodeArgs], outDir, { ...run, env: { ...run.env, KOS_WORKER_MARK: mark } });
      if (existsSync(mark)) fallbackReason = "the program started worker threads, which 0x cannot see";
    } finally {
      rmSync(markDir, { recursive: true, force: true });
    }
    durationMs = ox.durationMs;
    output = ox.output;
    if (ox.exitCode !== 0) throw failed(ox.exitCode, ox.output);
    if (fallbackReason) {
      /* re-run below */
    } else if (!ox.ok || !ox.logJson) {
      fallbackReason = `0x failed${ox.error ? `: ${ox.error}` : ""}`;
    } else {
      const log = JSON.parse(readFileSync(ox.logJson, "utf8")) as V8LogJson;
      const meta = ox.metaJson ? (JSON.parse(readFileSync(ox.metaJson, "utf8")) as { inlined?: ZeroXInlinedMap }) : {};
      for (const s of log.scripts ?? []) if (s?.url && typeof s.source === "string") scriptsFrom0x.set(s.url, s.source);
      report = analyzeV8Log(log, meta.inlined);
      // 0x's wall time includes building the flamegraph; the ticks' own clock (µs) is the program's.
      let first = Infinity;
      let last = -Infinity;
      for (const t of log.ticks) {
        if (t.tm < first) first = t.tm;
        if (t.tm > last) last = t.tm;
      }
      if (last > first) durationMs = Math.round((last - first) / 1000);
      flamegraph = ox.flamegraph ?? null;
      const userSamples = report.functions.some((f) => f.selfSamples > 0 && !INTERNAL.test(f.url));
      if (report.totalSamples === 0 || !userSamples) {
        fallbackReason = "0x recorded no samples in the program's own code (it may run its work in worker threads)";
        report = undefined;
      }
    }
  }

  // 0x's raw log and its preprocessing copy are large and already read; keep the .log.json.
  removeArtifacts(outDir, report ? /^isolate-.*-v8\.log(\.preprocess-ready)?$/ : /^(isolate-.*-v8\.log.*|meta\.json|flamegraph\.html)$/);
  if (!report) flamegraph = null;

  if (!report) {
    source = "cpu-prof";
    say?.(`using node --cpu-prof: ${fallbackReason}`);
    const cp = await runWithCpuProf(resolved, outDir, run);
    durationMs = cp.durationMs;
    output = cp.output;
    if (cp.exitCode !== 0) throw failed(cp.exitCode, cp.output);
    const files = await Promise.all(cp.profiles.map(readCpuProfile));
    report = analyzeCpuProfiles(files.map((f) => f.profile));
    if (files.length === 1) flameSource = files[0]!.path;
    else if (files.length > 1) {
      // One flamegraph for every thread: each thread is a child of the root.
      flameSource = join(outDir, "all-threads.cpuprofile");
      writeFileSync(flameSource, JSON.stringify(mergeThreadProfiles(files)));
    }
  }

  const sourceOf = (url: string) => scriptsFrom0x.get(url) ?? readSourceFromDisk(url) ?? (existsSync(url) ? readFileSync(url, "utf8") : undefined);
  let hot = hotEntries(report, sourceOf, options);
  if (report.totalSamples === 0 || hot.length === 0) {
    throw new KosError(
      "KOS_PROFILE_NO_SAMPLES",
      `the command ran for ${durationMs} ms but produced no CPU samples${report.totalSamples > 0 ? " in its own code" : ""}; ` +
        `profile a longer or busier run${options.includeInternals ? "" : " (or pass --include-internals)"}: ${command.join(" ")}`,
    );
  }
  if (flameSource) flamegraph = (await flamegraphFromCpuProfile(flameSource, join(outDir, "flamegraph.html"))) ?? null;
  const dump = readFeedbackDump(feedbackPath);
  if (dump) hot = mergeFeedback(foldCompiledVersions(hot, [dump]), [dump]);

  const profile: KosProfile = {
    version: 1,
    command,
    date: started.toISOString(),
    durationMs,
    totalSamples: report.totalSamples,
    source,
    flamegraph,
    hot,
  };
  const profilePath = join(outDir, "kos-profile.json");
  writeProfile(profilePath, profile);
  const result: ProfileCommandResult = { profile, profilePath, outDir, report };
  if (fallbackReason) result.fallbackReason = fallbackReason;
  if (output !== undefined) result.output = output;
  return result;
}
