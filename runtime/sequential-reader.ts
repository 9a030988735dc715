/**
 * Streams a large file front to back with a fixed number of reads in flight,
 * each into its own aligned buffer. In direct mode (the default) the reads
 * bypass the page cache; in buffered mode they go through it, with
 * `advise('sequential')` set on the file.
 */
import { DirectFile } from "./directio.js";
import { nativeBinding } from "./native/binding.js";
import { SystemError } from "./native/system-error.js";

const addonLoaded = () => nativeBinding() !== null;

/** Options for `readSequential`. */
export interface SequentialReadOptions {
  /** Bytes per read; rounded up to the file's offset alignment. Default 1 MiB. */
  chunkSize?: number;
  /** Reads kept in flight at once. Default 4. */
  depth?: number;
  /** Use O_DIRECT. Default true. */
  direct?: boolean;
  /** Start offset; must satisfy the direct-I/O offset rule in direct mode. Default 0. */
  start?: number;
  /** Stop before this offset. Default: the file's size when opened. */
  end?: number;
}

/** One chunk of the file, valid until the consumer asks for the next one. */
export interface SequentialChunk {
  /** File offset of `bytes[0]`. */
  offset: number;
  /** The bytes read; a view into a reused aligned buffer. Copy it to keep it. */
  bytes: Uint8Array;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/**
 * Reads `path` in order, yielding chunks while up to `depth` further reads
 * are in flight. The yielded `bytes` view is overwritten once the loop moves
 * on (buffers are recycled), so copy what you keep. Throws like
 * `DirectFile.open` (e.g. `EDIRECT_UNSUPPORTED`; pass `direct: false` to
 * choose buffered reads).
 */
export async function* readSequential(path: string, options: SequentialReadOptions = {}): AsyncGenerator<SequentialChunk> {
  const depth = options.depth ?? 4;
  if (!Number.isInteger(depth) || depth < 1) throw new SystemError("EINVAL_SIZE", `readSequential: depth must be a positive integer, got ${depth}`);
  const file = await DirectFile.open(path, { direct: options.direct ?? true });
  try {
    const align = file.alignment.offsetAlign;
    const chunkSize = roundUp(options.chunkSize ?? 1 << 20, align);
    const start = options.start ?? 0;
    const end = options.end ?? file.size();
    if (file.isDirect && start % align !== 0) {
      throw new SystemError("EALIGN_OFFSET", `readSequential: start ${start} is not a multiple of ${align} (direct I/O on ${path})`);
    }
    // Buffered reads get the kernel's larger sequential readahead where the addon can ask for it.
    if (!file.isDirect && addonLoaded()) file.advise("sequential");
    // depth reads in flight plus the one the consumer holds.
    // Buffered mode needs no alignment, so it works without the addon.
    const free: Buffer[] = Array.from({ length: depth + 1 }, () => (file.isDirect ? file.allocBuffer(chunkSize) : Buffer.allocUnsafe(chunkSize)));
    const inFlight: Array<{ offset: number; buffer: Buffer; done: Promise<number> }> = [];
    let next = start;
    const issue = () => {
      while (inFlight.length < depth && next < end) {
        const buffer = free.pop()!;
        // The last read may run past EOF; direct reads must keep an aligned length.
        const want = file.isDirect ? chunkSize : Math.min(chunkSize, end - next);
        const view = want === buffer.byteLength ? buffer : buffer.subarray(0, want);
        inFlight.push({ offset: next, buffer, done: file.read(view, next) });
        next += chunkSize;
      }
    };
    let held: Buffer | null = null;
    issue();
    try {
      while (inFlight.length > 0) {
        const head = inFlight.shift()!;
        const n = await head.done;
        if (held !== null) free.push(held);
        held = head.buffer;
        issue();
        const usable = Math.min(n, end - head.offset);
        if (usable > 0) yield { offset: head.offset, bytes: head.buffer.subarray(0, usable) };
        if (n < chunkSize && head.offset + n < end) {
          throw new SystemError("EIO_SYSTEM", `readSequential: short read at ${head.offset} (${n} bytes); did ${path} shrink?`);
        }
      }
    } finally {
      // Let reads still running finish before the descriptor closes.
      await Promise.allSettled(inFlight.map((r) => r.done));
    }
  } finally {
    await file.close();
  }
}

/** Reads the whole file with `readSequential` and returns the byte count, for benchmarks and checks. */
export async function drainSequential(path: string, options: SequentialReadOptions = {}, onChunk?: (chunk: SequentialChunk) => void): Promise<number> {
  let total = 0;
  for await (const chunk of readSequential(path, options)) {
    total += chunk.bytes.byteLength;
    onChunk?.(chunk);
  }
  return total;
}
