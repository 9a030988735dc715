/**
 * The bench programs' CPU time split by thread (bench/programs/thread-cpu.ts): the main thread's
 * share and the worker threads' share, read from /proc where Linux has it.
 */
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { threadCpuMs } from "../../bench/programs/thread-cpu.js";

describe("threadCpuMs", () => {
  it.runIf(existsSync("/proc/self/task"))("reads the main thread's CPU time and the other threads' apart", () => {
    let x = 0;
    for (let i = 0; i < 1e6; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    const t = threadCpuMs();
    expect(t).not.toBeNull();
    expect(t!.mainMs).toBeGreaterThan(0);
    expect(t!.backgroundMs).toBeGreaterThanOrEqual(0);
  });

  it.runIf(!existsSync("/proc/self/task"))("is null where there is no /proc", () => {
    expect(threadCpuMs()).toBeNull();
  });
});
