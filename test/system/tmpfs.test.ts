// tmpfs keeps files in memory: it accepts O_DIRECT (Linux ≥ 6.6) with no
// alignment rule of its own, reports no STATX_DIOALIGN, and never reads a device.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomFillSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isAlignedAllocSupported } from "../../runtime/aligned.js";
import { DirectFile } from "../../runtime/directio.js";
import { requireNative } from "../../runtime/native/binding.js";
import { procReadBytes } from "./helpers.js";

const shm = "/dev/shm";
const canRun = isAlignedAllocSupported() && existsSync(shm);
let dir = "";
let directAccepted = false;
if (!canRun) console.warn(`tmpfs tests skipped: ${existsSync(shm) ? "native addon not loaded" : "/dev/shm is missing"}`);

beforeAll(async () => {
  if (!canRun) return;
  dir = mkdtempSync(join(shm, "kos-tmpfs-"));
  writeFileSync(join(dir, "probe"), "x");
  try {
    (await DirectFile.open(join(dir, "probe"))).close();
    directAccepted = true;
  } catch (e) {
    // Kernels before 6.6 refuse O_DIRECT on tmpfs; that must be reported as such.
    expect((e as { code?: string }).code).toBe("EDIRECT_UNSUPPORTED");
    console.warn("tmpfs refuses O_DIRECT on this kernel (before 6.6): only the refusal is tested");
  }
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!canRun)("direct I/O on tmpfs", () => {
  test("the rule does not come from statx, and reads never touch a device", async (ctx) => {
    if (!directAccepted) ctx.skip("tmpfs refuses O_DIRECT on this kernel");
    const path = join(dir, "data");
    const data = randomFillSync(Buffer.alloc(8 << 20));
    writeFileSync(path, data);
    const file = await DirectFile.open(path);
    try {
      expect(file.isDirect).toBe(true);
      expect(file.alignment.source).not.toBe("statx"); // tmpfs does not fill STATX_DIOALIGN
      const buf = file.allocBuffer(1 << 20);
      const seen = Buffer.alloc(data.length);
      const before = procReadBytes();
      for (let off = 0; off < data.length; off += buf.length) {
        await file.read(buf, off);
        buf.copy(seen, off);
      }
      expect(seen.equals(data)).toBe(true);
      // Memory-backed: nothing (or next to nothing, from other threads) came from a device.
      expect(procReadBytes() - before).toBeLessThan(data.length / 8);
    } finally {
      file.close();
    }
  });

  test("the kernel itself imposes no alignment on tmpfs direct I/O", async (ctx) => {
    if (!directAccepted) ctx.skip("tmpfs refuses O_DIRECT on this kernel");
    const path = join(dir, "unaligned");
    const data = randomFillSync(Buffer.alloc(10_000));
    writeFileSync(path, data);
    const file = await DirectFile.open(path);
    try {
      // Bypass DirectFile's conservative checks: a 16-byte-aligned Node buffer,
      // odd offset and odd length all succeed at the syscall level.
      const odd = Buffer.alloc(1001);
      const n = await requireNative("test").pread(file.fd, odd.subarray(1), 123);
      expect(n).toBe(1000);
      expect(odd.subarray(1).equals(data.subarray(123, 1123))).toBe(true);
    } finally {
      file.close();
    }
  });

  test("direct writes on tmpfs read back identical", async (ctx) => {
    if (!directAccepted) ctx.skip("tmpfs refuses O_DIRECT on this kernel");
    const path = join(dir, "written");
    const file = await DirectFile.open(path, { create: true, truncate: true });
    const buf = file.allocBuffer(64 << 10);
    randomFillSync(buf);
    try {
      await file.write(buf, 0);
      await file.write(buf, buf.length);
    } finally {
      file.close();
    }
    expect(readFileSync(path).equals(Buffer.concat([buf, buf]))).toBe(true);
  });
});
