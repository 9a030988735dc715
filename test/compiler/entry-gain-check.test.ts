/**
 * An explicit version under the gain check's size that loops or calls out is timed against the
 * original at its entry (compiler/entry-gain-check.ts): slower, the entry runs the original with the
 * measurements as the reason; faster, the version; too short to time, the version untimed. A version
 * that runs straight through is the function jit() returns (compiler/straight-line.ts).
 */
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../support/virtual-clock.js";
import { Dispatcher, type Version } from "../../compiler/dispatcher.js";
import { ENTRY_TIMING, EXPLICIT_COLD_GATE, timeAtEntry } from "../../compiler/entry-gain-check.js";
import { inspect, jit } from "../../index.js";

function original(xs: number[]) {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}
const twin = (xs: number[]) => original(xs);

/** As jit() sets up a small explicit version that loops: a tiering entry whose version is `twin`, timed on a clock where each side costs what `cost` says. */
function timed(cost: { original: number; version: number }) {
  const d = Dispatcher.tiered(original, { name: "original", arity: 1, exact: false, event: () => undefined }, original);
  const v: Version = { fn: twin, source: "", passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 };
  d.addVersion(v);
  timeAtEntry(d, v, new VirtualClock((fn) => (fn === original ? cost.original : cost.version)), { ...ENTRY_TIMING, gateOnFirstWindow: true, coldGate: EXPLICIT_COLD_GATE });
  return { d, f: d.entry as (xs: number[]) => number };
}

const xs = [1, 2, 3];
function callUntilDecided(d: Dispatcher, f: (xs: number[]) => number, max: number): void {
  for (let i = 0; i < max && d.tier === 1 && !d.history.some((h) => h.event === "verified" || h.event === "untimed"); i++) expect(f(xs)).toBe(6);
}

describe("an explicit small version is timed at its entry (compiler/entry-gain-check.ts)", () => {
  it("runs the original, with the measurements as the reason, when the version is no faster", () => {
    const { d, f } = timed({ original: 0.003, version: 0.0033 });
    callUntilDecided(d, f, 20_000);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/^the compiled version ran 3\.300 µs a call against 3\.000 µs for the original \(medians of \d+ and \d+ calls, interleaved at random, from call 16000\): it stays the original$/);
    expect(d.history.map((h) => h.event)).toContain("generic");
    // The entry runs the original from now on, with the same results.
    expect(f(xs)).toBe(6);
    expect(d.versions.length).toBe(0);
  });

  it("keeps a faster version, at the first window", () => {
    const { d, f } = timed({ original: 0.004, version: 0.002 });
    callUntilDecided(d, f, 5000);
    expect(d.tier).toBe(1);
    expect(d.history.find((h) => h.event === "verified")?.detail).toMatch(/^2\.000 µs a call against 4\.000 µs for the original .* from call 872\)$/);
    expect(d.fallbackReason).toBe(null);
  });

  it("keeps untimed, at call 16, a version whose first calls are short", () => {
    const { d, f } = timed({ original: 0.0002, version: 0.0003 });
    for (let i = 0; i < 16; i++) expect(f(xs)).toBe(6);
    expect(d.history.find((h) => h.event === "untimed")?.detail).toMatch(/^its first calls ran 0\.300 µs \(median of calls 2-16/);
    for (let i = 0; i < 20_000; i++) f(xs);
    expect(d.tier).toBe(1);
    expect(d.history.some((h) => h.event === "verified" || h.event === "generic")).toBe(false);
  });

  it("keeps untimed, at the first window, a version whose warm calls are too short to time", () => {
    // 3 µs a call for its first 16 (say cold), then 0.2 µs against 0.1 µs.
    let n = 0;
    const d = Dispatcher.tiered(original, { name: "original", arity: 1, exact: false, event: () => undefined }, original);
    const v: Version = { fn: twin, source: "", passes: null, assumptions: [], calls: () => 0, deopts: 0, compileTimeMs: 0 };
    d.addVersion(v);
    timeAtEntry(d, v, new VirtualClock((fn) => (++n <= 16 ? 0.003 : fn === original ? 0.0001 : 0.0002)), { ...ENTRY_TIMING, gateOnFirstWindow: true, coldGate: EXPLICIT_COLD_GATE });
    const f = d.entry as (xs: number[]) => number;
    callUntilDecided(d, f, 5000);
    expect(d.tier).toBe(1);
    expect(d.history.find((h) => h.event === "untimed")?.detail).toMatch(/^0\.200 µs a call against 0\.100 µs for the original .* from call 872\): calls too short for the clock/);
  });
});

describe("which explicit versions jit() times at their entry", () => {
  it("a small version with a loop gets an entry, whose check ends with a verdict and keeps the results", () => {
    function sumScaled(xs: number[], k: number) {
      let s = 0;
      for (let i = 0; i < xs.length; i++) s += xs[i]! * k;
      return s;
    }
    const j = jit(sumScaled, { specialize: { k: 3 } });
    // The version is reached through an entry: the function returned is not the one compiled.
    expect(j).not.toBe(sumScaled);
    const data = Array.from({ length: 8 }, (_, i) => i - 3);
    for (let i = 0; i < 20_000; i++) expect(j(data, 3)).toBe(sumScaled(data, 3));
    expect(j(data, 2)).toBe(sumScaled(data, 2));
    const events = inspect(j)!.history.map((h) => h.event);
    expect(events.some((e) => e === "untimed" || e === "verified" || e === "generic")).toBe(true);
  });

  it("a small version that runs straight through is left as it is (no check, nothing in front)", () => {
    function poly(c: number[], x: number) {
      return (c[2]! * x + c[1]!) * x + c[0]!;
    }
    const c = Object.freeze([1, 2, 3]) as number[];
    const j = jit(poly, { specialize: { c } });
    for (let i = 0; i < 5000; i++) expect(j(c, i)).toBe(poly(c, i));
    const events = inspect(j)!.history.map((h) => h.event);
    expect(events).toEqual(["compiled"]);
  });
});
