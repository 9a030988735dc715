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

/**
 * A message or output buffer of a byte queue: bytes (a Uint8Array, Buffer, Int8Array or
 * Uint8ClampedArray). A string was queued as that many zero bytes and a Uint16Array cut to its
 * low bytes, silently; a BigUint64Array threw in an MPMC queue after its slot was claimed, which
 * stalled the queue (sweep34).
 */
export function checkBytes(b: unknown, what: string): void {
  if (!(ArrayBuffer.isView(b) && (b as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT === 1)) {
    throw new QueueError("QUEUE_BAD_RECORD", `${what} must be a Uint8Array (or another array of bytes), got ${b === null ? "null" : ArrayBuffer.isView(b) ? b.constructor.name : typeof b}`);
  }
}
