/**
 * Lock-free bounded queues on SharedArrayBuffer: wait-free SPSC rings and a
 * Vyukov-style MPMC queue, each for fixed-size numeric records and for byte
 * messages. Build one on any thread, `postMessage(queue.shared)`, and
 * `attach` it on the other side (or use {@link attachQueue}).
 */
import { QueueError } from "./errors.js";
import { MpmcByteQueue } from "./mpmc-bytes.js";
import { MpmcRecordQueue } from "./mpmc-records.js";
import { SpscByteQueue } from "./spsc-bytes.js";
import { SpscRecordQueue } from "./spsc-records.js";

export { QueueError, type QueueErrorCode } from "./errors.js";
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
