/**
 * @cfworker/json-schema, a JSON Schema validator written as a recursive
 * interpreter (`validate(instance, schema, draft, lookup, …)`), tried as a
 * user would after the ten libraries of fixtures/real. It found: an inlined
 * call that can only throw crashed the compile (INTERNAL); `Object.create(null)`
 * and a `throw new Error` counted as foreign code, so every later read of the
 * schema was dynamic; and the method form then inlined the generic validator
 * into itself for 60-80 s before failing on size. Each is fixed in the
 * compiler with its own test (test/compiler/specialize/dead-operands.test.ts,
 * object-create.test.ts); here the library itself is compared with its jit.
 */
import { describe, expect, it } from "vitest";
import { Validator, validate } from "@cfworker/json-schema";
import { inspect, jit } from "../../index.js";
import { pick, seededRandom, type Random } from "../../fixtures/random.js";

const schema = {
  type: "object",
  required: ["id", "name", "tags", "address"],
  properties: {
    id: { type: "integer", minimum: 1 },
    name: { type: "string", minLength: 2, maxLength: 20 },
    email: { type: "string", pattern: "^[^@]+@[^@]+$" },
    age: { type: "number", minimum: 0, maximum: 150 },
    active: { type: "boolean" },
    tags: { type: "array", items: { type: "string" }, maxItems: 5 },
    address: { type: "object", required: ["city"], properties: { city: { type: "string" }, zip: { type: "string", pattern: "^[0-9]{5}$" } } },
    role: { enum: ["admin", "user", "guest"] },
  },
};

function input(r: Random): unknown {
  if (r() < 0.05) return pick(r, [null, 3, "s", [], true]);
  const o: Record<string, unknown> = {
    id: pick(r, [1, 7, 0, -3, 2.5, "x"]),
    name: pick(r, ["ab", "a", "alice", 3, "a".repeat(25)]),
    tags: pick(r, [[], ["a", "b"], ["a", 1], [1, 2, 3, 4, 5, 6], "t"]),
    address: pick(r, [{ city: "X" }, { city: "Y", zip: "12345" }, { zip: "1" }, null, { city: 3 }]),
  };
  if (r() < 0.5) o.email = pick(r, ["a@b", "ab", 5]);
  if (r() < 0.5) o.age = pick(r, [30, -1, 200, NaN, "3"]);
  if (r() < 0.5) o.active = pick(r, [true, "yes"]);
  if (r() < 0.5) o.role = pick(r, ["admin", "root"]);
  if (r() < 0.2) delete o[pick(r, ["id", "name", "tags", "address"])];
  return o;
}

const inputs = (() => {
  const r = seededRandom(4101);
  return Array.from({ length: 1500 }, () => input(r));
})();

describe("@cfworker/json-schema", () => {
  it("jit(validate, { specialize: { schema, draft, shortCircuit } }) compiles and reports what the library reports", () => {
    // Its compile takes 2.0-4.1 s here, near the default 5 s cap by the wall clock: a machine loaded by
    // other work made it fall back (5.3 s). What this test checks is the results, so the cap is raised.
    const j = jit(validate, { specialize: { schema, draft: "2019-09", shortCircuit: false }, maxCompileMs: 30_000 });
    expect(inspect(j)!.tier).toBe(1);
    let invalid = 0;
    for (const x of inputs) {
      const want = validate(x as never, schema as never, "2019-09", undefined, false);
      expect(j(x as never, schema as never, "2019-09", undefined, false)).toEqual(want);
      if (!want.valid) invalid++;
    }
    expect(invalid).toBeGreaterThan(300);
    expect(invalid).toBeLessThan(1500);
  });

  it("the method on its Validator gives up early, naming the cause, and runs as written", () => {
    const v = new Validator(schema as never, "2019-09", false);
    const j = jit(v.validate, { specialize: { this: v } });
    expect(inspect(j)!.tier).toBe("fallback");
    // Either bound may end it first: the join work (about 3.5 s) or the compile's time (maxCompileMs).
    expect(inspect(j)!.fallbackReason).toMatch(/^RESIDUAL_TOO_LARGE: the specialization (joined more than|took more than)/);
    for (const x of inputs.slice(0, 300)) expect(j.call(v, x as never)).toEqual(v.validate(x as never));
  });
});
