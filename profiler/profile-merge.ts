/**
 * Fleet profiles: several `kos-profile.json` files (from many processes or
 * machines) merged into one, the way Go's PGO takes merged production
 * profiles. `KOS_PROFILE` and `kos build --profile` accept a list
 * (comma- or OS-path-delimiter-separated, or a repeated flag).
 *
 * Entries are the same function when they share a sourceHash (else name,
 * file, line and column). Samples and calls add up and percentages are
 * recomputed over all samples. An argument stays stable only where every
 * profile that saw the function agrees: one constant everywhere stays a
 * constant; constants that differ but share a type become that type;
 * anything else varies (and is left out).
 */
import { delimiter } from "node:path";
import type { ArgumentFeedback } from "./profile-format.js";
import type { HotEntry, KosProfile } from "./profile-file.js";

/** Splits a profile list: commas, and the OS path delimiter (`:` on POSIX, `;` on Windows). */
export function splitProfileList(list: string | string[]): string[] {
  const parts = Array.isArray(list) ? list : [list];
  return parts
    .flatMap((p) => p.split(","))
    .flatMap((p) => (delimiter === ":" && /^[A-Za-z]:[\\/]/.test(p) ? [p] : p.split(delimiter)))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

const keyOf = (e: HotEntry) => e.sourceHash ?? `${e.name}\u0000${e.file}:${e.line}:${e.column}`;
const round2 = (n: number) => Math.round(n * 100) / 100;

function sameValue(a: ArgumentFeedback["value"], b: ArgumentFeedback["value"]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Merges stable-argument lists that describe the same function in different processes. */
export function mergeStableArgs(lists: ArgumentFeedback[][]): ArgumentFeedback[] {
  const byIndex = new Map<number, ArgumentFeedback[]>();
  for (const list of lists) for (const a of list) byIndex.set(a.index, [...(byIndex.get(a.index) ?? []), a]);
  const out: ArgumentFeedback[] = [];
  for (const [index, seen] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    // A profile that saw the function but not this argument as stable: it varied there.
    if (seen.length < lists.length) continue;
    const first = seen[0]!;
    if (seen.every((a) => a.stability === "constant" && sameValue(a.value, first.value) && a.type === first.type)) {
      out.push({ ...first });
    } else if (first.type !== undefined && seen.every((a) => a.stability !== "varies" && a.type === first.type)) {
      out.push({ index, name: first.name, stability: seen.every((a) => a.stability === "shape") ? "shape" : "type", type: first.type });
    }
  }
  return out;
}

/** Merges profiles into one. The first profile's command and source stand for all. */
export function mergeProfiles(profiles: KosProfile[]): KosProfile {
  if (profiles.length === 1) return profiles[0]!;
  const totalSamples = profiles.reduce((s, p) => s + p.totalSamples, 0);
  const merged = new Map<string, { entry: HotEntry; args: ArgumentFeedback[][]; outcomes: HotEntry[] }>();
  for (const p of profiles) {
    for (const e of p.hot) {
      const k = keyOf(e);
      const m = merged.get(k);
      if (!m) {
        // A verdict held for its own file alone (profile-verdicts.ts): the merged profile is decided anew.
        const { settle: _settle, ...entry } = e;
        merged.set(k, { entry, args: e.stableArgs || e.calls !== undefined ? [e.stableArgs ?? []] : [], outcomes: [e] });
        continue;
      }
      m.outcomes.push(e);
      const t = m.entry;
      t.selfSamples += e.selfSamples;
      t.totalSamples += e.totalSamples;
      if (e.calls !== undefined) t.calls = (t.calls ?? 0) + e.calls;
      // A sum with one lower bound in it is one too.
      if (e.callsAtLeast) t.callsAtLeast = true;
      if (e.deopts !== undefined) t.deopts = (t.deopts ?? 0) + e.deopts;
      // The costlier compile and the slower original: the merged profile decides cautiously.
      if (e.compileMs !== undefined) t.compileMs = Math.max(t.compileMs ?? 0, e.compileMs);
      if (e.compileCpuMs !== undefined) t.compileCpuMs = Math.max(t.compileCpuMs ?? 0, e.compileCpuMs);
      if (e.predictedCompileCpuMs !== undefined) t.predictedCompileCpuMs = Math.max(t.predictedCompileCpuMs ?? 0, e.predictedCompileCpuMs);
      if (e.tier0UsPerCall !== undefined) t.tier0UsPerCall = t.tier0UsPerCall === undefined ? e.tier0UsPerCall : Math.min(t.tier0UsPerCall, e.tier0UsPerCall);
      // The smaller saving, as the slower original: cautious. The calls at compile go with the sum of calls no longer.
      if (e.savedUsPerCall !== undefined) t.savedUsPerCall = t.savedUsPerCall === undefined ? e.savedUsPerCall : Math.min(t.savedUsPerCall, e.savedUsPerCall);
      delete t.callsAtCompile;
      if (e.stableArgs || e.calls !== undefined) m.args.push(e.stableArgs ?? []);
    }
  }
  const hot = [...merged.values()].map(({ entry, args, outcomes }) => {
    if (outcomes.length > 1) mergeOutcome(entry, outcomes);
    entry.selfPercent = round2(totalSamples ? (100 * entry.selfSamples) / totalSamples : 0);
    entry.totalPercent = round2(totalSamples ? (100 * entry.totalSamples) / totalSamples : 0);
    if (args.length) entry.stableArgs = mergeStableArgs(args);
    return entry;
  });
  hot.sort((a, b) => b.selfSamples - a.selfSamples || b.totalSamples - a.totalSamples);
  const { verdictModel: _model, ...first } = profiles[0]!;
  return {
    ...first,
    durationMs: profiles.reduce((s, p) => s + p.durationMs, 0),
    totalSamples,
    flamegraph: profiles.length === 1 ? profiles[0]!.flamegraph : null,
    hot,
  };
}

/**
 * Where the runs left a function, the same whatever the order of the profiles: compiled if any run
 * compiled it (the highest tier), settled on the original only if every run that recorded it did,
 * with the reason of the run that called it most (ties: the first reason in sort order). The first
 * profile's tier and reason had stood for all: `KOS_PROFILE=a,b` settled a function that
 * `KOS_PROFILE=b,a` compiled (sweep35 repro-7).
 */
function mergeOutcome(entry: HotEntry, outcomes: HotEntry[]): void {
  const recorded = outcomes.filter((e) => e.tier !== undefined || e.fallbackReason);
  if (recorded.length === 0) return;
  const compiled = recorded.filter((e) => (e.tier ?? 0) > 0);
  if (compiled.length > 0) {
    entry.tier = Math.max(...compiled.map((e) => e.tier!));
    delete entry.fallbackReason;
    return;
  }
  entry.tier = Math.max(...recorded.map((e) => e.tier ?? 0));
  const reasons = recorded.filter((e) => e.fallbackReason);
  if (reasons.length === 0 || reasons.length < recorded.length) {
    delete entry.fallbackReason;
    return;
  }
  reasons.sort((a, b) => (b.calls ?? 0) - (a.calls ?? 0) || (a.fallbackReason! < b.fallbackReason! ? -1 : a.fallbackReason! > b.fallbackReason! ? 1 : 0));
  entry.fallbackReason = reasons[0]!.fallbackReason!;
}
