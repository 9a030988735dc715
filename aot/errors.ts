/**
 * Errors of `kos build`. Every one names the file and line it is about, as
 * `path/to/file.ts:12:5: message`, so editors and terminals can jump to it.
 */
import { KosError } from "../errors.js";
import type { TypeDiagnostic } from "./diagnostics.js";
import type { BuildReport } from "./report.js";

/** Stable codes of `kos build` failures. */
export type BuildErrorCode =
  | "EBUILD_NO_TSCONFIG"   // --project points at nothing
  | "EBUILD_TSCONFIG"      // the tsconfig itself is invalid
  | "EBUILD_SYNTAX"        // a syntax error in the project
  | "EBUILD_ANNOTATION"    // @kos.jit / @kos.specialize on something that can't be optimized, or malformed
  | "EBUILD_PROFILE"       // the profile cannot be read
  | "EBUILD_PROFILE_STALE" // the profile was recorded from a different version of the source
  | "EBUILD_LOAD"          // the compiled project could not be imported at build time
  | "EBUILD_TYPE"         // TypeScript reports errors (tsc would exit nonzero)
  | "EBUILD_OUT_DIR"      // --out is, or contains, the project, a source folder or the tsconfig
  | "EBUILD_OUTPUT";       // the output could not be written

export class BuildError extends KosError {
  override name = "BuildError";
  /** File the error is about (absolute), when there is one. */
  readonly file: string | undefined;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  constructor(code: BuildErrorCode, message: string, where?: { file: string; line?: number; column?: number; display?: string }, options?: { cause?: unknown }) {
    super(code, where ? `${where.display ?? where.file}${where.line ? `:${where.line}${where.column ? `:${where.column}` : ""}` : ""}: ${message}` : message, options);
    this.file = where?.file;
    this.line = where?.line;
  }
}

/**
 * `EBUILD_TYPE`: the project has TypeScript errors, so the build fails as
 * `tsc` would. Its message lists them in tsc's format. With the tsconfig's
 * `noEmitOnError`, nothing was written (`report` is null); without it, as
 * tsc does, the output was written, unoptimized (the optimizer trusts the
 * types, which are wrong), and `report` is the report written with it.
 */
export class BuildTypeError extends BuildError {
  override name = "BuildTypeError";
  constructor(readonly diagnostics: TypeDiagnostic[], readonly report: BuildReport | null, message: string) {
    super("EBUILD_TYPE", message);
  }
}
