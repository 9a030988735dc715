/**
 * The contract between the monitor and each source. A sampler declares its
 * series once, at start, and on every tick writes one value per series into
 * the monitor's row (a reused Float64Array), so a tick allocates nothing
 * beyond what the source's own API allocates.
 */

export interface SeriesSpec {
  /** Dotted name, e.g. "memory.heapUsed". */
  name: string;
  /** "ratio", "bytes", "bytes/s", "ms", "1/s", "count". */
  unit: string;
  available: boolean;
  /** Memory series get the leak rule applied in the summary. */
  leakCandidate?: boolean;
}

export interface Sampler {
  /** Opens the source and takes the baseline for deltas. Returns the series it will write. */
  start(): SeriesSpec[];
  /** Reads the source; writes one value per declared series at `row[offset..]`. */
  sample(elapsedMs: number, row: Float64Array, offset: number): void;
  /** Releases the source (file descriptors, observers, histograms). */
  stop(): void;
}
