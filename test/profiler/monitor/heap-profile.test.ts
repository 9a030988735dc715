import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allocationSites, profileHeap, startHeapProfile, type SamplingHeapProfile } from "../../../profiler/heap-profile.js";

const kept: unknown[] = [];

function retainManyRecords(n: number): void {
  for (let i = 0; i < n; i++) kept.push({ id: i, name: `record-${i}`, tags: [i, i + 1, i + 2] });
}

function churnTemporaryArrays(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = new Array(16).fill(i); // dropped at once: collected, never live at the end
    sum += a.length;
  }
  return sum;
}

describe("sampling heap profiler", () => {
  it("ranks the function that retains the most memory first, with its file and line", async () => {
    const { report } = await profileHeap(() => retainManyRecords(200_000), { samplingIntervalBytes: 4096 });
    const top = report.top(5);
    expect(top[0]!.functionName).toBe("retainManyRecords");
    expect(top[0]!.url).toMatch(/heap-profile\.test\.ts$/);
    expect(top[0]!.line).toBeGreaterThan(0);
    // 200k records of ~100+ bytes: tens of megabytes, estimated from samples.
    expect(top[0]!.selfBytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(top[0]!.samples).toBeGreaterThan(100);
    expect(top[0]!.share).toBeGreaterThan(0.5);
    // Its stack starts at the site and climbs through the profileHeap callback that called it.
    expect(top[0]!.stack[0]).toMatch(/^retainManyRecords .*heap-profile\.test\.ts:\d+:\d+$/);
    expect(top[0]!.stack.length).toBeGreaterThan(1);
    expect(report.totalBytes).toBeGreaterThanOrEqual(top[0]!.selfBytes);
    for (let i = 1; i < report.sites.length; i++) expect(report.sites[i - 1]!.selfBytes).toBeGreaterThanOrEqual(report.sites[i]!.selfBytes);
    kept.length = 0;
  });

  it("counts collected allocations only when asked (churn, not live memory)", async () => {
    const live = await profileHeap(() => churnTemporaryArrays(300_000), { samplingIntervalBytes: 4096 });
    const churn = await profileHeap(() => churnTemporaryArrays(300_000), { samplingIntervalBytes: 4096, includeCollected: true });
    const bytesOf = (r: typeof live.report) => r.sites.filter((s) => s.functionName === "churnTemporaryArrays").reduce((a, s) => a + s.selfBytes, 0);
    expect(churn.result).toBe(300_000 * 16);
    expect(bytesOf(churn.report)).toBeGreaterThan(10 * bytesOf(live.report) + 1024 * 1024);
  });

  it("allows one profile at a time, and saves a DevTools-loadable profile", async () => {
    const handle = await startHeapProfile();
    await expect(startHeapProfile()).rejects.toMatchObject({ code: "EHEAP_PROFILE_BUSY" });
    const report = await handle.stop();
    await expect(handle.stop()).rejects.toMatchObject({ code: "EHEAP_PROFILE_STOPPED" });
    const dir = mkdtempSync(join(tmpdir(), "kos-heap-"));
    try {
      const path = join(dir, "run.heapprofile");
      await report.save(path);
      const saved = JSON.parse(readFileSync(path, "utf8")) as SamplingHeapProfile;
      expect(saved.head.callFrame.functionName).toBe("(root)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // A new profile can start once the last one stopped.
    await (await startHeapProfile()).stop();
  });

  it("rejects a bad sampling interval", async () => {
    await expect(startHeapProfile({ samplingIntervalBytes: 0 })).rejects.toMatchObject({ code: "EINVAL_SAMPLING" });
    // Sparser than one sample per 2 GiB allocated: an empty profile (2 ** 40 was taken, sweep37).
    await expect(startHeapProfile({ samplingIntervalBytes: 2 ** 40 })).rejects.toMatchObject({ code: "EINVAL_SAMPLING" });
  });

  it("merges one function's nodes across stacks into one site", () => {
    const frame = (functionName: string, lineNumber: number) => ({ functionName, scriptId: "1", url: "file:///x.js", lineNumber, columnNumber: 4 });
    const profile: SamplingHeapProfile = {
      head: {
        id: 1, selfSize: 0, callFrame: frame("(root)", -1), children: [
          { id: 2, selfSize: 100, callFrame: frame("alloc", 9), children: [] },
          { id: 3, selfSize: 0, callFrame: frame("caller", 1), children: [{ id: 4, selfSize: 300, callFrame: frame("alloc", 9), children: [] }] },
          { id: 5, selfSize: 50, callFrame: frame("", 20), children: [] },
        ],
      },
      samples: [{ size: 100, nodeId: 2, ordinal: 1 }, { size: 300, nodeId: 4, ordinal: 2 }, { size: 50, nodeId: 5, ordinal: 3 }],
    };
    const sites = allocationSites(profile);
    expect(sites[0]!.stack).toEqual(["alloc file:///x.js:10:5", "caller file:///x.js:2:5"]);
    expect(sites[1]!.stack).toEqual(["(anonymous) file:///x.js:21:5"]);
    expect(sites.map((s) => [s.functionName, s.selfBytes, s.samples, s.line, s.column])).toEqual([
      ["alloc", 400, 2, 10, 5],
      ["(anonymous)", 50, 1, 21, 5],
    ]);
    expect(sites[0]!.share).toBeCloseTo(400 / 450, 12);
  });
});
