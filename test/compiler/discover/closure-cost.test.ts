// What a closure read costs, printed (never asserted: the machine is shared).
// The assertions check only that every read saw every binding.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { readClosure } from "../../../compiler/discover/closure.js";

const require_ = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "kos-closure-cost-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function moduleWith(n: number, id: string): { f: Function; g: Function } {
  const names = Array.from({ length: n }, (_, i) => `b${i}`);
  const src = [
    ...names.map((b, i) => `const ${b} = { v: ${i} };`),
    `exports.f = function f() { return ${names.join(".v + ")}.v; };`,
    `exports.g = function g() { return ${names.join(".v * ")}.v; };`,
  ].join("\n");
  const file = join(dir, `m${n}-${id}.js`);
  writeFileSync(file, src);
  return require_(file);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
/** A read with every binding's verdict (bindings are described on demand; `size` describes them all). */
const readAll = (f: Function, options?: { fresh?: boolean }): ReturnType<typeof readClosure> => {
  const r = readClosure(f, options);
  if (r.ok) void r.bindings.size;
  return r;
};

describe("closure read cost", () => {
  it("5 and 50 bindings: first read, another function of the same script, cached, fresh", async () => {
    readAll(moduleWith(1, "warm").f); // first session and Debugger.enable, counted apart
    const rows: string[] = [];
    for (const n of [5, 50]) {
      const cold: number[] = [], first: number[] = [], sibling: number[] = [], cached: number[] = [], fresh: number[] = [];
      for (let k = 0; k < 9; k++) {
        // Cold: a new task, so the debugger window is closed and Debugger.enable replays every script.
        await new Promise((r) => setImmediate(r));
        const c = moduleWith(n, `cold${k}`);
        let t0 = process.hrtime.bigint();
        readAll(c.f);
        cold.push(ms(t0));
        // Warm window: same task, the debugger is still on; the script is new.
        const m = moduleWith(n, String(k));
        t0 = process.hrtime.bigint();
        const a = readAll(m.f);
        first.push(ms(t0));
        t0 = process.hrtime.bigint();
        const b = readAll(m.g);
        sibling.push(ms(t0));
        t0 = process.hrtime.bigint();
        readAll(m.f);
        cached.push(ms(t0));
        t0 = process.hrtime.bigint();
        readAll(m.f, { fresh: true });
        fresh.push(ms(t0));
        expect(a.ok && a.bindings.size).toBe(n);
        expect(b.ok && b.bindings.size).toBe(n);
      }
      rows.push(`| ${n} | ${median(cold).toFixed(2)} | ${median(first).toFixed(2)} | ${median(sibling).toFixed(2)} | ${median(fresh).toFixed(2)} | ${median(cached).toFixed(4)} |`);
    }
    console.log(["| bindings | new script, new task (ms) | new script, same task | other function, same script | fresh re-read | cached |", "| --- | --- | --- | --- | --- | --- |", ...rows].join("\n"));
  });
});
