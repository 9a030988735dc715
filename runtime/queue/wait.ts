/**
 * Sleeping and waking for the blocking queue calls, on the futex lines of
 * the header (see layout.ts).
 *
 * Protocol, per direction ("not empty" for consumers, "not full" for producers):
 *
 * - A sleeper reads the epoch word, then increments the waiter count, then
 *   retries the operation, and only if that fails sleeps on the epoch word
 *   with `Atomics.wait(ctl, epoch, seenEpoch)`.
 * - The other side, after publishing (an `Atomics.store`), reads the waiter
 *   count and, only when it is non-zero, bumps the epoch and notifies.
 *
 * All of these are sequentially consistent Atomics, so either the waker sees
 * the count (and bumps the epoch, so the sleeper's wait returns at once or is
 * notified) or the sleeper's retry sees the published item: no lost wake-up.
 * The common case, nobody asleep, costs the publisher one `Atomics.load`
 * instead of an `Atomics.notify` per message; runtime-queue.bench.ts measures
 * the difference ("notify per message" row).
 *
 * Slices. A sleeper may also be waiting on a slot another thread claimed and
 * will never publish (it died: see mpmc-core.ts). Nobody would wake it, so
 * the MPMC queues pass `sliceMs` (a quarter of their stall timeout): the
 * sleeper wakes at least that often and retries, and the retry is what
 * notices the stall and throws `QUEUE_STALLED`. SPSC queues pass Infinity.
 *
 * Keeping the process alive. `Atomics.waitAsync` registers nothing with the
 * event loop, so a process whose only pending work is a `popAsync` would end
 * with exit code 13 (unsettled top-level await) and drop the wait. By default
 * {@link waitForAsync} holds a ref'd timer while it sleeps (created only when
 * it actually sleeps, about 1 µs); `{ ref: false }` opts out.
 */
import { QueueError } from "./errors.js";

/** `Atomics.waitAsync` is ES2024; Node 20 has it but lib ES2023 does not type it. */
type WaitAsyncResult = { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
const waitAsync = (Atomics as unknown as {
  waitAsync(ta: Int32Array, index: number, value: number, timeout?: number): WaitAsyncResult;
}).waitAsync;

/**
 * Retries before a blocking call goes to sleep. When the other side is
 * running, the item or slot usually appears within a few hundred ns, and a
 * sleep/wake round trip costs microseconds; 64 tries cost well under 2 µs.
 * Only waitFor spins (waitForAsync yields to the event loop instead). On the
 * loaded 2-core dev machine the blocking SPSC bench row was 1.2–2.1 M msg/s
 * without the spin and 1.3–1.9 M msg/s with it: no measurable gain there,
 * where the peer is usually descheduled; the spin is for quieter machines.
 */
const SPIN_TRIES = 64;

/** Normalizes an optional timeout in milliseconds (undefined → wait forever). */
/**
 * A record count of `tryPushMany`/`tryPopMany`: an integer ≥ 0. A missing or NaN count made the
 * queue's index `(tail + NaN) | 0`, 0: queued records vanished, popped ones came again (sweep34).
 */
export function checkCount(count: number, what: string): void {
  if (!(typeof count === "number" && Number.isInteger(count) && count >= 0)) {
    throw new QueueError("QUEUE_BAD_COUNT", `${what} must be an integer ≥ 0, got ${typeof count === "number" ? String(count) : typeof count}`);
  }
}

export function checkTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return Infinity;
  if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new QueueError("QUEUE_BAD_TIMEOUT", `timeout must be a non-negative number of ms, got ${String(timeoutMs)}`);
  }
  return timeoutMs;
}

/**
 * Wakes one sleeper on `epochIndex` (every publish of one item or one slot
 * calls this, so one wake per unit is enough). Bumping the epoch also makes
 * a sleeper that is between reading the epoch and calling wait return at once.
 * Call only after seeing a non-zero waiter count.
 */
export function wakeOne(ctl: Int32Array, epochIndex: number): void {
  Atomics.add(ctl, epochIndex, 1);
  Atomics.notify(ctl, epochIndex, 1);
}

/**
 * Retries `attempt` until it returns true, sleeping with `Atomics.wait`
 * between tries; false when `timeoutMs` runs out. Blocks the calling thread
 * (allowed on Node's main thread too, but prefer {@link waitForAsync} there).
 */
export function waitFor(
  ctl: Int32Array,
  epochIndex: number,
  waitersIndex: number,
  attempt: () => boolean,
  timeoutMs: number,
  sliceMs = Infinity,
): boolean {
  for (let i = 0; i < SPIN_TRIES; i++) if (attempt()) return true;
  const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
  for (;;) {
    const epoch = Atomics.load(ctl, epochIndex);
    Atomics.add(ctl, waitersIndex, 1);
    let done = false;
    try {
      done = attempt();
      if (!done) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) return false;
        Atomics.wait(ctl, epochIndex, epoch, Math.min(remaining, sliceMs));
      }
    } finally {
      Atomics.sub(ctl, waitersIndex, 1);
    }
    if (done) return true;
  }
}

/** Options of the `popAsync` calls. */
export interface PopAsyncOptions {
  /**
   * Keep the process alive while waiting (default true), as a pending socket
   * read does. `false`: the wait does not hold the event loop open, so if
   * nothing else does, the process exits with the promise unsettled (exit
   * code 13 when it is awaited at top level).
   */
  ref?: boolean;
}

/** Checks the `popAsync` options; returns whether to hold the event loop open. */
export function checkPopAsyncOptions(options: PopAsyncOptions | undefined): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null || (options.ref !== undefined && typeof options.ref !== "boolean")) {
    throw new QueueError("QUEUE_BAD_OPTIONS", "popAsync options must be an object like { ref: false }");
  }
  return options.ref !== false;
}

/** A timer that only holds the event loop open (its callback never matters). */
const KEEPALIVE_MS = 2 ** 31 - 1;
const noop = (): void => {};

/**
 * Like {@link waitFor}, but sleeps with `Atomics.waitAsync`, so the event
 * loop keeps running; with `ref` (see the file header) the process stays alive.
 */
export async function waitForAsync(
  ctl: Int32Array,
  epochIndex: number,
  waitersIndex: number,
  attempt: () => boolean,
  timeoutMs: number,
  sliceMs = Infinity,
  ref = true,
): Promise<boolean> {
  const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  try {
    for (;;) {
      const epoch = Atomics.load(ctl, epochIndex);
      Atomics.add(ctl, waitersIndex, 1);
      let done = false;
      try {
        done = attempt();
        if (!done) {
          const remaining = deadline - performance.now();
          if (remaining <= 0) return false;
          const r = waitAsync(ctl, epochIndex, epoch, Math.min(remaining, sliceMs));
          if (r.async) {
            if (ref && keepAlive === undefined) keepAlive = setInterval(noop, KEEPALIVE_MS);
            await r.value;
          }
        }
      } finally {
        Atomics.sub(ctl, waitersIndex, 1);
      }
      if (done) return true;
    }
  } finally {
    if (keepAlive !== undefined) clearInterval(keepAlive);
  }
}
