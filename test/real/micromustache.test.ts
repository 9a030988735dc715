import { describeRealCase, itTrapsLikeTheOriginal } from "./run-case.js";
import { micromustacheCase } from "../../fixtures/real/format-route-cases.js";

describeRealCase(micromustacheCase, () => itTrapsLikeTheOriginal(micromustacheCase));
