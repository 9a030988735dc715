/**
 * A fixed-capacity ring of float64 values. Every monitor series lives in one:
 * memory use is fixed at creation (8 bytes × capacity), a push never
 * allocates, and the oldest value is overwritten once the ring is full.
 */
import { KosError } from "../../errors.js";

export class RingBuffer {
  private readonly values: Float64Array;
  /** Index the next push writes to. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new KosError("EINVAL_HISTORY", `ring capacity must be a positive integer, got ${capacity}`);
    }
    this.values = new Float64Array(capacity);
  }

  /** Number of values held (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  push(value: number): void {
    this.values[this.head] = value;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** The i-th value, oldest first (0 ≤ i < size); NaN when out of range. */
  at(i: number): number {
    if (i < 0 || i >= this.count) return NaN;
    const start = this.head - this.count;
    const idx = start + i < 0 ? start + i + this.capacity : start + i;
    return this.values[idx]!;
  }

  /** The most recent value, or NaN when empty. */
  latest(): number {
    return this.count === 0 ? NaN : this.values[this.head === 0 ? this.capacity - 1 : this.head - 1]!;
  }

  /** A copy of the held values, oldest first. */
  toArray(): Float64Array {
    const out = new Float64Array(this.count);
    const start = this.head - this.count;
    if (start >= 0) {
      out.set(this.values.subarray(start, this.head));
    } else {
      const tail = this.values.subarray(start + this.capacity);
      out.set(tail);
      out.set(this.values.subarray(0, this.head), tail.length);
    }
    return out;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}
