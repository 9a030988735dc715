// Its declarations name Node types (Buffer, NodeJS, node:worker_threads): TypeScript 6 and later
// include no @types package unless a tsconfig lists it, and a project that did not list "node"
// failed to type-check its import of kos (TS2591 on dist/runtime/*.d.ts) without this reference.
/// <reference types="node" preserve="true" />
/**
 * Memory aligned for direct I/O. Node Buffers are only 16-byte aligned
 * (NOTES.md: an O_DIRECT read into Buffer.alloc(1 MiB) fails with EINVAL every
 * time), so aligned memory comes from posix_memalign in the addon, wrapped in
 * an external ArrayBuffer that is freed when the GC collects it.
 */
import { nativeBinding, requireNative } from "./native/binding.js";
import { SystemError } from "./native/system-error.js";

/** True when aligned allocation is available (the addon is loaded). */
export function isAlignedAllocSupported(): boolean {
  return nativeBinding() !== null;
}

/** The system page size (sysconf), or 4096 without the addon. */
export function pageSize(): number {
  return nativeBinding()?.pageSize ?? 4096;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * Allocates `size` zeroed bytes whose first byte sits at a multiple of
 * `alignment` (a power of two, at least the pointer size; default: the page
 * size). Returns a Buffer over the aligned memory. Throws `EINVAL_SIZE`,
 * `EINVAL_ALIGNMENT` or `ENOTSUP_ADDON`.
 */
export function allocAligned(size: number, alignment: number = pageSize()): Buffer {
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new SystemError("EINVAL_SIZE", `allocAligned: size must be a positive integer, got ${size}`);
  }
  if (!isPowerOfTwo(alignment) || alignment < 8) {
    throw new SystemError("EINVAL_ALIGNMENT", `allocAligned: alignment must be a power of two ≥ 8, got ${alignment}`);
  }
  const memory = requireNative("allocAligned").allocAligned(size, alignment);
  return Buffer.from(memory);
}

/** The memory address of a buffer's first byte. Needs the addon. */
export function addressOf(view: ArrayBuffer | ArrayBufferView): bigint {
  return requireNative("addressOf").addressOf(view);
}

/** Whether a buffer's first byte sits at a multiple of `alignment`. Needs the addon. */
export function isAligned(view: ArrayBuffer | ArrayBufferView, alignment: number): boolean {
  return addressOf(view) % BigInt(alignment) === 0n;
}
