/**
 * Running a program under a profiler: 0x (flamegraph + V8 tick log of the
 * main isolate) or `node --cpu-prof` (one `.cpuprofile` per thread, workers
 * included). Both run in a child process; neither runs user code in kos's
 * own process.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KosError } from "../errors.js";
import type { ZeroXJob, ZeroXResult } from "./zerox-runner.js";

/** How a command will be run: directly as node arguments, or as an arbitrary program. */
export type ResolvedCommand =
  | { kind: "node"; /** What follows `node`: node flags, the script, its args. */ nodeArgs: string[] }
  | { kind: "other"; file: string; args: string[] };

const NODE_SCRIPT = /\.(c|m)?js$/;

/**
 * The sampling interval `kos profile` runs a program at, in microseconds, where node's and the
 * inspector's own is 1000. Each sample costs the profiled program: V8's sampler thread wakes and
 * signals the main thread, which walks its stack, and the processing thread symbolizes it. At
 * 1000 µs the bench's six programs (bench/programs, at their 1× work) paid 20-40 ms more CPU than
 * at 2000 µs (paired medians of 25 rounds, DSP, life and rules; 13 ms for life on a quieter
 * moment), and at 2000 µs every run still ranked the same hot functions: the top function of
 * each program as often as at 1000 µs, its self share within 2.5 points of it, with a run-to-run
 * spread about 1.4 times larger (√2, half the samples; 13 runs of each program at each interval,
 * docs/notes/kos-profile-cost.md). A profile that needs more samples asks for them
 * (`kos profile --interval 1000`), or runs longer.
 */
export const PROFILE_INTERVAL_US = 2000;

/**
 * `node app.js a b` and `app.js a b` both become node arguments
 * `["app.js", "a", "b"]`; anything else (`npm run x`, a shell script) is run
 * as is.
 * @throws KosError `KOS_PROFILE_USAGE` for an empty command
 */
export function resolveCommand(command: string[]): ResolvedCommand {
  const [first, ...rest] = command;
  if (!first) throw new KosError("KOS_PROFILE_USAGE", "no command to profile: use kos profile [--out DIR] [--top N] -- <command...>");
  const base = basename(first);
  if (first === process.execPath || base === "node" || base === "nodejs") return { kind: "node", nodeArgs: rest };
  if (NODE_SCRIPT.test(first)) return { kind: "node", nodeArgs: command };
  return { kind: "other", file: first, args: rest };
}

export interface RunOptions {
  /** Working directory of the program (default: process.cwd()). */
  cwd?: string;
  /** Extra environment for the program. */
  env?: Record<string, string>;
  /** "inherit" (default) shows the program's output; "pipe" captures it into the result. */
  stdio?: "inherit" | "pipe";
  /** Called every `progressEveryMs` while the program runs, with the elapsed time. */
  onProgress?: (elapsedMs: number) => void;
  progressEveryMs?: number;
  /** Called once the program is spawned, with its process id (undefined when it could not start). */
  onSpawn?: (pid: number | undefined) => void;
  /** The CPU profiler's sampling interval in microseconds (default {@link PROFILE_INTERVAL_US}); runWithCpuProf and runWithProfilerPreload only. */
  samplingIntervalUs?: number;
}

export interface RunOutcome {
  /** The program's exit code; null when killed by a signal or never started. */
  exitCode: number | null;
  /** The signal that ended the program, when one did. */
  signal?: NodeJS.Signals;
  durationMs: number;
  /** Captured output when `stdio` was "pipe". */
  output?: string;
}

export interface ZeroXOutcome extends RunOutcome {
  /** False when 0x itself failed (then `error` says why). */
  ok: boolean;
  error?: string;
  dir: string;
  flamegraph?: string;
  logJson?: string;
  metaJson?: string;
}

export interface CpuProfOutcome extends RunOutcome {
  dir: string;
  /** Every `.cpuprofile` written, one per thread and process. */
  profiles: string[];
}

function runnerPath(): { script: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".ts")) {
    // Running from source (tests): load tsx from kos's own install, whatever the child's cwd.
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    return { script: self.replace(/flame\.ts$/, "zerox-runner.ts"), execArgv: ["--import", tsx] };
  }
  return { script: self.replace(/flame\.js$/, "zerox-runner.js"), execArgv: [] };
}

function runChild(file: string, args: string[], options: RunOptions, env: NodeJS.ProcessEnv): Promise<RunOutcome> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const pipe = options.stdio === "pipe";
    const child = spawn(file, args, { cwd: options.cwd ?? process.cwd(), env, stdio: pipe ? ["ignore", "pipe", "pipe"] : "inherit" });
    options.onSpawn?.(child.pid);
    let output = "";
    if (pipe) {
      child.stdout!.on("data", (d) => (output += d));
      child.stderr!.on("data", (d) => (output += d));
    }
    const timer = options.onProgress
      ? setInterval(() => options.onProgress!(Date.now() - started), options.progressEveryMs ?? 5000)
      : undefined;
    timer?.unref();
    child.on("error", (err) => {
      if (timer) clearInterval(timer);
      reject(new KosError("KOS_PROFILE_SPAWN", `could not start ${file}: ${err.message}`, { cause: err }));
    });
    child.on("close", (code, signal) => {
      if (timer) clearInterval(timer);
      resolvePromise({ exitCode: code, ...(signal ? { signal } : {}), durationMs: Date.now() - started, ...(pipe ? { output } : {}) });
    });
  });
}

/** The first file in `dir` matching `test`, as a full path. */
export function findIn(dir: string, test: RegExp): string | undefined {
  if (!existsSync(dir)) return undefined;
  const name = readdirSync(dir).find((n) => test.test(n));
  return name ? join(dir, name) : undefined;
}

/**
 * Runs `node <nodeArgs>` under 0x with output in `dir` (flamegraph.html,
 * meta.json, isolate-*-v8.log.json). 0x profiles the main isolate only.
 */
export async function runUnder0x(nodeArgs: string[], dir: string, options: RunOptions = {}): Promise<ZeroXOutcome> {
  const outDir = resolve(dir);
  mkdirSync(outDir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), "kos-0x-"));
  try {
    const resultPath = join(scratch, "result.json");
    const job: ZeroXJob = { argv: nodeArgs, outputDir: outDir, workingDir: resolve(options.cwd ?? process.cwd()), resultPath };
    const runner = runnerPath();
    const outcome = await runChild(process.execPath, [...runner.execArgv, runner.script, JSON.stringify(job)], options, { ...process.env, ...options.env });
    let result: ZeroXResult = { ok: false, exitCode: null, error: "0x wrote no result" };
    if (existsSync(resultPath)) result = JSON.parse(readFileSync(resultPath, "utf8")) as ZeroXResult;
    const out: ZeroXOutcome = {
      ...outcome,
      exitCode: result.exitCode,
      ok: result.ok,
      dir: outDir,
    };
    if (result.error) out.error = result.error;
    const flamegraph = result.file && existsSync(result.file) ? result.file : findIn(outDir, /^flamegraph\.html$/);
    if (flamegraph) out.flamegraph = flamegraph;
    const logJson = findIn(outDir, /^isolate-.*-v8\.log\.json$/);
    if (logJson) out.logJson = logJson;
    const metaJson = findIn(outDir, /^meta\.json$/);
    if (metaJson) out.metaJson = metaJson;
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Stands in for node's default action on SIGINT (Ctrl-C) and SIGHUP (the terminal closed) in a
 * profiled process: that default ends the process at once, before node writes its `--cpu-prof`
 * profile (or runs the preload's 'exit' handler below), so Ctrl-C on a profiled server left
 * `kos profile` with nothing ("killed by SIGINT", no profile). This handler exits instead, with the
 * shell's status for the signal (128 + its number), which writes the profile. A program that
 * handles the signal itself (a graceful shutdown) is left to do so: the handler does nothing while
 * any other listener is there. Not SIGTERM: a signal a program sends itself as it ends
 * (`process.kill(process.pid, "SIGTERM")`) reaches a listener only on a later turn of the event
 * loop, and the program then exited 0 where it died of the signal. Fixed text, loaded with `--require`.
 */
const SIGNAL_EXIT_SOURCE = `"use strict";
for (const signal of ["SIGINT", "SIGHUP"]) {
  process.on(signal, function kosProfileSignalExit() {
    if (process.listenerCount(signal) > 1) return;
    process.exit(128 + require("node:os").constants.signals[signal]);
  });
}
`;
const SIGNAL_EXIT_FILE = ".kos-signal-exit.cjs";

/**
 * Runs a command with `--cpu-prof` into `dir`. A node command gets the flags
 * directly; any other command (`npm run x`, a shell script) runs with a
 * `node` shim first on PATH that adds them, because node refuses
 * `--cpu-prof` in NODE_OPTIONS.
 */
export async function runWithCpuProf(command: ResolvedCommand, dir: string, options: RunOptions = {}): Promise<CpuProfOutcome> {
  const outDir = resolve(dir);
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir)) if (old.endsWith(".cpuprofile")) rmSync(join(outDir, old));
  // The signal handler's file sits with the profiles, which kos owns for the run (only `.cpuprofile` files are read from there).
  const signalExit = join(outDir, SIGNAL_EXIT_FILE);
  writeFileSync(signalExit, SIGNAL_EXIT_SOURCE);
  const interval = options.samplingIntervalUs ?? PROFILE_INTERVAL_US;
  // The interval before the command's flags: a command that sets its own --cpu-prof-interval keeps it (node takes the last).
  const flags = ["--cpu-prof", `--cpu-prof-dir=${outDir}`, `--cpu-prof-interval=${interval}`, "--require", signalExit];
  let outcome: RunOutcome;
  if (command.kind === "node") {
    // The command's own --cpu-prof-dir comes after kos's and wins: the profiles went there, and
    // kos reported a run with samples as having none (sweep35 repro-10). Node's flags are the
    // arguments before the first one that is not a flag (the script, or a flag's value).
    for (const arg of command.nodeArgs) {
      if (!arg.startsWith("-")) break;
      if (arg === "--cpu-prof-dir" || arg.startsWith("--cpu-prof-dir=")) {
        throw new KosError("KOS_PROFILE_USAGE", `the command sets ${arg.split("=")[0]}: kos profile sets it itself (use --out for where the outputs go)`);
      }
    }
    outcome = await runChild(process.execPath, [...flags, ...command.nodeArgs], options, { ...process.env, ...options.env });
  } else {
    const shimDir = mkdtempSync(join(tmpdir(), "kos-node-shim-"));
    try {
      const shim = join(shimDir, "node");
      // The shim's text is fixed; the paths reach it as environment variables, never spliced into code.
      writeFileSync(shim, '#!/bin/sh\nexec "$KOS_REAL_NODE" --cpu-prof "--cpu-prof-dir=$KOS_CPU_PROF_DIR" "--cpu-prof-interval=$KOS_CPU_PROF_INTERVAL" --require "$KOS_SIGNAL_EXIT" "$@"\n');
      chmodSync(shim, 0o755);
      const env = {
        ...process.env,
        ...options.env,
        KOS_REAL_NODE: process.execPath,
        KOS_CPU_PROF_DIR: outDir,
        KOS_CPU_PROF_INTERVAL: String(interval),
        KOS_SIGNAL_EXIT: signalExit,
        PATH: `${shimDir}:${process.env.PATH ?? ""}`,
      };
      outcome = await runChild(command.file, command.args, options, env);
    } finally {
      rmSync(shimDir, { recursive: true, force: true });
    }
  }
  rmSync(signalExit, { force: true });
  const profiles = readdirSync(outDir).filter((n) => n.endsWith(".cpuprofile")).map((n) => join(outDir, n));
  return { ...outcome, dir: outDir, profiles };
}

/**
 * Renders a `.cpuprofile` as a 0x flamegraph at `target`. Returns the path,
 * or undefined when 0x could not render it.
 */
export async function flamegraphFromCpuProfile(profilePath: string, target: string): Promise<string | undefined> {
  const scratch = mkdtempSync(join(tmpdir(), "kos-0x-"));
  try {
    const copy = join(scratch, "profile.cpuprofile");
    writeFileSync(copy, readFileSync(profilePath));
    const resultPath = join(scratch, "result.json");
    const job: ZeroXJob = { argv: [], outputDir: scratch, workingDir: scratch, resultPath, visualizeCpuProfile: copy };
    const runner = runnerPath();
    await runChild(process.execPath, [...runner.execArgv, runner.script, JSON.stringify(job)], { stdio: "pipe" }, process.env);
    if (!existsSync(resultPath)) return undefined;
    const result = JSON.parse(readFileSync(resultPath, "utf8")) as ZeroXResult;
    const html = result.ok && result.file && existsSync(result.file) ? result.file : findIn(scratch, /\.html$/);
    if (!html) return undefined;
    copyFileSync(html, target);
    return target;
  } catch {
    return undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The preload that profiles a node process from inside, through
 * `node:inspector` (node refuses `--cpu-prof` in NODE_OPTIONS, and launchers
 * such as tsx start node with process.execPath, past any PATH shim). Fixed
 * text: the output directory reaches it through the environment. The
 * inspector answers synchronously in-thread, so the profile is written in
 * the 'exit' handler.
 */
const PRELOAD_SOURCE = `"use strict";
const dir = process.env.KOS_CPU_PROF_DIR;
if (dir) {
  try {
    const { Session } = require("node:inspector");
    const { writeFileSync } = require("node:fs");
    const { join } = require("node:path");
    const session = new Session();
    session.connect();
    session.post("Profiler.enable");
    const interval = Number(process.env.KOS_CPU_PROF_INTERVAL);
    if (interval > 0) session.post("Profiler.setSamplingInterval", { interval });
    session.post("Profiler.start");
    // As SIGNAL_EXIT_SOURCE: node's default action on these signals skips the 'exit' handler below.
    for (const signal of ["SIGINT", "SIGHUP"]) {
      process.on(signal, function kosProfileSignalExit() {
        if (process.listenerCount(signal) > 1) return;
        process.exit(128 + require("node:os").constants.signals[signal]);
      });
    }
    process.on("exit", () => {
      session.post("Profiler.stop", (err, result) => {
        if (err || !result) return;
        const { threadId } = require("node:worker_threads");
        const name = "CPU." + Date.now() + ".0." + process.pid + "." + threadId + ".1.cpuprofile";
        try { writeFileSync(join(dir, name), JSON.stringify(result.profile)); } catch {}
      });
    });
  } catch {}
}
`;

/**
 * Runs any command (`tsx app.ts`, `npm run x`) with the profiler preload in
 * NODE_OPTIONS, so every node process it starts writes a `.cpuprofile` into
 * `dir` at exit.
 */
export async function runWithProfilerPreload(command: ResolvedCommand, dir: string, options: RunOptions = {}): Promise<CpuProfOutcome> {
  const outDir = resolve(dir);
  mkdirSync(outDir, { recursive: true });
  for (const old of readdirSync(outDir)) if (old.endsWith(".cpuprofile")) rmSync(join(outDir, old));
  const scratch = mkdtempSync(join(tmpdir(), "kos-preload-"));
  let outcome: RunOutcome;
  try {
    const preload = join(scratch, "kos-profiler-preload.cjs");
    writeFileSync(preload, PRELOAD_SOURCE);
    const quoted = /\s/.test(preload) ? JSON.stringify(preload) : preload;
    const env = {
      ...process.env,
      ...options.env,
      KOS_CPU_PROF_DIR: outDir,
      KOS_CPU_PROF_INTERVAL: String(options.samplingIntervalUs ?? PROFILE_INTERVAL_US),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${quoted}`.trim(),
    };
    outcome = command.kind === "node" ? await runChild(process.execPath, command.nodeArgs, options, env) : await runChild(command.file, command.args, options, env);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const profiles = readdirSync(outDir).filter((n) => n.endsWith(".cpuprofile")).map((n) => join(outDir, n));
  return { ...outcome, dir: outDir, profiles };
}
