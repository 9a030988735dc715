/**
 * kos build: ahead-of-time, profile-guided optimization of TypeScript
 * projects. See build.ts for the steps and cli/build.ts for the command.
 */
export { kosBuild, REPORT_NAME, type BuildOptions } from "./build.js";
export { BuildError, BuildTypeError, type BuildErrorCode } from "./errors.js";
export type { TypeDiagnostic } from "./diagnostics.js";
export { formatReport, type BuildReport, type FunctionReport, type Origin } from "./report.js";
