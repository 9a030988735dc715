/**
 * Cheap, repeated reads of one /proc file. The file is opened once and re-read
 * with pread at offset 0 (procfs regenerates the content on every read from
 * offset 0) into a buffer allocated once, so a sample costs one syscall and no
 * garbage. The scanner parses unsigned integers straight from the bytes:
 * no string is built and no regex runs on the sampling path.
 */
import { closeSync, openSync, readSync } from "node:fs";

export class ProcFile {
  private fd = -1;
  readonly buf: Buffer;
  /** Bytes filled by the last successful read. */
  length = 0;

  constructor(readonly path: string, bufferBytes: number) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  /** Opens the file; false (never a throw) when it does not exist or is unreadable, e.g. off Linux. */
  open(): boolean {
    if (this.fd >= 0) return true;
    try {
      this.fd = openSync(this.path, "r");
      return this.read();
    } catch {
      this.close();
      return false;
    }
  }

  /** Re-reads the file from offset 0. False when the read fails. */
  read(): boolean {
    if (this.fd < 0) return false;
    try {
      this.length = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return true;
    } catch {
      this.length = 0;
      return false;
    }
  }

  close(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed: nothing to release
      }
    }
    this.fd = -1;
  }
}

const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

/** A cursor over a byte buffer that reads the whitespace-separated tokens /proc files are made of. */
export class ByteScanner {
  pos = 0;
  end = 0;
  buf: Uint8Array = new Uint8Array(0);

  reset(buf: Uint8Array, length: number): void {
    this.buf = buf;
    this.end = length;
    this.pos = 0;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** True when the bytes at the cursor spell `ascii` (the cursor does not move). */
  lookingAt(ascii: string): boolean {
    if (this.pos + ascii.length > this.end) return false;
    for (let i = 0; i < ascii.length; i++) {
      if (this.buf[this.pos + i] !== ascii.charCodeAt(i)) return false;
    }
    return true;
  }

  skip(n: number): void {
    this.pos += n;
  }

  /** Moves past spaces and tabs (not newlines). */
  skipBlanks(): void {
    while (this.pos < this.end) {
      const c = this.buf[this.pos]!;
      if (c !== SPACE && c !== TAB) return;
      this.pos++;
    }
  }

  /** Moves to the first byte after the next newline. */
  nextLine(): void {
    while (this.pos < this.end && this.buf[this.pos] !== NEWLINE) this.pos++;
    this.pos++;
  }

  /** True when the cursor's line is complete in the buffer (a newline follows before the end). */
  lineIsComplete(): boolean {
    for (let i = this.pos; i < this.end; i++) if (this.buf[i] === NEWLINE) return true;
    return false;
  }

  /**
   * Reads an unsigned decimal after optional blanks; NaN when none is there.
   * Float64 holds counters exactly up to 2^53, far beyond any /proc counter's
   * reach in practice.
   */
  readUint(): number {
    this.skipBlanks();
    let value = 0;
    let digits = 0;
    while (this.pos < this.end) {
      const c = this.buf[this.pos]!;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      digits++;
      this.pos++;
    }
    return digits === 0 ? NaN : value;
  }

  /** Moves past the current token (non-blank, non-newline bytes). */
  skipToken(): void {
    this.skipBlanks();
    while (this.pos < this.end) {
      const c = this.buf[this.pos]!;
      if (c === SPACE || c === TAB || c === NEWLINE) return;
      this.pos++;
    }
  }
}
