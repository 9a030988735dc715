import { describeRealCase } from "./run-case.js";
import { jmespathCase } from "../../fixtures/real/index.js";

describeRealCase(jmespathCase);
