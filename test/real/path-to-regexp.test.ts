import { describeRealCase } from "./run-case.js";
import { pathToRegexpCase } from "../../fixtures/real/format-route-cases.js";

describeRealCase(pathToRegexpCase);
