// Placeholder while the compiler is being written: every function falls back.
import { KosError } from "../errors.js";
import type { JitOptions, JitInspection } from "./types.js";
export type * from "./types.js";

export class JitError extends KosError {
  override name = "JitError";
}

export function jit<F extends Function>(fn: F, _options: JitOptions = {}): F {
  return fn;
}

export function inspect(_f: Function): JitInspection | null {
  return null;
}

import type { SourceOptions, SpecializedSource } from "./types.js";
export function specializeToSource(_fn: Function, _options: SourceOptions = {}): SpecializedSource {
  return { ok: false, fallbackReason: "compiler not implemented yet", assumptions: [], passes: null, source: null, genericName: "$kos_generic", deoptName: "$kos_deopt", references: [] };
}
