/**
 * The hot entries of `kos profile` get the source hash that joins them with the feedback of the
 * functions the program wrapped in jit() (calls, stable arguments, tier): those with a share worth
 * parsing their script for, and any entry named as a wrapped function, whatever its share.
 */
import { describe, expect, it } from "vitest";
import { hotEntries } from "../../profiler/profile-analysis.js";
import { sourceHash } from "../../profiler/profile-file.js";
import type { HotFunction, HotReport } from "../../profiler/hot.js";

const SOURCE = "function busy(x) { return x * 2; }\nfunction matmul(n, a, b, out) { return out; }\n";
const url = "file:///app/kernels.js";

function fn(name: string, line: number, column: number, selfPercent: number): HotFunction {
  const selfSamples = Math.round(selfPercent * 10);
  return { name, url, line, column, selfSamples, totalSamples: selfSamples, selfPercent, totalPercent: selfPercent, inlinedSamples: 0, underKosSamples: 0 };
}

describe("hotEntries", () => {
  // busy: 60% of the samples; matmul: 0.2%, under the share worth a parse of its script for its own sake.
  const report: HotReport = { totalSamples: 1000, idleSamples: 0, functions: [fn("busy", 0, 0, 60), fn("matmul", 1, 0, 0.2)], stacks: [] };
  const sourceOf = (u: string) => (u === url ? SOURCE : undefined);

  it("hashes a low-share entry named as a function the program wrapped, so that its feedback joins it", () => {
    const plain = hotEntries(report, sourceOf);
    expect(plain.map((e) => [e.name, e.sourceHash !== undefined])).toEqual([["busy", true], ["matmul", false]]);
    const wrapped = hotEntries(report, sourceOf, { wrappedNames: new Set(["matmul"]) });
    expect(wrapped[1]!.sourceHash).toBe(sourceHash("function matmul(n, a, b, out) { return out; }"));
    expect(wrapped[0]!.sourceHash).toBe(sourceHash("function busy(x) { return x * 2; }"));
  });
});
