import { describeRealCase } from "./run-case.js";
import { zodCase } from "../../fixtures/real/index.js";

describeRealCase(zodCase);
