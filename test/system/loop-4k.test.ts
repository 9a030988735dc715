// A loop-mounted ext4 image with 4096-byte logical sectors: direct I/O must
// then use 4096-byte offsets and lengths. Needs root, losetup, mkfs.ext4 and
// mount; skips with the reason otherwise. Always unmounts and detaches.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { randomFillSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlignedAllocSupported } from "../../runtime/aligned.js";
import { DirectFile } from "../../runtime/directio.js";
import { requireNative } from "../../runtime/native/binding.js";

function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = ["losetup", "mkfs.ext4", "mount", "umount"].filter((c) => !hasCommand(c));
const skipReason =
  process.platform !== "linux" ? "not Linux"
  : process.getuid?.() !== 0 ? "not root (loop devices need root)"
  : missing.length > 0 ? `missing commands: ${missing.join(", ")}`
  : !isAlignedAllocSupported() ? "native addon not loaded"
  : "";
if (skipReason) console.warn(`loop-4k tests skipped: ${skipReason}`);

let dir = "";
let device = "";
let mountpoint = "";
let mounted = false;
let setupError = "";

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).trim();

beforeAll(() => {
  if (skipReason) return;
  dir = mkdtempSync(join(tmpdir(), "kos-loop4k-"));
  const image = join(dir, "ext4.img");
  writeFileSync(image, "");
  truncateSync(image, 64 << 20);
  try {
    device = run("losetup", ["--sector-size", "4096", "--find", "--show", image]);
    run("mkfs.ext4", ["-q", "-F", "-b", "4096", device]);
    mountpoint = join(dir, "mnt");
    mkdirSync(mountpoint);
    run("mount", [device, mountpoint]);
    mounted = true;
  } catch (e) {
    setupError = `could not set up the loop device: ${(e as Error).message.split("\n")[0]}`;
    console.warn(`loop-4k tests skipped: ${setupError}`);
  }
});

afterAll(() => {
  const errors: string[] = [];
  if (mounted) {
    try { run("umount", [mountpoint]); } catch (e) { errors.push(`umount: ${(e as Error).message}`); }
  }
  if (device) {
    try { run("losetup", ["-d", device]); } catch (e) { errors.push(`losetup -d: ${(e as Error).message}`); }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (errors.length > 0) throw new Error(errors.join("; "));
});

describe.skipIf(skipReason !== "")("direct I/O on a 4096-byte-sector ext4 loop device", () => {
  test("statx reports the 4K rule and DirectFile enforces it", async (ctx) => {
    if (!mounted) ctx.skip(setupError);
    const file = await DirectFile.open(join(mountpoint, "f"), { create: true, truncate: true });
    try {
      expect(file.alignment.source).toBe("statx");
      expect(file.alignment.offsetAlign).toBe(4096);
      const buf = file.allocBuffer(16384);
      await expect(file.write(buf.subarray(0, 4096), 512)).rejects.toMatchObject({ code: "EALIGN_OFFSET", message: expect.stringContaining("4096") });
      await expect(file.write(buf.subarray(0, 512), 0)).rejects.toMatchObject({ code: "EALIGN_LENGTH", message: expect.stringContaining("4096") });
    } finally {
      file.close();
    }
  });

  test("the kernel itself refuses 512-byte offsets here (the rule is real, not ours)", async (ctx) => {
    if (!mounted) ctx.skip(setupError);
    const file = await DirectFile.open(join(mountpoint, "raw"), { create: true, truncate: true });
    try {
      const buf = file.allocBuffer(8192);
      await expect(requireNative("test").pwrite(file.fd, buf.subarray(0, 4096), 512)).rejects.toMatchObject({ code: "EINVAL" });
      await expect(requireNative("test").pwrite(file.fd, buf.subarray(0, 512), 0)).rejects.toMatchObject({ code: "EINVAL" });
      expect(await requireNative("test").pwrite(file.fd, buf.subarray(0, 4096), 4096)).toBe(4096);
    } finally {
      file.close();
    }
  });

  test("4K-aligned direct writes read back identical through ordinary fs", async (ctx) => {
    if (!mounted) ctx.skip(setupError);
    const path = join(mountpoint, "data");
    const data = randomFillSync(Buffer.alloc(1 << 20));
    const file = await DirectFile.open(path, { create: true, truncate: true });
    try {
      const buf = file.allocBuffer(256 << 10);
      for (let off = 0; off < data.length; off += buf.length) {
        data.copy(buf, 0, off, off + buf.length);
        await file.write(buf, off);
      }
      await file.sync();
      const back = file.allocBuffer(data.length);
      expect(await file.read(back, 0)).toBe(data.length);
      expect(back.equals(data)).toBe(true);
    } finally {
      file.close();
    }
    expect(readFileSync(path).equals(data)).toBe(true);
  });
});
