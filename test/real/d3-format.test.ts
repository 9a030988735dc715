import { describeRealCase } from "./run-case.js";
import { d3FormatCase } from "../../fixtures/real/format-route-cases.js";

describeRealCase(d3FormatCase);
