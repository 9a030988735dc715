/**
 * Options shared by the record queues (SPSC and MPMC): a record is a fixed
 * number of numeric lanes, all Float64 or all Int32.
 */
import { QueueError } from "./errors.js";
import { checkCapacity, checkInt, checkLaneType, expectHeader, H_CAPACITY, H_PARAM_A, H_PARAM_B, LANE_CODES, type LaneType } from "./layout.js";
import { checkOptionKeys } from "../../option-keys.js";

const RECORD_KEYS: ReadonlySet<string> = new Set(["capacity", "lanes", "type", "wrap", "stallTimeoutMs"]);

/** Options for {@link SpscRecordQueue} and {@link MpmcRecordQueue}. */
export interface RecordQueueOptions {
  /** Number of records the queue holds; a power of two (1 … 2^30; MPMC needs at least 2). */
  capacity: number;
  /** Numbers per record (1 … 1024). Default 1. */
  lanes?: number;
  /**
   * `"f64"` (default) stores any JS number exactly (-0 and NaN included);
   * `"i32"` stores Int32 and halves the memory.
   */
  type?: LaneType;
  /**
   * For `"i32"` lanes: what a push does with a value an Int32 cannot hold
   * (2**31 + 5, 1.7, -0, NaN, Infinity). Default false: the push throws
   * `QUEUE_BAD_VALUE` and queues nothing. true: TypedArray semantics, chosen
   * knowingly: the value goes through ToInt32 (2**31 + 5 → -2147483643,
   * 1.7 → 1, NaN → 0), as `Int32Array` assignment does. Skipping the check
   * saved 2–3.5 ns per 4-lane push+pop (35–37 vs 39 ns SPSC, 60 vs 62–63 ns
   * MPMC, one thread, CPU time). Ignored for `"f64"`.
   */
  wrap?: boolean;
  /**
   * MPMC queues only: ms a slot may stay claimed by another thread before
   * operations waiting on it throw `QUEUE_STALLED` (see mpmc-core.ts).
   * Default 5000; Infinity turns stall detection off.
   */
  stallTimeoutMs?: number;
}

/** Record options with defaults filled in and checked. */
export interface ResolvedRecordOptions {
  capacity: number;
  lanes: number;
  type: LaneType;
  wrap: boolean;
}

/** Output array a record can be popped into. */
export type RecordOut = Float64Array | Int32Array | number[];

export const MAX_LANES = 1024;

export function resolveRecordOptions(o: RecordQueueOptions | undefined, minCapacity = 1): ResolvedRecordOptions {
  if (typeof o !== "object" || o === null) throw new QueueError("QUEUE_BAD_OPTIONS", "options object required");
  checkOptionKeys(o, RECORD_KEYS, "record queue option", (m) => new QueueError("QUEUE_BAD_OPTIONS", m));
  const capacity = checkCapacity("capacity", o.capacity, minCapacity);
  const lanes = checkInt("lanes", o.lanes ?? 1, 1, MAX_LANES);
  const type = checkLaneType(o.type ?? "f64");
  if (capacity * lanes > 2 ** 30) throw new QueueError("QUEUE_BAD_OPTIONS", "capacity × lanes must be at most 2^30");
  if (o.wrap !== undefined && typeof o.wrap !== "boolean") throw new QueueError("QUEUE_BAD_OPTIONS", `wrap must be a boolean, got ${String(o.wrap)}`);
  return { capacity, lanes, type, wrap: o.wrap === true };
}

/**
 * Throws QUEUE_BAD_VALUE unless `values[from … from+count)` all fit an Int32
 * lane exactly. Run before anything is claimed or written, so a refused
 * record leaves the queue untouched.
 */
export function checkInt32Values(values: ArrayLike<number>, from: number, count: number): void {
  for (let k = from, end = from + count; k < end; k++) {
    const v = values[k]!;
    // (v | 0) === v: an integer in Int32 range (false for NaN, ±Infinity, fractions, non-numbers); 1 / v < 0 singles out -0.
    if ((v | 0) !== v || (v === 0 && 1 / v < 0)) {
      throw new QueueError(
        "QUEUE_BAD_VALUE",
        `value ${Object.is(v, -0) ? "-0" : String(v)} at index ${k} does not fit an i32 lane exactly; ` +
          'use type "f64", or pass wrap: true to store it with Int32Array (ToInt32) wrapping',
      );
    }
  }
}

/**
 * Values for an f64 lane, or an i32 lane with `wrap`: numbers only. A lane stores what the
 * typed array's conversion makes of a value: "abc" became NaN unnoticed, and a BigInt threw a
 * plain TypeError, in an MPMC queue after its slot was claimed, which left the slot held and the
 * queue stalled behind it (sweep34). Checked before the claim, as checkInt32Values is.
 */
export function checkNumberValues(values: ArrayLike<number>, from: number, count: number): void {
  for (let k = from, end = from + count; k < end; k++) {
    const v = values[k];
    if (typeof v !== "number") {
      throw new QueueError("QUEUE_BAD_VALUE", `value at index ${k} is ${typeof v === "bigint" ? "a bigint" : typeof v === "object" ? (v === null ? "null" : "an object") : `a ${typeof v}`}, not a number`);
    }
  }
}

/** Re-checks options read from a descriptor, turning any failure into QUEUE_BAD_DESCRIPTOR. */
export function resolveDescriptorRecordOptions(ctl: Int32Array, raw: Record<string, unknown>, minCapacity = 1): ResolvedRecordOptions {
  let o: ResolvedRecordOptions;
  try {
    o = resolveRecordOptions(raw as unknown as RecordQueueOptions, minCapacity);
  } catch (e) {
    throw new QueueError("QUEUE_BAD_DESCRIPTOR", `descriptor options are invalid: ${(e as Error).message}`);
  }
  expectHeader(ctl, H_CAPACITY, o.capacity, "capacity");
  expectHeader(ctl, H_PARAM_A, o.lanes, "lanes");
  expectHeader(ctl, H_PARAM_B, LANE_CODES[o.type], "lane type");
  return o;
}

/** A view of `count` lanes of the given type over `buffer` at `byteOffset`. */
export function laneView(type: LaneType, buffer: SharedArrayBuffer, byteOffset: number, count: number): Float64Array | Int32Array {
  return type === "f64" ? new Float64Array(buffer, byteOffset, count) : new Int32Array(buffer, byteOffset, count);
}

export function laneBytes(type: LaneType): number {
  return type === "f64" ? 8 : 4;
}

export function badRecord(lanes: number, got: number): QueueError {
  return new QueueError("QUEUE_BAD_RECORD", `record needs ${lanes} lane(s), the array has ${got}`);
}

/**
 * Copies `len` numbers, unrolled 4× (V8 unrolls small inner loops itself
 * but not this one: it is not innermost at the call sites). Measured on one
 * thread, batches of 64 f64 records, CPU ns per record: plain loop ~3.8,
 * `set(subarray(...))` 2.5–2.7 (allocates a view per call), this 2.1–2.3;
 * ringbuf.js, whose copy is unrolled 16×, 2.0–2.7.
 */
export function copyLanes(src: ArrayLike<number>, srcOff: number, dst: RecordOut, dstOff: number, len: number): void {
  let j = 0;
  for (const end4 = len - 3; j < end4; j += 4) {
    dst[dstOff + j] = src[srcOff + j]!;
    dst[dstOff + j + 1] = src[srcOff + j + 1]!;
    dst[dstOff + j + 2] = src[srcOff + j + 2]!;
    dst[dstOff + j + 3] = src[srcOff + j + 3]!;
  }
  for (; j < len; j++) dst[dstOff + j] = src[srcOff + j]!;
}
