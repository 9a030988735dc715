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

  // The forks that only fold reads of the issue being built (`_addIssue` after `_stringify`) took 20,293
  // of the 24,000 generic nodes a version may emit, so that the forks of the last properties were not
  // made: `note`, the items' `price` and their pipes' tails ran as loops of `~run` calls over the keys
  // left (`arr = ["note"]; for (const key of arr) …`). Those forks are no longer made (speculation.ts).
  it("specializes the last properties too: no generic loop over the keys left", () => {
    const f = jit(v.safeParse, { specialize: { schema } });
    for (const input of inputs(5, 64)) expect(JSON.stringify(f(schema, input))).toBe(JSON.stringify(v.safeParse(schema, input)));
    const info = inspect(f);
    expect(info.tier, info.fallbackReason ?? "").toBe(1);
    expect(info.source).not.toMatch(/= \["\w+"(, "\w+")*\];\s*for \(const \w+ of /);
  });
});
