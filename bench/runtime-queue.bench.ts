/**
 * runtime-queue: messages per second from a worker (producer) to the main
 * thread (consumer), for postMessage, ringbuf.js and the kos queues.
 *
 * Each run spawns a producer worker (runtime-queue-producer.ts), waits until
 * it is ready, then releases it with a shared start flag and times, on the
 * main thread, how long it takes to receive all `count` messages. Both sides
 * spin on their non-blocking calls, except in the "blocking" row. Every row
 * is the median of RUNS runs in this process (rounds interleave the rows),
 * and ratios compare rows of the same run of the suite. The consumer checks
 * the sum of what it received, so a lost or duplicated message fails the
 * benchmark instead of flattering it.
 *
 * Rings need both threads on a CPU at once; postMessage does not (its queue
 * is unbounded). On a loaded 2-core machine that is what bounds the ring
 * rows, so the section records the load average next to the figures.
 */
import { Worker } from "node:worker_threads";
import os from "node:os";
import { RingBuffer } from "ringbuf.js";
import { do_not_optimize, formatNs, markdownTable, time, type BenchSection } from "./harness.js";
import { MpmcRecordQueue, SpscByteQueue, SpscRecordQueue } from "../runtime/queue/index.js";
import type { ProducerData, ProducerMode } from "./runtime-queue-producer.js";

const RUNS = 5;
/**
 * Records per ring (all rings alike). 65536 rather than 4096: on the loaded
 * 2-core machine a ring only moves while both threads hold a CPU, and at
 * 4096 every row collapsed to ~0.2 M msg/s; KOS_QUEUE_CAPACITY overrides.
 */
const CAPACITY = Number(process.env.KOS_QUEUE_CAPACITY ?? 65536);
const BATCH = 64;

interface Row {
  mode: ProducerMode;
  label: string;
  count: number;
}

const ROWS: Row[] = [
  { mode: "postMessage", label: "`postMessage(number)`", count: 2_000_000 },
  { mode: "ringbuf", label: "ringbuf.js `push`/`pop`, 1 Float64 per call", count: 4_000_000 },
  { mode: "spsc-records", label: "kos `SpscRecordQueue` `tryPush`/`tryPop`, 1 f64 lane", count: 4_000_000 },
  { mode: "spsc-records-blocking", label: "kos `SpscRecordQueue` blocking `push`/`pop` (sleep in `Atomics.wait` instead of spinning)", count: 4_000_000 },
  { mode: "spsc-records-notify", label: "kos `SpscRecordQueue` + `Atomics.notify` per message", count: 4_000_000 },
  { mode: "spsc-bytes", label: "kos `SpscByteQueue`, 8-byte messages", count: 4_000_000 },
  { mode: "mpmc-records", label: "kos `MpmcRecordQueue` (1 producer → main), 1 f64 lane", count: 4_000_000 },
  { mode: "ringbuf-batch", label: `ringbuf.js, batches of ${BATCH}`, count: 8_000_000 },
  { mode: "spsc-records-batch", label: `kos \`SpscRecordQueue\` \`tryPushMany\`/\`tryPopMany\`, batches of ${BATCH}`, count: 8_000_000 },
];

function expectSum(sum: number, count: number, mode: string): void {
  const want = (count * (count - 1)) / 2;
  if (sum !== want) throw new Error(`${mode}: received sum ${sum}, expected ${want}: messages lost or duplicated`);
}

/** Sets up the queue for `mode` and returns its producer handle and a spinning consumer. */
function setup(mode: ProducerMode, count: number): { queue?: unknown; consume?: () => number } {
  switch (mode) {
    case "postMessage":
      return {};
    case "ringbuf":
    case "ringbuf-batch": {
      const sab = RingBuffer.getStorageForCapacity(CAPACITY, Float64Array);
      const rb = new RingBuffer(sab, Float64Array);
      const out = new Float64Array(mode === "ringbuf" ? 1 : BATCH);
      return {
        queue: sab,
        consume: () => {
          let sum = 0;
          for (let got = 0; got < count; ) {
            const n = rb.pop(out);
            for (let k = 0; k < n; k++) sum += out[k]!;
            got += n;
          }
          return sum;
        },
      };
    }
    case "spsc-records":
    case "spsc-records-notify": {
      const q = new SpscRecordQueue({ capacity: CAPACITY });
      const out = new Float64Array(1);
      return {
        queue: q.shared,
        consume: () => {
          let sum = 0;
          for (let got = 0; got < count; ) {
            if (q.tryPop(out)) {
              sum += out[0]!;
              got++;
            }
          }
          return sum;
        },
      };
    }
    case "spsc-records-blocking": {
      const q = new SpscRecordQueue({ capacity: CAPACITY });
      const out = new Float64Array(1);
      return {
        queue: q.shared,
        consume: () => {
          let sum = 0;
          for (let got = 0; got < count; got++) {
            q.pop(out);
            sum += out[0]!;
          }
          return sum;
        },
      };
    }
    case "spsc-records-batch": {
      const q = new SpscRecordQueue({ capacity: CAPACITY });
      const out = new Float64Array(BATCH);
      return {
        queue: q.shared,
        consume: () => {
          let sum = 0;
          for (let got = 0; got < count; ) {
            const n = q.tryPopMany(out, BATCH);
            for (let k = 0; k < n; k++) sum += out[k]!;
            got += n;
          }
          return sum;
        },
      };
    }
    case "spsc-bytes": {
      const q = new SpscByteQueue({ capacityBytes: CAPACITY * 16 });
      const out = new Uint8Array(8);
      const view = new Float64Array(out.buffer);
      return {
        queue: q.shared,
        consume: () => {
          let sum = 0;
          for (let got = 0; got < count; ) {
            if (q.tryPop(out) === 8) {
              sum += view[0]!;
              got++;
            }
          }
          return sum;
        },
      };
    }
    case "mpmc-records": {
      const q = new MpmcRecordQueue({ capacity: CAPACITY });
      const out = new Float64Array(1);
      return {
        queue: q.shared,
        consume: () => {
          let sum = 0;
          for (let got = 0; got < count; ) {
            if (q.tryPop(out)) {
              sum += out[0]!;
              got++;
            }
          }
          return sum;
        },
      };
    }
  }
}

/**
 * Spawns the producer and waits for its "ready". Retries a worker that dies
 * while loading: in the shared checkout another engineer's `tsc` may be
 * rewriting dist/ at that moment, and a half-written module fails to link.
 */
async function startProducer(data: ProducerData): Promise<{ worker: Worker; failed: Promise<never> }> {
  for (let attempt = 1; ; attempt++) {
    const worker = new Worker(new URL("./runtime-queue-producer.js", import.meta.url), { workerData: data });
    const failed = new Promise<never>((_, reject) => worker.once("error", reject));
    failed.catch(() => {}); // observed below; keeps a late failure from being "unhandled"
    try {
      await Promise.race([new Promise((r) => worker.once("message", r)), failed]);
      return { worker, failed };
    } catch (e) {
      await worker.terminate();
      if (attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** One timed transfer of `count` messages; returns nanoseconds. */
export async function runOnce(mode: ProducerMode, count: number): Promise<number> {
  const start = new SharedArrayBuffer(4);
  const flag = new Int32Array(start);
  const { queue, consume } = setup(mode, count);
  const data: ProducerData = { mode, count, start, queue, batch: BATCH };
  const { worker, failed } = await startProducer(data);
  let ns: number;
  if (!consume) {
    let got = 0;
    let sum = 0;
    const all = new Promise<void>((resolve) => {
      worker.on("message", (m) => {
        if (typeof m !== "number") return;
        sum += m;
        if (++got === count) resolve();
      });
    });
    const t0 = process.hrtime.bigint();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await Promise.race([all, failed]);
    ns = Number(process.hrtime.bigint() - t0);
    expectSum(sum, count, mode);
  } else {
    const t0 = process.hrtime.bigint();
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const sum = consume();
    ns = Number(process.hrtime.bigint() - t0);
    do_not_optimize(sum);
    expectSum(sum, count, mode);
  }
  await worker.terminate();
  return ns;
}

/**
 * Same-thread cost of one push plus one pop (mitata median): the
 * instructions each design spends per message, without the cross-core
 * traffic and without the scheduler, so it holds still on a loaded machine.
 */
export async function sameThreadCosts(): Promise<Array<[string, number]>> {
  const one = new Float64Array(1);
  const out = new Float64Array(1);
  const rb = new RingBuffer(RingBuffer.getStorageForCapacity(CAPACITY, Float64Array), Float64Array);
  const spsc = new SpscRecordQueue({ capacity: CAPACITY });
  const bytes = new SpscByteQueue({ capacityBytes: CAPACITY * 16 });
  const mpmc = new MpmcRecordQueue({ capacity: CAPACITY });
  const msg = new Uint8Array(8);
  const msgOut = new Uint8Array(8);
  const word = new Int32Array(new SharedArrayBuffer(4));
  const batchIn = Float64Array.from({ length: BATCH }, (_, i) => i);
  const batchOut = new Float64Array(BATCH);
  const rbBatch = new RingBuffer(RingBuffer.getStorageForCapacity(CAPACITY, Float64Array), Float64Array);
  const spscBatch = new SpscRecordQueue({ capacity: CAPACITY });
  const rows: Array<[string, () => unknown, number]> = [
    ["ringbuf.js `push` + `pop`", () => (rb.push(one), rb.pop(out)), 1],
    ["kos `SpscRecordQueue` `tryPush` + `tryPop`", () => (spsc.tryPush(one), spsc.tryPop(out)), 1],
    ["kos `SpscRecordQueue` + `Atomics.notify` per message", () => (spsc.tryPush(one), Atomics.notify(word, 0), spsc.tryPop(out)), 1],
    ["kos `SpscByteQueue` 8-byte `tryPush` + `tryPop`", () => (bytes.tryPush(msg), bytes.tryPop(msgOut)), 1],
    ["kos `MpmcRecordQueue` `tryPush` + `tryPop`", () => (mpmc.tryPush(one), mpmc.tryPop(out)), 1],
    [`ringbuf.js batch of ${BATCH}, per message`, () => (rbBatch.push(batchIn), rbBatch.pop(batchOut)), BATCH],
    [`kos \`tryPushMany\` + \`tryPopMany\` batch of ${BATCH}, per message`, () => (spscBatch.tryPushMany(batchIn, BATCH), spscBatch.tryPopMany(batchOut, BATCH)), BATCH],
  ];
  const result: Array<[string, number]> = [];
  for (const [label, fn, perCall] of rows) result.push([label, (await time(fn)).medianNs / perCall]);
  return result;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmtRate = (r: number) => (r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : `${(r / 1e3).toFixed(0)} k/s`);

export default async function (): Promise<BenchSection> {
  const loadBefore = os.loadavg()[0]!;
  // Rounds interleave the rows, so a burst of load on the shared machine
  // hits every mechanism alike instead of one row's three runs.
  const times = new Map<ProducerMode, number[]>(ROWS.map((r) => [r.mode, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const row of ROWS) times.get(row.mode)!.push(await runOnce(row.mode, row.count));
  }
  const rate = new Map<ProducerMode, number>();
  for (const row of ROWS) rate.set(row.mode, row.count / (median(times.get(row.mode)!) / 1e9));
  const loadAfter = os.loadavg()[0]!;
  // Ratios are paired: row vs peer within each round (runs seconds apart),
  // then the median over rounds, with the spread shown, since load drifts.
  const countOf = new Map(ROWS.map((r) => [r.mode, r.count]));
  const roundRates = (m: ProducerMode) => times.get(m)!.map((t) => countOf.get(m)! / (t / 1e9));
  const paired = (m: ProducerMode, peer: ProducerMode) => {
    const a = roundRates(m);
    const b = roundRates(peer);
    const ratios = a.map((x, i) => x / b[i]!);
    return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  };
  const ringPeer = (m: ProducerMode): ProducerMode => (m === "ringbuf-batch" || m === "spsc-records-batch" ? "ringbuf-batch" : "ringbuf");
  const rows = ROWS.map((row) => {
    const vsPm = paired(row.mode, "postMessage");
    const ring = paired(row.mode, ringPeer(row.mode));
    const vsRing = row.mode === "postMessage" || row.mode === ringPeer(row.mode) ? "—"
      : `${ring.median.toFixed(2)}× (${ring.min.toFixed(2)}–${ring.max.toFixed(2)})`;
    return [row.label, `${row.count / 1e6} M`, fmtRate(rate.get(row.mode)!), row.mode === "postMessage" ? "1.0×" : `${vsPm.median.toFixed(1)}×`, vsRing];
  });
  const costs = await sameThreadCosts();
  const ringCost = costs[0]![1];
  const ringBatchCost = costs[5]![1];
  const costRows = costs.map(([label, ns], i) => [label, formatNs(ns), `${((i >= 5 ? ringBatchCost : ringCost) / ns).toFixed(2)}×`]);
  const spscVsPm = paired("spsc-records", "postMessage");
  const spscVsRing = paired("spsc-records", "ringbuf");
  const notifyVsSpsc = paired("spsc-records-notify", "spsc-records");
  const markdown = [
    `Worker → main thread, one producer worker, consumer spinning on the main thread; capacity ${CAPACITY} records ` +
      `(SpscByteQueue: ${CAPACITY * 16} bytes); msgs/s is the median of ${RUNS} interleaved runs per row; ratios are the median over rounds of the ratio within each round (range in brackets); every run checks the sum of all messages received. ` +
      `1-minute load average ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after the suite, on ${os.cpus().length} cores.`,
    "",
    markdownTable(["mechanism", "messages", "msgs/s", "vs postMessage", "vs ringbuf.js, same batching (range)"], rows),
    "",
    `Targets: SPSC ≥ 20× postMessage → **${spscVsPm.median.toFixed(1)}×** (range ${spscVsPm.min.toFixed(1)}–${spscVsPm.max.toFixed(1)}); ` +
      `SPSC ≥ 1.0× ringbuf.js → **${spscVsRing.median.toFixed(2)}×** (range ${spscVsRing.min.toFixed(2)}–${spscVsRing.max.toFixed(2)}). ` +
      `Notifying on every message instead of only when a waiter is flagged gave ${notifyVsSpsc.median.toFixed(2)}× the SPSC rate across threads in this run ` +
      `(range ${notifyVsSpsc.min.toFixed(2)}–${notifyVsSpsc.max.toFixed(2)}); its same-thread cost is in the next table.`,
    "",
    "Same-thread cost per message (one push + one pop on one thread, mitata median): the work each design does per message, " +
      "free of cross-core traffic and of the scheduler, so it holds still on a loaded machine.",
    "",
    markdownTable(["operation", "time per message", "speed vs ringbuf.js (same batching)"], costRows),
  ].join("\n");
  return { id: "runtime-queue", title: "Runtime: lock-free queues (worker → main messages/s)", markdown };
}
