import { describeRealCase, itFollowsLibraryChange } from "./run-case.js";
import { exprEvalCase } from "../../fixtures/real/index.js";
import { parser } from "../../fixtures/real/expr-eval/program.js";

describeRealCase(exprEvalCase, () => {
  // An Expression shares its operator tables with the Parser that made it; users customize them on the parser.
  itFollowsLibraryChange(exprEvalCase, "parser.binaryOps['%'] replaced", () => {
    const ops = (parser as unknown as { binaryOps: Record<string, Function> }).binaryOps;
    const saved = ops["%"]!;
    ops["%"] = (a: number, b: number) => a * b;
    return () => {
      ops["%"] = saved;
    };
  });
});
