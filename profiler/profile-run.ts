/**
 * `kos profile` as a library call: run a command under `node --cpu-prof`
 * (or, for commands that are not node scripts, with an inspector preload),
 * then hand its profiles to profile-analysis.ts, which writes
 * `kos-profile.json`, a `.cpuprofile`, a pprof profile and a flamegraph.
 *
 * Why not 0x any more (measured on the fixtures' demo program, 2 cores):
 * 0x cost 3.1-3.6× the program's wall time against 1.03× for `--cpu-prof`,
 * logged code made by `new Function` without its sourceURL (so compiled
 * functions lost their `kos://` names) and hid it under "native" in its
 * flamegraph.
 */
import { constants } from "node:os";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { KosError } from "../errors.js";
import { EarlyAnalysis } from "./early-analysis.js";
import { resolveCommand, runWithCpuProf, runWithProfilerPreload, type RunOptions } from "./flame.js";
import type { HotReport } from "./hot.js";
import type { PreparedRun } from "./profile-analysis.js";
import type { KosProfile } from "./profile-file.js";
import type { FunctionFeedback } from "./profile-format.js";

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
  /** Called once the command has started (a message said then costs the command's start nothing). */
  onStart?: () => void;
  /** Progress callback for long runs, every `progressEveryMs` (default 5000). */
  onProgress?: (message: string) => void;
  progressEveryMs?: number;
  /** The CPU profiler's sampling interval in microseconds (default 2000: flame.ts, PROFILE_INTERVAL_US). */
  samplingIntervalUs?: number;
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

/**
 * The output directory, made where missing. Not node's recursive mkdir where the parent exists:
 * under /proc it never returned (`mkdirSync("/proc/x", { recursive: true })` spins, Node 20.20.2).
 */
function makeDirectory(dir: string): void {
  if (existsSync(dir)) return;
  if (existsSync(dirname(dir))) mkdirSync(dir);
  else mkdirSync(dir, { recursive: true });
}

function removeArtifacts(dir: string, names: RegExp): void {
  if (!existsSync(dir)) return;
  for (const n of readdirSync(dir)) if (names.test(n)) rmSync(join(dir, n), { force: true, recursive: true });
}

/**
 * " (SIGTERM)" for a status of 128 + a signal's number: a profiled program that a signal ends exits
 * with that status once its profile is written (flame.ts, SIGNAL_EXIT_SOURCE), where node's default
 * action would have killed it before.
 */
function signalOfStatus(code: number): string {
  if (code <= 128) return "";
  const name = Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0];
  return name ? ` (${name})` : "";
}

/**
 * Profiles a command and writes into the output directory:
 * `profile.cpuprofile` (Chrome DevTools, speedscope), `profile.pb.gz`
 * (pprof), `flamegraph.html` and `kos-profile.json`.
 *
 * The program runs under `node --cpu-prof` (every thread, sampled every
 * 2 ms unless `samplingIntervalUs` says otherwise); a command that is not a node script (`tsx app.ts`,
 * `npm run x`) runs with a preload in NODE_OPTIONS that starts the same
 * profiler through `node:inspector` in every node process it starts.
 * @throws KosError `KOS_PROFILE_COMMAND_FAILED` (nonzero exit or signal; `exitCode` and `signal` on
 *   the error, and `result`, the profile of what ran, when the run left samples),
 *   `KOS_PROFILE_NO_SAMPLES`, `KOS_PROFILE_USAGE`, `KOS_PROFILE_SPAWN`, `KOS_PROFILE_OUT` (the output directory cannot be made or written)
 */
export async function profileCommand(command: string[], options: ProfileCommandOptions = {}): Promise<ProfileCommandResult> {
  const resolved = resolveCommand(command);
  const outDir = resolve(options.cwd ?? process.cwd(), options.outDir ?? "kos-profile-out");
  const feedbackPath = join(outDir, FEEDBACK_FILE);
  const rawDir = join(outDir, "threads");
  // What an earlier run left: the raw profiles' directory moves aside (one rename) and goes, with
  // the outputs the analysis writes again, once the command has started. Removing it all first was
  // 4 ms of the 15 ms before the command's start (`node --cpu-prof` of kos, bench/programs/rules.ts).
  const stale = join(outDir, `threads.stale-${process.pid}`);
  try {
    makeDirectory(outDir);
    rmSync(feedbackPath, { force: true });
    if (existsSync(rawDir)) renameSync(rawDir, stale);
    mkdirSync(rawDir);
  } catch (e) {
    // An existing file, a directory kos may not write: said with its code, before the command runs
    // (sweep35: a raw ENOTDIR).
    throw new KosError("KOS_PROFILE_OUT", `cannot write the output directory ${outDir}: ${(e as Error).message}`, { cause: e });
  }
  const started = new Date();
  const say = options.onProgress;
  const run: RunOptions = {
    // The feedback dump may leave the sources' hashes to the analysis (feedback-record.ts).
    env: { KOS_FEEDBACK_OUT: feedbackPath, KOS_FEEDBACK_UNHASHED: "1" },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.stdio ? { stdio: options.stdio } : {}),
    ...(say ? { onProgress: (ms: number) => say(`still profiling: ${Math.round(ms / 1000)} s elapsed`) } : {}),
    progressEveryMs: options.progressEveryMs ?? 5000,
    ...(options.samplingIntervalUs !== undefined ? { samplingIntervalUs: options.samplingIntervalUs } : {}),
  };
  const failed = (code: number | null, signal: NodeJS.Signals | undefined, output?: string) => {
    const err = new KosError(
      "KOS_PROFILE_COMMAND_FAILED",
      `the profiled command ${code === null ? `was killed by ${signal ?? "a signal"}` : `exited with code ${code}${signalOfStatus(code)}`}: ${command.join(" ")}` +
        (output ? `\n--- its output ---\n${output.trimEnd()}` : ""),
    );
    (err as KosError & { exitCode?: number | null }).exitCode = code;
    if (signal) (err as KosError & { signal?: NodeJS.Signals }).signal = signal;
    return err;
  };

  const runFacts = {
    command,
    outDir,
    feedbackPath,
    started,
    ...(options.includeInternals !== undefined ? { includeInternals: options.includeInternals } : {}),
    ...(options.maxEntries !== undefined ? { maxEntries: options.maxEntries } : {}),
  };
  // A node command's main thread writes its profile last: the analysis starts on it then, while the
  // process still tears down (early-analysis.ts). Other commands run launchers, whose node
  // processes end in no order kos knows.
  const early =
    resolved.kind === "node"
      ? new EarlyAnalysis<PreparedRun>(rawDir, [feedbackPath], async (profilePaths) => (await analysis).prepareRun({ ...runFacts, profilePaths }))
      : undefined;
  if (early) run.onSpawn = (pid) => early.watchFor(pid);
  const running = resolved.kind === "node" ? runWithCpuProf(resolved, rawDir, run) : runWithProfilerPreload(resolved, rawDir, run);
  options.onStart?.();
  try {
    removeArtifacts(outDir, /^(isolate-.*-v8\.log.*|meta\.json|flamegraph\.html|kos-profile\.json|.*\.cpuprofile|profile\.pb\.gz|threads\.stale-.*)$/);
  } catch {
    // a stale file kos cannot remove: the analysis writes over its outputs, and a stale raw directory is only left behind
  }
  // The analysis loads while the command runs, after its spawn (see profile-analysis.ts), and then
  // warms up on a synthetic run (warm-profile.ts). It writes the artifacts itself: a worker thread
  // that wrote them beside it cost the `kos` process 46 ms more CPU while the command ran (183
  // against 137 ms, bench/programs/life.ts at 400, median of 11), and once the analysis and the
  // artifacts' code were warm it saved little after the command's exit (measured with a faster
  // pprof encoder than pprof-format's, whose warm encoding takes 2-7 ms more: 27.4 ms from the
  // command's exit to kos's, against 25.1 with the artifacts written in-process).
  const analysis = import("./profile-analysis.js");
  analysis.catch(() => undefined); // reported where it is awaited; a failed command throws first
  let exited = false;
  running.then(
    () => (exited = true),
    () => (exited = true),
  );
  void analysis.then(
    (m) => {
      if (!exited) m.warmAnalysis();
    },
    () => undefined,
  );
  let finished: Awaited<typeof running>;
  try {
    finished = await running;
  } finally {
    early?.stop(); // the command has exited: nothing more to watch for (an attempt under way still ends)
  }
  return analyzeFinished(finished);

  async function analyzeFinished(cp: Awaited<typeof running>): Promise<ProfileCommandResult> {
    const analyze = async (): Promise<ProfileCommandResult> => {
      const { analyzeRun } = await analysis;
      const prepared = await early?.take(cp.profiles);
      const done = prepared ? await prepared.write() : await analyzeRun({ ...runFacts, profilePaths: cp.profiles, wallMs: cp.durationMs });
      const result: ProfileCommandResult = { ...done, outDir, wallMs: cp.durationMs };
      if (resolved.kind !== "node") result.fallbackReason = "not a node script: profiled through a NODE_OPTIONS preload (node:inspector) in every node process it starts";
      if (cp.output !== undefined) result.output = cp.output;
      return result;
    };
    if (cp.exitCode !== 0) {
      // The program failed (an exit code, an uncaught error, a signal, Ctrl-C): what ran is still
      // profiled and written, and the error carries the result. All of it had been thrown away,
      // node's own per-thread profiles aside (sweep35).
      const err = failed(cp.exitCode, cp.signal, cp.output);
      if (cp.profiles.length > 0) {
        try {
          (err as KosError & { result?: ProfileCommandResult }).result = await analyze();
        } catch {
          // nothing of its own to report (no samples): the failure alone
        }
      }
      throw err;
    }
    return analyze();
  }
}

