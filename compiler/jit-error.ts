import { KosError } from "../errors.js";

/**
 * Stable codes for why a function could not be compiled. `inspect(f).fallbackReason`
 * starts with the code; `jit(fn, { strict: true })` throws a JitError carrying it.
 */
export type JitErrorCode =
  | "NOT_A_FUNCTION"
  | "NATIVE_FUNCTION"
  | "BOUND_FUNCTION"
  | "CLASS_CONSTRUCTOR"
  | "GENERATOR"
  | "ASYNC_FUNCTION"
  | "PARSE_ERROR"
  | "FREE_VARIABLE"
  | "ASSIGNS_FREE_VARIABLE"
  | "USES_ARGUMENTS"
  | "USES_EVAL"
  | "USES_WITH"
  | "USES_THIS"
  | "USES_SUPER"
  | "USES_NEW_TARGET"
  | "USES_PRIVATE_NAME"
  | "UNKNOWN_PARAMETER"
  | "CODEGEN_DISALLOWED"
  | "INTERNAL"
  | "DISABLED"
  | "BAD_OPTIONS";

/** Raised by `jit(fn, { strict: true })` and for invalid options. */
export class JitError extends KosError {
  override readonly code: JitErrorCode;
  /** 1-based line in the function's source, when the reason points at a construct. */
  readonly line: number | null;
  constructor(code: JitErrorCode, message: string, line: number | null = null, options?: { cause?: unknown }) {
    super(code, line != null ? `${message} (line ${line})` : message, options);
    this.name = "JitError";
    this.code = code;
    this.line = line;
  }
}
