import { describeRealCase } from "./run-case.js";
import { filtrexCase } from "../../fixtures/real/expression-rule-cases.js";

describeRealCase(filtrexCase);
