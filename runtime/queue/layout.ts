/**
 * Shared-memory layout common to every kos queue, and the checks that guard
 * it when a queue is built or reattached from a descriptor.
 *
 * ## Buffer layout (one SharedArrayBuffer per queue)
 *
 * ```
 * byte   0  line 0  config, written once:  MAGIC VERSION KIND CAPACITY PARAM_A PARAM_B,
 *                   then two counters written only by MPMC recovery: LOST RECOVERIES
 * byte  64  line 1  producer index   (SPSC tail, MPMC enqueue position)
 * byte 128  line 2  consumer index   (SPSC head, MPMC dequeue position)
 * byte 192  line 3  "not empty" futex: epoch word + waiting-consumer count
 * byte 256  line 4  "not full"  futex: epoch word + waiting-producer count
 * byte 320  data region (per queue kind: see spsc-*.ts / mpmc-*.ts)
 * ```
 *
 * Producer and consumer indices live on separate 64-byte cache lines so a
 * producer's store never invalidates the line the consumer spins on (false
 * sharing): the NOTES.md measurement of a ring with cache-line-separated
 * indices is 20–22 M msg/s against 0.9 M msg/s for postMessage(number).
 * The futex lines are read on every operation but written only when a
 * thread goes to sleep or is woken, so they stay shared-clean in practice.
 *
 * ## Why Int32 counters, and what wrap-around does
 *
 * Indices are free-running Int32 counters that wrap modulo 2^32; they are
 * only ever compared by signed difference `(a - b) | 0`, which is exact while
 * the true distance is below 2^31. Capacity is capped at 2^30, so occupancy
 * (at most `capacity`) never comes near that. BigInt64 counters would remove
 * wrap-around entirely, but every `Atomics` call on a BigInt64Array boxes a
 * BigInt: an allocation per message on the hot path, which is exactly what
 * these queues exist to avoid. The one residual hazard is the MPMC queue's
 * ABA window (see mpmc-core.ts).
 */
import { QueueError } from "./errors.js";

/** Bytes in one cache line on every CPU kos targets (x86-64, arm64). */
export const CACHE_LINE = 64;
/** Int32 slots per cache line. */
const LINE = CACHE_LINE / 4;

export const MAGIC = 0x6b6f7351; // "kosQ"
/** 2: MPMC publish/release became compare-and-swap (so recovery can revoke a claim), LOST/RECOVERIES added. */
export const LAYOUT_VERSION = 2;

/** Int32 indices into the header. */
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_KIND = 2;
export const H_CAPACITY = 3;
export const H_PARAM_A = 4;
export const H_PARAM_B = 5;
/** Records lost to `recover()` (a dead thread's claimed slot skipped). */
export const H_LOST = 6;
/** Successful `recover()` calls. */
export const H_RECOVERIES = 7;
export const H_PRODUCER = 1 * LINE;
export const H_CONSUMER = 2 * LINE;
export const H_NOT_EMPTY_EPOCH = 3 * LINE;
export const H_NOT_EMPTY_WAITERS = 3 * LINE + 1;
export const H_NOT_FULL_EPOCH = 4 * LINE;
export const H_NOT_FULL_WAITERS = 4 * LINE + 1;

/** Size of the header; the data region starts here, cache-line aligned. */
export const HEADER_BYTES = 5 * CACHE_LINE;

/** Largest capacity (records, slots or bytes): keeps signed index differences exact. */
export const MAX_CAPACITY = 2 ** 30;

/** Numeric kind codes stored in the header, so attach() can refuse a buffer of another kind. */
export const KIND_CODES = {
  "spsc-records": 1,
  "spsc-bytes": 2,
  "mpmc-records": 3,
  "mpmc-bytes": 4,
} as const;

export type QueueKind = keyof typeof KIND_CODES;

/** Lane types for record queues: Float64 lanes carry any JS number, Int32 lanes are half the size. */
export type LaneType = "f64" | "i32";

export const LANE_CODES: Record<LaneType, number> = { f64: 1, i32: 2 };

/**
 * What `queue.shared` returns: structured-cloneable, so it can be posted to
 * a worker, where the matching class's static `attach()` rebuilds the queue
 * over the same memory.
 */
export interface QueueDescriptor<K extends QueueKind = QueueKind, O = unknown> {
  /** Which queue class built this buffer, e.g. `"kos.queue/spsc-records"`. */
  kind: `kos.queue/${K}`;
  buffer: SharedArrayBuffer;
  options: O;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** Throws QUEUE_BAD_OPTIONS unless `n` is a power of two in [min, MAX_CAPACITY]. */
export function checkCapacity(name: string, n: unknown, min = 1): number {
  if (typeof n !== "number" || !isPowerOfTwo(n) || n < min || n > MAX_CAPACITY) {
    throw new QueueError(
      "QUEUE_BAD_OPTIONS",
      `${name} must be a power of two between ${min} and 2^30, got ${String(n)}`,
    );
  }
  return n;
}

/** Throws QUEUE_BAD_OPTIONS unless `n` is an integer in [min, max]. */
export function checkInt(name: string, n: unknown, min: number, max: number): number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw new QueueError("QUEUE_BAD_OPTIONS", `${name} must be an integer between ${min} and ${max}, got ${String(n)}`);
  }
  return n;
}

export function checkLaneType(t: unknown): LaneType {
  if (t !== "f64" && t !== "i32") {
    throw new QueueError("QUEUE_BAD_OPTIONS", `type must be "f64" or "i32", got ${String(t)}`);
  }
  return t;
}

/** Allocates a queue buffer and writes its config line. */
export function allocateQueueBuffer(
  kind: QueueKind,
  dataBytes: number,
  capacity: number,
  paramA: number,
  paramB: number,
): { buffer: SharedArrayBuffer; ctl: Int32Array } {
  const buffer = new SharedArrayBuffer(HEADER_BYTES + dataBytes);
  const ctl = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  ctl[H_MAGIC] = MAGIC;
  ctl[H_VERSION] = LAYOUT_VERSION;
  ctl[H_KIND] = KIND_CODES[kind];
  ctl[H_CAPACITY] = capacity;
  ctl[H_PARAM_A] = paramA;
  ctl[H_PARAM_B] = paramB;
  return { buffer, ctl };
}

/**
 * Validates a descriptor's shape and that its buffer's header matches the
 * expected kind; returns the buffer, its header view and the options object.
 * Every failure is QUEUE_BAD_DESCRIPTOR: a descriptor is only ever produced
 * by `queue.shared`, so anything else is a wiring bug, not a runtime state.
 */
export function openDescriptor(
  kind: QueueKind,
  desc: unknown,
): { buffer: SharedArrayBuffer; ctl: Int32Array; options: Record<string, unknown> } {
  const bad = (why: string): never => {
    throw new QueueError("QUEUE_BAD_DESCRIPTOR", `cannot attach ${kind} queue: ${why}`);
  };
  if (typeof desc !== "object" || desc === null) return bad("descriptor is not an object");
  const d = desc as Partial<QueueDescriptor>;
  if (d.kind !== `kos.queue/${kind}`) return bad(`descriptor kind is ${String(d.kind)}`);
  if (!(d.buffer instanceof SharedArrayBuffer)) return bad("buffer is not a SharedArrayBuffer");
  if (typeof d.options !== "object" || d.options === null) return bad("options missing");
  if (d.buffer.byteLength < HEADER_BYTES) return bad("buffer is smaller than the queue header");
  const ctl = new Int32Array(d.buffer, 0, HEADER_BYTES / 4);
  if (Atomics.load(ctl, H_MAGIC) !== MAGIC) return bad("buffer does not hold a kos queue (bad magic)");
  if (Atomics.load(ctl, H_VERSION) !== LAYOUT_VERSION) return bad("buffer has another layout version");
  if (Atomics.load(ctl, H_KIND) !== KIND_CODES[kind]) return bad("buffer holds another kind of queue");
  return { buffer: d.buffer, ctl, options: d.options as Record<string, unknown> };
}

/** Throws QUEUE_BAD_DESCRIPTOR when a header field disagrees with the descriptor's options. */
export function expectHeader(ctl: Int32Array, index: number, expected: number, what: string): void {
  if (ctl[index] !== expected) {
    throw new QueueError("QUEUE_BAD_DESCRIPTOR", `descriptor ${what} (${expected}) does not match the buffer (${ctl[index]})`);
  }
}

/** Rounds up to a multiple of 4 (byte messages keep their length words Int32-aligned). */
export function roundUp4(n: number): number {
  return (n + 3) & ~3;
}
