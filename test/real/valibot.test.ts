import { describe, expect, it } from "vitest";
import { describeRealCase } from "./run-case.js";
import { valibotCase } from "../../fixtures/real/index.js";
import { inspect, jit } from "../../index.js";
import { inputs, schema, v } from "../../fixtures/real/valibot/program.js";

describeRealCase(valibotCase);

describe("valibot: the unfrozen schema", () => {
  // object()'s `for (const key in this.entries)` forks after every read of the input (a getter
  // could change the schema): with speculation's generic branches bounded by one function's size,
  // it stopped at the sixth of the nine properties and left the rest a loop of `~run` calls
  // (1.00x the library, compile.ts MAX_GENERIC_NODES).
  it("unrolls every property of the natural use: no for-in over `entries` is left", () => {
    const f = jit(v.safeParse, { specialize: { schema } });
    const args = inputs(3, 64);
    for (const input of args) expect(JSON.stringify(f(schema, input))).toBe(JSON.stringify(v.safeParse(schema, input)));
    const info = inspect(f);
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    // (kos's own keys check, `for (const k in o)`, is not the library's loop.)
    expect(info.source).not.toMatch(/for \((const|let|var) \w+ in \$k_ref_\d+\)/);
    expect(Object.isFrozen(schema)).toBe(false);
  });
});
