import { describeRealCase, itTrapsLikeTheOriginal } from "./run-case.js";
import { lodashGetCase } from "../../fixtures/real/format-route-cases.js";

describeRealCase(lodashGetCase, () => itTrapsLikeTheOriginal(lodashGetCase));
