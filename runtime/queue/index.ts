/**
 * Lock-free bounded queues on SharedArrayBuffer: wait-free SPSC rings and a
 * Vyukov-style MPMC queue, each for fixed-size numeric records and for byte
 * messages. Build one on any thread, `postMessage(queue.shared)`, and
 * `attach` it on the other side (or use {@link attachQueue}).
 *
 * What the queues guarantee (docs/queues.md has the long form):
 * - Every record pushed is popped exactly once, untorn; per-producer FIFO
 *   per consumer (MPMC), total FIFO (SPSC). Values are stored exactly: f64
 *   lanes carry any number, i32 lanes refuse what an Int32 cannot hold
 *   (`QUEUE_BAD_VALUE`) unless the queue was built with `wrap: true`.
 * - A thread that dies mid-operation: SPSC loses nothing that was published
 *   (its one index store either happened or not). MPMC: a slot the dead
 *   thread had claimed stays claimed; within `stallTimeoutMs` (default 5 s,
 *   about 1.25× that for a blocked call) every operation waiting on it throws
 *   `QUEUE_STALLED` naming the slot, `recover(err.stall)` skips it, and
 *   `stats().lost` counts the record lost with it. Never a silent hang.
 * - What it cannot do: tell a dead thread from one paused longer than
 *   `stallTimeoutMs`. Recovering a live producer's slot can tear the record
 *   that next uses the slot (the producer's publish then fails with
 *   `QUEUE_CLAIM_REVOKED`); recover only when the holder is known dead.
 * - `popAsync` keeps the process alive while it waits (a ref'd timer);
 *   `{ ref: false }` lets the process exit (exit code 13 if the await was the
 *   last thing alive). Blocking `push`/`pop` block the thread and so keep it alive.
 */
import { QueueError } from "./errors.js";
import { MpmcByteQueue } from "./mpmc-bytes.js";
import { MpmcRecordQueue } from "./mpmc-records.js";
import { SpscByteQueue } from "./spsc-bytes.js";
import { SpscRecordQueue } from "./spsc-records.js";

export { QueueError, type QueueErrorCode, type QueueStall } from "./errors.js";
export { DEFAULT_STALL_TIMEOUT_MS, type MpmcQueueStats } from "./mpmc-core.js";
export type { PopAsyncOptions } from "./wait.js";
export type { LaneType, QueueDescriptor, QueueKind } from "./layout.js";
export type { RecordOut, RecordQueueOptions } from "./record-options.js";
export { SpscRecordQueue, type SpscRecordDescriptor } from "./spsc-records.js";
export { SpscByteQueue, type ByteRingOptions, type SpscByteDescriptor } from "./spsc-bytes.js";
export { MpmcRecordQueue, type MpmcRecordDescriptor } from "./mpmc-records.js";
export { MpmcByteQueue, type MpmcByteDescriptor, type SlotQueueOptions } from "./mpmc-bytes.js";

/** Any kos queue. */
export type AnyQueue = SpscRecordQueue | SpscByteQueue | MpmcRecordQueue | MpmcByteQueue;

/**
 * Rebuilds whichever queue `descriptor` (from `queue.shared`) describes.
 * @throws QueueError `QUEUE_BAD_DESCRIPTOR` when it is not a kos queue descriptor.
 */
export function attachQueue(descriptor: unknown): AnyQueue {
  const kind = typeof descriptor === "object" && descriptor !== null ? (descriptor as { kind?: unknown }).kind : undefined;
  switch (kind) {
    case "kos.queue/spsc-records": return SpscRecordQueue.attach(descriptor);
    case "kos.queue/spsc-bytes": return SpscByteQueue.attach(descriptor);
    case "kos.queue/mpmc-records": return MpmcRecordQueue.attach(descriptor);
    case "kos.queue/mpmc-bytes": return MpmcByteQueue.attach(descriptor);
    default: throw new QueueError("QUEUE_BAD_DESCRIPTOR", `not a kos queue descriptor (kind ${String(kind)})`);
  }
}
