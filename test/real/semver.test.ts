import { describeRealCase } from "./run-case.js";
import { semverCase } from "../../fixtures/real/index.js";

describeRealCase(semverCase);
