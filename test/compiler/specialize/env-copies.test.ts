/**
 * Specializer.copyEnv: the snapshot a probe or an inlined call restores on undo. A copy with the
 * same entries in the same order (joins walk environments in order), which later writes to either
 * side leave apart.
 */
import { describe, expect, it } from "vitest";
import { Specializer, type Env } from "../../../compiler/specialize/specializer.js";
import "../../../compiler/specialize/index.js";

describe("copyEnv", () => {
  it("copies the entries in order, and the copy is independent", () => {
    const sp = new Specializer({ freeze: "guard", fastmath: false, unrollBudget: 0, maxDepth: 0, lookupFree: () => ({ found: false }), scope: {} } as never, "$k_");
    const keys = Array.from({ length: 50 }, (_, i) => ({ i }));
    const env: Env = new Map();
    for (const k of keys.reverse()) env.set(k as never, { v: k.i } as never);
    sp.env = env;
    const copy = sp.copyEnv();
    expect(copy).not.toBe(env);
    expect([...copy]).toEqual([...env]);
    expect([...copy.keys()]).toEqual(keys);
    copy.delete(keys[0] as never);
    env.set({ i: -1 } as never, { v: -1 } as never);
    expect(copy.size).toBe(49);
    expect(env.size).toBe(51);
    expect(sp.copyEnv().size).toBe(51);
  });
});
