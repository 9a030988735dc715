import { describeRealCase } from "./run-case.js";
import { squirrellyCase } from "../../fixtures/real/index.js";

describeRealCase(squirrellyCase);
