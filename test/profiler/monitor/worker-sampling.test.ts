import { afterEach, describe, expect, it } from "vitest";
import { createMonitor, type Monitor } from "../../../profiler/monitor/index.js";

let monitor: Monitor | null = null;
afterEach(() => {
  monitor?.stop();
  monitor = null;
});

/** Keeps this thread busy, with no await, for `ms`. */
function block(ms: number): void {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  if (x === -1) console.log(x);
}

const waitFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("sampleFrom: worker", () => {
  it("keeps sampling through a blocked main thread, and shows it blocked", async () => {
    const m = (monitor = createMonitor({ intervalMs: 50, sampleFrom: "worker" }).start());
    await waitFor(400); // the worker starts (from sources, through tsx) and takes a few rows
    const before = m.getSummary().samples;
    block(1000);
    const during = m.history("mainThread.blockedMs");
    const rowsInBlock = m.getSummary().samples - before;
    // A main-thread timer would have taken no sample in that second; the worker took ~20.
    expect(rowsInBlock).toBeGreaterThanOrEqual(8);
    const blocked = Array.from(during.values.slice(-rowsInBlock));
    expect(Math.max(...blocked)).toBeGreaterThan(500);
    // The process-wide series were measured during the block (how busy depends on the machine's load).
    const cpu = Array.from(m.history("process.cpu").values.slice(-rowsInBlock));
    expect(cpu.filter((v) => Number.isNaN(v))).toEqual([]);
    expect(Math.max(...cpu)).toBeGreaterThan(0);
    // The heap is the main thread's: unknown (NaN) while it was blocked, not repeated.
    const heap = Array.from(m.history("memory.heapUsed").values.slice(-rowsInBlock));
    expect(heap.filter((v) => Number.isNaN(v)).length).toBeGreaterThan(rowsInBlock / 2);
    // Once the main thread runs again, rows carry its values and show it unblocked.
    await waitFor(300);
    const after = m.history("mainThread.blockedMs").values;
    expect(after[after.length - 1]).toBeLessThan(200);
    expect(Number.isNaN(m.history("memory.heapUsed").values.at(-1)!)).toBe(false);
  });

  it("a main-thread monitor takes no sample while the thread is blocked (the problem the worker solves)", async () => {
    const m = (monitor = createMonitor({ intervalMs: 50 }).start());
    await waitFor(200);
    const before = m.getSummary().samples;
    block(600);
    expect(m.getSummary().samples - before).toBe(0);
    expect(m.seriesNames()).not.toContain("mainThread.blockedMs");
  });

  it("refuses a bad sampleFrom", () => {
    expect(() => createMonitor({ sampleFrom: "thread" as never })).toThrow(expect.objectContaining({ code: "EINVAL_SAMPLE_FROM" }));
  });
});
