/**
 * `jit()` of a bound function (`jit(instance.method.bind(instance))`): kos
 * compiles the target and binds the result the same way, so the value
 * returned is again a bound function, with the original's name, length,
 * `this`, leading arguments and behaviour under `new`. With explicit values
 * (`specialize`, `assume`, `scope`) the bound `this` and the bound leading
 * arguments are specialized on too (they are the same on every call); when
 * tiering, they are profiled like any other input.
 */
import type { JitOptions } from "./types.js";
import { readBound, type BoundParts } from "./discover/closure.js";
import { parameterNames } from "./parameters.js";

export type { BoundParts } from "./discover/closure.js";

/** A bound function's parts, or null (not bound, or the inspector cannot read it). */
export function unbind(f: Function): BoundParts | null {
  return readBound(f);
}

/** The options for the target: explicit mode adds the bound `this` and arguments to `specialize`. */
export function boundOptions(parts: BoundParts, options: JitOptions): JitOptions {
  const explicit = (options.specialize || options.assume || options.scope) && !(options as { tiering?: boolean }).tiering;
  if (!explicit) return options;
  const specialize: Record<string, unknown> = { ...(options.specialize ?? {}) };
  if (!("this" in specialize) && parts.thisArg !== undefined && parts.thisArg !== null) specialize.this = parts.thisArg;
  const names = parameterNames(parts.target) ?? [];
  parts.args.forEach((v, i) => {
    const name = names[i];
    if (name && !(name in specialize)) specialize[name] = v;
  });
  return { ...options, specialize };
}
