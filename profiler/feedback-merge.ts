/**
 * Reading the tiering's feedback dump (`KOS_FEEDBACK_OUT`) and merging it
 * into sampled hot entries by `sourceHash`.
 */
import { readFileSync } from "node:fs";
import { KosError } from "../errors.js";
import type { FeedbackDump, FunctionFeedback } from "./profile-format.js";
import { settledInProfile, sourceHash, type HotEntry } from "./profile-file.js";
import { mergeStableArgs } from "./profile-merge.js";

/**
 * Reads a feedback dump; returns undefined when the file does not exist (the
 * program did not use `jit()`).
 * @throws KosError `KOS_FEEDBACK_INVALID` for a malformed file
 */
export function readFeedbackDump(path: string): FeedbackDump | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new KosError("KOS_FEEDBACK_INVALID", `cannot read feedback ${path}: ${(err as Error).message}`, { cause: err });
  }
  let value: any;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KosError("KOS_FEEDBACK_INVALID", `feedback ${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!value || value.version !== 1 || !Array.isArray(value.functions)) {
    throw new KosError("KOS_FEEDBACK_INVALID", `feedback ${path} is not a version-1 feedback dump`);
  }
  for (const f of value.functions) {
    if (!f || typeof f.sourceHash !== "string" || typeof f.calls !== "number" || !Array.isArray(f.args)) {
      throw new KosError("KOS_FEEDBACK_INVALID", `feedback ${path}: each function needs sourceHash, calls and args`);
    }
  }
  return value as FeedbackDump;
}

/**
 * Fills in the `sourceHash` of every function whose process left it to the reader (it carries its
 * `source` instead: feedback-record.ts), and drops that text: the dump is then what a process that
 * hashed would have written. Returns whether it changed anything.
 */
export function hashSources(dump: FeedbackDump): boolean {
  let changed = false;
  for (const f of dump.functions) {
    if (f.source === undefined) continue;
    if (!f.sourceHash) f.sourceHash = sourceHash(f.source);
    delete f.source;
    changed = true;
  }
  return changed;
}

/**
 * Adds calls, deopts and stable arguments to hot entries with the same
 * sourceHash. Several dumps (one per process) are summed. Entries without
 * feedback are returned unchanged.
 */
export function mergeFeedback(hot: HotEntry[], dumps: FeedbackDump[]): HotEntry[] {
  const byHash = new Map<string, FunctionFeedback[]>();
  for (const d of dumps) for (const f of d.functions) byHash.set(f.sourceHash, [...(byHash.get(f.sourceHash) ?? []), f]);
  return hot.map((e) => {
    const fb = e.sourceHash ? byHash.get(e.sourceHash) : undefined;
    if (!fb) return e;
    // With several processes, the compile figures of the busiest one: its profile saw the most calls.
    const busiest = fb.reduce((a, b) => (b.calls > a.calls ? b : a));
    // The feedback's cheap key (computed from the same text at run time) is what KOS_PROFILE matches by.
    const key = fb.find((f) => f.sourceKey)?.sourceKey;
    return {
      ...e,
      ...(key ? { sourceKey: key } : {}),
      calls: fb.reduce((s, f) => s + f.calls, 0),
      ...(fb.some((f) => f.collected) ? { callsAtLeast: true } : {}),
      deopts: fb.reduce((s, f) => s + (f.deopts ?? 0), 0),
      // Stable where every thread and process that called it saw it so, as for fleet profiles
      // (profile-merge.ts): the busiest one's alone made a constant of what another saw vary
      // (two workers calling with k = 5 and k = 6 gave "k constant", sweep35 repro-5).
      stableArgs: fb.length === 1 ? busiest.args.filter((a) => a.stability !== "varies") : mergeStableArgs(fb.map((f) => f.args.filter((a) => a.stability !== "varies"))),
      ...(busiest.compileMs !== undefined ? { compileMs: busiest.compileMs } : {}),
      ...(busiest.compileCpuMs !== undefined ? { compileCpuMs: busiest.compileCpuMs } : {}),
      ...(busiest.predictedCompileCpuMs !== undefined ? { predictedCompileCpuMs: busiest.predictedCompileCpuMs } : {}),
      ...(busiest.tier0UsPerCall !== undefined ? { tier0UsPerCall: busiest.tier0UsPerCall } : {}),
      ...(busiest.savedUsPerCall !== undefined ? { savedUsPerCall: busiest.savedUsPerCall } : {}),
      ...(busiest.callsAtCompile !== undefined ? { callsAtCompile: busiest.callsAtCompile } : {}),
    };
  });
}

/** The `file` of entries for wrapped functions that no sample caught (V8 inlined them into their callers). */
export const UNSAMPLED_FILE = "(inlined, not sampled)";

/**
 * Wrapped functions that got hot by calls but have no entry of their own: V8 inlined them
 * into their callers, so no sample names them (the DSP program's per-sample `shapeSample`,
 * 3.8 million calls). They get an entry with no samples, so that `KOS_PROFILE` can compile
 * them at their first call too (its cost model decides, from calls and times).
 */
export function addUnsampledWrapped(hot: HotEntry[], dumps: FeedbackDump[], minCalls: number): HotEntry[] {
  const known = new Set(hot.map((e) => e.sourceHash).filter(Boolean));
  const busiest = new Map<string, FunctionFeedback>();
  for (const d of dumps) for (const f of d.functions) if (!busiest.has(f.sourceHash) || f.calls > busiest.get(f.sourceHash)!.calls) busiest.set(f.sourceHash, f);
  const added: HotEntry[] = [];
  for (const [hash, f] of busiest) {
    if (known.has(hash) || f.calls < minCalls) continue;
    // A function the run settled on the original is kept too, with its reason, so that KOS_PROFILE
    // returns it as it is at jit(): without an entry it waited at tier 0 with kos's core loaded
    // (the rules program's `total`, 49,800 calls of 29 ns, settled as too short to gain).
    const settled = settledInProfile(f);
    if (f.fallbackReason && !settled) continue;
    const stableArgs = f.args.filter((a) => a.stability !== "varies");
    if (!stableArgs.length && !settled) continue;
    added.push({
      name: f.name, file: UNSAMPLED_FILE, line: 0, column: 0, selfPercent: 0, totalPercent: 0, selfSamples: 0, totalSamples: 0,
      sourceHash: hash, ...(f.sourceKey ? { sourceKey: f.sourceKey } : {}), calls: f.calls, ...(f.collected ? { callsAtLeast: true } : {}), deopts: f.deopts, stableArgs, tier: f.tier,
      ...(settled ? { fallbackReason: f.fallbackReason } : {}),
      ...(f.compileMs !== undefined ? { compileMs: f.compileMs } : {}),
      ...(f.compileCpuMs !== undefined ? { compileCpuMs: f.compileCpuMs } : {}),
      ...(f.predictedCompileCpuMs !== undefined ? { predictedCompileCpuMs: f.predictedCompileCpuMs } : {}),
      ...(f.tier0UsPerCall !== undefined ? { tier0UsPerCall: f.tier0UsPerCall } : {}),
      ...(f.savedUsPerCall !== undefined ? { savedUsPerCall: f.savedUsPerCall } : {}),
      ...(f.callsAtCompile !== undefined ? { callsAtCompile: f.callsAtCompile } : {}),
    });
  }
  return [...hot, ...added.sort((a, b) => b.calls! - a.calls!)];
}

/** kos's compiler names the code it generates `kos://<sanitized function name>.js`. */
const COMPILED_URL = /^kos:\/\/(.+)\.js$/;
const sanitize = (name: string) => (name || "anonymous").replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Once a function tiers up, its samples land in kos's compiled version
 * (`kos://name.js`), whose text hashes differently from the original. This
 * folds such entries into the original function's entry (found through the
 * feedback dump: same name, then its sourceHash), so the profile ranks the
 * user's function and `lookup(fn)` finds it. When the original has no entry of
 * its own, the compiled entry takes the original's sourceHash. Names matching
 * several tiered functions are left alone. Returns entries re-ranked by self samples.
 */
export function foldCompiledVersions(hot: HotEntry[], dumps: FeedbackDump[]): HotEntry[] {
  const byName = new Map<string, Set<string>>();
  const keyOf = new Map<string, string>();
  for (const d of dumps) {
    for (const f of d.functions) {
      byName.set(sanitize(f.name), (byName.get(sanitize(f.name)) ?? new Set()).add(f.sourceHash));
      if (f.sourceKey) keyOf.set(f.sourceHash, f.sourceKey);
    }
  }
  const result = hot.map((e) => ({ ...e }));
  const folded = new Set<HotEntry>();
  for (const e of result) {
    const m = COMPILED_URL.exec(e.file);
    const hashes = m ? byName.get(m[1]!) : undefined;
    if (!hashes || hashes.size !== 1) continue;
    const hash = [...hashes][0]!;
    const original = result.find((o) => o !== e && o.sourceHash === hash && !COMPILED_URL.test(o.file));
    if (!original) {
      e.sourceHash = hash;
      const key = keyOf.get(hash);
      if (key) e.sourceKey = key;
      else delete e.sourceKey;
      continue;
    }
    original.selfSamples += e.selfSamples;
    original.totalSamples += e.totalSamples;
    original.selfPercent = round2(Math.min(100, original.selfPercent + e.selfPercent));
    original.totalPercent = round2(Math.min(100, original.totalPercent + e.totalPercent));
    folded.add(e);
  }
  return result.filter((e) => !folded.has(e)).sort((a, b) => b.selfSamples - a.selfSamples || b.totalSamples - a.totalSamples);
}
