// The addon hidden with KOS_NO_ADDON=1: every function still exists, reports
// supported: false or throws ENOTSUP_ADDON, and the buffered paths still work.
// The binding loads lazily, so setting the variable before the first call is enough.
process.env.KOS_NO_ADDON = "1";

import { afterAll, describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { currentCpu, currentThreadId, getAffinity, isAffinitySupported, setAffinity, setProcessAffinity } from "../../runtime/affinity.js";
import { allocAligned, isAlignedAllocSupported, pageSize } from "../../runtime/aligned.js";
import { DirectFile, advise, isDirectIoSupported, readahead } from "../../runtime/directio.js";
import { addonStatus } from "../../runtime/native/binding.js";
import { bindToNumaNode, numaTopology } from "../../runtime/numa.js";
import { drainSequential } from "../../runtime/sequential-reader.js";
import { PinnedWorkerPool } from "../../runtime/worker-pool.js";
import { procCpusAllowed } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "kos-noaddon-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ENOTSUP = expect.objectContaining({ code: "ENOTSUP_ADDON", message: expect.stringContaining("KOS_NO_ADDON") });

describe("without the addon", () => {
  test("status says why, and the support probes say false", () => {
    expect(addonStatus()).toMatchObject({ loaded: false, reason: expect.stringContaining("KOS_NO_ADDON") });
    expect(isAffinitySupported()).toBe(false);
    expect(isAlignedAllocSupported()).toBe(false);
    expect(isDirectIoSupported()).toBe(false);
    expect(pageSize()).toBe(4096);
  });

  test("affinity: getters read /proc, setters throw ENOTSUP_ADDON", () => {
    expect(getAffinity()).toEqual(procCpusAllowed("self"));
    expect(() => setAffinity([0])).toThrow(ENOTSUP);
    expect(() => setProcessAffinity([0])).toThrow(ENOTSUP);
    expect(() => currentCpu()).toThrow(ENOTSUP);
    expect(() => currentThreadId()).toThrow(ENOTSUP);
    expect(numaTopology().nodes.length).toBeGreaterThan(0);
    expect(() => bindToNumaNode(0)).toThrow(ENOTSUP);
  });

  test("aligned memory and direct I/O throw ENOTSUP_ADDON; buffered I/O works", async () => {
    expect(() => allocAligned(4096)).toThrow(ENOTSUP);
    const path = join(dir, "f");
    const data = Buffer.from("hello, buffered world");
    await expect(DirectFile.open(path, { create: true })).rejects.toMatchObject({ code: "ENOTSUP_ADDON" });
    const file = await DirectFile.open(path, { direct: false, create: true });
    try {
      expect(file.isDirect).toBe(false);
      await file.write(data, 3);
      const back = Buffer.alloc(data.length);
      expect(await file.read(back, 3)).toBe(data.length);
      expect(back.equals(data)).toBe(true);
      expect(() => file.advise("sequential")).toThrow(ENOTSUP);
    } finally {
      file.close();
    }
    expect(readFileSync(path).subarray(3).equals(data)).toBe(true);
    const fd = openSync(path, "r");
    try {
      expect(() => advise(fd, 0, 0, "sequential")).toThrow(ENOTSUP);
      expect(() => readahead(fd, 0, 4096)).toThrow(ENOTSUP);
    } finally {
      closeSync(fd);
    }
  });

  test("the sequential reader: direct needs the addon, buffered works", async () => {
    const path = join(dir, "seq");
    writeFileSync(path, Buffer.alloc(300_000, 7));
    await expect(drainSequential(path)).rejects.toMatchObject({ code: "ENOTSUP_ADDON" });
    // Buffered mode advises 'sequential', which needs the addon: it must skip that, not fail.
    expect(await drainSequential(path, { direct: false, chunkSize: 65536 })).toBe(300_000);
  });

  test("the worker pool runs unpinned and says so", async () => {
    const pool = await PinnedWorkerPool.create({ filename: new URL("./fixtures/pool-task.ts", import.meta.url), threads: 1 });
    try {
      expect(await pool.run({ op: "square", n: 7 })).toBe(49);
      const w = pool.stats().workers[0]!;
      expect(w.pinned).toBe(false);
      expect(w.tid).toBe(-1);
    } finally {
      await pool.close();
    }
  });

  test("importing every system module in a fresh process with the addon hidden never throws", () => {
    const script = `
      const m = await Promise.all(["affinity","aligned","directio","numa","sequential-reader","worker-pool"].map((f) => import("./runtime/" + f + ".ts")));
      const b = await import("./runtime/native/binding.ts");
      console.log(JSON.stringify({ n: m.length, loaded: b.addonStatus().loaded }));`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: { ...process.env, KOS_NO_ADDON: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual({ n: 6, loaded: false });
  });
});
