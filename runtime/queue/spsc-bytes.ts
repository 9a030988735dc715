/**
 * Single-producer single-consumer ring of variable-length byte messages on a
 * SharedArrayBuffer. Wait-free, like spsc-records.ts, and with the same
 * private-copy-of-the-other-index trick.
 *
 * Data region (after the 320-byte header of layout.ts): `capacityBytes`
 * bytes used as a byte ring. Head and tail are free-running byte offsets.
 * A message is a 4-byte Int32 length followed by its payload, padded to a
 * multiple of 4 so every length word stays 4-aligned (and so never straddles
 * the end of the ring). The payload itself may wrap: it is copied in two
 * parts, so no space is lost to end-of-ring padding and a message can be as
 * large as `capacityBytes - 4`.
 *
 * Own indices are read with plain reads, as in spsc-records.ts.
 */
import { QueueError } from "./errors.js";
import {
  allocateQueueBuffer, checkCapacity, expectHeader, H_CAPACITY, H_CONSUMER, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS,
  H_NOT_FULL_EPOCH, H_NOT_FULL_WAITERS, H_PRODUCER, HEADER_BYTES, openDescriptor, roundUp4, type QueueDescriptor,
} from "./layout.js";
import { checkBytes, copyBytes, tooLarge, tooSmall } from "./bytes.js";
import { checkPopAsyncOptions, checkTimeout, waitFor, waitForAsync, wakeOne, type PopAsyncOptions } from "./wait.js";
import { checkOptionKeys } from "../../option-keys.js";

const BYTE_RING_KEYS: ReadonlySet<string> = new Set(["capacityBytes"]);

/** Options for {@link SpscByteQueue}. */
export interface ByteRingOptions {
  /** Size of the byte ring: a power of two, at least 8. Messages take 4 + len rounded up to 4 bytes. */
  capacityBytes: number;
}

/** Descriptor of an {@link SpscByteQueue}, from `queue.shared`. */
export type SpscByteDescriptor = QueueDescriptor<"spsc-bytes", ByteRingOptions>;

/**
 * Wait-free SPSC queue of variable-length byte messages.
 *
 * @example
 * ```ts
 * const q = new SpscByteQueue({ capacityBytes: 1 << 16 });
 * q.tryPush(new TextEncoder().encode("hello"));
 * const out = new Uint8Array(q.maxMessageBytes);
 * const n = q.tryPop(out);              // 5, or -1 when empty
 * ```
 */
export class SpscByteQueue {
  /** Ring size in bytes. */
  readonly capacityBytes: number;
  /** Largest message accepted: `capacityBytes - 4`. */
  readonly maxMessageBytes: number;
  /** The shared memory holding the header and the ring. */
  readonly buffer: SharedArrayBuffer;
  private readonly ctl: Int32Array;
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly mask: number;
  private headCache: number;
  private tailCache: number;

  /**
   * Creates a queue with fresh shared memory.
   * @throws QueueError `QUEUE_BAD_OPTIONS` unless capacityBytes is a power of two ≥ 8.
   */
  constructor(options: ByteRingOptions);
  /** @internal used by {@link SpscByteQueue.attach} */
  constructor(options: ByteRingOptions, attachTo: { buffer: SharedArrayBuffer; ctl: Int32Array });
  constructor(options: ByteRingOptions, attachTo?: { buffer: SharedArrayBuffer; ctl: Int32Array }) {
    if (typeof options !== "object" || options === null) throw new QueueError("QUEUE_BAD_OPTIONS", "options object required");
    checkOptionKeys(options, BYTE_RING_KEYS, "SpscByteQueue option", (m) => new QueueError("QUEUE_BAD_OPTIONS", m));
    const cap = checkCapacity("capacityBytes", options.capacityBytes, 8);
    this.capacityBytes = cap;
    this.maxMessageBytes = cap - 4;
    this.mask = cap - 1;
    const mem = attachTo ?? allocateQueueBuffer("spsc-bytes", cap, cap, 0, 0);
    if (mem.buffer.byteLength < HEADER_BYTES + cap) {
      throw new QueueError("QUEUE_BAD_DESCRIPTOR", "buffer is too small for the descriptor's capacity");
    }
    this.buffer = mem.buffer;
    this.ctl = mem.ctl;
    this.u8 = new Uint8Array(mem.buffer, HEADER_BYTES, cap);
    this.i32 = new Int32Array(mem.buffer, HEADER_BYTES, cap / 4);
    this.headCache = Atomics.load(this.ctl, H_CONSUMER);
    this.tailCache = Atomics.load(this.ctl, H_PRODUCER);
  }

  /**
   * Rebuilds a queue over the memory of `descriptor` (from `queue.shared`).
   * @throws QueueError `QUEUE_BAD_DESCRIPTOR` for anything that is not a matching descriptor.
   */
  static attach(descriptor: unknown): SpscByteQueue {
    const { buffer, ctl, options } = openDescriptor("spsc-bytes", descriptor);
    const cap = options.capacityBytes;
    if (typeof cap !== "number") throw new QueueError("QUEUE_BAD_DESCRIPTOR", "descriptor capacityBytes missing");
    expectHeader(ctl, H_CAPACITY, cap, "capacityBytes");
    return new SpscByteQueue({ capacityBytes: cap }, { buffer, ctl });
  }

  /** A structured-cloneable descriptor to `postMessage` to another thread. */
  get shared(): SpscByteDescriptor {
    return { kind: "kos.queue/spsc-bytes", buffer: this.buffer, options: { capacityBytes: this.capacityBytes } };
  }

  /** Bytes of the ring in use right now, length words and padding included (a snapshot). */
  get usedBytes(): number {
    return (Atomics.load(this.ctl, H_PRODUCER) - Atomics.load(this.ctl, H_CONSUMER)) | 0;
  }

  /**
   * Copies `message` into the queue. Never blocks; returns false when there
   * is not enough free space right now (nothing is written).
   * @throws QueueError `QUEUE_MESSAGE_TOO_LARGE` when the message can never fit (> maxMessageBytes).
   */
  tryPush(message: Uint8Array): boolean {
    checkBytes(message, "message");
    const len = message.length;
    if (len > this.maxMessageBytes) throw tooLarge(len, this.maxMessageBytes);
    const ctl = this.ctl;
    const cap = this.capacityBytes;
    const need = 4 + roundUp4(len);
    const tail = ctl[H_PRODUCER]!; // own index: plain read (see file header)
    if (cap - ((tail - this.headCache) >>> 0) < need) {
      this.headCache = Atomics.load(ctl, H_CONSUMER);
      if (cap - ((tail - this.headCache) | 0) < need) return false;
    }
    const p = tail & this.mask;
    this.i32[p >> 2] = len;
    const q = (p + 4) & this.mask;
    const first = Math.min(len, cap - q);
    copyBytes(message, 0, this.u8, q, first);
    if (first < len) copyBytes(message, first, this.u8, 0, len - first);
    Atomics.store(ctl, H_PRODUCER, (tail + need) | 0);
    if (Atomics.load(ctl, H_NOT_EMPTY_WAITERS) !== 0) wakeOne(ctl, H_NOT_EMPTY_EPOCH);
    return true;
  }

  /** Length of the next message, or -1 when the queue is empty. Never blocks. */
  peekLength(): number {
    const head = this.ctl[H_CONSUMER]!; // own index: plain read
    if (!this.hasData(head)) return -1;
    return this.i32[(head & this.mask) >> 2]!;
  }

  /**
   * Copies the oldest message into the start of `out` and removes it.
   * Never blocks. Returns the message length, or -1 when the queue is empty.
   * @throws QueueError `QUEUE_BUFFER_TOO_SMALL` when `out` is shorter than the message (which stays queued).
   */
  tryPop(out: Uint8Array): number {
    checkBytes(out, "out");
    const ctl = this.ctl;
    const head = ctl[H_CONSUMER]!; // own index: plain read (see file header)
    if (!this.hasData(head)) return -1;
    const cap = this.capacityBytes;
    const p = head & this.mask;
    const len = this.i32[p >> 2]!;
    if (len > out.length) throw tooSmall(len, out.length);
    const q = (p + 4) & this.mask;
    const first = Math.min(len, cap - q);
    copyBytes(this.u8, q, out, 0, first);
    if (first < len) copyBytes(this.u8, 0, out, first, len - first);
    Atomics.store(ctl, H_CONSUMER, (head + 4 + roundUp4(len)) | 0);
    if (Atomics.load(ctl, H_NOT_FULL_WAITERS) !== 0) wakeOne(ctl, H_NOT_FULL_EPOCH);
    return len;
  }

  /** Pops the oldest message into a new Uint8Array (allocates), or undefined when empty. */
  tryPopMessage(): Uint8Array | undefined {
    const len = this.peekLength();
    if (len < 0) return undefined;
    const out = new Uint8Array(len);
    this.tryPop(out);
    return out;
  }

  /**
   * Pushes `message`, sleeping with `Atomics.wait` while there is no room.
   * Returns false only if `timeoutMs` passes first (default: wait forever).
   */
  push(message: Uint8Array, timeoutMs?: number): boolean {
    const timeout = checkTimeout(timeoutMs);
    if (this.tryPush(message)) return true;
    return waitFor(this.ctl, H_NOT_FULL_EPOCH, H_NOT_FULL_WAITERS, () => this.tryPush(message), timeout);
  }

  /**
   * Pops a message into `out`, sleeping with `Atomics.wait` while the queue
   * is empty. Returns its length, or -1 if `timeoutMs` passes first.
   */
  pop(out: Uint8Array, timeoutMs?: number): number {
    const timeout = checkTimeout(timeoutMs);
    let n = this.tryPop(out);
    if (n >= 0) return n;
    const ok = waitFor(this.ctl, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, () => (n = this.tryPop(out)) >= 0, timeout);
    return ok ? n : -1;
  }

  /**
   * Pops a message into `out`, waiting with `Atomics.waitAsync` (the event
   * loop keeps running). Resolves to its length, or -1 on timeout. While it
   * waits it keeps the process alive, unless `{ ref: false }`.
   */
  async popAsync(out: Uint8Array, timeoutMs?: number, options?: PopAsyncOptions): Promise<number> {
    const timeout = checkTimeout(timeoutMs);
    const ref = checkPopAsyncOptions(options);
    let n = this.tryPop(out);
    if (n >= 0) return n;
    const ok = await waitForAsync(this.ctl, H_NOT_EMPTY_EPOCH, H_NOT_EMPTY_WAITERS, () => (n = this.tryPop(out)) >= 0, timeout, Infinity, ref);
    return ok ? n : -1;
  }

  /** True when a message starts at `head`; refreshes the private copy of the tail only when needed. */
  private hasData(head: number): boolean {
    const seen = (this.tailCache - head) >>> 0;
    if (seen !== 0 && seen <= this.capacityBytes) return true;
    this.tailCache = Atomics.load(this.ctl, H_PRODUCER);
    return this.tailCache !== head;
  }
}
