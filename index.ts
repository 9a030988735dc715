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
