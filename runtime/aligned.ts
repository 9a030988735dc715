// Its declarations name Node types (Buffer, NodeJS, node:worker_threads): TypeScript 6 and later
// include no @types package unless a tsconfig lists it, and a project that did not list "node"
// failed to type-check its import of kos (TS2591 on dist/runtime/*.d.ts) without this reference.
/// <reference types="node" preserve="true" />
/**
 * Memory aligned for direct I/O. Node Buffers are only 16-byte aligned
 * (NOTES.md: an O_DIRECT read into Buffer.alloc(1 MiB) fails with EINVAL every
 * time), so kos hands out an aligned window of a larger buffer.
 *
 * Where the memory comes from, and when it is freed. The usual case
 * (alignment at most max(page size, size)) over-allocates an ordinary
 * ArrayBuffer by `alignment - 1` bytes and returns the aligned window of it,
 * found with the addon's `addressOf` (V8 never moves a backing store). V8
 * frees that memory during garbage collection itself. The other case, a large
 * alignment for a small buffer, takes posix_memalign memory from the addon,
 * wrapped in an external ArrayBuffer; Node-API on Node 20 runs the finalizer
 * that calls free() only from a later turn of the event loop (node::Buffer
 * defers it with SetImmediate), so such buffers dropped in a synchronous loop
 * stay resident until the loop yields. Measured (sweep37 #7, 300 × 4 MiB
 * dropped in one synchronous loop): posix_memalign memory grew RSS by
 * 1271 MB, the over-allocated window by 40 MB (Buffer.alloc: 77 MB), and the
 * window was also faster to allocate for 64 B and 64 KiB (4.7 vs 12.6 µs,
 * 8.4 vs 20.9 µs).
 */
import { types } from "node:util";
import { nativeBinding, requireNative, type NativeBinding } from "./native/binding.js";
import { SystemError, errnoOf, systemError } from "./native/system-error.js";

/** True when aligned allocation is available (the addon is loaded). */
export function isAlignedAllocSupported(): boolean {
  return nativeBinding() !== null;
}

/** The system page size (sysconf), or 4096 without the addon. */
export function pageSize(): number {
  return nativeBinding()?.pageSize ?? 4096;
}

/**
 * Exact for every safe integer. `n & (n - 1)` works on 32 bits, so 2^32 + 8
 * and 3 × 2^31 passed it and reached posix_memalign, whose bare EINVAL came
 * back without a kos code (sweep37 #13).
 */
function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * Throws `EINVAL_BUFFER` unless `view` is an ArrayBuffer or a view of one. The addon reads only
 * those: Node-API on Node 20 cannot open a SharedArrayBuffer, and its bare "Invalid argument"
 * (or a TypeError for a string) had no kos code (sweep37 #13). `util.types` works across realms.
 */
function checkMemory(view: unknown, what: string): void {
  const buffer = types.isArrayBuffer(view) || types.isSharedArrayBuffer(view) ? view : types.isArrayBufferView(view) ? view.buffer : undefined;
  if (buffer === undefined) {
    throw new SystemError("EINVAL_BUFFER", `${what}: expected an ArrayBuffer or a view of one (Buffer, typed array, DataView), got ${view === null ? "null" : typeof view}`);
  }
  if (!types.isArrayBuffer(buffer)) {
    throw new SystemError("EINVAL_BUFFER", `${what}: memory of a SharedArrayBuffer is not supported; use allocAligned() memory`);
  }
}

/**
 * Allocates `size` zeroed bytes whose first byte sits at a multiple of
 * `alignment` (a power of two, at least the pointer size; default: the page
 * size). Returns a Buffer over the aligned memory; the Buffer may start
 * inside a larger ArrayBuffer (`byteOffset` is not always 0), so pass the
 * Buffer itself, not its `.buffer`, where alignment matters. The memory is
 * freed when the GC collects the Buffer, without waiting for the event loop
 * unless `alignment` exceeds both the page size and `size` (see the module
 * comment). Throws `EINVAL_SIZE`, `EINVAL_ALIGNMENT`, `EALLOC_FAILED` or
 * `ENOTSUP_ADDON`.
 */
export function allocAligned(size: number, alignment: number = pageSize()): Buffer {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new SystemError("EINVAL_SIZE", `allocAligned: size must be a positive integer, got ${size}`);
  }
  if (!isPowerOfTwo(alignment) || alignment < 8) {
    throw new SystemError("EINVAL_ALIGNMENT", `allocAligned: alignment must be a power of two ≥ 8, got ${alignment}`);
  }
  const binding = requireNative("allocAligned");
  // The window wastes at most alignment - 1 bytes: a page, or as much again as the buffer.
  if (alignment <= Math.max(binding.pageSize, size)) return alignedWindow(binding, size, alignment);
  let memory: ArrayBuffer;
  try {
    memory = binding.allocAligned(size, alignment);
  } catch (e) {
    // posix_memalign: ENOMEM, or EINVAL for an alignment it will not take.
    const code = errnoOf(e) === "EINVAL" ? "EINVAL_ALIGNMENT" : "EALLOC_FAILED";
    throw systemError(e, `allocAligned: cannot allocate ${size} bytes aligned to ${alignment}`, code);
  }
  return Buffer.from(memory);
}

/** The aligned `size`-byte window of a zeroed ArrayBuffer `alignment - 1` bytes larger (see the module comment). */
function alignedWindow(binding: NativeBinding, size: number, alignment: number): Buffer {
  let memory: ArrayBuffer;
  try {
    memory = new ArrayBuffer(size + alignment - 1);
  } catch (e) {
    // 2^40 bytes: V8's RangeError "Array buffer allocation failed".
    throw new SystemError("EALLOC_FAILED", `allocAligned: cannot allocate ${size} bytes aligned to ${alignment}: ${(e as Error).message}`, { cause: e });
  }
  const misalignment = Number(binding.addressOf(memory) % BigInt(alignment));
  return Buffer.from(memory, misalignment === 0 ? 0 : alignment - misalignment, size);
}

/** The memory address of a buffer's first byte. Throws `EINVAL_BUFFER` for anything but an ArrayBuffer or a view of one. Needs the addon. */
export function addressOf(view: ArrayBuffer | ArrayBufferView): bigint {
  const binding = requireNative("addressOf");
  checkMemory(view, "addressOf");
  return binding.addressOf(view);
}

/** Whether a buffer's first byte sits at a multiple of `alignment` (an integer ≥ 1, else `EINVAL_ALIGNMENT`). Needs the addon. */
export function isAligned(view: ArrayBuffer | ArrayBufferView, alignment: number): boolean {
  if (!Number.isSafeInteger(alignment) || alignment < 1) {
    throw new SystemError("EINVAL_ALIGNMENT", `isAligned: alignment must be an integer ≥ 1, got ${alignment}`);
  }
  return addressOf(view) % BigInt(alignment) === 0n;
}
