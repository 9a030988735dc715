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
        Atomics.wait(ctl, epochIndex, epoch, remaining);
      }
    } finally {
      Atomics.sub(ctl, waitersIndex, 1);
    }
    if (done) return true;
  }
}

/** Like {@link waitFor}, but sleeps with `Atomics.waitAsync`, so the event loop keeps running. */
export async function waitForAsync(
  ctl: Int32Array,
  epochIndex: number,
  waitersIndex: number,
  attempt: () => boolean,
  timeoutMs: number,
): Promise<boolean> {
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
        const r = waitAsync(ctl, epochIndex, epoch, remaining);
        if (r.async) await r.value;
      }
    } finally {
      Atomics.sub(ctl, waitersIndex, 1);
    }
    if (done) return true;
  }
}
