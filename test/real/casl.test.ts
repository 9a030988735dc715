import { describeRealCase } from "./run-case.js";
import { caslCase } from "../../fixtures/real/expression-rule-cases.js";

describeRealCase(caslCase);
