/**
 * kos: the public API. Everything users import comes from here.
 * @packageDocumentation
 */
import { specializeFunction } from "./compiler/index.js";
import type { JitOptions } from "./compiler/types.js";

export { KosError } from "./errors.js";
export { inspect, JitError, specializeToSource, compileVersion, PASS_NAMES } from "./compiler/index.js";
export type * from "./compiler/types.js";
export type { JitErrorCode } from "./compiler/index.js";

/**
 * Makes `fn` faster without changing what it does.
 *
 * With `specialize` (or `scope`/`assume`), compiles a version specialized on
 * those values at once, guarded at every call. See {@link JitOptions}.
 *
 * @example
 * const poly = jit(horner, { specialize: { coeffs: [1, -2, 0.5] } });
 * poly([1, -2, 0.5], 3); // same result as horner(...), computed by straight-line code
 */
export function jit<F extends Function>(fn: F, options: JitOptions = {}): F {
  return specializeFunction(fn, options);
}

// Runtime: object pool, slab memory, batching.
export { ObjectPool } from "./runtime/pool.js";
export type { ObjectPoolOptions, ObjectPoolStats } from "./runtime/pool.js";
export { MemoryPool } from "./runtime/slab.js";
export type { MemoryPoolOptions, MemoryPoolStats } from "./runtime/slab.js";
export { BatchProcessor } from "./runtime/batch.js";
export type { BatchProcessorOptions, BatchProcessorStats, FlushReason, ProcessBatch } from "./runtime/batch.js";
