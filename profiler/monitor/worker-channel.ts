/**
 * The shared memory between a monitor and its sampling worker
 * (`sampleFrom: "worker"`). One SharedArrayBuffer holds:
 * - the main thread's heartbeat (epoch ms, written every heartbeat period),
 *   from which the worker measures how long the main thread has not run;
 * - the main thread's values of the series only it can read (V8 heap, GC,
 *   event loop), with the time they were published and a state word that
 *   hands each publication to exactly one row (see {@link MainValuesState});
 * - a ring of complete rows the worker writes every interval (epoch ms,
 *   elapsed ms, one value per series), and a count of rows written.
 * The worker publishes a row by writing it, then incrementing the count with
 * Atomics (a release); the main thread reads the count with Atomics first.
 */

/** Series the worker thread samples itself: process-wide sources, true from any thread. */
export const WORKER_SERIES = /^(cpu\.|process\.cpu|memory\.rss$|system\.memory\.|io\.)/;

/** The series a worker-sampled monitor adds: time the main thread had not run when the row was taken. */
export const BLOCKED_SERIES = "mainThread.blockedMs";

export interface ChannelLayout {
  /** Every series of a row, in row order. */
  names: string[];
  /** The series the main thread publishes, in slot order. */
  mainNames: string[];
  capacity: number;
}

/**
 * `count[1]`: who owns the main thread's published values. The main thread
 * writes them only when EMPTY, then stores PUBLISHED; the worker takes them
 * with compareExchange(PUBLISHED → READING), copies them into one row and
 * stores EMPTY. So each publication lands in exactly one row and the per-interval
 * series (gc.count, gc.pauseMs, event-loop delay) sum to the truth, as in
 * "main" mode. The earlier rule, copy whatever is younger than 1.5 intervals,
 * copied one interval into two rows or lost one when the main thread ran in
 * 40–140 ms bursts: gc.count summed to 971 against 865 collections (sweep 37).
 */
export const MainValuesState = { EMPTY: 0, PUBLISHED: 1, READING: 2 } as const;

/** Views over the buffer, the same on both threads. */
export class WorkerChannel {
  /** [0] rows written, [1] the main values' {@link MainValuesState}. */
  readonly count: Int32Array;
  /** [0] heartbeat (epoch ms), [1] main values' publish time (epoch ms). */
  readonly clock: Float64Array;
  readonly mainValues: Float64Array;
  readonly rows: Float64Array;
  readonly rowLength: number;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly layout: ChannelLayout,
  ) {
    this.rowLength = 2 + layout.names.length;
    this.count = new Int32Array(buffer, 0, 2);
    this.clock = new Float64Array(buffer, 8, 2);
    this.mainValues = new Float64Array(buffer, 24, layout.mainNames.length);
    this.rows = new Float64Array(buffer, 24 + 8 * layout.mainNames.length, layout.capacity * this.rowLength);
  }

  /** Bytes for a layout. */
  static bytes(layout: ChannelLayout): number {
    return 24 + 8 * layout.mainNames.length + 8 * layout.capacity * (2 + layout.names.length);
  }

  static create(layout: ChannelLayout): WorkerChannel {
    const channel = new WorkerChannel(new SharedArrayBuffer(WorkerChannel.bytes(layout)), layout);
    channel.mainValues.fill(NaN);
    return channel;
  }

  /** Rows written so far (Atomics: everything before it is visible). */
  written(): number {
    return Atomics.load(this.count, 0);
  }

  /** Offset of row number `n` (mod capacity) in `rows`. */
  rowAt(n: number): number {
    return (n % this.layout.capacity) * this.rowLength;
  }
}

/** Epoch milliseconds with sub-millisecond precision, comparable across threads. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
