/**
 * The one error type every kos module throws. `code` is stable across
 * releases so callers can branch on it; `message` is for humans.
 */
export class KosError extends Error {
  /** A stable, machine-readable error code such as `EINVAL_CPU`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KosError";
    this.code = code;
  }
}
