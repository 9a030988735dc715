/**
 * `kos profile [--out DIR] [--top N] [--workers] -- <command...>`
 *
 * Runs a program under 0x (falling back to `node --cpu-prof` for worker
 * threads and non-node commands), writes flamegraph.html and
 * kos-profile.json into DIR, and prints the hottest functions.
 */
import { relative } from "node:path";
import { KosError } from "../errors.js";
import { profileCommand, type ProfileCommandResult } from "../profiler/profile-run.js";
import { decodeValue, type ArgumentFeedback } from "../profiler/profile-format.js";

const USAGE = `usage: kos profile [--out DIR] [--top N] [--workers] [--include-internals] -- <command...>
  --out DIR            where flamegraph.html and kos-profile.json go (default ./kos-profile-out)
  --top N              how many functions to print (default 15)
  --workers            the program uses worker threads: profile every thread with node --cpu-prof
  --include-internals  keep node's own internals (node:...) in the list
  --progress-every S   seconds between progress lines on stderr (default 5)
examples:
  kos profile -- node app.js --port 0
  kos profile --top 5 -- app.js`;

interface ProfileArgs {
  outDir?: string;
  top: number;
  workers: boolean;
  includeInternals: boolean;
  progressEveryMs: number;
  command: string[];
}

/** Parses the arguments after `kos profile`. @throws KosError `KOS_PROFILE_USAGE` */
export function parseProfileArgs(argv: string[]): ProfileArgs {
  const args: ProfileArgs = { top: 15, workers: false, includeInternals: false, progressEveryMs: 5000, command: [] };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v === "--") throw new KosError("KOS_PROFILE_USAGE", `${flag} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      args.command = argv.slice(i + 1);
      break;
    }
    if (a === "--out") args.outDir = value(i++, a);
    else if (a === "--top" || a === "-n") {
      const n = Number(value(i++, a));
      if (!Number.isInteger(n) || n < 1) throw new KosError("KOS_PROFILE_USAGE", `--top must be a positive integer\n${USAGE}`);
      args.top = n;
    } else if (a === "--progress-every") args.progressEveryMs = Math.max(100, Number(value(i++, a)) * 1000 || 5000);
    else if (a === "--workers") args.workers = true;
    else if (a === "--include-internals") args.includeInternals = true;
    else if (a.startsWith("-")) throw new KosError("KOS_PROFILE_USAGE", `unknown option ${a}\n${USAGE}`);
    else {
      // No `--`: the first plain word starts the command.
      args.command = argv.slice(i);
      break;
    }
  }
  if (args.command.length === 0) throw new KosError("KOS_PROFILE_USAGE", `no command given\n${USAGE}`);
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
      e.stableArgs?.length ? e.stableArgs.map(describeArg).join(", ") : "-",
    ];
  });
  const header = ["#", "function", "file:line", "self %", "total %", "samples", "calls", "stable args"];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const right = new Set([0, 3, 4, 5, 6]);
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
  const say = (m: string) => console.error(`kos profile: ${m}`);
  say(`profiling ${args.command.join(" ")}`);
  // Ctrl-C reaches the program too (same process group); 0x's preload makes it
  // exit cleanly. kos stays alive to build the profile from what already ran.
  const onInterrupt = () => say("interrupted: stopping the program and building the profile from what ran (Ctrl-C again to quit)");
  process.once("SIGINT", onInterrupt);
  let result: ProfileCommandResult;
  try {
    result = await profileCommand(args.command, {
      ...(args.outDir ? { outDir: args.outDir } : {}),
      workers: args.workers,
      includeInternals: args.includeInternals,
      onProgress: say,
      progressEveryMs: args.progressEveryMs,
    });
  } catch (err) {
    const e = err as KosError & { exitCode?: number | null };
    console.error(`kos profile: ${e.code ? `[${e.code}] ` : ""}${e.message}`);
    if (e.code === "KOS_PROFILE_COMMAND_FAILED" && typeof e.exitCode === "number" && e.exitCode > 0) return e.exitCode;
    return e.code === "KOS_PROFILE_USAGE" ? 2 : 1;
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
  const p = result.profile;
  const seconds = (p.durationMs / 1000).toFixed(1);
  console.log(`kos profile: ${p.command.join(" ")}`);
  console.log(`${p.totalSamples} samples spanning ${seconds} s, from ${p.source === "0x" ? "0x" : "node --cpu-prof (every thread)"}` + (result.fallbackReason ? ` (${result.fallbackReason})` : ""));
  console.log("");
  if (p.hot.length === 0) console.log("(no functions of the program itself were sampled; try --include-internals)");
  else console.log(formatHotTable(result, args.top));
  console.log("");
  console.log(`profile:    ${shortPath(result.profilePath)}`);
  console.log(`flamegraph: ${p.flamegraph ? shortPath(p.flamegraph) : "(not produced)"}`);
  return 0;
}
