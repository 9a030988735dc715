/**
 * Bounded multi-producer multi-consumer queue of fixed-size numeric records,
 * Vyukov style (see mpmc-core.ts): one compare-and-swap per operation.
 *
 * Data region: `capacity` Int32 sequence numbers (rounded up to a cache
 * line), then `capacity × lanes` Float64 or Int32 lanes.
 */
import { LANE_CODES, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, H_NOT_FULL_EPOCH, H_NOT_FULL_WAITERS, openDescriptor, type LaneType, type QueueDescriptor } from "./layout.js";
import { QueueError } from "./errors.js";
import { allocateMpmc, checkStallTimeout, MIN_MPMC_CAPACITY, MpmcSlots } from "./mpmc-core.js";
import {
  badRecord, checkInt32Values, checkNumberValues, laneBytes, laneView, resolveDescriptorRecordOptions, resolveRecordOptions,
  type RecordOut, type RecordQueueOptions, type ResolvedRecordOptions,
} from "./record-options.js";
import { checkPopAsyncOptions, checkTimeout, waitFor, waitForAsync, wakeOne, type PopAsyncOptions } from "./wait.js";

/** Descriptor of an {@link MpmcRecordQueue}, from `queue.shared`. */
export type MpmcRecordDescriptor = QueueDescriptor<"mpmc-records", ResolvedRecordOptions & { stallTimeoutMs: number }>;

/**
 * Lock-free bounded MPMC queue of records of `lanes` numbers. Any number of
 * threads may push and pop concurrently. Each consumer sees any one
 * producer's records in the order that producer pushed them.
 *
 * @example
 * ```ts
 * const q = new MpmcRecordQueue({ capacity: 4096, lanes: 2, type: "i32" });
 * for (const w of workers) w.postMessage(q.shared);   // MpmcRecordQueue.attach(msg) there
 * ```
 */
export class MpmcRecordQueue extends MpmcSlots {
  /** Numbers per record. */
  readonly lanes: number;
  /** Lane type. */
  readonly type: LaneType;
  /** i32 lanes only: values are wrapped with ToInt32 instead of refused (see {@link RecordQueueOptions.wrap}). */
  readonly wrap: boolean;
  /** i32 lanes without `wrap`: every pushed value is checked (before a slot is claimed). */
  private readonly exactInt32: boolean;
  private readonly data: Float64Array | Int32Array;

  /**
   * Creates a queue with fresh shared memory.
   * @throws QueueError `QUEUE_BAD_OPTIONS` when capacity is not a power of two, or lanes/type are invalid.
   */
  constructor(options: RecordQueueOptions);
  /** @internal used by {@link MpmcRecordQueue.attach} */
  constructor(options: RecordQueueOptions, attachTo: { buffer: SharedArrayBuffer; ctl: Int32Array });
  constructor(options: RecordQueueOptions, attachTo?: { buffer: SharedArrayBuffer; ctl: Int32Array }) {
    const o = resolveRecordOptions(options, MIN_MPMC_CAPACITY);
    const stallTimeoutMs = checkStallTimeout(options.stallTimeoutMs);
    const dataBytes = o.capacity * o.lanes * laneBytes(o.type);
    const mem = attachTo ?? allocateMpmc("mpmc-records", o.capacity, dataBytes, o.lanes, LANE_CODES[o.type]);
    const offset = MpmcSlots.payloadOffset(o.capacity);
    if (mem.buffer.byteLength < offset + dataBytes) {
      throw new QueueError("QUEUE_BAD_DESCRIPTOR", "buffer is too small for the descriptor's capacity");
    }
    super(o.capacity, mem.buffer, mem.ctl, stallTimeoutMs);
    this.lanes = o.lanes;
    this.type = o.type;
    this.wrap = o.wrap;
    this.exactInt32 = o.type === "i32" && !o.wrap;
    this.data = laneView(o.type, mem.buffer, offset, o.capacity * o.lanes);
  }

  /**
   * Rebuilds a queue over the memory of `descriptor` (from `queue.shared`).
   * @throws QueueError `QUEUE_BAD_DESCRIPTOR` for anything that is not a matching descriptor.
   */
  static attach(descriptor: unknown): MpmcRecordQueue {
    const { buffer, ctl, options } = openDescriptor("mpmc-records", descriptor);
    const resolved = resolveDescriptorRecordOptions(ctl, options, MIN_MPMC_CAPACITY);
    let stallTimeoutMs: number;
    try {
      stallTimeoutMs = checkStallTimeout(options.stallTimeoutMs);
    } catch (e) {
      throw new QueueError("QUEUE_BAD_DESCRIPTOR", `descriptor options are invalid: ${(e as Error).message}`);
    }
    return new MpmcRecordQueue({ ...resolved, stallTimeoutMs }, { buffer, ctl });
  }

  /** A structured-cloneable descriptor to `postMessage` to another thread. */
  get shared(): MpmcRecordDescriptor {
    return { kind: "kos.queue/mpmc-records", buffer: this.buffer, options: { capacity: this.capacity, lanes: this.lanes, type: this.type, wrap: this.wrap, stallTimeoutMs: this.stallTimeoutMs } };
  }

  /**
   * Copies one record (the first `lanes` entries of `values`) into the queue.
   * Never blocks; false when the queue is full (nothing is written).
   * @throws QueueError `QUEUE_BAD_RECORD` when `values` has fewer than `lanes` entries,
   * `QUEUE_BAD_VALUE` (i32 lanes without `wrap`) for a value an Int32 cannot hold,
   * `QUEUE_STALLED` when the queue has been full behind a slot another thread
   * holds for `stallTimeoutMs`, `QUEUE_CLAIM_REVOKED` when this push's slot was recovered.
   */
  tryPush(values: ArrayLike<number>): boolean {
    const lanes = this.lanes;
    if (values.length < lanes) throw badRecord(lanes, values.length);
    // Checked before the claim: a throw between claim and publish would itself leave a stalled slot.
    if (this.exactInt32) checkInt32Values(values, 0, lanes);
    else checkNumberValues(values, 0, lanes);
    const slot = this.claimPush();
    if (slot < 0) return false;
    const data = this.data;
    const base = slot * lanes;
    for (let i = 0; i < lanes; i++) data[base + i] = values[i]!;
    if (this.afterClaimHook !== undefined) this.afterClaimHook(slot, "push");
    this.publishPush(slot);
    if (Atomics.load(this.ctl, H_NOT_EMPTY_WAITERS) !== 0) wakeOne(this.ctl, H_NOT_EMPTY_EPOCH);
    return true;
  }

  /**
   * Moves the oldest ready record into `out`. Never blocks; false when empty.
   * @throws QueueError `QUEUE_BAD_RECORD` when `out` has fewer than `lanes` entries,
   * `QUEUE_STALLED` when the queue has looked empty for `stallTimeoutMs` because a
   * producer claimed the next slot and has not published it, `QUEUE_CLAIM_REVOKED`
   * when this pop's slot was recovered (then `out` is not a valid record), `QUEUE_BAD_RECORD`
   * when `out` refuses a value (frozen, a BigInt64Array): that record is lost.
   */
  tryPop(out: RecordOut): boolean {
    const lanes = this.lanes;
    if (out.length < lanes) throw badRecord(lanes, out.length);
    const slot = this.claimPop();
    if (slot < 0) return false;
    const data = this.data;
    const base = slot * lanes;
    try {
      for (let i = 0; i < lanes; i++) out[i] = data[base + i]!;
    } catch (e) {
      // An `out` that refuses a value (frozen, a BigInt64Array) threw with the slot claimed: the
      // queue then stalled behind it (sweep34). The slot is released; the record cannot be kept.
      this.releasePop(slot);
      if (Atomics.load(this.ctl, H_NOT_FULL_WAITERS) !== 0) wakeOne(this.ctl, H_NOT_FULL_EPOCH);
      throw new QueueError("QUEUE_BAD_RECORD", `out cannot hold the record (${(e as Error).message}); the record was popped and is lost`);
    }
    if (this.afterClaimHook !== undefined) this.afterClaimHook(slot, "pop");
    this.releasePop(slot);
    if (Atomics.load(this.ctl, H_NOT_FULL_WAITERS) !== 0) wakeOne(this.ctl, H_NOT_FULL_EPOCH);
    return true;
  }

  /**
   * Pushes one record, sleeping with `Atomics.wait` while full; false only on
   * timeout. Throws like {@link tryPush}; in particular `QUEUE_STALLED`
   * (within about 1.25 × stallTimeoutMs) rather than sleeping for ever behind a dead consumer.
   */
  push(values: ArrayLike<number>, timeoutMs?: number): boolean {
    const timeout = checkTimeout(timeoutMs);
    if (this.tryPush(values)) return true;
    return waitFor(this.ctl, H_NOT_FULL_EPOCH, H_NOT_FULL_WAITERS, () => this.tryPush(values), timeout, this.stallCheckMs);
  }

  /**
   * Pops one record into `out`, sleeping with `Atomics.wait` while empty;
   * false only on timeout. Throws like {@link tryPop}; in particular
   * `QUEUE_STALLED` rather than sleeping for ever behind a dead producer.
   */
  pop(out: RecordOut, timeoutMs?: number): boolean {
    const timeout = checkTimeout(timeoutMs);
    if (this.tryPop(out)) return true;
    return waitFor(this.ctl, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, () => this.tryPop(out), timeout, this.stallCheckMs);
  }

  /**
   * Pops one record into `out`, waiting with `Atomics.waitAsync`; resolves
   * false on timeout, rejects like {@link pop}. While it waits it keeps the
   * process alive, unless `{ ref: false }`.
   */
  async popAsync(out: RecordOut, timeoutMs?: number, options?: PopAsyncOptions): Promise<boolean> {
    const timeout = checkTimeout(timeoutMs);
    const ref = checkPopAsyncOptions(options);
    if (this.tryPop(out)) return true;
    return waitForAsync(this.ctl, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, () => this.tryPop(out), timeout, this.stallCheckMs, ref);
  }
}
