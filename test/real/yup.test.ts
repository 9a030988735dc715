import { describe, expect, it } from "vitest";
import { describeRealCase } from "./run-case.js";
import { yupCase } from "../../fixtures/real/index.js";
import { differential, makeNatural, TEST_COUNT, TEST_SEED } from "../../fixtures/real/common.js";
import { jit } from "../../index.js";
import { schema } from "../../fixtures/real/yup/program.js";

describeRealCase(yupCase);

// validateSync throws a ValidationError whose message is the one error's or "N errors occurred":
// the error path of the same schema, through both natural forms.
describe("yup: validateSync with abortEarly: false", () => {
  const inputs = yupCase.inputs(TEST_SEED, TEST_COUNT);
  const original = (input: unknown) => schema.validateSync(input, { abortEarly: false });
  it("jit(schema.validateSync, { specialize: { this: schema } }) throws the same errors", () => {
    const fn = jit(schema.validateSync, { specialize: { this: schema } });
    const report = differential(original, (input) => fn.call(schema, input, { abortEarly: false }), inputs);
    expect(report.originalThrew).toBeGreaterThan(0);
    expect(report.mismatches.slice(0, 5)).toEqual([]);
  });
  it("jit(schema.validateSync.bind(schema)) (tiering) throws the same errors", () => {
    const { run } = makeNatural({ label: "", why: "", tiering: true, make: () => { const fn = jit(schema.validateSync.bind(schema)); return { fn, run: (input) => fn(input, { abortEarly: false }) }; } });
    const report = differential(original, run, inputs);
    report.mismatches.push(...differential(original, run, inputs).mismatches);
    expect(report.mismatches.slice(0, 5)).toEqual([]);
  });
});
