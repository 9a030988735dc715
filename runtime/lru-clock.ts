/**
 * TTL clocks for `LruCache`.
 *
 * `performance.now()` costs ~50 ns on the project machine (measured: 48–55
 * ns per call, Node 20), two to three times a cache hit. Reading it on every
 * TTL check made LruCache with TTL slower than lru-cache (91–101 ns against
 * 63–73 ns per operation, issue 14), whose default reuses one reading until
 * a 1 ms timer (`ttlResolution`) clears it.
 *
 * {@link coarseNow}, the default, reuses one reading for up to
 * {@link CLOCK_REUSE} checks, and drops it when the microtask queue drains,
 * so every event-loop turn starts with a fresh clock and no timer is ever
 * created. Its staleness is never larger than lru-cache's default: both keep
 * a reading for the rest of the synchronous run that took it (lru-cache's
 * timer cannot fire during a synchronous run either), and lru-cache keeps it
 * for at least 1 ms beyond, across turns, where this clock re-reads at the
 * next turn and after every 64 checks.
 *
 * Internal: not exported from the package entry (LruCache exposes both clocks).
 */

/** How many TTL checks may reuse one reading within a synchronous run. */
export const CLOCK_REUSE = 64;

// The one reading shared by every cache on this thread (module state, not
// per cache: one refresh serves them all).
let cachedNow = 0;
let readsLeft = 0;
let refreshQueued = false;
const expireCachedNow = () => {
  readsLeft = 0;
  refreshQueued = false;
};

/** The exact clock: `performance.now()` on every check. */
export const exactNow = (): number => performance.now();

/** The default TTL clock (see the file note for its bound on staleness). */
export function coarseNow(): number {
  if (readsLeft > 0) {
    readsLeft--;
    return cachedNow;
  }
  cachedNow = performance.now();
  readsLeft = CLOCK_REUSE - 1;
  if (!refreshQueued) {
    refreshQueued = true;
    queueMicrotask(expireCachedNow);
  }
  return cachedNow;
}
