/**
 * BatchProcessor: collects single items into batches for a function that is
 * cheaper per item in bulk (a DB multi-insert, a network round trip, a GPU
 * dispatch), and gives each caller a promise of its own item's result.
 *
 * Items are kept in plain parallel arrays (item, resolve, reject) per batch, so
 * `add` costs one promise and three pushes. With `maxWaitFrom: "last"` the wait
 * restarts on every add, but instead of clearing and re-creating a timer per
 * add (≈1 µs each on Node 20), the one timer re-arms itself for the remaining
 * time when it fires early.
 *
 * Nothing lost at exit. A processor holding pending items flushes them on
 * the process's (or worker's) `beforeExit`, the moment the event loop runs
 * out of other work, so every `add()` promise settles before a normal exit
 * and a script whose last work is `await bp.add(x)` gets its result. The
 * `processBatch` work started then keeps the loop alive as usual. The wait
 * timer itself stays unref'd: a ref'd one would hold an idle process open
 * for up to `maxWait` ms (or for ever with a huge `maxWait`) just to flush
 * what `beforeExit` flushes at once. `unref()` restores the old behaviour.
 * Not covered: `process.exit()` and fatal signals end the process at once,
 * with no event in which to flush (call `close()` before those).
 */
import { KosError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";

const BATCH_KEYS: ReadonlySet<string> = new Set(["batchSize", "maxWait", "maxWaitFrom", "now"]);

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Processors that hold pending items and are not unref'd: flushed on
 * `beforeExit`. Per thread by nature (one `beforeExit` per process or
 * worker); entries leave when their batch is dispatched, so this holds a
 * processor only while it has unsent items. Costs one Set add and delete per
 * batch, not per item.
 */
const flushOnExit = new Set<{ flushForExit(): void }>();
let exitHookInstalled = false;

function watchForExit(p: { flushForExit(): void }): void {
  flushOnExit.add(p);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("beforeExit", () => {
      for (const q of [...flushOnExit]) q.flushForExit();
    });
  }
}

/** Why a batch was flushed. */
export type FlushReason = "full" | "timeout" | "manual" | "close" | "exit";

/** Options for {@link BatchProcessor}. */
export interface BatchProcessorOptions {
  /** Items per batch: a batch flushes as soon as it holds this many. Integer ≥ 1. */
  batchSize: number;
  /** Milliseconds a batch may wait before it flushes anyway. ≥ 0; `Infinity` disables the timer. */
  maxWait: number;
  /** Measure `maxWait` from the batch's first item (default) or from its latest item. */
  maxWaitFrom?: "first" | "last";
  /** Clock in milliseconds, used by `maxWaitFrom: "last"`. Default `Date.now` (read at call time, so fake timers work). */
  now?: () => number;
}

/** Counters reported by {@link BatchProcessor.stats}. */
export interface BatchProcessorStats {
  /** Items accepted by `add`. */
  items: number;
  /** Batches handed to `processBatch`. */
  batches: number;
  /** Batches flushed, by reason. */
  flushes: Record<FlushReason, number>;
  /** Batches whose `processBatch` threw/rejected or returned a result of the wrong shape. */
  failedBatches: number;
  /** Item promises resolved / rejected so far. */
  resolved: number;
  rejected: number;
  /** Items waiting in the open batch. */
  pending: number;
  /** Batches handed to `processBatch` that have not settled yet. */
  inFlight: number;
}

/** Processes a batch; must return (or resolve to) one result per item, in order. */
export type ProcessBatch<I, O> = (items: I[]) => O[] | Promise<O[]>;

/**
 * Groups items into batches by size and time.
 *
 * Batches may run concurrently: a new batch is handed to `processBatch` as soon
 * as it flushes, even if an earlier one is still running. Pending items are
 * flushed before the process exits (see the module notes); `unref()` opts out.
 *
 * @example
 * const loader = new BatchProcessor((ids: string[]) => db.getMany(ids), { batchSize: 100, maxWait: 5 });
 * const user = await loader.add("u42");
 *
 * @throws KosError `BATCH_INVALID_OPTIONS` from the constructor. Item promises
 * reject with `processBatch`'s own error, with `BATCH_RESULT_MISMATCH` when it
 * returns a result that is not an array of one entry per item, or with
 * `BATCH_CLOSED` when `add` is called after `close()`.
 */
export class BatchProcessor<I, O> {
  private readonly processBatch: ProcessBatch<I, O>;
  private readonly batchSize: number;
  private readonly maxWait: number;
  private readonly fromLast: boolean;
  private readonly now: () => number;

  /**
   * The open batch: parallel arrays filled up to `count`. They are allocated at
   * full size up front (capped) because growing three arrays by push cost about
   * 2× per item in a 10k-item run (≈170 vs ≈90 ns/item, Node 20).
   */
  private readonly capacity: number;
  private items: I[];
  private resolves: Array<(value: O) => void>;
  private rejects: Array<(reason: unknown) => void>;
  private count = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Clock reading of the newest item, for `maxWaitFrom: "last"`. */
  private lastAddAt = 0;
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  /** False after `unref()`: pending items are not flushed at exit. */
  private refed = true;

  private itemCount = 0;
  private batches = 0;
  private readonly flushes: Record<FlushReason, number> = { full: 0, timeout: 0, manual: 0, close: 0, exit: 0 };
  private failedBatches = 0;
  private resolved = 0;
  private rejected = 0;

  constructor(processBatch: ProcessBatch<I, O>, options: BatchProcessorOptions) {
    if (typeof processBatch !== "function") throw new KosError("BATCH_INVALID_OPTIONS", "BatchProcessor: processBatch must be a function");
    if (options === null || typeof options !== "object") throw new KosError("BATCH_INVALID_OPTIONS", "BatchProcessor needs an options object");
    checkOptionKeys(options, BATCH_KEYS, "BatchProcessor option", (m) => new KosError("BATCH_INVALID_OPTIONS", m));
    const { batchSize, maxWait, maxWaitFrom = "first", now } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new KosError("BATCH_INVALID_OPTIONS", `BatchProcessor: batchSize must be an integer ≥ 1, got ${String(batchSize)}`);
    }
    if (typeof maxWait !== "number" || Number.isNaN(maxWait) || maxWait < 0) {
      throw new KosError("BATCH_INVALID_OPTIONS", `BatchProcessor: maxWait must be a number ≥ 0 (or Infinity), got ${String(maxWait)}`);
    }
    if (maxWaitFrom !== "first" && maxWaitFrom !== "last") {
      throw new KosError("BATCH_INVALID_OPTIONS", 'BatchProcessor: maxWaitFrom must be "first" or "last"');
    }
    if (now !== undefined && typeof now !== "function") throw new KosError("BATCH_INVALID_OPTIONS", "BatchProcessor: now must be a function");
    this.processBatch = processBatch;
    this.batchSize = batchSize;
    this.maxWait = maxWait;
    this.fromLast = maxWaitFrom === "last";
    this.now = now ?? (() => Date.now());
    this.capacity = Math.min(batchSize, 4096);
    this.items = new Array(this.capacity);
    this.resolves = new Array(this.capacity);
    this.rejects = new Array(this.capacity);
  }

  /**
   * Adds an item to the open batch and returns a promise of its result. The
   * batch flushes now if this item fills it. After `close()`, the promise
   * rejects with `BATCH_CLOSED`.
   */
  add(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new KosError("BATCH_CLOSED", "BatchProcessor.add: the processor is closed"));
    const n = this.count;
    const promise = new Promise<O>((resolve, reject) => {
      this.resolves[n] = resolve;
      this.rejects[n] = reject;
    });
    this.items[n] = item;
    this.count = n + 1;
    this.itemCount++;
    if (n + 1 >= this.batchSize) {
      this.dispatch("full");
    } else {
      if (this.fromLast) this.lastAddAt = this.now();
      if (n === 0 && this.refed) watchForExit(this);
      if (this.timer === undefined && this.maxWait !== Infinity) this.armTimer(this.maxWait);
    }
    return promise;
  }

  /**
   * Lets the process exit while items are pending, as before issue 14's fix:
   * pending items are no longer flushed on `beforeExit`.
   *
   * What it costs: pending items are dropped when nothing else keeps the
   * process alive. Their `add()` promises never settle, `processBatch` never
   * sees them, and a script whose last work is `await bp.add(x)` ends with
   * exit code 13 (unsettled top-level await) and no message. What it buys:
   * no batch runs at exit, for work that is worthless once the program is
   * done, and one Set add/delete less per batch. Call `close()` (or
   * `flush()`) yourself before exit to drain. Returns `this`.
   */
  unref(): this {
    this.refed = false;
    flushOnExit.delete(this);
    return this;
  }

  /** Undoes {@link unref}: pending items are flushed before exit again (the default). Returns `this`. */
  ref(): this {
    this.refed = true;
    if (this.count > 0) watchForExit(this);
    return this;
  }

  /** @internal The `beforeExit` flush of pending items. */
  flushForExit(): void {
    this.dispatch("exit");
  }

  /** Flushes the open batch now, then waits until every batch handed out so far has settled. Never rejects. */
  flush(): Promise<void> {
    this.dispatch("manual");
    return this.settled();
  }

  /** Stops accepting items, flushes the open batch, and waits until every batch has settled. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    this.dispatch("close");
    return this.settled();
  }

  /** A snapshot of the processor's counters. */
  stats(): BatchProcessorStats {
    return {
      items: this.itemCount,
      batches: this.batches,
      flushes: { ...this.flushes },
      failedBatches: this.failedBatches,
      resolved: this.resolved,
      rejected: this.rejected,
      pending: this.count,
      inFlight: this.running.size,
    };
  }

  /** Waits for the batches running now (a snapshot, so steady new traffic cannot keep flush() waiting forever). */
  private async settled(): Promise<void> {
    if (this.running.size > 0) await Promise.all([...this.running]);
  }

  private armTimer(ms: number): void {
    // setTimeout turns delays above 2^31-1 ms into 1 ms; clamp instead (onTimer re-checks in "last" mode).
    const timer = setTimeout(() => this.onTimer(), Math.min(ms, MAX_TIMER_MS));
    // Unref'd: `beforeExit` flushes pending items (see the module notes).
    // Optional call: fake-timer implementations may return a plain id.
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.count === 0) return;
    if (this.fromLast) {
      const waited = this.now() - this.lastAddAt;
      if (waited < this.maxWait) {
        this.armTimer(this.maxWait - waited);
        return;
      }
    }
    this.dispatch("timeout");
  }

  /** Hands the open batch to `processBatch`. No-op when the batch is empty. */
  private dispatch(reason: FlushReason): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const count = this.count;
    if (count === 0) return;
    flushOnExit.delete(this);
    const items = this.items;
    const resolves = this.resolves;
    const rejects = this.rejects;
    // processBatch sees exactly the batch's items.
    if (items.length !== count) items.length = count;
    this.items = new Array(this.capacity);
    this.resolves = new Array(this.capacity);
    this.rejects = new Array(this.capacity);
    this.count = 0;
    this.flushes[reason]++;
    this.batches++;
    const run = this.run(items, resolves, rejects, count);
    this.running.add(run);
    void run.then(() => this.running.delete(run));
  }

  /** Runs one batch and settles every one of its items; never rejects. */
  private async run(items: I[], resolves: Array<(value: O) => void>, rejects: Array<(reason: unknown) => void>, count: number): Promise<void> {
    // `count`, not items.length: processBatch may mutate the array it was given.
    let results: unknown;
    try {
      results = await this.processBatch(items);
    } catch (err) {
      this.fail(rejects, count, err);
      return;
    }
    if (!Array.isArray(results) || results.length !== count) {
      const got = Array.isArray(results) ? `an array of ${results.length}` : results === null ? "null" : typeof results;
      this.fail(rejects, count, new KosError("BATCH_RESULT_MISMATCH", `BatchProcessor: processBatch returned ${got} for a batch of ${count} items; it must return one result per item`));
      return;
    }
    for (let i = 0; i < count; i++) resolves[i]!(results[i] as O);
    this.resolved += count;
  }

  private fail(rejects: Array<(reason: unknown) => void>, count: number, err: unknown): void {
    this.failedBatches++;
    for (let i = 0; i < count; i++) rejects[i]!(err);
    this.rejected += count;
  }
}
