/**
 * The queue module's typed error. It is a KosError, so callers can catch
 * either; `code` is one of the stable strings below.
 */
import { KosError } from "../../errors.js";

/**
 * - `QUEUE_BAD_OPTIONS`: constructor options out of range (capacity not a power of two, …).
 * - `QUEUE_BAD_DESCRIPTOR`: `attach()` was given something other than a matching `queue.shared`.
 * - `QUEUE_BAD_RECORD`: a record array shorter than the queue's lane count.
 * - `QUEUE_MESSAGE_TOO_LARGE`: a byte message longer than the queue can ever hold.
 * - `QUEUE_BUFFER_TOO_SMALL`: the caller's output buffer cannot hold the next message (it stays queued).
 * - `QUEUE_BAD_TIMEOUT`: a negative or NaN timeout.
 */
export type QueueErrorCode =
  | "QUEUE_BAD_OPTIONS"
  | "QUEUE_BAD_DESCRIPTOR"
  | "QUEUE_BAD_RECORD"
  | "QUEUE_MESSAGE_TOO_LARGE"
  | "QUEUE_BUFFER_TOO_SMALL"
  | "QUEUE_BAD_TIMEOUT";

/** Error thrown by kos queues; `code` is a {@link QueueErrorCode}. */
export class QueueError extends KosError {
  declare readonly code: QueueErrorCode;
  constructor(code: QueueErrorCode, message: string) {
    super(code, message);
    this.name = "QueueError";
  }
}
