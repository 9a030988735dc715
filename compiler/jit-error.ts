import { KosError } from "../errors.js";
import type { FunctionLocation } from "./discover/function-facts.js";

/**
 * How `atFunction` finds a function's file position. The inspector-based
 * reader (discover/closure.ts) registers itself when it loads: keeping the
 * import out of this file keeps `JitError` cheap for code that only needs the
 * class (the precheck and the dispatcher load it on every path; the
 * inspector machinery cost about 38 ms there).
 */
export interface FunctionLocator {
  functionLocation(fn: Function): FunctionLocation | null;
  functionSourceLine(fn: Function, line: number): string | null;
}
const noLocator: FunctionLocator = { functionLocation: () => null, functionSourceLine: () => null };

/**
 * Stable codes for why a function could not be compiled, in one list (the
 * README's fallback table is checked against it). `inspect(f).fallbackReason`
 * starts with the code; `jit(fn, { strict: true })` throws a JitError carrying it.
 */
export const JIT_ERROR_CODES = [
  "NOT_A_FUNCTION",
  "NATIVE_FUNCTION",
  "PROXY_FUNCTION",
  "BOUND_FUNCTION",
  "CLASS_CONSTRUCTOR",
  "GENERATOR",
  "ASYNC_FUNCTION",
  "PARSE_ERROR",
  "FREE_VARIABLE",
  "ASSIGNS_FREE_VARIABLE",
  "USES_ARGUMENTS",
  "USES_EVAL",
  "USES_WITH",
  "USES_THIS",
  "USES_SUPER",
  "USES_NEW_TARGET",
  "USES_PRIVATE_NAME",
  "TAGGED_TEMPLATE",
  "UNSUPPORTED",
  "RESIDUAL_TOO_LARGE",
  "NOTHING_SPECIALIZED",
  "UNKNOWN_PARAMETER",
  "CODEGEN_DISALLOWED",
  "INTERNAL",
  "DISABLED",
  "BAD_OPTIONS",
] as const;

export type JitErrorCode = (typeof JIT_ERROR_CODES)[number];

/** A position in a file, as a compiler diagnostic shows it. */
export interface SourcePosition {
  /** Path or URL as Node names it. */
  file: string;
  /** 1-based line in the file. */
  line: number;
  /** 1-based column in the file. */
  column: number;
  /** The text of that line, when known (shown with a caret under `column`). */
  sourceLine?: string | null;
}

/** Where in `fn.toString()` the offending construct is: 1-based line, 0-based column (acorn's `loc` over the function's own text). */
export interface RelativePosition {
  line: number;
  column?: number;
}

export interface JitErrorOptions {
  cause?: unknown;
  /** The file position of the construct; turns the message into a diagnostic with the quoted line. */
  at?: SourcePosition | null;
  /** The public entry the user called (e.g. `jit`): the stack starts at the user's call of it, not inside kos. */
  entry?: Function;
  /** 0-based column of the construct in the function's text, with `line` (the diagnostic's caret goes under it). */
  column?: number | null;
}

/** Raised by `jit(fn, { strict: true })` and for invalid options. */
export class JitError extends KosError {
  // Its own name, whatever a bundler calls the binding: the core bundle (scripts/bundle-compiler.mjs)
  // compiles this class as `class _JitError`, and esbuild's keepNames, which would restore it, wraps
  // every closure made at run time in a defineProperty of its name: 1.3 µs of each `jit()` call.
  static {
    Object.defineProperty(this, "name", { value: "JitError", configurable: true });
  }
  override readonly code: JitErrorCode;
  /** 1-based line in the function's source, when the reason points at a construct. */
  readonly line: number | null;
  /** 0-based column in the function's source, when known with `line`. */
  readonly column: number | null;
  /** The file holding the construct, when its location is known. */
  readonly file: string | null;
  /** 1-based line in the file. */
  readonly fileLine: number | null;
  /** 1-based column in the file. */
  readonly fileColumn: number | null;
  /** The offending line of the file, as written. */
  readonly sourceLine: string | null;
  /** The reason alone, without location or quoted source. */
  readonly reason: string;

  /**
   * @param line 1-based line counted from the start of the function's source (kept for
   *   callers that only know that); `options.at` gives the file position instead.
   */
  constructor(code: JitErrorCode, message: string, line: number | null = null, options?: JitErrorOptions) {
    const at = options?.at ?? null;
    super(code, at ? formatDiagnostic(message, at) : line != null ? `${message} (line ${line})` : message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.line = line;
    this.column = options?.column ?? null;
    this.reason = message;
    this.file = at?.file ?? null;
    this.fileLine = at?.line ?? null;
    this.fileColumn = at?.column ?? null;
    this.sourceLine = at?.sourceLine ?? null;
    // Node's own errors read "TypeError [ERR_X]: ..."; V8 writes the stack's first line from
    // the name at capture time, so the name carries the code only while the stack is captured.
    this.name = `JitError [${code}]`;
    if (options?.entry) Error.captureStackTrace(this, options.entry);
    else Error.captureStackTrace(this, new.target);
    void this.stack; // V8 formats the stack lazily: read it while the name carries the code (as Node's own errors do)
    this.name = "JitError";
  }

  /**
   * An error located in `fn`'s file: maps a position inside `fn.toString()` to the
   * file's line and column through `functionLocation(fn)`, and quotes the line.
   * Without a known location (inspector unavailable, native code) it reads like
   * the plain constructor, with the function-relative line.
   */
  /** Set by discover/closure.ts when it loads. */
  static locator: FunctionLocator = noLocator;

  static atFunction(fn: Function, code: JitErrorCode, message: string, relative: RelativePosition | null, options?: Omit<JitErrorOptions, "at"> & { location?: FunctionLocation | null }): JitError {
    const loc = options?.location !== undefined ? options.location : JitError.locator.functionLocation(fn);
    let at: SourcePosition | null = null;
    let text = message;
    if (loc && relative && loc.exact !== false) at = mapToFile(fn, loc, relative);
    else if (loc) {
      // Only V8's position of the function is known (its source text was not found): point
      // at the function, and say which of its lines, rather than guess a column.
      at = { file: loc.file, line: loc.line, column: loc.column, sourceLine: JitError.locator.functionSourceLine(fn, loc.line) };
      if (relative) text = `${message} (line ${relative.line} of the function)`;
    }
    return new JitError(code, text, relative?.line ?? null, { cause: options?.cause, at, entry: options?.entry ?? JitError.atFunction });
  }
}

/** Function-relative (1-based line, 0-based column) to file (1-based both). */
export function mapToFile(fn: Function, loc: FunctionLocation, rel: RelativePosition): SourcePosition {
  const line = loc.line + rel.line - 1;
  const col0 = rel.column ?? 0;
  const column = rel.line === 1 ? loc.column + col0 : col0 + 1;
  return { file: loc.file, line, column, sourceLine: JitError.locator.functionSourceLine(fn, line) };
}

/**
 * The compiler-style text:
 *
 *     eval is not supported (kos falls back to the original)
 *       at /path/to/lib.js:42:7
 *        42 |   return eval(src);
 *           |          ^
 */
export function formatDiagnostic(message: string, at: SourcePosition): string {
  const head = `${message}\n  at ${at.file}:${at.line}:${at.column}`;
  if (at.sourceLine == null) return head;
  const num = String(at.line);
  const text = at.sourceLine.replace(/\t/g, " ");
  const pad = " ".repeat(num.length);
  return `${head}\n   ${num} | ${text}\n   ${pad} | ${" ".repeat(Math.max(0, at.column - 1))}^`;
}
