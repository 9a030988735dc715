import { TypeSystemPolicy } from "@sinclair/typebox/system";
import { describeRealCase, itFollowsLibraryChange } from "./run-case.js";
import { typeboxCase } from "../../fixtures/real/index.js";

describeRealCase(typeboxCase, () => {
  // TypeBox's documented global policy: with AllowNaN, NaN passes Number and Integer checks' type test.
  itFollowsLibraryChange(typeboxCase, "TypeSystemPolicy.AllowNaN = true", () => {
    const saved = TypeSystemPolicy.AllowNaN;
    TypeSystemPolicy.AllowNaN = true;
    return () => {
      TypeSystemPolicy.AllowNaN = saved;
    };
  });
});
