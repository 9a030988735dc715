/**
 * Layout shared by `PinnedWorkerPool` and its worker entry: one row of
 * Float64 counters per worker slot in a SharedArrayBuffer, written only by
 * that worker and read by the pool (no locks: one writer per cell).
 */

/** Column offsets inside a worker's row of the stats array. */
export const STAT = {
  threadId: 0,
  tid: 1,
  startedAt: 2,
  assignment: 3,
  pinned: 4,
  completed: 5,
  failed: 6,
  busyMs: 7,
} as const;

/** Float64 cells per worker row. */
export const STAT_STRIDE = 8;

/** What the pool passes to each worker through piscina's workerData. */
export interface PoolWorkerData {
  /** Int32[0]: next slot to claim; Int32[1]: workers ready; Int32[2]: task-module load failures. */
  counter: SharedArrayBuffer;
  /** Float64 rows of STAT_STRIDE cells, one per slot. */
  stats: SharedArrayBuffer;
  /** CPU sets; slot i pins to assignments[i % length]. Empty: no pinning. */
  assignments: number[][];
  /** Rows in `stats`; slots wrap around after this many worker starts. */
  capacity: number;
  userFilename: string;
  /** file: URL of the pool's worker entry (loaded by the tsx bootstrap when TypeScript is involved). */
  entry: string;
  userWorkerData: unknown;
}
