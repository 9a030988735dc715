import { describeRealCase } from "./run-case.js";
import { valibotCase } from "../../fixtures/real/index.js";

describeRealCase(valibotCase);
