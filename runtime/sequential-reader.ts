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
  /** Bytes per read: an integer from 1 to 1 GiB, rounded up to the file's offset alignment. Default 1 MiB. */
  chunkSize?: number;
  /** Reads kept in flight at once: an integer from 1 to 64. Default 4. */
  depth?: number;
  /** Use O_DIRECT. Default true. */
  direct?: boolean;
  /** Start offset, an integer ≥ 0; must satisfy the direct-I/O offset rule in direct mode. Default 0. */
  start?: number;
  /** Stop before this offset, an integer ≥ `start`; an offset past the end of the file stops at the end. Default: the file's size when opened. */
  end?: number;
}

/**
 * Most reads `readSequential` keeps in flight. Reads run on libuv's thread
 * pool (4 threads by default), and depth 16 was no faster than depth 4 in
 * docs/direct-io.md; each level of depth holds one chunk of memory, so an
 * unbounded depth only bought memory (depth 200 × 1 MiB grew RSS by 205 MiB
 * reading a 1-byte file, sweep37 #11).
 */
const MAX_SEQUENTIAL_DEPTH = 64;
/** Largest `chunkSize`: one read moves at most 2^31 − 1 bytes (Node's fs.read limit); 1 GiB keeps a round number under it. */
const MAX_CHUNK_SIZE = 1 << 30;

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
 * on (buffers are recycled), so copy what you keep. It holds at most
 * `depth + 1` buffers of `chunkSize` bytes, fewer when the range is shorter.
 * Throws `EINVAL_SIZE` for a bad `depth` or `chunkSize`, `EINVAL_RANGE` for a
 * bad `start` or `end`, and otherwise like `DirectFile.open` (e.g.
 * `EDIRECT_UNSUPPORTED`; pass `direct: false` to choose buffered reads).
 */
export async function* readSequential(path: string, options: SequentialReadOptions = {}): AsyncGenerator<SequentialChunk> {
  const depth = options.depth ?? 4;
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_SEQUENTIAL_DEPTH) {
    throw new SystemError("EINVAL_SIZE", `readSequential: depth must be an integer from 1 to ${MAX_SEQUENTIAL_DEPTH}, got ${depth}`);
  }
  // chunkSize 0 rounded to 0 in buffered mode: every read was 0 bytes at the same offset, `next`
  // never moved, and the zero-length reads completed through process.nextTick, so the loop never
  // yielded to the event loop (sweep37 #2).
  const requestedChunk = options.chunkSize ?? 1 << 20;
  if (!Number.isSafeInteger(requestedChunk) || requestedChunk < 1 || requestedChunk > MAX_CHUNK_SIZE) {
    throw new SystemError("EINVAL_SIZE", `readSequential: chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${requestedChunk}`);
  }
  // A negative start made Node read from the descriptor's current position (sweep37 #9).
  const start = options.start ?? 0;
  if (!Number.isSafeInteger(start) || start < 0) throw new SystemError("EINVAL_RANGE", `readSequential: start must be an integer ≥ 0, got ${start}`);
  if (options.end !== undefined && (!Number.isSafeInteger(options.end) || options.end < start)) {
    throw new SystemError("EINVAL_RANGE", `readSequential: end must be an integer ≥ start (${start}), got ${options.end}`);
  }
  const file = await DirectFile.open(path, { direct: options.direct ?? true });
  try {
    const align = file.alignment.offsetAlign;
    const chunkSize = roundUp(requestedChunk, align);
    // An end past EOF stops at EOF: reading to it had ended in a false "did the file shrink?" error.
    const size = file.size();
    const end = Math.min(options.end ?? size, size);
    if (file.isDirect && start % align !== 0) {
      throw new SystemError("EALIGN_OFFSET", `readSequential: start ${start} is not a multiple of ${align} (direct I/O on ${path})`);
    }
    if (start >= end) return;
    // Buffered reads get the kernel's larger sequential readahead where the addon can ask for it.
    if (!file.isDirect && addonLoaded()) file.advise("sequential");
    // Memory follows the bytes to read, not the options: a buffer is no larger than the range
    // (rounded to the direct-I/O rule), and buffers are made only when a read needs one, so at
    // most min(depth + 1, chunks) exist (depth in flight plus the one the consumer holds).
    // Allocating (depth + 1) × chunkSize up front touched every page, since aligned memory is
    // zeroed (sweep37 #11). Buffered mode needs no alignment, so it works without the addon.
    const bufferSize = Math.min(chunkSize, roundUp(end - start, align));
    const free: Buffer[] = [];
    const newBuffer = (): Buffer => (file.isDirect ? file.allocBuffer(bufferSize) : Buffer.allocUnsafe(bufferSize));
    const inFlight: Array<{ offset: number; want: number; buffer: Buffer; done: Promise<number> }> = [];
    let next = start;
    const issue = () => {
      while (inFlight.length < depth && next < end) {
        const buffer = free.pop() ?? newBuffer();
        // The last read may run past EOF; direct reads must keep an aligned length.
        const want = file.isDirect ? bufferSize : Math.min(bufferSize, end - next);
        const view = want === buffer.byteLength ? buffer : buffer.subarray(0, want);
        inFlight.push({ offset: next, want, buffer, done: file.read(view, next) });
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
        if (n < head.want && head.offset + n < end) {
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
