/**
 * kos: the public API. Everything users import comes from here.
 * @packageDocumentation
 */
export { KosError } from "./errors.js";
export { jit, inspect, JitError } from "./compiler/index.js";
export type * from "./compiler/types.js";
