import { describe, expect, it, onTestFinished } from "vitest";
import { envHotCalls, tieringThresholds } from "../../profiler/tiering-options.js";

describe("KOS_HOT_CALLS", () => {
  it("a positive number is the fixed tier-up; unset or empty is no fixed tier-up, in silence", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    expect(envHotCalls("200")).toBe(200);
    expect(envHotCalls(" 50 ")).toBe(50);
    expect(envHotCalls(undefined)).toBeNaN();
    expect(envHotCalls("")).toBeNaN();
    expect(tieringThresholds({}, envHotCalls("200"), false)).toMatchObject({ costGated: false, hotCalls: 200 });
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => (w as { code?: string }).code === "KOS_HOT_CALLS")).toEqual([]);
  });

  it("a value that is no positive number is ignored as before, and said once per value as a warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => void warnings.push(w);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    for (const v of ["abc", "-1", "0", "abc", "NaN", "-1"]) expect(envHotCalls(v)).toBeNaN();
    // Ignored: the thresholds are the cost-gated ones, as with the variable unset.
    expect(tieringThresholds({}, envHotCalls("abc"), false).costGated).toBe(true);
    await new Promise((r) => setImmediate(r));
    const ours = warnings.filter((w) => (w as { code?: string }).code === "KOS_HOT_CALLS").map((w) => w.message);
    expect(ours).toHaveLength(4);
    expect(ours[0]).toMatch(/^KOS_HOT_CALLS=abc is not used: it must be a positive number of calls/);
  });
});
