/**
 * The timing loop of bench/unseen-libraries.ts and bench/unseen-round3.ts. Each variant runs from
 * a call site of its own (a loop made by `new Function`), so that V8 sees one target there as a
 * program's call site does: from one shared loop, every entry cost a further 5-6 ns (validator's
 * isIP 41 → 47 ns). Every variant is warmed 2,000 calls before timing. Printed: CPU ns per call,
 * the median of 7 rounds interleaved across variants, and each one's ratio to the library.
 */
export type Fn = (x: any) => unknown;

export function measure(label: string, variants: Record<string, Fn>, inputs: unknown[], ms = 1400): void {
  const loops: Record<string, Function> = {};
  for (const k of Object.keys(variants)) loops[k] = new Function("f", "inputs", "n0", "let n = n0; for (let i = 0; i < 100; i++) { try { f(inputs[(n + i) % inputs.length]); } catch {} }");
  for (const [k, f] of Object.entries(variants)) for (let i = 0; i < 20; i++) loops[k]!(f, inputs, i * 100);
  const samples: Record<string, number[]> = {};
  for (const k of Object.keys(variants)) samples[k] = [];
  for (let round = 0; round < 7; round++) {
    for (const [k, f] of Object.entries(variants)) {
      const loop = loops[k]!;
      let n = 0;
      const cpu = process.cpuUsage(), wall = performance.now();
      while (performance.now() - wall < ms / 7) { loop(f, inputs, n); n += 100; }
      const used = process.cpuUsage(cpu);
      samples[k]!.push(((used.user + used.system) * 1000) / n);
    }
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
  const base = median(samples.original!);
  console.log(`${label}: ${Object.keys(variants).map((k) => `${k} ${median(samples[k]!).toFixed(0)} ns (${(median(samples[k]!) / base).toFixed(2)}×)`).join(", ")}`);
}


/** `pick(i, a)`: an element of `a` chosen by a multiplicative hash of `i` (deterministic inputs). */
export const pick = <T>(i: number, a: T[]): T => a[(i * 2654435761 >>> 0) % a.length]!;
/** `many(n, f)`: `[f(0), …, f(n - 1)]`. */
export const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/**
 * The uses' runner of the unseen-round benches: `run(label, variants, jitted, inputs)` measures the
 * variants (skipped unless `label` contains one of `only`) and prints where each jitted function
 * ended (tier 1, or its fallback's reason) and how long it compiled.
 */
export function useRunner(only: string[] | undefined, inspect: (f: Function) => { tier: unknown; fallbackReason: string | null; compileTimeMs: number } | null) {
  const wanted = (label: string) => !only || only.some((o) => label.includes(o));
  const run = (label: string, variants: Record<string, Fn>, jitted: Record<string, Function>, inputs: unknown[]): void => {
    if (!wanted(label)) return;
    measure(label, variants, inputs, 1000);
    console.log(`  ${Object.entries(jitted).map(([k, f]) => { const s = inspect(f); return `${k}: ${s?.tier === "fallback" ? `fallback ${String(s.fallbackReason).slice(0, 400)}` : `tier ${s?.tier}`} (${Math.round(s?.compileTimeMs ?? 0)} ms compiling)`; }).join("; ")}`);
  };
  return { run, wanted };
}
