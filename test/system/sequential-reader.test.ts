import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isAlignedAllocSupported } from "../../runtime/aligned.js";
import { DirectFile } from "../../runtime/directio.js";
import { drainSequential, readSequential } from "../../runtime/sequential-reader.js";

if (!isAlignedAllocSupported()) console.warn("direct sequential-reader tests skipped: native addon not loaded (KOS_NO_ADDON=1 or not built)");
let dir = "";
let path = "";
let data: Buffer;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-seq-"));
  path = join(dir, "file");
  data = randomFillSync(Buffer.alloc((5 << 20) + 12345)); // not a multiple of any block size
  writeFileSync(path, data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(options: Parameters<typeof readSequential>[1]): Promise<{ bytes: Buffer; offsets: number[] }> {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  for await (const chunk of readSequential(path, options)) {
    offsets.push(chunk.offset);
    parts.push(Buffer.from(chunk.bytes)); // copy: the view is recycled
  }
  return { bytes: Buffer.concat(parts), offsets };
}

describe.skipIf(!isAlignedAllocSupported())("readSequential, direct", () => {
  for (const depth of [1, 3, 16]) {
    test(`depth ${depth}: yields the whole file, in order, byte-identical`, async () => {
      const { bytes, offsets } = await collect({ depth, chunkSize: 1 << 20 });
      expect(bytes.equals(data)).toBe(true);
      expect(offsets).toEqual(offsets.slice().sort((a, b) => a - b));
      expect(offsets[1]).toBe(1 << 20);
    });
  }

  test("a chunk size is rounded up to the offset rule; start and end are honoured", async () => {
    const { bytes, offsets } = await collect({ chunkSize: 1000, start: 4096, end: 100_000, depth: 4 });
    expect(offsets[1]! - offsets[0]!).toBe(1024);
    expect(bytes.equals(data.subarray(4096, 100_000))).toBe(true);
  });

  test("a misaligned start is EALIGN_OFFSET", async () => {
    await expect(drainSequential(path, { start: 100 })).rejects.toMatchObject({ code: "EALIGN_OFFSET" });
  });

  test("a consumer that stops early leaves nothing running", async () => {
    let seen = 0;
    for await (const chunk of readSequential(path, { depth: 8, chunkSize: 64 << 10 })) {
      seen += chunk.bytes.length;
      if (seen >= 256 << 10) break;
    }
    expect(seen).toBe(256 << 10);
  });
});

describe("readSequential, buffered", () => {
  test("yields the whole file byte-identical without direct I/O", async () => {
    const { bytes } = await collect({ direct: false, depth: 4, chunkSize: 300_000 });
    expect(bytes.equals(data)).toBe(true);
  });

  test("depth must be a positive integer", async () => {
    await expect(drainSequential(path, { depth: 0, direct: false })).rejects.toMatchObject({ code: "EINVAL_SIZE" });
  });

  test("chunkSize 0 is EINVAL_SIZE at once, not an endless loop (sweep37 #2)", () => {
    // Before the check, chunkSize 0 looped on zero-length reads that complete through
    // process.nextTick, so the event loop never turned and no in-process timeout could
    // fire: the call runs in a child process that is killed after 20 s.
    const reader = fileURLToPath(new URL("../../runtime/sequential-reader.ts", import.meta.url));
    const script = `const { drainSequential } = await import(${JSON.stringify(reader)});
      const codes = [];
      for (const chunkSize of [0, -4096, 0.5, NaN]) {
        try { await drainSequential(${JSON.stringify(path)}, { direct: false, chunkSize }); codes.push("resolved"); }
        catch (e) { codes.push(e.code); }
      }
      console.log(JSON.stringify(codes));`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(run.signal, run.stderr).toBeNull();
    expect(JSON.parse(run.stdout.trim())).toEqual(["EINVAL_SIZE", "EINVAL_SIZE", "EINVAL_SIZE", "EINVAL_SIZE"]);
  });

  test("start and end are checked; an end past EOF stops at EOF (sweep37 #9)", async () => {
    for (const start of [-1, -4096, 1.5]) {
      await expect(drainSequential(path, { direct: false, start }), String(start)).rejects.toMatchObject({ code: "EINVAL_RANGE" });
    }
    await expect(drainSequential(path, { direct: false, start: 100, end: 50 })).rejects.toMatchObject({ code: "EINVAL_RANGE" });
    await expect(drainSequential(path, { direct: false, end: NaN })).rejects.toMatchObject({ code: "EINVAL_RANGE" });
    // Past EOF: every byte from start, and no false "did the file shrink?" error.
    const { bytes } = await collect({ direct: false, start: 1000, end: data.length + 10_000, chunkSize: 1 << 20 });
    expect(bytes.equals(data.subarray(1000))).toBe(true);
    // A start at or past EOF reads nothing.
    expect(await drainSequential(path, { direct: false, start: data.length + 5 })).toBe(0);
  });

  test("a directory is EIS_DIRECTORY in both modes, not a plain EISDIR or EDIRECT_UNSUPPORTED (sweep37 #13)", async () => {
    await expect(drainSequential(dir, { direct: false })).rejects.toMatchObject({ name: "SystemError", code: "EIS_DIRECTORY" });
    if (isAlignedAllocSupported()) await expect(drainSequential(dir)).rejects.toMatchObject({ code: "EIS_DIRECTORY" });
  });

  test("depth is bounded, and memory follows the bytes read, not depth × chunkSize (sweep37 #11)", async () => {
    await expect(drainSequential(path, { direct: false, depth: 65 })).rejects.toMatchObject({ code: "EINVAL_SIZE" });
    const small = join(dir, "one-byte");
    writeFileSync(small, "x");
    const allocated: number[] = [];
    const spy = vi.spyOn(Buffer, "allocUnsafe").mockImplementation(((n: number) => {
      allocated.push(n);
      return Buffer.alloc(n);
    }) as typeof Buffer.allocUnsafe);
    try {
      expect(await drainSequential(small, { direct: false, depth: 64, chunkSize: 1 << 20 })).toBe(1);
      // A 1-byte range needs one 1-byte buffer, not 65 of 1 MiB (node:fs takes a few small buffers of its own).
      expect(allocated.filter((n) => n === 1 || n >= 1 << 20)).toEqual([1]);
      allocated.length = 0;
      // 3 chunks of 2 MiB at depth 64: three buffers, not 65.
      expect(await drainSequential(path, { direct: false, depth: 64, chunkSize: 2 << 20, end: 5 << 20 })).toBe(5 << 20);
    } finally {
      spy.mockRestore();
    }
    expect(allocated.filter((n) => n >= 1 << 20)).toEqual([2 << 20, 2 << 20, 2 << 20]);
  });
});

describe.skipIf(!isAlignedAllocSupported())("readSequential, direct: memory", () => {
  test("a 1-byte file at depth 64 allocates one aligned block, not 65 chunks (sweep37 #11)", async () => {
    const small = join(dir, "one-byte-direct");
    writeFileSync(small, "y");
    const sizes: number[] = [];
    const real = DirectFile.prototype.allocBuffer;
    const spy = vi.spyOn(DirectFile.prototype, "allocBuffer").mockImplementation(function (this: DirectFile, size: number) {
      sizes.push(size);
      return real.call(this, size);
    });
    try {
      expect(await drainSequential(small, { depth: 64, chunkSize: 1 << 20 })).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(sizes).toHaveLength(1);
    expect(sizes[0]).toBeLessThanOrEqual(4096);
  });
});
