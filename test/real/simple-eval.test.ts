import { describeRealCase } from "./run-case.js";
import { simpleEvalCase } from "../../fixtures/real/expression-rule-cases.js";

describeRealCase(simpleEvalCase);
