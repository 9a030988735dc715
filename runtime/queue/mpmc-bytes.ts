/**
 * Bounded MPMC queue of byte messages, Vyukov style (see mpmc-core.ts).
 *
 * Every slot has room for `maxMessageBytes` (rounded up to 4), so the limit
 * is fixed at construction: a longer message is a QUEUE_MESSAGE_TOO_LARGE
 * error, never a truncation. Data region: the sequence numbers, then
 * `capacity` Int32 lengths, then `capacity` payload slots.
 */
import {
  checkCapacity, checkInt, expectHeader, H_CAPACITY, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, H_NOT_FULL_EPOCH,
  H_NOT_FULL_WAITERS, H_PARAM_A, openDescriptor, roundUp4, type QueueDescriptor,
} from "./layout.js";
import { QueueError } from "./errors.js";
import { checkBytes, copyBytes, tooLarge, tooSmall } from "./bytes.js";
import { allocateMpmc, checkStallTimeout, MIN_MPMC_CAPACITY, MpmcSlots } from "./mpmc-core.js";
import { checkPopAsyncOptions, checkTimeout, waitFor, waitForAsync, wakeOne, type PopAsyncOptions } from "./wait.js";
import { checkOptionKeys } from "../../option-keys.js";

const SLOT_QUEUE_KEYS: ReadonlySet<string> = new Set(["capacity", "maxMessageBytes", "stallTimeoutMs"]);

/** Options for {@link MpmcByteQueue}. */
export interface SlotQueueOptions {
  /** Number of message slots: a power of two, at least 2. */
  capacity: number;
  /** Largest message in bytes (1 … 2^24); every slot reserves this much. */
  maxMessageBytes: number;
  /**
   * Ms a slot may stay claimed by another thread before operations waiting on
   * it throw `QUEUE_STALLED` (see mpmc-core.ts). Default 5000; Infinity: never.
   */
  stallTimeoutMs?: number;
}

/** Descriptor of an {@link MpmcByteQueue}, from `queue.shared`. */
export type MpmcByteDescriptor = QueueDescriptor<"mpmc-bytes", SlotQueueOptions>;

const MAX_SLOT_BYTES = 2 ** 24;

/**
 * Lock-free bounded MPMC queue of byte messages of at most `maxMessageBytes`.
 *
 * `tryPop`/`pop` need an output buffer of at least `maxMessageBytes` (checked
 * before a slot is claimed, so a short buffer never loses a message).
 */
export class MpmcByteQueue extends MpmcSlots {
  /** Largest message accepted. */
  readonly maxMessageBytes: number;
  private readonly stride: number;
  private readonly lengths: Int32Array;
  private readonly u8: Uint8Array;

  /**
   * Creates a queue with fresh shared memory.
   * @throws QueueError `QUEUE_BAD_OPTIONS` for a capacity that is not a power of two, or a bad maxMessageBytes.
   */
  constructor(options: SlotQueueOptions);
  /** @internal used by {@link MpmcByteQueue.attach} */
  constructor(options: SlotQueueOptions, attachTo: { buffer: SharedArrayBuffer; ctl: Int32Array });
  constructor(options: SlotQueueOptions, attachTo?: { buffer: SharedArrayBuffer; ctl: Int32Array }) {
    if (typeof options !== "object" || options === null) throw new QueueError("QUEUE_BAD_OPTIONS", "options object required");
    checkOptionKeys(options, SLOT_QUEUE_KEYS, "MpmcByteQueue option", (m) => new QueueError("QUEUE_BAD_OPTIONS", m));
    const capacity = checkCapacity("capacity", options.capacity, MIN_MPMC_CAPACITY);
    const max = checkInt("maxMessageBytes", options.maxMessageBytes, 1, MAX_SLOT_BYTES);
    const stallTimeoutMs = checkStallTimeout(options.stallTimeoutMs);
    const stride = roundUp4(max);
    if (capacity * stride > 2 ** 31) throw new QueueError("QUEUE_BAD_OPTIONS", "capacity × maxMessageBytes must be at most 2 GiB");
    const payloadBytes = capacity * 4 + capacity * stride;
    const mem = attachTo ?? allocateMpmc("mpmc-bytes", capacity, payloadBytes, max, 0);
    const offset = MpmcSlots.payloadOffset(capacity);
    if (mem.buffer.byteLength < offset + payloadBytes) {
      throw new QueueError("QUEUE_BAD_DESCRIPTOR", "buffer is too small for the descriptor's capacity");
    }
    super(capacity, mem.buffer, mem.ctl, stallTimeoutMs);
    this.maxMessageBytes = max;
    this.stride = stride;
    this.lengths = new Int32Array(mem.buffer, offset, capacity);
    this.u8 = new Uint8Array(mem.buffer, offset + capacity * 4, capacity * stride);
  }

  /**
   * Rebuilds a queue over the memory of `descriptor` (from `queue.shared`).
   * @throws QueueError `QUEUE_BAD_DESCRIPTOR` for anything that is not a matching descriptor.
   */
  static attach(descriptor: unknown): MpmcByteQueue {
    const { buffer, ctl, options } = openDescriptor("mpmc-bytes", descriptor);
    const { capacity, maxMessageBytes, stallTimeoutMs } = options;
    if (typeof capacity !== "number" || typeof maxMessageBytes !== "number") {
      throw new QueueError("QUEUE_BAD_DESCRIPTOR", "descriptor capacity or maxMessageBytes missing");
    }
    expectHeader(ctl, H_CAPACITY, capacity, "capacity");
    expectHeader(ctl, H_PARAM_A, maxMessageBytes, "maxMessageBytes");
    try {
      checkStallTimeout(stallTimeoutMs);
    } catch (e) {
      throw new QueueError("QUEUE_BAD_DESCRIPTOR", `descriptor options are invalid: ${(e as Error).message}`);
    }
    return new MpmcByteQueue({ capacity, maxMessageBytes, stallTimeoutMs: stallTimeoutMs as number | undefined }, { buffer, ctl });
  }

  /** A structured-cloneable descriptor to `postMessage` to another thread. */
  get shared(): MpmcByteDescriptor {
    return { kind: "kos.queue/mpmc-bytes", buffer: this.buffer, options: { capacity: this.capacity, maxMessageBytes: this.maxMessageBytes, stallTimeoutMs: this.stallTimeoutMs } };
  }

  /**
   * Copies `message` into a free slot. Never blocks; false when full.
   * @throws QueueError `QUEUE_MESSAGE_TOO_LARGE` when longer than maxMessageBytes.
   */
  tryPush(message: Uint8Array): boolean {
    checkBytes(message, "message");
    const len = message.length;
    if (len > this.maxMessageBytes) throw tooLarge(len, this.maxMessageBytes);
    const slot = this.claimPush();
    if (slot < 0) return false;
    this.lengths[slot] = len;
    copyBytes(message, 0, this.u8, slot * this.stride, len);
    if (this.afterClaimHook !== undefined) this.afterClaimHook(slot, "push");
    this.publishPush(slot);
    if (Atomics.load(this.ctl, H_NOT_EMPTY_WAITERS) !== 0) wakeOne(this.ctl, H_NOT_EMPTY_EPOCH);
    return true;
  }

  /**
   * Moves the oldest ready message into the start of `out`. Never blocks.
   * Returns its length, or -1 when empty.
   * @throws QueueError `QUEUE_BUFFER_TOO_SMALL` when `out` is shorter than maxMessageBytes.
   */
  tryPop(out: Uint8Array): number {
    checkBytes(out, "out");
    if (out.length < this.maxMessageBytes) throw tooSmall(this.maxMessageBytes, out.length);
    const slot = this.claimPop();
    if (slot < 0) return -1;
    const len = this.lengths[slot]!;
    copyBytes(this.u8, slot * this.stride, out, 0, len);
    this.releasePop(slot);
    if (Atomics.load(this.ctl, H_NOT_FULL_WAITERS) !== 0) wakeOne(this.ctl, H_NOT_FULL_EPOCH);
    return len;
  }

  /** Pops the oldest ready message into a new Uint8Array (allocates), or undefined when empty. */
  tryPopMessage(): Uint8Array | undefined {
    const slot = this.claimPop();
    if (slot < 0) return undefined;
    const len = this.lengths[slot]!;
    const out = this.u8.slice(slot * this.stride, slot * this.stride + len);
    this.releasePop(slot);
    if (Atomics.load(this.ctl, H_NOT_FULL_WAITERS) !== 0) wakeOne(this.ctl, H_NOT_FULL_EPOCH);
    return out;
  }

  /** Pushes `message`, sleeping with `Atomics.wait` while full; false only on timeout. */
  push(message: Uint8Array, timeoutMs?: number): boolean {
    const timeout = checkTimeout(timeoutMs);
    if (this.tryPush(message)) return true;
    return waitFor(this.ctl, H_NOT_FULL_EPOCH, H_NOT_FULL_WAITERS, () => this.tryPush(message), timeout, this.stallCheckMs);
  }

  /** Pops a message into `out`, sleeping with `Atomics.wait` while empty; its length, or -1 on timeout. */
  pop(out: Uint8Array, timeoutMs?: number): number {
    const timeout = checkTimeout(timeoutMs);
    let n = this.tryPop(out);
    if (n >= 0) return n;
    const ok = waitFor(this.ctl, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, () => (n = this.tryPop(out)) >= 0, timeout, this.stallCheckMs);
    return ok ? n : -1;
  }

  /**
   * Pops a message into `out`, waiting with `Atomics.waitAsync`; resolves to
   * its length, or -1 on timeout. While it waits it keeps the process alive,
   * unless `{ ref: false }`. Stalls and revoked claims as in the record queue.
   */
  async popAsync(out: Uint8Array, timeoutMs?: number, options?: PopAsyncOptions): Promise<number> {
    const timeout = checkTimeout(timeoutMs);
    const ref = checkPopAsyncOptions(options);
    let n = this.tryPop(out);
    if (n >= 0) return n;
    const ok = await waitForAsync(this.ctl, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, () => (n = this.tryPop(out)) >= 0, timeout, this.stallCheckMs, ref);
    return ok ? n : -1;
  }
}
