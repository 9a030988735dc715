/**
 * kos's off switch, `KOS_JIT=0`: read by the dormant tier (dormant.ts), before the core loads, and
 * by the dispatcher.
 */
/**
 * True when `KOS_JIT` is `0`, `false` or `off` (any case): kos then compiles
 * nothing, `jit()` returns functions as they are, and `strict` never throws.
 */
export function isJitDisabled(): boolean {
  return jitDisabledBy(process.env.KOS_JIT);
}

/** {@link isJitDisabled} for a value of `KOS_JIT` already read (each read of process.env costs 0.2-0.3 µs). */
export function jitDisabledBy(v: string | undefined): boolean {
  return v !== undefined && /^(0|false|off)$/i.test(v.trim());
}

/** The fallback reason when kos is disabled. */
export function disabledReason(): string {
  return `DISABLED: compilation is disabled by KOS_JIT=${process.env.KOS_JIT?.trim()}`;
}
