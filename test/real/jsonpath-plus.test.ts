import { describeRealCase } from "./run-case.js";
import { jsonpathCase } from "../../fixtures/real/index.js";

describeRealCase(jsonpathCase);
