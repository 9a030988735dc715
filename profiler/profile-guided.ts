/**
 * What a loaded profile's entry says to tiering: the stable arguments a function compiles on at its
 * first call, or why a compile cannot pay over a run like the profiled one (then the function
 * settles on the original).
 */
import type { SourceEstimate } from "./compile-cost.js";
import { CLOSURE_ONLY_SAVED_SHARE } from "./saved-shares.js";
import type { ArgumentFeedback } from "./profile-format.js";
import { settledInProfile } from "./profile-schema.js";

export type ProfileEntry = { stableArgs?: ArgumentFeedback[]; calls?: number; callsAtLeast?: boolean; runMs?: number; compileMs?: number; compileCpuMs?: number; predictedCompileCpuMs?: number; tier0UsPerCall?: number; savedUsPerCall?: number; callsAtCompile?: number; tier?: number; fallbackReason?: string | null };

// Profile entries tiering acts on: those with stable arguments, and those the profiled run settled.
export const STABLE_ONLY = { stableOnly: true } as const;

// A profile entry compiles at the first call only when the CPU time compiling took in the
// profiled run is below the share of the time the original would take over the same calls
// (calls × its sampled time per call) that its version is bet to save (compile-cost.ts: half
// for a function with callees kos had not seen, 0.8 for a self-contained one). Programs made of library interpreters
// (bench/programs/rules.ts) gained 2-3× per call but spent 100-150 ms compiling plus about as
// much CPU in V8's threads, which a 0.4 s run never won back; kernels
// (bench/programs/dsp.ts: fir) compile in 10-20 ms and save 80%. Profiles written before
// compileCpuMs existed carry wall time only, counted twice (cold compiles cost 1.8× their
// wall time in CPU).
const WALL_TO_CPU = 2;

/**
 * How many times its cost a compile at the first call must be bet (or measured: measuredSavingMs)
 * to save. Both sides are estimates: the saved share is a bet on the source (compile-cost.ts), and a cold first compile
 * cost 45-92 ms of CPU where 47-53 were predicted. The life program (bench/programs/life.ts)
 * compiled its neighbour count, bet to save 104 ms against 53, and its integrator, 86 against
 * 31: they saved about 40 ms of its 310 ms for about 80 ms of compiling, and the run took
 * 0.89x no kos in CPU time (and 1.09x at four times the work). The DSP program's FIR, bet to save
 * 166 ms against 49, runs 1.4x no kos.
 */
const PROFILE_MARGIN = 2;

const thinBet = (cost: number, saved: number) => (saved >= cost ? `, less than ${PROFILE_MARGIN} times its cost` : "");

/**
 * What the version the profiled run timed against the original (FunctionFeedback.savedUsPerCall)
 * saves over a run like that one, in ms; undefined where it timed none. Measured, it replaces the
 * bet on the source's share: the life program's integrator (bench/programs/life.ts) was bet to
 * save 80% of its 134-158 ms, and its version, its config object unfrozen and every read of it
 * kept, ran no faster; its neighbour count, at the margin on the bet, saves 60%. The saving a call
 * times calls is bounded by the original's samples in the run (a version saves at most the time
 * the function takes): timed at its entry, a call V8 would inline costs the clock's path more.
 */
export function measuredSavingMs(entry: ProfileEntry): number | undefined {
  const { calls, savedUsPerCall } = entry;
  if (savedUsPerCall === undefined || calls === undefined || entry.callsAtLeast) return undefined;
  const timed = Math.max(0, (calls * savedUsPerCall) / 1000);
  return entry.runMs === undefined ? timed : Math.min(timed, originalRunMs(entry, entry.runMs, calls));
}

/**
 * The original's time over all the profiled run's calls, from its samples (`runMs`): where that run
 * compiled it, the samples of the original cover its calls before the compile (its version's are
 * under their own `kos://` frames).
 */
function originalRunMs(entry: ProfileEntry, runMs: number, calls: number): number {
  return entry.tier && entry.callsAtCompile ? (runMs * calls) / entry.callsAtCompile : runMs;
}

/** A profile of a run that itself used a profile says so once, not once per generation. */
const SETTLED_BY_PROFILE = "the profiled run settled it on the original: ";

/**
 * The share a profile-guided version is bet to save: as for any version of this source, or the
 * closure-only share where the profiled run saw no constant argument (a stable type alone: the
 * version folds only what its closure holds). At the function's share, the documents program's
 * `validate` (bench/programs/documents.ts) compiled at its first call and the run took 0.90× no
 * kos in CPU time.
 */
export function profileShare(entry: ProfileEntry, estimate: Pick<SourceEstimate, "savedShare">): number {
  return entry.stableArgs?.some((a) => a.stability === "constant") ? estimate.savedShare : CLOSURE_ONLY_SAVED_SHARE;
}

/**
 * Why a profile entry says a compile cannot pay over a run like the profiled one; null when it can (or cannot tell).
 * `pendingLoadMs`: the CPU ms this process's first compile adds to load the compiler (CompileCostModel.pendingLoadMs).
 */
export function profileSaysGeneric(entry: ProfileEntry, savedShare: number, pendingLoadMs: number): string | null {
  // The profiled run settled it on the original (too short to gain, slower compiled, a compile that
  // failed, out of versions): compiling it at the first call would undo what that run measured.
  if (settledInProfile(entry)) {
    const reason = entry.fallbackReason!;
    return reason.startsWith(SETTLED_BY_PROFILE) ? reason : `${SETTLED_BY_PROFILE}${reason}`;
  }
  const { calls, compileMs, compileCpuMs, tier0UsPerCall } = entry;
  const { predictedCompileCpuMs } = entry;
  const recordedCost = compileCpuMs ?? (compileMs === undefined ? predictedCompileCpuMs : compileMs * WALL_TO_CPU);
  // The profiled run's first compile paid for loading the compiler; this run's first one will too, whichever it is.
  const cost = recordedCost === undefined ? undefined : recordedCost + pendingLoadMs;
  if (cost === undefined) return null;
  const measured = measuredSavingMs(entry);
  if (measured !== undefined) {
    if (cost * PROFILE_MARGIN <= measured) return null;
    return `the profiled run timed its version at ${entry.savedUsPerCall!.toFixed(3)} µs a call faster than the original: at most ${measured.toFixed(1)} ms saved over ${calls} calls against a compile of ${cost.toFixed(1)} ms of CPU${thinBet(cost, measured)}`;
  }
  if (calls !== undefined && tier0UsPerCall !== undefined && !entry.callsAtLeast) {
    // Where the profiled run did not compile it, its samples bound what a version can save: tier 0
    // times calls through its own path, where V8 does not inline the function, and a kernel V8
    // inlines into its caller takes far less where the program runs it. The DSP program's
    // shapeSample, 3.84 million calls timed at 0.083 µs (319 ms), had 10 ms of samples in a 428 ms
    // run; the life program's integrate, 454 ms timed, 108 ms of samples, and compiled at its first
    // call with its neighbour count, that run took 0.90x no kos (bench/programs). A function the
    // profiled run compiled has samples of its version, and keeps its timed calls.
    const timedMs = (calls * tier0UsPerCall) / 1000;
    const ownMs = !entry.tier && entry.runMs !== undefined ? Math.min(timedMs, entry.runMs) : timedMs;
    const saved = ownMs * savedShare;
    if (cost * PROFILE_MARGIN <= saved) return null;
    return `the profile says compiling costs ${cost.toFixed(1)} ms of CPU against at most ${saved.toFixed(1)} ms saved over ${calls} calls${ownMs < timedMs ? ` (its ${ownMs.toFixed(1)} ms of samples in the profiled run)` : ""}${thinBet(cost, saved)}`;
  }
  // A count that is a lower bound (the program dropped the function; `≥N` in the table) says nothing
  // of what a compile can save: a script's top-level `const f = jit(g)` compiled in the profiled run
  // was recorded with 4,736-7,051 of its 40,000 calls (its count frozen at its last change of tier),
  // and KOS_PROFILE then settled it on the original (sweep35 repro-11). A function the profiled run
  // compiled is trusted to that run's own decision where that run timed no version of it (a profile
  // written before savedUsPerCall; with one, measuredSavingMs decided above).
  if (entry.tier) return null;
  // Not compiled there, and no time per call (fewer calls than the profiled run times, or a count
  // that is a lower bound): the time the profile's samples give it decides. Compiled at its first
  // call on no evidence, an image resampler called 720 times cost 589-685 ms of CPU to save 3-5 ms
  // (sweep47 #3).
  if (entry.runMs === undefined) return `the profile has no time for it to weigh a compile of ${cost.toFixed(1)} ms of CPU against`;
  const saved = entry.runMs * savedShare;
  if (cost * PROFILE_MARGIN <= saved) return null;
  return `the profile says compiling costs ${cost.toFixed(1)} ms of CPU against at most ${saved.toFixed(1)} ms saved (its ${entry.runMs.toFixed(1)} ms in the profiled run)${thinBet(cost, saved)}`;
}
