import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const script = `import("kos").then(({ jit, inspect }) => {
  function horner(coeffs, x) { let r = 0; for (let i = coeffs.length - 1; i >= 0; i--) r = r * x + coeffs[i]; return r; }
  const C = [1, 2, 3, -0.5];
  const h = jit(horner, { specialize: { coeffs: C }, cache: true });
  const i = inspect(h);
  jit((a, b) => a + b, { specialize: { a: 1 }, cache: true })(1, 2); // a second compile: still one warning
  console.log(JSON.stringify({ r: h(C, 2), expected: horner(C, 2), tier: i.tier, calls: inspect(h).calls, unrolled: !String(i.source).includes("for (") }));
});`;

// Every cache directory made here is removed at the end (issue 14: test runs left kos-cache-* behind).
const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "kos-cache-"));
  made.push(d);
  return d;
}

function run(dir: string) {
  const r = spawnSync(process.execPath, ["-e", script], { cwd: repoRoot, env: { ...process.env, KOS_CACHE_DIR: dir }, encoding: "utf8" });
  return { out: JSON.parse(r.stdout.trim().split("\n").at(-1)!), stderr: r.stderr };
}

describe("jit with cache: true (on-disk compile cache)", () => {
  it("writes an entry on the cold run and reuses it on the warm run, with the same behaviour", () => {
    const dir = scratch();
    const cold = run(dir);
    const files = readdirSync(dir, { recursive: true }).length;
    expect(files).toBeGreaterThan(0);
    const warm = run(dir);
    expect(readdirSync(dir, { recursive: true }).length).toBe(files);
    for (const r of [cold, warm]) expect(r.out).toEqual({ r: 13, expected: 13, tier: 1, calls: 1, unrolled: true });
  });

  it("ignores a corrupt entry and rebuilds it", () => {
    const dir = scratch();
    run(dir);
    for (const f of readdirSync(dir, { recursive: true }) as string[]) {
      const p = join(dir, f);
      try { writeFileSync(p, "{ not json"); } catch { /* a directory */ }
    }
    expect(run(dir).out.r).toBe(13);
  });

  it("a cache directory that cannot be written warns once and never fails the run", () => {
    const parent = scratch();
    const blocker = join(parent, "file");
    writeFileSync(blocker, "x");
    chmodSync(blocker, 0o444);
    const r = run(join(blocker, "sub"));
    expect(r.out.r).toBe(13);
    expect(r.stderr.match(/KOS_CACHE_DISABLED/g)?.length ?? 0).toBe(1);
  });
});

describe("cached code that calls kos's own helpers", () => {
  it("keeps a convolution's window (its guard reaches kos's typed-array checks by path) on the cold and the warm run", () => {
    const conv = `import("kos").then(({ jit, inspect }) => {
      function convolve(kernel, signal, out) {
        const k = kernel.length, n = signal.length - k + 1;
        for (let i = 0; i < n; i++) { let acc = 0; for (let j = 0; j < k; j++) acc += kernel[j] * signal[i + j]; out[i] = acc; }
        return out;
      }
      const K = Object.freeze([0.25, -0.5, 1, 0.125, 2]);
      const signal = new Float64Array(400).map((_, i) => Math.sin(i));
      const f = jit(convolve, { specialize: { kernel: K }, cache: true });
      const got = Array.from(f(K, signal, new Float64Array(396)));
      const want = Array.from(convolve(K, signal, new Float64Array(396)));
      const source = String(inspect(f).source);
      console.log(JSON.stringify({ same: got.every((v, i) => Object.is(v, want[i])), windowed: /\\$kos_values\\.kos\\.isTypedArray\\(signal\\)/.test(source) && /signal_0 = signal_1/.test(source) }));
    });`;
    const dir = scratch();
    const once = () => {
      const r = spawnSync(process.execPath, ["-e", conv], { cwd: repoRoot, env: { ...process.env, KOS_CACHE_DIR: dir }, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    };
    expect(once()).toEqual({ same: true, windowed: true });
    const files = readdirSync(dir, { recursive: true }).length;
    expect(files).toBeGreaterThan(0);
    expect(once()).toEqual({ same: true, windowed: true });
    expect(readdirSync(dir, { recursive: true }).length).toBe(files);
  });
});

describe("cached code depends on nothing the key leaves out (sweep43)", () => {
  it("a compile that read a closure binding is not cached; the same text in a sloppy and a strict script gets two entries", () => {
    const program = `import("kos").then(({ jit }) => {
      // Two closures of one factory: the same text, another captured limit.
      function make(limit) { return function check(cfg, x) { return x > limit ? "over " + limit : cfg.k + x; }; }
      const cfg = { k: 1 };
      const results = [];
      for (const limit of [10, 100]) {
        const f = make(limit);
        results.push([jit(f, { specialize: { cfg }, cache: true })(cfg, 50), f(cfg, 50)]);
      }
      // The same text, strict and sloppy: a write to a frozen object throws in one and not the other.
      const text = "return function setK(o) { o.k = 1; return 'set ' + o.k; }";
      const strict = new Function('"use strict"; ' + text)();
      const sloppy = new Function(text)();
      const o = Object.freeze({ k: 0 });
      const outcome = (f) => { try { return f(o); } catch (e) { return e.constructor.name; } };
      for (const f of [strict, sloppy]) results.push([outcome(jit(f, { cache: true, specialize: {} })), outcome(f)]);
      console.log(JSON.stringify(results));
    });`;
    const dir = scratch();
    const once = () => {
      const r = spawnSync(process.execPath, ["-e", program], { cwd: repoRoot, env: { ...process.env, KOS_CACHE_DIR: dir }, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Array<[unknown, unknown]>;
    };
    for (const results of [once(), once()]) {
      for (const [jitted, original] of results) expect(jitted).toEqual(original);
      expect(results.map((r) => r[1])).toEqual(["over 10", 51, "TypeError", "set 0"]);
    }
  });

  it("a recursive function, whose own name is the one binding it reads, is still cached", () => {
    const program = `import("kos").then(({ jit }) => {
      function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); }
      console.log(jit(fact, { specialize: { n: 6 }, cache: true })(6));
    });`;
    const dir = scratch();
    const r = spawnSync(process.execPath, ["-e", program], { cwd: repoRoot, env: { ...process.env, KOS_CACHE_DIR: dir }, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("720");
    expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(0);
  });

  it("code folded over the engine's padStart is not served to a process that replaced it before kos loaded (sweep46 #6)", () => {
    const program = (patched: boolean) => `${patched ? 'String.prototype.padStart = function padStart(n, fill) { return "[" + this + "]"; };' : ""}
      import("kos").then(({ jit }) => {
        function pad(s) { return s.padStart(5, "*"); }
        console.log(JSON.stringify([jit(pad, { specialize: { s: "ab" }, cache: true })("ab"), pad("ab")]));
      });`;
    const dir = scratch();
    for (const patched of [false, true, false]) {
      const r = spawnSync(process.execPath, ["-e", program(patched)], { cwd: repoRoot, env: { ...process.env, KOS_CACHE_DIR: dir }, encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const [jitted, original] = JSON.parse(r.stdout.trim());
      expect(original).toBe(patched ? "[ab]" : "***ab");
      expect(jitted).toBe(original);
    }
  });
});
