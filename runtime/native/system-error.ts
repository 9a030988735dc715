/**
 * Typed errors for the system layer. Every error is a `KosError` with a stable
 * code; `SystemError` also carries the kernel's errno name and the syscall.
 */
import { KosError } from "../../errors.js";

/** Stable codes thrown by affinity, NUMA, aligned memory and direct I/O. */
export type SystemErrorCode =
  | "ENOTSUP_ADDON"
  | "EINVAL_CPU"
  | "EINVAL_THREAD"
  | "ENO_THREAD"
  | "EEMPTY_CPUSET"
  | "EINVAL_NUMA_NODE"
  | "EINVAL_ALIGNMENT"
  | "EINVAL_SIZE"
  | "EINVAL_RANGE"
  | "EINVAL_OFFSET"
  | "EINVAL_BUFFER"
  | "EALLOC_FAILED"
  | "EIS_DIRECTORY"
  | "EALIGN_BUFFER"
  | "EALIGN_OFFSET"
  | "EALIGN_LENGTH"
  | "EDIRECT_UNSUPPORTED"
  | "EBAD_ADVICE"
  | "EPOOL_CLOSED"
  | "EPOOL_NEW"
  | "EINVAL_OPTIONS"
  | "EFILE_CLOSED"
  | "EINVAL_POLICY"
  | "EIO_SYSTEM";

/** A `KosError` raised by a system call, with the kernel's view attached. */
export class SystemError extends KosError {
  /** errno name from the kernel, e.g. `EINVAL`, when a syscall failed. */
  readonly errno?: string;
  readonly syscall?: string;
  constructor(code: SystemErrorCode, message: string, options: { cause?: unknown; errno?: string; syscall?: string } = {}) {
    super(code, message, { cause: options.cause });
    this.name = "SystemError";
    if (options.errno !== undefined) this.errno = options.errno;
    if (options.syscall !== undefined) this.syscall = options.syscall;
  }
}

/** The errno name (`EINVAL`) of an error thrown by the addon or node:fs, if any. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Wraps a failed syscall in a `SystemError` with code `EIO_SYSTEM` unless a more specific code is given. */
export function systemError(e: unknown, message: string, code: SystemErrorCode = "EIO_SYSTEM"): SystemError {
  const err = e as { syscall?: string; message?: string };
  return new SystemError(code, `${message}: ${err?.message ?? String(e)}`, { cause: e, errno: errnoOf(e), syscall: err?.syscall });
}
