/**
 * A tiered function's first small version is timed against the original in the same windows,
 * call by call (profiler/verify-gain.ts), not against the time tier 0 measured for the original
 * earlier: under a small `hotCalls` that time is the original's first, cold calls, and a version no
 * faster than the original was kept.
 */
import { describe, expect, it } from "vitest";
import { Dispatcher, type Version } from "../../compiler/dispatcher.js";
import { verifyGain } from "../../profiler/verify-gain.js";
import { VirtualClock } from "../support/virtual-clock.js";

function original(x: number) {
  return x * 2 + 1;
}
const twin = (x: number) => x * 2 + 1;

/** A tiering dispatcher over `original` whose first version is `twin`, verified on a clock where each side costs what `cost` says. */
function verified(cost: { original: number; version: number }, staleOriginalMs: number) {
  const d = Dispatcher.tiered(original, { name: "original", arity: 1, exact: true, event: () => undefined }, original);
  let calls = 0;
  const counted = function (x: number) {
    calls++;
    return twin(x);
  };
  const v: Version = { fn: counted, source: "", passes: null, assumptions: [], calls: () => calls, deopts: 0, compileTimeMs: 0 };
  d.addVersion(v);
  verifyGain(d, v, () => staleOriginalMs, new VirtualClock((fn) => (fn === original ? cost.original : cost.version)));
  return d;
}

function callUntilDecided(d: Dispatcher, max: number): void {
  const f = d.entry as (x: number) => number;
  for (let i = 0; i < max && d.tier === 1 && !d.history.some((h) => h.event === "verified"); i++) expect(f(i)).toBe(original(i));
}

describe("the first version is timed against the original, interleaved (profiler/verify-gain.ts)", () => {
  it("sends back a version no faster than the original, though tier 0 timed the original slower when it was cold", () => {
    // Tier 0 saw 2 µs a call (cold); both sides now take 0.3 µs.
    const d = verified({ original: 0.0003, version: 0.0003 }, 0.002);
    callUntilDecided(d, 20_000);
    expect(d.tier).toBe("fallback");
    expect(d.fallbackReason).toMatch(/^the compiled version ran 0\.300 µs a call against 0\.300 µs for the original \(medians of \d+ and \d+ calls, interleaved at random, from call 16000\): it stays the original$/);
    // The original's calls in the windows count as the function's calls.
    expect(d.calls).toBeGreaterThanOrEqual(16000);
  });

  it("keeps a version faster than the original by more than the margin, at the first window", () => {
    const d = verified({ original: 0.002, version: 0.001 }, 0.002);
    callUntilDecided(d, 5000);
    expect(d.tier).toBe(1);
    const verifiedEvent = d.history.find((h) => h.event === "verified");
    expect(verifiedEvent?.detail).toMatch(/^1\.000 µs a call against 2\.000 µs for the original .* from call 872\)$/);
    // The route is gone: calls go to the version again.
    const f = d.entry as (x: number) => number;
    expect(f(5)).toBe(11);
  });

  it("keeps timing nothing when tier 0 found the calls too short for the clock", () => {
    const d = verified({ original: 0.0001, version: 0.001 }, 0.0001);
    callUntilDecided(d, 20_000);
    expect(d.tier).toBe(1);
    expect(d.history.some((h) => h.event === "verified" || h.event === "generic")).toBe(false);
  });
});
