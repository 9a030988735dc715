// Its declarations name Node types (Buffer, NodeJS, node:worker_threads): TypeScript 6 and later
// include no @types package unless a tsconfig lists it, and a project that did not list "node"
// failed to type-check its import of kos (TS2591 on dist/runtime/*.d.ts) without this reference.
/// <reference types="node" preserve="true" />
/**
 * Direct I/O (O_DIRECT) and page-cache advice for Linux.
 *
 * `DirectFile` reads and writes with positioned I/O off the main thread. In
 * direct mode the alignment rule comes from the filesystem (statx
 * dio_mem_align / dio_offset_align, else the device's logical block size,
 * else st_blksize) and is checked before each call, so a misaligned buffer,
 * offset or length fails with a message stating the rule instead of a bare
 * EINVAL. A filesystem that refuses O_DIRECT raises `EDIRECT_UNSUPPORTED`;
 * the caller may then open with `{ direct: false }` explicitly, and
 * `isDirect` says which mode is in use.
 *
 * Closing. A read or write runs on libuv's thread pool with the raw
 * descriptor number. If the descriptor were closed while one is queued or
 * running, the kernel could hand the same number to the next `open` anywhere
 * in the process, and the transfer would land in that unrelated file (seen
 * in 9 of 60 trials before this rule). So every operation is counted while in
 * flight, `close()` refuses new ones at once (`EFILE_CLOSED`) and releases
 * the descriptor only after the last one has settled: an in-flight operation
 * completes against this file, and the descriptor is never used after close.
 */
import { closeSync, constants, fdatasync, fstatSync, openSync, read, readFileSync, statSync, write } from "node:fs";
import { promisify, types } from "node:util";
import { allocAligned, isAligned } from "./aligned.js";
import { nativeBinding, requireNative, type NativeDioAlignment } from "./native/binding.js";
import { SystemError, errnoOf, systemError } from "./native/system-error.js";

const readAsync = promisify(read);
const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);

/** posix_fadvise advice. Values are distinct, not flags: pass exactly one. */
export type Advice = "normal" | "sequential" | "random" | "willneed" | "dontneed" | "noreuse";
const ADVICE: readonly Advice[] = ["normal", "sequential", "random", "willneed", "dontneed", "noreuse"];

/**
 * Tells the kernel how a byte range will be read (posix_fadvise). `length` 0
 * means "to the end of the file". Throws `EBAD_ADVICE` for anything but one
 * of the six advice names, `ENOTSUP_ADDON` without the addon.
 */
export function advise(fd: number, offset: number, length: number, advice: Advice): void {
  if (!ADVICE.includes(advice)) {
    throw new SystemError("EBAD_ADVICE", `advise: unknown advice ${JSON.stringify(advice)}; use exactly one of ${ADVICE.join(", ")}`);
  }
  const binding = requireNative("advise");
  try {
    binding.fadvise(fd, offset, length, binding.fadviseValues[advice]);
  } catch (e) {
    throw systemError(e, `advise(${advice}) on fd ${fd}`);
  }
}

/** Starts reading a range into the page cache in the background (readahead(2)). */
export function readahead(fd: number, offset: number, length: number): void {
  const binding = requireNative("readahead");
  try {
    binding.readahead(fd, offset, length);
  } catch (e) {
    throw systemError(e, `readahead on fd ${fd}`);
  }
}

/** The direct-I/O alignment rule of one open file, and where it came from. */
export interface DirectIoAlignment {
  /** Buffers must start at a multiple of this address. */
  memAlign: number;
  /** File offsets must be multiples of this. */
  offsetAlign: number;
  /** Transfer lengths must be multiples of this (the kernel uses the offset rule). */
  lengthAlign: number;
  /**
   * `statx` (STATX_DIOALIGN), `logical-block-size` (sysfs of the backing
   * device), `st_blksize` (no better source), or `buffered` (not direct: no rule).
   */
  source: "statx" | "logical-block-size" | "st_blksize" | "buffered";
}

/** The backing block device's logical block size, from /sys/dev/block. */
function logicalBlockSize(major: number, minor: number): number | null {
  // A partition has no queue/ of its own: its parent disk's applies.
  for (const rel of ["queue/logical_block_size", "../queue/logical_block_size"]) {
    try {
      const n = Number(readFileSync(`/sys/dev/block/${major}:${minor}/${rel}`, "utf8").trim());
      if (Number.isInteger(n) && n > 0) return n;
    } catch {
      /* try the next place */
    }
  }
  return null;
}

/**
 * The direct-I/O alignment rule for an open file. Throws
 * `EDIRECT_UNSUPPORTED` when statx says the file cannot do direct I/O, and
 * `EIO_SYSTEM` (with `errno`, e.g. `EBADF`) when statx fails.
 */
export function directIoAlignment(fd: number): DirectIoAlignment {
  const binding = requireNative("directIoAlignment");
  let info: NativeDioAlignment;
  try {
    info = binding.dioAlignment(fd);
  } catch (e) {
    // statx on a bad descriptor (EBADF) came back as a plain Error (sweep37 #13).
    throw systemError(e, `directIoAlignment: statx on fd ${fd}`);
  }
  if (info.dioSupported) {
    if (info.memAlign === 0 || info.offsetAlign === 0) {
      throw new SystemError("EDIRECT_UNSUPPORTED", "statx reports that this file does not support direct I/O (dio_offset_align = 0)");
    }
    return { memAlign: info.memAlign, offsetAlign: info.offsetAlign, lengthAlign: info.offsetAlign, source: "statx" };
  }
  const lbs = info.devMajor !== 0 ? logicalBlockSize(info.devMajor, info.devMinor) : null;
  if (lbs !== null) return { memAlign: lbs, offsetAlign: lbs, lengthAlign: lbs, source: "logical-block-size" };
  // No statx answer and no block device (tmpfs, network filesystems): st_blksize is the safe guess.
  return { memAlign: info.blksize, offsetAlign: info.blksize, lengthAlign: info.blksize, source: "st_blksize" };
}

/** Whether `path` is a directory: tells O_DIRECT's EINVAL on a directory from a filesystem that refuses O_DIRECT. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function notAFile(path: string, cause?: unknown): SystemError {
  return new SystemError("EIS_DIRECTORY", `${path} is a directory; DirectFile reads and writes files`, { cause, errno: "EISDIR" });
}

/**
 * Throws `EINVAL_BUFFER` unless `buffer` is a view of an ArrayBuffer, and
 * `EINVAL_OFFSET` unless `position` is an integer ≥ 0, in both modes. Node
 * reads from the descriptor's current position when given -1, and a string
 * or a SharedArrayBuffer view reached the addon as a TypeError or a bare
 * "Invalid argument" (sweep37 #13).
 */
function checkTransfer(buffer: unknown, position: unknown, op: string, direct: boolean): void {
  if (!types.isArrayBufferView(buffer)) {
    throw new SystemError("EINVAL_BUFFER", `${op}: expected a Buffer, typed array or DataView, got ${buffer === null ? "null" : typeof buffer}`);
  }
  if (direct && !types.isArrayBuffer(buffer.buffer)) {
    throw new SystemError("EINVAL_BUFFER", `${op}: direct I/O cannot use memory of a SharedArrayBuffer; use allocAligned() or file.allocBuffer()`);
  }
  if (typeof position !== "number" || !Number.isSafeInteger(position) || position < 0) {
    throw new SystemError("EINVAL_OFFSET", `${op}: position must be an integer ≥ 0, got ${String(position)}`);
  }
}

/** Options for `DirectFile.open`. */
export interface DirectFileOptions {
  /** Open with O_DIRECT (bypass the page cache). Default true. */
  direct?: boolean;
  /** Open for writing as well as reading. Default false. */
  write?: boolean;
  /** Create the file if missing (implies write). Default false. */
  create?: boolean;
  /** Truncate to zero length on open (implies write). Default false. */
  truncate?: boolean;
  /** Permission bits for a created file. Default 0o644. */
  mode?: number;
}

/** A file opened for positioned reads and writes, direct or buffered. */
export class DirectFile {
  private closed = false;
  /** Operations handed to the thread pool that have not settled yet. */
  private inFlight = 0;
  /** Set by `close()` while operations are in flight: releases the descriptor after the last one. */
  private onDrained: (() => void) | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    /** The path it was opened with. */
    readonly path: string,
    /** The raw file descriptor (usable with node:fs and `advise`). */
    readonly fd: number,
    /** True when the file was opened with O_DIRECT. */
    readonly isDirect: boolean,
    /** The alignment rule in force; all 1 in buffered mode. */
    readonly alignment: DirectIoAlignment,
  ) {}

  /**
   * Opens `path`. With `direct: true` (the default) this needs the addon and
   * a filesystem that accepts O_DIRECT; otherwise it throws `ENOTSUP_ADDON`
   * or `EDIRECT_UNSUPPORTED` and opens nothing. `direct: false` works
   * everywhere, through node:fs. A directory is `EIS_DIRECTORY` in both modes;
   * any other failure of open(2) is `EIO_SYSTEM` with the kernel's `errno`.
   */
  static async open(path: string, options: DirectFileOptions = {}): Promise<DirectFile> {
    const direct = options.direct ?? true;
    const writable = options.write || options.create || options.truncate;
    if (direct) requireNative("DirectFile direct mode");
    let flags = writable ? constants.O_RDWR : constants.O_RDONLY;
    if (options.create) flags |= constants.O_CREAT;
    if (options.truncate) flags |= constants.O_TRUNC;
    if (direct) flags |= constants.O_DIRECT;
    let fd: number;
    try {
      fd = openSync(path, flags, options.mode ?? 0o644);
    } catch (e) {
      if (errnoOf(e) === "EISDIR" || (direct && errnoOf(e) === "EINVAL" && isDirectory(path))) throw notAFile(path, e);
      if (direct && errnoOf(e) === "EINVAL") {
        throw systemError(e, `the filesystem holding ${path} refuses O_DIRECT; open with { direct: false } for buffered I/O`, "EDIRECT_UNSUPPORTED");
      }
      throw systemError(e, `open ${path}`);
    }
    // A read-only open of a directory succeeds; its reads then failed with a plain EISDIR Error
    // (buffered), and O_DIRECT's EINVAL was blamed on the filesystem (sweep37 #13).
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw notAFile(path);
    }
    if (!direct) return new DirectFile(path, fd, false, { memAlign: 1, offsetAlign: 1, lengthAlign: 1, source: "buffered" });
    try {
      return new DirectFile(path, fd, true, directIoAlignment(fd));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** A zeroed buffer of `size` bytes that satisfies this file's memory alignment (page-aligned at least). */
  allocBuffer(size: number): Buffer {
    return allocAligned(size, Math.max(this.alignment.memAlign, 4096));
  }

  /** Throws EALIGN_* with the rule when a direct transfer would be refused. */
  private checkAlignment(view: ArrayBufferView, position: number, op: string): void {
    const { memAlign, offsetAlign, lengthAlign, source } = this.alignment;
    const rule = `(direct I/O on ${this.path}, rule from ${source}: buffer address a multiple of ${memAlign}, offset and length multiples of ${offsetAlign})`;
    if (!isAligned(view, memAlign)) {
      throw new SystemError("EALIGN_BUFFER", `${op}: the buffer does not start at a multiple of ${memAlign} bytes; use allocAligned() or file.allocBuffer() ${rule}`);
    }
    if (!Number.isSafeInteger(position) || position < 0 || position % offsetAlign !== 0) {
      throw new SystemError("EALIGN_OFFSET", `${op}: offset ${position} is not a multiple of ${offsetAlign} ${rule}`);
    }
    if (view.byteLength % lengthAlign !== 0) {
      throw new SystemError("EALIGN_LENGTH", `${op}: length ${view.byteLength} is not a multiple of ${lengthAlign} ${rule}`);
    }
  }

  private ensureOpen(op: string): void {
    if (this.closed) throw new SystemError("EFILE_CLOSED", `${op}: ${this.path} is closed (or closing); the descriptor may not be used`);
  }

  /**
   * Runs one thread-pool operation on the descriptor, counted as in flight
   * until it settles. The count is taken synchronously, before the operation
   * is queued, so a `close()` called right after cannot release the
   * descriptor under it.
   */
  private async tracked<T>(op: string, start: () => Promise<T>): Promise<T> {
    this.ensureOpen(op);
    this.inFlight++;
    try {
      return await start();
    } finally {
      if (--this.inFlight === 0 && this.onDrained !== null) this.onDrained();
    }
  }

  /**
   * Reads up to `buffer.byteLength` bytes at `position` into `buffer`, off the
   * main thread. Resolves to the number of bytes read (short at end of file).
   * Rejects with `EFILE_CLOSED` once `close()` has been called, `EINVAL_BUFFER`
   * or `EINVAL_OFFSET` for a bad buffer or position (an integer ≥ 0 in both
   * modes), `EALIGN_*` in direct mode, and `EIO_SYSTEM` when the kernel fails.
   */
  read(buffer: NodeJS.ArrayBufferView, position: number): Promise<number> {
    return this.tracked("read", async () => {
      checkTransfer(buffer, position, "read", this.isDirect);
      if (this.isDirect) this.checkAlignment(buffer, position, "read");
      try {
        if (!this.isDirect) return (await readAsync(this.fd, buffer, 0, buffer.byteLength, position)).bytesRead;
        return await requireNative("DirectFile.read").pread(this.fd, buffer, position);
      } catch (e) {
        throw systemError(e, `read ${buffer.byteLength} bytes at ${position} from ${this.path}`);
      }
    });
  }

  /**
   * Writes all of `buffer` at `position`, off the main thread. Resolves to
   * bytes written. Rejects with `EFILE_CLOSED` once `close()` has been called;
   * a write started before `close()` completes against this file. Other
   * rejections are as for `read`.
   */
  write(buffer: NodeJS.ArrayBufferView, position: number): Promise<number> {
    return this.tracked("write", async () => {
      checkTransfer(buffer, position, "write", this.isDirect);
      if (this.isDirect) this.checkAlignment(buffer, position, "write");
      try {
        if (!this.isDirect) return (await writeAsync(this.fd, buffer, 0, buffer.byteLength, position)).bytesWritten;
        return await requireNative("DirectFile.write").pwrite(this.fd, buffer, position);
      } catch (e) {
        throw systemError(e, `write ${buffer.byteLength} bytes at ${position} to ${this.path}`);
      }
    });
  }

  /** The file's current size in bytes. Throws `EFILE_CLOSED` after `close()`. */
  size(): number {
    this.ensureOpen("size");
    return fstatSync(this.fd).size;
  }

  /** Flushes written data to the device (fdatasync). Rejects with `EFILE_CLOSED` after `close()`. */
  sync(): Promise<void> {
    return this.tracked("sync", () => fdatasyncAsync(this.fd));
  }

  /** Page-cache advice for a range of this file; see `advise`. Throws `EFILE_CLOSED` after `close()`. */
  advise(advice: Advice, offset = 0, length = 0): void {
    this.ensureOpen("advise");
    advise(this.fd, offset, length, advice);
  }

  /** Operations started and not yet settled (a snapshot). */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Closes the file. New operations are refused at once with `EFILE_CLOSED`;
   * operations already in flight run to completion against this file, and the
   * descriptor is released after the last of them has settled (at once when
   * none is in flight: the returned promise is then already fulfilled and the
   * descriptor already closed, and a failing close(2) throws synchronously).
   * Safe to call more than once: every call returns the same promise. Await it
   * before relying on the descriptor being gone.
   */
  close(): Promise<void> {
    if (this.closing !== null) return this.closing;
    this.closed = true;
    const release = (): void => closeSync(this.fd);
    if (this.inFlight === 0) {
      // Thrown synchronously, as before close() returned a promise: callers that do not await still see it.
      try {
        release();
      } catch (e) {
        throw systemError(e, `close ${this.path}`);
      }
      this.closing = Promise.resolve();
      return this.closing;
    }
    this.closing = new Promise<void>((resolve, reject) => {
      this.onDrained = () => {
        this.onDrained = null;
        try {
          release();
          resolve();
        } catch (e) {
          reject(systemError(e, `close ${this.path}`));
        }
      };
    });
    // Marked handled so a caller that does not await cannot crash the process; awaiting still rejects.
    this.closing.catch(() => {});
    return this.closing;
  }
}

/** True when direct I/O can be attempted (the addon is loaded on Linux). */
export function isDirectIoSupported(): boolean {
  return nativeBinding() !== null && typeof constants.O_DIRECT === "number";
}
