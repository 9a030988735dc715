/**
 * LruCache memory (issue 14): `new LruCache({ max: 2**28 })` aborted the
 * process out of memory, `max: 2**26` took 35 s and 5.8 GB before the first
 * set. Now memory follows the entries held, a `max` no Map can reach is a
 * typed error, and a full cache costs no more per entry than lru-cache 11.
 * Each check runs in a child process, so heap limits and gc() are its own.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const lruPath = fileURLToPath(new URL("../../runtime/lru.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

function child(flags: string[], code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...flags, "--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", cwd: repoRoot, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("LruCache with a huge max", () => {
  it("max 2**28 is a typed error, not a crash, under a 64 MB heap; max 2**24 costs nothing until used", () => {
    const r = child(["--max-old-space-size=64", "--expose-gc"], [
      `import { LruCache } from ${JSON.stringify(lruPath)};`,
      "const out = {};",
      "try { new LruCache({ max: 2 ** 28 }); out.huge = 'constructed'; } catch (e) { out.huge = e.code; out.message = e.message; }",
      "gc(); const before = process.memoryUsage();",
      "const c = new LruCache({ max: 2 ** 24, ttl: 60_000 });",
      "for (let i = 0; i < 1000; i++) c.set(i, { i });",
      "gc(); const after = process.memoryUsage();",
      "out.bytes = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;",
      "out.size = c.size; out.value = c.get(999).i;",
      "console.log(JSON.stringify(out));",
    ].join("\n"));
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim());
    expect(out.huge).toBe("LRU_BAD_OPTION");
    expect(out.message).toMatch(/2\^24/);
    expect(out.size).toBe(1000);
    expect(out.value).toBe(999);
    // Preallocating 2^24 slots would take ≥ 16 M × 36 bytes; 1000 entries take well under 1 MB.
    expect(out.bytes).toBeLessThan(1 << 20);
  });

  it("memory per entry at max 10^6, full, is no more than lru-cache 11's (number keys, object values; with and without TTL)", () => {
    const r = child(["--expose-gc"], [
      `import { LruCache } from ${JSON.stringify(lruPath)};`,
      `import { LRUCache } from "lru-cache";`,
      "const N = 1_000_000;",
      "const values = Array.from({ length: N }, (_, i) => ({ i }));",
      "function perEntry(make) {",
      "  gc(); gc(); const a = process.memoryUsage();",
      "  let c = make();",
      "  for (let i = 0; i < N; i++) c.set(i, values[i]);",
      "  gc(); gc(); const b = process.memoryUsage();",
      "  const size = c.size; c = null;",
      "  return { bytes: (b.heapUsed + b.arrayBuffers - a.heapUsed - a.arrayBuffers) / N, size };",
      "}",
      "console.log(JSON.stringify({",
      "  kos: perEntry(() => new LruCache({ max: N })),",
      "  peer: perEntry(() => new LRUCache({ max: N })),",
      "  kosTtl: perEntry(() => new LruCache({ max: N, ttl: 60_000 })),",
      "  peerTtl: perEntry(() => new LRUCache({ max: N, ttl: 60_000 })),",
      "}));",
    ].join("\n"));
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim());
    for (const x of [m.kos, m.peer, m.kosTtl, m.peerTtl]) expect(x.size).toBe(1_000_000);
    // The Map's own entries dominate both; kos adds no more per entry. 1 byte of slack: repeated runs of
    // the same measurement varied by ±0.3 byte per entry (heap accounting after gc()).
    expect(m.kos.bytes, JSON.stringify(m)).toBeLessThanOrEqual(m.peer.bytes + 1);
    expect(m.kosTtl.bytes, JSON.stringify(m)).toBeLessThanOrEqual(m.peerTtl.bytes + 1);
  });
});
