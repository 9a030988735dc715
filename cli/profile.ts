/**
 * `kos profile [--out DIR] [--top N] [--interval US] [--workers] -- <command...>`
 *
 * Runs a program under `node --cpu-prof` (every thread; launchers such as
 * tsx through a NODE_OPTIONS preload), writes kos-profile.json,
 * profile.cpuprofile, profile.pb.gz and flamegraph.html into DIR, and prints
 * the hottest functions and every function wrapped in `jit()`.
 */
import { constants } from "node:os";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { KosError } from "../errors.js";
import { PROFILE_INTERVAL_US } from "../profiler/flame.js";
import { profileCommand, type ProfileCommandResult } from "../profiler/profile-run.js";
import { decodeValue, type ArgumentFeedback, type FunctionFeedback } from "../profiler/profile-format.js";

const USAGE = `usage: kos profile [--out DIR] [--top N] [--interval US] [--include-internals] [--progress-every S] -- <command...>
  --out DIR            where the profile files go (default ./kos-profile-out):
                       kos-profile.json, profile.cpuprofile (DevTools, speedscope),
                       profile.pb.gz (pprof), flamegraph.html
  --top N, -n N        how many functions to print (default 15)
  --interval US        microseconds between samples (default ${PROFILE_INTERVAL_US}; node's own is 1000):
                       smaller sees more of a short run, and slows it more
  --include-internals  keep node's own internals (node:...) in the list
  --progress-every S   seconds between progress lines on stderr (default 5)
  --workers            accepted for compatibility: every thread is always profiled
  --help, -h           this text
The command may be a node script (app.js), node with flags, or any launcher
(tsx src/main.ts, npm run job): launchers are profiled through NODE_OPTIONS.
examples:
  kos profile -- node app.js --port 0
  kos profile --top 5 -- tsx src/main.ts`;

interface ProfileArgs {
  outDir?: string;
  top: number;
  workers: boolean;
  includeInternals: boolean;
  progressEveryMs: number;
  /** Microseconds between samples; undefined: the default (PROFILE_INTERVAL_US). */
  intervalUs?: number;
  command: string[];
  help: boolean;
}

const OPTIONS = {
  out: { type: "string" },
  top: { type: "string", short: "n" },
  workers: { type: "boolean" },
  "include-internals": { type: "boolean" },
  "progress-every": { type: "string" },
  interval: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
const TAKES_VALUE = new Set(["--out", "--top", "-n", "--progress-every", "--interval"]);

/** Parses the arguments after `kos profile` (node:util parseArgs). @throws KosError `KOS_PROFILE_USAGE` */
export function parseProfileArgs(argv: string[]): ProfileArgs {
  // kos's options come first; the command starts after `--`, or at the first plain word.
  let split = argv.indexOf("--");
  let command: string[] = [];
  if (split >= 0) command = argv.slice(split + 1);
  else {
    split = argv.length;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (!a.startsWith("-")) {
        split = i;
        command = argv.slice(i);
        break;
      }
      if (TAKES_VALUE.has(a)) i++;
    }
  }
  let values: { out?: string; top?: string; workers?: boolean; "include-internals"?: boolean; "progress-every"?: string; interval?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv.slice(0, split), options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    throw new KosError("KOS_PROFILE_USAGE", `${(e as Error).message}\n${USAGE}`);
  }
  const args: ProfileArgs = { top: 15, workers: !!values.workers, includeInternals: !!values["include-internals"], progressEveryMs: 5000, command, help: !!values.help };
  if (values.out !== undefined) args.outDir = values.out;
  if (values.top !== undefined) {
    const n = Number(values.top);
    if (!/^\d+$/.test(values.top.trim()) || !Number.isInteger(n) || n < 1) throw new KosError("KOS_PROFILE_USAGE", `--top must be a positive integer, got '${values.top}'\n${USAGE}`);
    args.top = n;
  }
  if (values["progress-every"] !== undefined) {
    const sec = Number(values["progress-every"]);
    if (values["progress-every"].trim() === "" || !Number.isFinite(sec) || sec <= 0) throw new KosError("KOS_PROFILE_USAGE", `--progress-every must be a positive number of seconds, got '${values["progress-every"]}'\n${USAGE}`);
    args.progressEveryMs = Math.max(100, sec * 1000);
  }
  if (values.interval !== undefined) {
    // V8 takes an integer of microseconds; 1 s is far past any use (a run shorter than it gets no sample).
    const us = Number(values.interval);
    if (!/^\d+$/.test(values.interval.trim()) || !Number.isSafeInteger(us) || us < 1 || us > 1_000_000) throw new KosError("KOS_PROFILE_USAGE", `--interval must be a whole number of microseconds from 1 to 1000000, got '${values.interval}'\n${USAGE}`);
    args.intervalUs = us;
  }
  if (!args.help && args.command.length === 0) throw new KosError("KOS_PROFILE_USAGE", `no command given\n${USAGE}`);
  return args;
}

function describeArg(a: ArgumentFeedback): string {
  if (a.stability === "constant" && a.value !== undefined) {
    const v = decodeValue(a.value);
    const shown = typeof v === "string" ? JSON.stringify(v.length > 12 ? v.slice(0, 12) + "…" : v) : typeof v === "bigint" ? `${v}n` : Object.is(v, -0) ? "-0" : String(v);
    return `${a.name}=${shown}`;
  }
  if (a.stability === "shape") return `${a.name}:shape`;
  return `${a.name}:${a.type ?? a.stability}`;
}

/** A path relative to cwd when it is under cwd, else as given. */
function shortPath(path: string, cwd = process.cwd()): string {
  if (!path.startsWith("/")) return path;
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

const shorten = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

/** Every function the program wrapped in `jit()`: calls, tier, fallback reason (busiest first). */
export function formatWrappedTable(wrapped: FunctionFeedback[]): string {
  const byName = new Map<string, FunctionFeedback>();
  for (const f of wrapped) {
    const k = `${f.name}\u0000${f.sourceHash}`;
    const seen = byName.get(k);
    byName.set(k, seen ? { ...seen, calls: seen.calls + f.calls, deopts: seen.deopts + f.deopts, ...(seen.collected || f.collected ? { collected: true } : {}) } : f);
  }
  const rows = [...byName.values()].sort((a, b) => b.calls - a.calls).map((f) => [
    f.name || "(anonymous)",
    // "≥": the program dropped the function before exit; its count is that of its last summary.
    f.collected ? `≥${f.calls}` : String(f.calls),
    f.fallbackReason ? "generic" : String(f.tier),
    String(f.versions ?? (f.tier === 1 ? 1 : 0)),
    String(f.deopts),
    f.compileMs === undefined ? "-" : f.compileMs.toFixed(1),
    // "~": not compiled in this run; what the tiering's cost model predicted a compile would cost.
    f.compileCpuMs !== undefined ? f.compileCpuMs.toFixed(1) : f.predictedCompileCpuMs !== undefined ? `~${f.predictedCompileCpuMs.toFixed(1)}` : "-",
    f.tier0UsPerCall === undefined ? "-" : f.tier0UsPerCall.toFixed(3),
    f.fallbackReason ? shorten(f.fallbackReason, 90) : "-",
  ]);
  const header = ["wrapped function", "calls", "tier", "versions", "deopts", "compile ms", "compile CPU ms", "µs/call before", "fallback reason"];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const right = new Set([1, 3, 4, 5, 6, 7]);
  const line = (r: string[]) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd();
  const lines = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  if (rows.some((r) => r[6]!.startsWith("~"))) lines.push("~ not compiled in this run (the compile did not pay yet): the cost kos predicts for it");
  if (rows.some((r) => r[1]!.startsWith("≥"))) lines.push("≥ the program dropped the function before it exited: the calls counted until kos last summarized it");
  return lines.join("\n");
}

/** The ranked table `kos profile` prints. */
export function formatHotTable(result: ProfileCommandResult, top: number, cwd = process.cwd()): string {
  const rows = result.profile.hot.slice(0, top).map((e, i) => {
    const file = shortPath(e.file, cwd);
    return [
      String(i + 1),
      e.name || "(anonymous)",
      e.line > 0 ? `${file}:${e.line}` : file,
      e.selfPercent.toFixed(1),
      e.totalPercent.toFixed(1),
      String(e.selfSamples),
      e.calls === undefined ? "-" : String(e.calls),
      e.tier === undefined ? "-" : e.fallbackReason ? "generic" : String(e.tier),
      e.stableArgs?.length ? e.stableArgs.map(describeArg).join(", ") : "-",
      e.fallbackReason ? shorten(e.fallbackReason, 60) : "-",
    ];
  });
  const header = ["#", "function", "file:line", "self %", "total %", "samples", "calls", "tier", "stable args", "fallback"];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const right = new Set([0, 3, 4, 5, 6, 7]);
  const line = (r: string[]) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  let args: ProfileArgs;
  try {
    args = parseProfileArgs(argv);
  } catch (err) {
    console.error(`kos profile: ${(err as Error).message}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const say = (m: string) => console.error(`kos profile: ${m}`);
  // Ctrl-C reaches the program too (same process group); kos stays alive to
  // build the profile from what already ran.
  const onInterrupt = () => say("interrupted: stopping the program and building the profile from what ran (Ctrl-C again to quit)");
  process.once("SIGINT", onInterrupt);
  let result: ProfileCommandResult;
  const started = performance.now();
  try {
    result = await profileCommand(args.command, {
      ...(args.outDir ? { outDir: args.outDir } : {}),
      includeInternals: args.includeInternals,
      // Said once the command has started: stderr's first write was 2.2 ms of the 15 ms before it.
      onStart: () => say(`profiling ${args.command.join(" ")}`),
      onProgress: say,
      progressEveryMs: args.progressEveryMs,
      ...(args.intervalUs !== undefined ? { samplingIntervalUs: args.intervalUs } : {}),
    });
  } catch (err) {
    const e = err as KosError & { exitCode?: number | null; signal?: NodeJS.Signals; result?: ProfileCommandResult };
    console.error(`kos profile: ${e.code ? `[${e.code}] ` : ""}${e.message}`);
    if (e.code !== "KOS_PROFILE_COMMAND_FAILED") return e.code === "KOS_PROFILE_USAGE" ? 2 : 1;
    // The program's own failure: the profile of what ran, then its status, as a shell gives it
    // (128 + the signal's number for a signal: 143 for SIGTERM, where kos said 1; sweep35).
    if (e.result) report(e.result, performance.now() - started, args.top);
    if (typeof e.exitCode === "number" && e.exitCode > 0) return e.exitCode;
    const number = e.signal ? constants.signals[e.signal] : undefined;
    return number ? 128 + number : 1;
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
  report(result, performance.now() - started, args.top);
  return 0;
}

/** What `kos profile` prints once the profile is written. */
function report(result: ProfileCommandResult, totalMs: number, top: number): void {
  const p = result.profile;
  console.log(`kos profile: ${p.command.join(" ")}`);
  // The way the samples were taken, once: `node --cpu-prof`, or the preload a command that is not a node script gets.
  console.log(`${p.totalSamples} samples spanning ${(p.durationMs / 1000).toFixed(1)} s, ` + (result.fallbackReason ? `profiled with node:inspector (${result.fallbackReason})` : "from node --cpu-prof (every thread)"));
  console.log(`cost: the command took ${(result.wallMs / 1000).toFixed(2)} s under the profiler; analysis and files took ${((totalMs - result.wallMs) / 1000).toFixed(2)} s more`);
  console.log("");
  if (p.hot.length === 0) console.log("(no functions of the program itself were sampled; try --include-internals)");
  else console.log(formatHotTable(result, top));
  if (result.wrapped.length) {
    console.log("");
    console.log(formatWrappedTable(result.wrapped));
  }
  console.log("");
  console.log(`profile:    ${shortPath(result.profilePath)}`);
  console.log(`cpuprofile: ${shortPath(result.cpuprofilePath)}  (Chrome DevTools, speedscope)`);
  console.log(`pprof:      ${shortPath(result.pprofPath)}  (go tool pprof, Pyroscope, Grafana)`);
  console.log(`flamegraph: ${p.flamegraph ? shortPath(p.flamegraph) : "(not produced)"}`);
}
