import { describeRealCase } from "./run-case.js";
import { sprintfCase } from "../../fixtures/real/format-route-cases.js";

describeRealCase(sprintfCase);
