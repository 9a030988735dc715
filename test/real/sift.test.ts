import { describeRealCase } from "./run-case.js";
import { siftCase } from "../../fixtures/real/index.js";

describeRealCase(siftCase);
