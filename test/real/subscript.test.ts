import { describeRealCase } from "./run-case.js";
import { subscriptCase } from "../../fixtures/real/expression-rule-cases.js";

describeRealCase(subscriptCase);
