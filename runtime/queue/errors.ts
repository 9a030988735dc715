/**
 * The queue module's typed error. It is a KosError, so callers can catch
 * either; `code` is one of the stable strings below.
 */
import { KosError } from "../../errors.js";

/**
 * - `QUEUE_BAD_OPTIONS`: constructor options out of range (capacity not a power of two, …).
 * - `QUEUE_BAD_DESCRIPTOR`: `attach()` was given something other than a matching `queue.shared`.
 * - `QUEUE_BAD_RECORD`: a record array shorter than the queue's lane count.
 * - `QUEUE_BAD_VALUE`: a value an `i32` lane cannot hold (not an integer in
 *   [-2^31, 2^31), or -0, NaN); nothing is queued. `wrap: true` opts into
 *   TypedArray (ToInt32) wrapping instead.
 * - `QUEUE_MESSAGE_TOO_LARGE`: a byte message longer than the queue can ever hold.
 * - `QUEUE_BUFFER_TOO_SMALL`: the caller's output buffer cannot hold the next message (it stays queued).
 * - `QUEUE_BAD_TIMEOUT`: a negative or NaN timeout.
 * - `QUEUE_BAD_COUNT`: a record count (`tryPushMany`, `tryPopMany`) that is not an integer ≥ 0;
 *   nothing is queued or popped.
 * - `QUEUE_STALLED`: an MPMC slot was claimed by another thread that has not
 *   finished its push (or pop) for `stallTimeoutMs`; `stall` names the slot.
 *   Nothing was changed; `queue.recover(err.stall)` skips the slot.
 * - `QUEUE_CLAIM_REVOKED`: this thread's own claimed slot was recovered by
 *   another thread (it was taken for dead). A push's record is lost (counted);
 *   a pop's `out` holds no valid record.
 */
export type QueueErrorCode =
  | "QUEUE_BAD_OPTIONS"
  | "QUEUE_BAD_DESCRIPTOR"
  | "QUEUE_BAD_RECORD"
  | "QUEUE_BAD_VALUE"
  | "QUEUE_MESSAGE_TOO_LARGE"
  | "QUEUE_BUFFER_TOO_SMALL"
  | "QUEUE_BAD_TIMEOUT"
  | "QUEUE_BAD_COUNT"
  | "QUEUE_STALLED"
  | "QUEUE_CLAIM_REVOKED";

/** A slot of an MPMC queue that another thread claimed and has not finished with. */
export interface QueueStall {
  /** Who holds the claim: a `producer` that has not published, or a `consumer` that has not released. */
  role: "producer" | "consumer";
  /** Slot index, 0 … capacity-1. */
  slot: number;
  /** The queue position (Int32, wrapping) the claim was made at. */
  position: number;
  /** How long this thread watched the slot stay claimed, in ms. */
  stalledMs: number;
}

/** Error thrown by kos queues; `code` is a {@link QueueErrorCode}. */
export class QueueError extends KosError {
  declare readonly code: QueueErrorCode;
  /** With `QUEUE_STALLED`: the stalled slot, to pass to `recover()`. */
  readonly stall?: QueueStall;
  constructor(code: QueueErrorCode, message: string, stall?: QueueStall) {
    super(code, message);
    this.name = "QueueError";
    if (stall !== undefined) this.stall = stall;
  }
}
