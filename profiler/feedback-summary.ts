/**
 * A tiered function's summary for the feedback record (feedback-record.ts, `kos profile`): its
 * calls and tier, what each argument's profile says, its compile's cost (measured, or predicted
 * when it never compiled), and the original's time per call at tier 0.
 */
import type { Dispatcher } from "../compiler/dispatcher.js";
import type { ArgumentProfile } from "./feedback.js";
import type { ProfileEntry } from "./profile-guided.js";
import { encodeValue, type ArgumentFeedback, type FunctionFeedback } from "./profile-format.js";
import { median } from "./call-times.js";

/** What a summary is made of, beside the function's dispatcher. */
export interface SummaryParts {
  /** The parameter names (null or missing: not a plain name; the summary says `arg<index>`). */
  names: Array<string | null>;
  sourceHash: string;
  sourceKey: string;
  profiles: ArgumentProfile[];
  receiver: ArgumentProfile | null;
  /** The compile's predicted CPU ms, the compiler's load excluded: asked only of a function that never compiled. */
  predictedCompileCpuMs: () => number;
  /** The share of its time a version of the function is bet to save (CompileCostModel.estimate of its source). */
  savedShare: number;
  /** Times (ms) of the calls in the warm window. */
  warmTimes: number[];
  /** Calls and sampled time at the first tier-up. */
  tier0Calls: number;
  tier0Ms: number;
  /** In a profiling run, the first version's last timing window against the original (ms a call, verify-gain.ts). */
  timedGain?: { versionMs: number; originalMs: number } | null;
  /**
   * The profile entry that decided the function at its first call, in a run with KOS_PROFILE: the
   * function was never profiled at tier 0 (it compiled at once, or settled), so its arguments and
   * the original's time per call are the entry's. From its one call, a varying argument read as
   * "constant", and a profile of that run deoptimized 256 times (sweep35 repro-8).
   */
  carried?: ProfileEntry;
}

function describe(p: ArgumentProfile, index: number, name: string): ArgumentFeedback {
  const stability = p.stability === "unseen" ? "varies" : p.stability;
  const a: ArgumentFeedback = { index, name, stability };
  if (stability === "constant") {
    // A constant object cannot travel in a file: the profile says "constant", and a
    // profile-guided run speculates on the object its first call passes.
    const encoded = encodeValue(p.constantValue);
    if (encoded !== undefined) a.value = encoded;
  }
  if (stability !== "varies") a.type = p.typeTag;
  return a;
}

export function summarize(d: Dispatcher, parts: SummaryParts): FunctionFeedback {
  const { names, warmTimes, tier0Calls, tier0Ms } = parts;
  const out: FunctionFeedback = {
    name: d.name,
    sourceHash: parts.sourceHash,
    sourceKey: parts.sourceKey,
    calls: d.calls,
    deopts: d.deopts,
    tier: d.tier === "fallback" ? 0 : d.tier,
    versions: d.versions.length,
    fallbackReason: d.fallbackReason,
    args: parts.profiles.map((p, index) => describe(p, index, names[index] ?? `arg${index}`)),
    savedShare: parts.savedShare,
  };
  if (parts.receiver) out.receiver = describe(parts.receiver, -1, "this");
  const carried = parts.carried?.stableArgs;
  if (carried) {
    // A constant whose version missed its guards in this run is one no longer: its type is kept.
    const arg = (a: ArgumentFeedback): ArgumentFeedback =>
      d.deopts > 0 && a.stability === "constant" ? { index: a.index, name: a.name, stability: "type", ...(a.type !== undefined ? { type: a.type } : {}) } : { ...a };
    out.args = names.map((name, index): ArgumentFeedback => {
      const a = carried.find((c) => c.index === index);
      return a ? arg(a) : { index, name: name ?? `arg${index}`, stability: "varies" };
    });
    const self = carried.find((c) => c.index === -1);
    if (self) out.receiver = arg(self);
    else delete out.receiver;
  }
  if (d.compileTimeMs > 0) out.compileMs = Math.round(d.compileTimeMs * 100) / 100;
  if (d.compileCpuMs > 0) out.compileCpuMs = Math.round(d.compileCpuMs * 100) / 100;
  else if (d.versions.length === 0 && !d.fallbackReason) {
    out.predictedCompileCpuMs = Math.round(parts.predictedCompileCpuMs() * 100) / 100;
  }
  if (warmTimes.length >= 16) {
    out.tier0UsPerCall = Math.round(median(warmTimes) * 1e6) / 1000;
  } else if (tier0Calls > 0 && tier0Ms > 0) {
    // Hot by time before the warm window: the sampled mean over tier 0 (colder, so higher).
    out.tier0UsPerCall = Math.round((tier0Ms / tier0Calls) * 1e6) / 1000;
  } else if (parts.carried?.tier0UsPerCall !== undefined) {
    out.tier0UsPerCall = parts.carried.tier0UsPerCall;
  }
  const gain = parts.timedGain;
  if (gain) {
    out.savedUsPerCall = Math.round((gain.originalMs - gain.versionMs) * 1e6) / 1000;
    if (tier0Calls > 0) out.callsAtCompile = tier0Calls;
  } else if (parts.carried?.savedUsPerCall !== undefined) {
    out.savedUsPerCall = parts.carried.savedUsPerCall;
  }
  return out;
}
