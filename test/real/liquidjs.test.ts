import { describeRealCase } from "./run-case.js";
import { liquidCase } from "../../fixtures/real/index.js";

describeRealCase(liquidCase);
