import { describeRealCase } from "./run-case.js";
import { mingoCase } from "../../fixtures/real/index.js";

describeRealCase(mingoCase);
