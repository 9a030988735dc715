/**
 * The slot protocol of Dmitry Vyukov's bounded MPMC queue, on shared memory,
 * shared by mpmc-records.ts and mpmc-bytes.ts (which only add the payload).
 *
 * Every slot `i` carries a sequence number, initially `i`. With `pos` the
 * enqueue (or dequeue) position read from the header:
 *
 * - push: slot `pos & mask` is free for this lap when `seq == pos`. One CAS
 *   moves the enqueue position from `pos` to `pos + 1` and so claims the
 *   slot; the pusher writes the payload, then stores `seq = pos + 1`.
 *   `seq < pos` means the slot still holds last lap's item: the queue is full.
 * - pop: slot `pos & mask` is ready when `seq == pos + 1`. One CAS claims it;
 *   the popper copies the payload out, then stores `seq = pos + capacity`,
 *   freeing the slot for the next lap. `seq < pos + 1` means empty.
 *
 * The position is first read with a plain (racy but untearable Int32) read:
 * it is only a guess that the CAS validates, and skipping the Atomics.load
 * builtin saves ~6 ns per operation on Node 20. Sequence numbers are always
 * read with Atomics.load, because that read is what orders the payload copy
 * after the other thread's writes.
 *
 * So each operation is one successful compare-and-swap, plus retries only
 * when another thread won the race for the same position. Dequeue positions
 * are claimed in increasing order, so a consumer sees any one producer's
 * messages in the order that producer pushed them (per-consumer FIFO).
 *
 * Not linearizable in one corner, as in Vyukov's original: a slot claimed by
 * a pusher that has not yet stored its sequence reads as "empty" to poppers
 * even if later slots are filled. Blocking pops just wait; the pusher wakes
 * them when it publishes.
 *
 * Positions and sequences are Int32 and wrap (see layout.ts); they are
 * compared by signed difference. The residual ABA hazard: a thread that
 * reads `pos`, stalls while exactly 2^32 other operations complete, and then
 * finds the queue full at that same position could CAS successfully and
 * overwrite an unconsumed slot. At 20 M ops/s that needs a stall of over
 * 3.5 minutes landing on an exact count; we accept it rather than pay for
 * BigInt64 atomics, which allocate on every call.
 *
 * ## A thread that dies holding a claim (stalls and recovery)
 *
 * Between its CAS and its final sequence store, a pusher or popper holds a
 * slot that nobody else may touch. If that thread dies there (a worker
 * terminated mid-push), the protocol alone never lets the slot go: consumers
 * see "empty" at that position for ever (producers later see "full"), while
 * the records behind it stay unreachable. So:
 *
 * - Detection. When an operation finds no slot, it looks at why: a slot whose
 *   sequence says "free for position P" while the producer index is past P is
 *   held by a producer that has not published; one that says "published for
 *   P" while the consumer index is past P is held by a consumer that has not
 *   released. If this object sees the same slot held at the same position for
 *   `stallTimeoutMs` (default {@link DEFAULT_STALL_TIMEOUT_MS}), the operation
 *   throws `QUEUE_STALLED` with `err.stall` = { role, slot, position }.
 *   Blocking calls sleep in slices of at most a quarter of that time, so a
 *   blocked `pop()`/`push()`/`popAsync()` throws within about 1.25 ×
 *   `stallTimeoutMs` of the stall, instead of waiting for ever. Nothing is
 *   changed by detection.
 * - Recovery. `recover(err.stall)` skips that one slot: for a producer's
 *   claim it advances the consumer index past the position and frees the slot
 *   for the next lap; for a consumer's claim it frees the slot. The record in
 *   it is lost and counted in `stats().lost` (shared by every thread). It
 *   acts only if the slot is still held at that position, so a late call, or
 *   two threads recovering the same stall, change nothing and return false.
 * - Revocation. Publishing and releasing are compare-and-swaps on the slot's
 *   sequence, so a thread that was only slow, not dead, finds its claim gone
 *   and gets `QUEUE_CLAIM_REVOKED` instead of corrupting the slot's sequence.
 *
 * What this cannot guarantee. Time cannot tell a dead thread from one that
 * is descheduled for longer than `stallTimeoutMs`. Recover a slot only once
 * its holder is known dead (e.g. after the worker's 'exit' event), or with a
 * timeout far above any pause you expect: a merely slow *producer* that
 * resumes after recovery still writes its payload into the slot (which may by
 * then hold the next lap's record, torn) before its publish fails with
 * `QUEUE_CLAIM_REVOKED`. A slow consumer only reads, and learns from its own
 * `QUEUE_CLAIM_REVOKED` that its `out` is invalid. A producer that publishes
 * within the microseconds of a recovery of its own slot has its record
 * dropped (counted in `lost`) although its push returned true. The SPSC queues
 * need none of this: their single producer (consumer) publishes with one
 * store of its own index, so a thread that dies mid-operation leaves no
 * claimed slot behind, only an unfinished operation that never happened.
 */
import { allocateQueueBuffer, CACHE_LINE, H_CONSUMER, H_LOST, H_NOT_EMPTY_EPOCH, H_NOT_FULL_EPOCH, H_PRODUCER, H_RECOVERIES, HEADER_BYTES, type QueueKind } from "./layout.js";
import { QueueError, type QueueStall } from "./errors.js";

/**
 * How long a slot may stay claimed before operations that wait on it throw
 * `QUEUE_STALLED`. A healthy claim lasts one payload copy (nanoseconds to
 * microseconds); 5 s leaves room for a descheduled thread on a loaded
 * machine (the 2-core dev box at load 11 showed pauses in the tens of ms).
 */
export const DEFAULT_STALL_TIMEOUT_MS = 5000;

/** Throws QUEUE_BAD_OPTIONS unless `ms` is a positive number or Infinity (no stall detection). */
export function checkStallTimeout(ms: unknown): number {
  if (ms === undefined) return DEFAULT_STALL_TIMEOUT_MS;
  if (typeof ms !== "number" || Number.isNaN(ms) || ms <= 0) {
    throw new QueueError("QUEUE_BAD_OPTIONS", `stallTimeoutMs must be a positive number of ms (or Infinity), got ${String(ms)}`);
  }
  return ms;
}

/** Counters of an MPMC queue, shared by every thread attached to it. */
export interface MpmcQueueStats {
  /** Items queued right now (a snapshot, as `size`). */
  size: number;
  /** Records lost to `recover()`: claims of dead (or revoked) threads that were skipped. */
  lost: number;
  /** Successful `recover()` calls. */
  recoveries: number;
}

/**
 * With one slot, a pushed slot's sequence (pos + 1) equals the next push
 * position, so it would read as free again: the protocol needs two slots.
 */
export const MIN_MPMC_CAPACITY = 2;

/** Bytes of the sequence array for `capacity` slots, rounded up to whole cache lines. */
export function sequenceBytes(capacity: number): number {
  return Math.ceil((capacity * 4) / CACHE_LINE) * CACHE_LINE;
}

/** Allocates an MPMC buffer and numbers its slots (slot i starts at sequence i). */
export function allocateMpmc(kind: QueueKind, capacity: number, payloadBytes: number, paramA: number, paramB: number) {
  const mem = allocateQueueBuffer(kind, sequenceBytes(capacity) + payloadBytes, capacity, paramA, paramB);
  const seq = new Int32Array(mem.buffer, HEADER_BYTES, capacity);
  for (let i = 0; i < capacity; i++) seq[i] = i;
  return mem;
}

/** Base of the MPMC queues: claims and releases slots; subclasses move the payload. */
export abstract class MpmcSlots {
  /** Slots in the queue. */
  readonly capacity: number;
  /** The shared memory holding the header, the sequence numbers and the payloads. */
  readonly buffer: SharedArrayBuffer;
  /**
   * Ms a slot may stay claimed by another thread before this object's
   * operations throw `QUEUE_STALLED` (Infinity: never). Per object, so each
   * thread chooses its own; the descriptor carries the creator's value.
   * Set like the constructor's option: anything but a positive number or
   * Infinity throws `QUEUE_BAD_OPTIONS` (an `undefined` made a blocking pop's
   * sleep `Atomics.wait(…, NaN)`, which never timed out; sweep34).
   */
  get stallTimeoutMs(): number {
    return this.stallMs;
  }
  set stallTimeoutMs(ms: number) {
    if (ms === undefined) throw new QueueError("QUEUE_BAD_OPTIONS", "stallTimeoutMs must be a positive number of ms (or Infinity), got undefined");
    this.stallMs = checkStallTimeout(ms);
  }
  private stallMs: number;
  /**
   * @internal Test hook: called between a claim and its publish (push) or
   * release (pop), so a test can pause a worker there and terminate it. One
   * field test per operation when unset.
   */
  afterClaimHook: ((slot: number, op: "push" | "pop") => void) | undefined = undefined;
  protected readonly ctl: Int32Array;
  protected readonly mask: number;
  private readonly seq: Int32Array;
  /** Position of the slot last claimed by this object (per-thread: each thread has its own object). */
  private claimed = 0;
  /** The held slot this object is watching, per direction (see the file header). */
  private readonly pushWatch: Watch = { active: false, role: "producer", slot: 0, position: 0, since: 0 };
  private readonly popWatch: Watch = { active: false, role: "producer", slot: 0, position: 0, since: 0 };

  protected constructor(capacity: number, buffer: SharedArrayBuffer, ctl: Int32Array, stallTimeoutMs: number) {
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.buffer = buffer;
    this.ctl = ctl;
    this.seq = new Int32Array(buffer, HEADER_BYTES, capacity);
    this.stallMs = stallTimeoutMs;
  }

  /** Byte offset where the payload region starts. */
  protected static payloadOffset(capacity: number): number {
    return HEADER_BYTES + sequenceBytes(capacity);
  }

  /** Items queued right now, including any claimed but not yet published (a snapshot). */
  get size(): number {
    const n = (Atomics.load(this.ctl, H_PRODUCER) - Atomics.load(this.ctl, H_CONSUMER)) | 0;
    return n < 0 ? 0 : n > this.capacity ? this.capacity : n;
  }

  /** Size, and the records lost to recovery (shared by every thread on this queue). */
  stats(): MpmcQueueStats {
    return { size: this.size, lost: Atomics.load(this.ctl, H_LOST), recoveries: Atomics.load(this.ctl, H_RECOVERIES) };
  }

  /** How long a blocking call may sleep before it re-checks for a stalled slot. */
  protected get stallCheckMs(): number {
    return this.stallMs / 4;
  }

  /**
   * Skips the slot named by a `QUEUE_STALLED` error (`err.stall`), whose
   * holder is dead: the record in it is lost and counted in `stats().lost`,
   * and the queue moves on. Returns false, changing nothing, when the slot is
   * no longer held at that position (already recovered, or the holder
   * finished after all). Read the module notes before calling it on a thread
   * that may be alive.
   * @throws QueueError `QUEUE_BAD_OPTIONS` for something that is not a stall of this queue.
   */
  recover(stall: QueueStall): boolean {
    const cap = this.capacity;
    if (stall === null || typeof stall !== "object" || (stall.role !== "producer" && stall.role !== "consumer") ||
        !Number.isInteger(stall.slot) || stall.slot < 0 || stall.slot >= cap || (stall.position | 0) !== stall.position ||
        (stall.position & this.mask) !== stall.slot) {
      throw new QueueError("QUEUE_BAD_OPTIONS", "recover() needs the `stall` of a QUEUE_STALLED error from this queue");
    }
    const ctl = this.ctl;
    const seq = this.seq;
    const i = stall.slot;
    const p = stall.position;
    if (stall.role === "producer") {
      // Claimed at p, never published. Consumers cannot pass an unpublished
      // slot, so their index is at p once they have caught up with it.
      if (Atomics.load(seq, i) !== p) return false;
      if (Atomics.compareExchange(ctl, H_CONSUMER, p, (p + 1) | 0) !== p) return false;
      // Now no consumer will read position p. Free the slot for the next lap;
      // if the producer published in between, its record is dropped with it.
      if (Atomics.compareExchange(seq, i, p, (p + cap) | 0) !== p) Atomics.store(seq, i, (p + cap) | 0);
    } else {
      // Popped at p, never released: free it for the next lap.
      if (((Atomics.load(ctl, H_CONSUMER) - p) | 0) <= 0) return false;
      if (Atomics.compareExchange(seq, i, (p + 1) | 0, (p + cap) | 0) !== ((p + 1) | 0)) return false;
    }
    Atomics.add(ctl, H_LOST, 1);
    Atomics.add(ctl, H_RECOVERIES, 1);
    // Sleepers on both sides re-check now rather than at their next slice.
    for (const epoch of [H_NOT_EMPTY_EPOCH, H_NOT_FULL_EPOCH]) {
      Atomics.add(ctl, epoch, 1);
      Atomics.notify(ctl, epoch);
    }
    return true;
  }

  /** Claims a free slot for a push: returns its index, or -1 when the queue is full. */
  protected claimPush(): number {
    const ctl = this.ctl;
    const seq = this.seq;
    const mask = this.mask;
    let pos = ctl[H_PRODUCER]!; // a guess: the CAS below validates it
    for (;;) {
      const i = pos & mask;
      const dif = (Atomics.load(seq, i) - pos) | 0;
      if (dif === 0) {
        const won = Atomics.compareExchange(ctl, H_PRODUCER, pos, (pos + 1) | 0);
        if (won === pos) {
          this.claimed = pos;
          if (this.pushWatch.active) this.pushWatch.active = false;
          return i;
        }
        pos = won;
      } else if (dif < 0) {
        this.watch(this.pushWatch, i);
        return -1;
      } else {
        pos = ctl[H_PRODUCER]!;
      }
    }
  }

  /**
   * Publishes the slot claimed by the last {@link claimPush}: a CAS, so a
   * claim that recovery revoked is reported instead of overwriting the
   * slot's sequence. No measured cost: one-thread f64 tryPush+tryPop took
   * 56–57 ns with this change (CAS publish and release, stall watch, test
   * hook) against 109–111 ns before it, with `Atomics.store` (CPU time,
   * Node 20, A/B in separate processes; not isolated further, so read it as
   * "not slower"). The runtime-queue bench's one-thread MPMC row moved the same way.
   */
  protected publishPush(i: number): void {
    const mine = this.claimed;
    if (Atomics.compareExchange(this.seq, i, mine, (mine + 1) | 0) !== mine) throw revoked("push", i, mine);
  }

  /** Claims a ready slot for a pop: returns its index, or -1 when the queue is empty. */
  protected claimPop(): number {
    const ctl = this.ctl;
    const seq = this.seq;
    const mask = this.mask;
    let pos = ctl[H_CONSUMER]!; // a guess: the CAS below validates it
    for (;;) {
      const i = pos & mask;
      const dif = (Atomics.load(seq, i) - ((pos + 1) | 0)) | 0;
      if (dif === 0) {
        const won = Atomics.compareExchange(ctl, H_CONSUMER, pos, (pos + 1) | 0);
        if (won === pos) {
          this.claimed = pos;
          if (this.popWatch.active) this.popWatch.active = false;
          return i;
        }
        pos = won;
      } else if (dif < 0) {
        this.watch(this.popWatch, i);
        return -1;
      } else {
        pos = ctl[H_CONSUMER]!;
      }
    }
  }

  /** Frees the slot claimed by the last {@link claimPop} for the next lap (a CAS: see publishPush). */
  protected releasePop(i: number): void {
    const mine = this.claimed;
    if (Atomics.compareExchange(this.seq, i, (mine + 1) | 0, (mine + this.capacity) | 0) !== ((mine + 1) | 0)) throw revoked("pop", i, mine);
  }

  /**
   * Called when an operation found no slot at slot `i`: if another thread
   * holds that slot (see the file header), starts watching it, or throws
   * QUEUE_STALLED once it has been held at the same position for
   * stallTimeoutMs. A plain empty or full queue just ends the watch.
   */
  private watch(w: Watch, i: number): void {
    if (this.stallMs === Infinity) return;
    const s = Atomics.load(this.seq, i);
    let role: QueueStall["role"];
    let position: number;
    if ((s & this.mask) === i) {
      // "Free for position s": held if a producer has already claimed s.
      if (((Atomics.load(this.ctl, H_PRODUCER) - s) | 0) <= 0) return void (w.active = false);
      role = "producer";
      position = s;
    } else {
      // "Published for position s - 1": held if a consumer has already claimed it.
      position = (s - 1) | 0;
      if (((Atomics.load(this.ctl, H_CONSUMER) - position) | 0) <= 0) return void (w.active = false);
      role = "consumer";
    }
    const now = performance.now();
    if (!w.active || w.role !== role || w.position !== position || w.slot !== i) {
      w.active = true;
      w.role = role;
      w.position = position;
      w.slot = i;
      w.since = now;
      return;
    }
    const stalledMs = now - w.since;
    if (stalledMs >= this.stallMs) {
      w.active = false;
      const what = role === "producer" ? "claimed by a producer that has not published it" : "popped by a consumer that has not released it";
      throw new QueueError(
        "QUEUE_STALLED",
        `slot ${i} (position ${position}) was ${what} for ${Math.round(stalledMs)} ms (stallTimeoutMs ${this.stallTimeoutMs}); ` +
          "if that thread is dead, queue.recover(err.stall) skips the slot (its record is lost and counted in stats().lost)",
        { role, slot: i, position, stalledMs },
      );
    }
  }
}

interface Watch {
  active: boolean;
  role: QueueStall["role"];
  slot: number;
  position: number;
  since: number;
}

function revoked(op: "push" | "pop", slot: number, position: number): QueueError {
  return new QueueError(
    "QUEUE_CLAIM_REVOKED",
    op === "push"
      ? `push: slot ${slot} (position ${position}) was recovered by another thread while this push held it; the record was not queued (counted in stats().lost)`
      : `pop: slot ${slot} (position ${position}) was recovered by another thread while this pop held it; the record copied out is not valid`,
  );
}
