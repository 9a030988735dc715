import { describeRealCase } from "./run-case.js";
import { expressionEvalCase } from "../../fixtures/real/index.js";

describeRealCase(expressionEvalCase);
