/**
 * Misses of a version's speculation forks (specialize/speculation.ts). A fork re-checks, after
 * foreign code ran, the reads it folds; where they changed it takes its generic branch, exact but
 * unspecialized, and calls the version's deopt hook with no argument (FORK_MISS). Its entry
 * guards passed, so the guard chain never hears of it: a version specialized before a cache the
 * function fills (json-query's parsed queries) took the generic branch on every call after the
 * first, for good, at the original's speed.
 *
 * This counts the calls that took a generic branch, in windows of 2 * FORK_MISS_WINDOW calls:
 * where at least half the calls of a window missed, the forks keep missing and the version is
 * specialized again on what the objects hold now; a fork missed now and then (one call in a
 * thousand) never fills a window. The miss path only: the speculated branches pay nothing.
 */

/**
 * What the version's deopt hook gets from a fork's generic branch: no argument (an entry guard
 * passes its index). Each hook is bytecode in the version's body, 6 bytes without an argument and
 * 12 with one; V8 inlines a body of up to 460 bytes only (`--max-inlined-bytecode-size`).
 */
export const FORK_MISS = undefined;

/**
 * Calls that missed per window. 16, as for an entry guard on a changed object (RESPECIALIZE_AFTER,
 * compiler/index.ts): a compile (json-query's took 25-40 ms) is paid back over many calls, not
 * made for a passing state.
 */
export const FORK_MISS_WINDOW = 16;

/** Versions a function may get from its forks' misses, after its first: each takes a full window, and the last keeps missing if it must. */
export const MAX_FORK_RESPECIALIZATIONS = 3;

/**
 * A counter of one version's fork misses: call the result at each miss; `calls` reads the
 * version's call counter (the version counts its calls: assemble.ts routes it). `steady` runs once,
 * when a window's calls missed at least half the time.
 */
export function forkMissCounter(calls: () => number, steady: (missed: number, of: number) => void): () => void {
  let missed = 0;
  let windowStart = 0;
  let lastCall = -1;
  let done = false;
  return () => {
    if (done) return;
    const now = calls();
    // A fork in a loop misses once per iteration: a call counts once.
    if (now === lastCall) return;
    lastCall = now;
    // A window is the 2 * FORK_MISS_WINDOW calls from its first miss; a miss past it starts the next.
    if (missed === 0 || now - windowStart >= 2 * FORK_MISS_WINDOW) {
      windowStart = now;
      missed = 0;
    }
    if (++missed < FORK_MISS_WINDOW) return;
    done = true;
    steady(missed, now - windowStart + 1);
  };
}
