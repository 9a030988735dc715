import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { spawn } from "node:child_process";
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
  setThreadAffinity,
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
    expect(parseCpuList("\n")).toEqual([]);
    expect(parseCpuList("5, 1-2")).toEqual([1, 2, 5]);
  });

  test("a list that is not one is EINVAL_CPU, not an empty or partial list", () => {
    for (const bad of ["a-b", "3-1", "0,x", "0,,1", "1-", "-1", "0-9000", "0-4000000000", "1.5"]) {
      expect(() => parseCpuList(bad), bad).toThrow(expect.objectContaining({ code: "EINVAL_CPU" }));
    }
    expect(() => parseCpuList(3 as never)).toThrow(expect.objectContaining({ code: "EINVAL_CPU" }));
  });
});

describe.skipIf(!supported)("affinity (addon loaded)", () => {
  test("getAffinity matches /proc for the calling thread", () => {
    expect(getAffinity()).toEqual(procCpusAllowed("self"));
    expect(getThreadAffinity(currentThreadId())).toEqual(procCpusAllowed("self"));
  });

  test("a CPU id where a list belongs is EINVAL_CPU, not a TypeError (sweep37)", () => {
    expect(() => setAffinity(5 as unknown as number[])).toThrow(expect.objectContaining({ code: "EINVAL_CPU", message: expect.stringMatching(/iterable of CPU ids \(e\.g\. \[5\]\)/) }));
    expect(() => setAffinity(null as unknown as number[])).toThrow(expect.objectContaining({ code: "EINVAL_CPU" }));
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

  test("thread ids: only this process's threads, integers only, typed errors (sweep37 #1)", async () => {
    // A child process's pid is a thread id on the machine, but not one of ours.
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await new Promise((r) => child.once("spawn", r));
      const pid = child.pid!;
      const childMask = () => parseCpuList(/^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]!);
      const before = childMask();
      const target = [cpus[0]!];
      expect(() => setThreadAffinity(pid, target)).toThrow(expect.objectContaining({ code: "ENO_THREAD", errno: "ESRCH" }));
      expect(() => setThreadAffinity(pid + 0.5, target)).toThrow(expect.objectContaining({ code: "EINVAL_THREAD" }));
      expect(() => getThreadAffinity(pid)).toThrow(expect.objectContaining({ code: "ENO_THREAD" }));
      expect(() => getThreadAffinity(`../../${pid}` as unknown as number)).toThrow(expect.objectContaining({ code: "EINVAL_THREAD" }));
      // The child's mask is untouched (read straight from /proc/<pid>/status).
      expect(childMask()).toEqual(before);
    } finally {
      child.kill();
    }
    for (const bad of [0, -1, 1.5, NaN, 2 ** 53]) {
      expect(() => setThreadAffinity(bad, [cpus[0]!]), String(bad)).toThrow(expect.objectContaining({ code: "EINVAL_THREAD" }));
    }
    expect(() => getThreadAffinity(999_999_999)).toThrow(expect.objectContaining({ code: "ENO_THREAD", name: "SystemError" }));
    // A thread of this process still works.
    const target = [cpus[cpus.length - 1]!];
    setThreadAffinity(currentThreadId(), target);
    expect(getThreadAffinity(currentThreadId())).toEqual(target);
  });
});
