/**
 * What tiering does with calls that miss every guard of a function's versions: when they earn a
 * version of their own, which parameters to stop speculating on first (those whose misses show no
 * single value, or whose object came back with other contents), and when a version whose guards
 * mostly fail is dropped or sends the function generic.
 */
import { trace, type Dispatcher, type Version } from "../compiler/dispatcher.js";
import type { ArgumentProfile } from "./feedback.js";

// A version's misses trigger a new version when at least MIN_MISSES calls missed every
// guard and they are more than 1 call in MISS_SHARE since the last version.
const MIN_MISSES = 16;
const MISS_SHARE = 8;
/**
 * Deopts of a version whose misses are no longer watched at which (and at every power of two
 * after) the share of calls that miss is checked: a power-of-two test per miss, nothing per hit.
 */
const STALE_CHECK_FROM = 256;
/**
 * Past this many deopts the share is checked every as many more (a power of two: the test stays a
 * mask). With checks at powers of two only, a program whose inputs changed after 6 million misses
 * in 100 million calls (a minority, left unwatched) paid the miss path (15 against 7 ns a call for
 * the original, /tmp/miss/miss2.mjs) until the next power of two, 8 million deopts on, and then
 * judged the whole history, where the misses were still a minority: for good.
 */
const STALE_CHECK_EVERY = 65_536;

/** Whether `misses` of the `since` calls since the last version are enough for a new version. */
export function missesEarnVersion(misses: number, since: number): boolean {
  return misses >= MIN_MISSES && misses * MISS_SHARE > since;
}

/** Whether a version with `deopts` deopts is checked for staleness now (checkStale). */
export function staleCheckDue(deopts: number): boolean {
  if (deopts < STALE_CHECK_FROM) return false;
  return deopts <= STALE_CHECK_EVERY ? (deopts & (deopts - 1)) === 0 : deopts % STALE_CHECK_EVERY === 0;
}

/**
 * A version's counts at its last staleness check (at its making: none): each check judges the calls
 * since, so that inputs that changed after a long run are seen as they are now.
 */
export interface StaleWindow {
  deopts: number;
  /** The function's calls (Dispatcher.calls). */
  calls: number;
  /** The calls that entered this version (Version.calls). */
  versionCalls: number;
}

/** The window of a version made now. */
export function staleWindow(d: Dispatcher): StaleWindow {
  return { deopts: 0, calls: d.calls, versionCalls: 0 };
}

export interface MissedCalls {
  /** The live versions, and what each was specialized on (to tell a changed object from a new one). */
  versions: readonly Version[];
  specs: WeakMap<Version, Record<string, unknown>>;
  /** The parameter names (null: not a plain name). */
  names: Array<string | null>;
  /** The profiles of the calls that missed every guard. */
  missProfiles: ArgumentProfile[];
  missReceiver: ArgumentProfile | null;
}

/** Adds to `dropped` the guarded parameters the missed calls say to stop speculating on. */
export function dropWhatMissed({ versions, specs, names, missProfiles, missReceiver }: MissedCalls, dropped: Set<string>): void {
  // A guarded parameter whose misses show no single value is dropped from speculation.
  for (const v of versions) {
    // The same object came back with other contents (a state object the program mutates): its
    // contents are not worth speculating on again (each version would miss the same way). Only
    // where a content guard is what failed: a constant configuration whose version missed on
    // another argument's identity was dropped too, and every later call missed (an io-ts `is`
    // ran 10x slower than the original).
    if (v.assumptions.some((a, guard) => a.kind === "content" && v.deoptCounts?.[guard] !== undefined)) {
      for (const [param, value] of Object.entries(specs.get(v) ?? {})) {
        if (value === null || typeof value !== "object") continue;
        const p = names.indexOf(param);
        const seen = p >= 0 ? missProfiles[p] : param === "this" ? missReceiver : undefined;
        if (seen && seen.stability === "constant" && seen.constantValue === value) dropped.add(param);
      }
    }
    for (const a of v.assumptions) {
      const p = /^\d+$/.test(a.param) ? Number(a.param) : names.indexOf(a.param);
      const seen = p >= 0 ? missProfiles[p] : a.param === "this" ? missReceiver : undefined;
      if (seen && seen.stability !== "constant" && a.kind !== "type") dropped.add(a.param);
      if (seen && (seen.stability === "varies" || seen.stability === "unseen")) dropped.add(a.param);
    }
  }
}

/**
 * Misses of the last version run the original directly once the policy stopped watching them,
 * each through the version's failed guard: about 8-25 ns a call more than the original. When the
 * inputs change after that decision and most calls since the last check miss, the misses are
 * watched again (`watchAgain`): the policy then gives them a version of their own where they have
 * a constant to fold, or sends the function generic where they are most calls.
 * `missesUnwatched`: the policy stopped watching the last version's misses; `verifyFirst`: times a
 * new first version against the original.
 */
export function checkStale(d: Dispatcher, version: Version, window: StaleWindow, missesUnwatched: boolean, verifyFirst: (version: Version) => void, watchAgain: (reason: string) => void): void {
  const deopts = version.deopts - window.deopts;
  const versionCalls = version.calls() - window.versionCalls;
  const calls = d.calls - window.calls;
  window.deopts = version.deopts;
  window.versionCalls += versionCalls;
  window.calls += calls;
  const at = d.versions.indexOf(version);
  if (at === 0 && d.versions.length > 1) {
    // The first version's misses go on to a later one: when they are most of its calls, the later
    // versions serve the program, and the first only adds its miss path to their calls.
    if (deopts * 2 <= versionCalls) return;
    const reason = `its guards failed on ${deopts} of its last ${versionCalls} calls`;
    d.dropFirstVersion(reason);
    trace(`dropped v1 of ${d.name || "(anonymous)"}: ${reason}`);
    // The new first version is timed against the original as the first one was.
    verifyFirst(d.versions[0]!);
    return;
  }
  if (!missesUnwatched || at !== d.versions.length - 1) return;
  if (deopts * 2 <= calls) return;
  const reason = `the guards of its last version failed on ${deopts} of the last ${calls} calls: its misses are watched again`;
  d.event("misses watched", reason);
  trace(`${d.name || "(anonymous)"}: ${reason}`);
  watchAgain(reason);
}
