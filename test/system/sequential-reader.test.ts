import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomFillSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlignedAllocSupported } from "../../runtime/aligned.js";
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
});
