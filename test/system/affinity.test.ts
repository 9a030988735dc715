import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { readdirSync } from "node:fs";
import {
  currentCpu,
  currentThreadId,
  formatCpuList,
  getAffinity,
  getThreadAffinity,
  isAffinitySupported,
  onlineCpus,
  parseCpuList,
  setAffinity,
  setProcessAffinity,
} from "../../runtime/affinity.js";
import { firstMessage, procCpusAllowed, tsWorker } from "./helpers.js";

const supported = isAffinitySupported();
const cpus = onlineCpus();
let original: number[] = [];

beforeAll(() => {
  original = procCpusAllowed("self");
});
afterEach(() => {
  // Restore every thread, whatever the test did.
  if (supported) setProcessAffinity(original);
});

describe("cpu lists", () => {
  test("parse and format round-trip the kernel's notation", () => {
    expect(parseCpuList("0-3,8,10-11\n")).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(formatCpuList([11, 0, 1, 2, 3, 8, 10])).toBe("0-3,8,10-11");
    expect(parseCpuList("")).toEqual([]);
  });
});

describe.skipIf(!supported)("affinity (addon loaded)", () => {
  test("getAffinity matches /proc for the calling thread", () => {
    expect(getAffinity()).toEqual(procCpusAllowed("self"));
    expect(getThreadAffinity(currentThreadId())).toEqual(procCpusAllowed("self"));
  });

  test("setAffinity pins the calling thread and /proc shows it", () => {
    const target = [cpus[cpus.length - 1]!];
    setAffinity(target);
    expect(procCpusAllowed("self")).toEqual(target);
    expect(procCpusAllowed(currentThreadId())).toEqual(target);
    expect(target).toContain(currentCpu());
  });

  test.skipIf(cpus.length < 2)("a worker that pins itself pins only itself", async () => {
    const target = [cpus[cpus.length - 1]!];
    const worker = tsWorker("./fixtures/pin-self.ts", { cpus: target });
    try {
      const { tid, mask } = await firstMessage<{ tid: number; mask: number[] }>(worker);
      expect(mask).toEqual(target);
      expect(procCpusAllowed(tid)).toEqual(target);
      // The main thread and every other thread keep the full mask.
      expect(procCpusAllowed("self")).toEqual(original);
      const others = readdirSync("/proc/self/task").map(Number).filter((t) => t !== tid);
      expect(others.length).toBeGreaterThan(0);
      for (const t of others) expect(procCpusAllowed(t)).toEqual(original);
    } finally {
      worker.postMessage("exit");
      await new Promise((r) => worker.once("exit", r));
    }
  });

  test.skipIf(cpus.length < 2)("setProcessAffinity covers every thread, workers included", async () => {
    const target = [cpus[0]!];
    const worker = tsWorker("./fixtures/pin-self.ts", { cpus: original });
    try {
      const { tid } = await firstMessage<{ tid: number }>(worker);
      const pinned = setProcessAffinity(target);
      expect(pinned).toContain(tid);
      expect(pinned).toContain(currentThreadId());
      for (const t of readdirSync("/proc/self/task").map(Number)) {
        expect(procCpusAllowed(t), `thread ${t}`).toEqual(target);
      }
    } finally {
      worker.postMessage("exit");
      await new Promise((r) => worker.once("exit", r));
    }
  });

  test("an empty set is EEMPTY_CPUSET and changes nothing", () => {
    expect(() => setAffinity([])).toThrow(expect.objectContaining({ code: "EEMPTY_CPUSET" }));
    expect(procCpusAllowed("self")).toEqual(original);
  });

  test("an invalid CPU is EINVAL_CPU, naming the CPU", () => {
    expect(() => setAffinity([4096])).toThrow(expect.objectContaining({ code: "EINVAL_CPU", message: expect.stringContaining("4096") }));
    expect(() => setAffinity([-1])).toThrow(expect.objectContaining({ code: "EINVAL_CPU" }));
    expect(() => setAffinity([0.5])).toThrow(expect.objectContaining({ code: "EINVAL_CPU" }));
    expect(() => setProcessAffinity([9999])).toThrow(expect.objectContaining({ code: "EINVAL_CPU" }));
    expect(procCpusAllowed("self")).toEqual(original);
  });
});
