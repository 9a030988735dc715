import { describeRealCase, itFollowsLibraryChange } from "./run-case.js";
import { jexlCase } from "../../fixtures/real/expression-rule-cases.js";
import { jexl } from "../../fixtures/real/jexl/program.js";

describeRealCase(jexlCase, () => {
  // addTransform is jexl's documented way to (re)define a transform on an instance.
  itFollowsLibraryChange(jexlCase, "the upper transform redefined with addTransform", () => {
    jexl.addTransform("upper", (s: unknown) => `<${String(s)}>`);
    return () => jexl.addTransform("upper", (s: string) => s.toUpperCase());
  });
});
