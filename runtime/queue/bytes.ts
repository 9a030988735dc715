/** Byte-copy and error helpers shared by the byte-message queues. */
import { QueueError } from "./errors.js";

/**
 * Copies `n` bytes. Below 64 bytes a plain loop beats `set(subarray(...))`,
 * which allocates a view object per call; above it the native memcpy wins.
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, n: number): void {
  if (n <= 64) {
    for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
  } else {
    dst.set(src.subarray(srcOff, srcOff + n), dstOff);
  }
}

export function tooLarge(len: number, max: number): QueueError {
  return new QueueError("QUEUE_MESSAGE_TOO_LARGE", `message of ${len} bytes exceeds this queue's limit of ${max} bytes`);
}

export function tooSmall(len: number, have: number): QueueError {
  return new QueueError("QUEUE_BUFFER_TOO_SMALL", `next message is ${len} bytes but the output buffer holds ${have}; it stays queued`);
}
