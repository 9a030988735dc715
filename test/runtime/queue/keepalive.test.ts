/**
 * Issue 14: `await popAsync()` on an empty queue, with nothing else alive,
 * used to end the process with exit code 13 (Atomics.waitAsync holds nothing
 * open). Now popAsync keeps the process alive while it waits, by default;
 * `{ ref: false }` is the documented opt-out that gives the old behaviour.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

function runChild(body: string, timeout = 30_000) {
  const modUrl = new URL("../../../runtime/queue/index.ts", import.meta.url).href;
  const script = `const Q = await import(${JSON.stringify(modUrl)});\n${body}`;
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("../../..", import.meta.url)),
    encoding: "utf8",
    timeout,
  });
}

describe("popAsync keeps the process alive while it waits", () => {
  it.each(["SpscRecordQueue", "MpmcRecordQueue"])("%s: `await popAsync(out, 300)` on an empty queue as the only live thing resolves false and exits 0 (not 13)", (cls) => {
    const res = runChild(`
      const q = new Q.${cls}({ capacity: 4 });
      console.log("popped " + (await q.popAsync([0], 300)));
    `);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("popped false");
    expect(res.status).toBe(0);
  });

  it.each(["SpscByteQueue", "MpmcByteQueue"])("%s: the same for byte queues (-1 on timeout)", (cls) => {
    const opts = cls === "SpscByteQueue" ? "{ capacityBytes: 64 }" : "{ capacity: 4, maxMessageBytes: 8 }";
    const res = runChild(`
      const q = new Q.${cls}(${opts});
      console.log("popped " + (await q.popAsync(new Uint8Array(64), 300)));
    `);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("popped -1");
    expect(res.status).toBe(0);
  });

  it("a record pushed later by an unref'd worker is received by a process whose only other work is the await", () => {
    const api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs");
    const modUrl = new URL("../../../runtime/queue/index.ts", import.meta.url).href;
    const workerCode = `
      import(${JSON.stringify(api)}).then((m) => { m.register(); return Promise.all([import("node:worker_threads"), import(${JSON.stringify(modUrl)})]); }).then(([wt, Q]) => {
        const q = Q.MpmcRecordQueue.attach(wt.workerData);
        setTimeout(() => q.push([42]), 200);
      });`;
    const res = runChild(`
      const { Worker } = await import("node:worker_threads");
      const q = new Q.MpmcRecordQueue({ capacity: 4 });
      // unref'd: the worker alone would not keep this process alive.
      new Worker(${JSON.stringify(workerCode)}, { eval: true, workerData: q.shared }).unref();
      const out = [0];
      console.log("popped " + (await q.popAsync(out)) + " " + out[0]);
    `);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("popped true 42");
    expect(res.status).toBe(0);
  });

  it("with { ref: false } the wait holds nothing open: the old behaviour, exit code 13, chosen explicitly", () => {
    const res = runChild(`
      const q = new Q.MpmcRecordQueue({ capacity: 4 });
      await q.popAsync([0], 60_000, { ref: false });
      console.log("never");
    `);
    expect(res.stdout).toBe("");
    expect(res.status).toBe(13);
  });

  it("rejects bad popAsync options with QUEUE_BAD_OPTIONS", async () => {
    const { SpscRecordQueue } = await import("../../../runtime/queue/index.js");
    const q = new SpscRecordQueue({ capacity: 2 });
    await expect(q.popAsync([0], 0, { ref: "no" } as never)).rejects.toMatchObject({ code: "QUEUE_BAD_OPTIONS" });
  });
});
