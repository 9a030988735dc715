import { describeRealCase, itFollowsLibraryChange } from "./run-case.js";
import { mustacheCase } from "../../fixtures/real/index.js";
import { Mustache } from "../../fixtures/real/mustache/program.js";

describeRealCase(mustacheCase, () => {
  // mustache documents `Mustache.escape` as the hook to override escaping.
  itFollowsLibraryChange(mustacheCase, "Mustache.escape replaced", () => {
    const saved = Mustache.escape;
    Mustache.escape = (text) => `[${String(text)}]`;
    return () => {
      Mustache.escape = saved;
    };
  });
});
