/** The compiler's pass list lives in residual/pipeline.ts; this name is kept for the public export. */
export { PASS_NAMES } from "./residual/pipeline.js";
