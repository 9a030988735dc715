/**
 * Exact structural comparison for differential tests: primitives by
 * `Object.is` (so -0 ≠ 0 and NaN = NaN), arrays and typed arrays element by
 * element with the same constructor, plain objects by own keys in order.
 * Returns a path to the first difference, or null when the values are the same.
 */
export function firstDifference(a: unknown, b: unknown, path = "$", seen = new Set<unknown>()): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path}: ${describe(a)} ≠ ${describe(b)}`;
  }
  if (seen.has(a)) return null;
  seen.add(a);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different prototypes`;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return `${path}.length: ${x.length} ≠ ${y.length}`;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return `${path}[${i}]: ${describe(x[i])} ≠ ${describe(y[i])}`;
    }
    return null;
  }
  if (a instanceof Error) {
    const e = b as Error;
    if (a.message !== e.message) return `${path}.message: ${JSON.stringify(a.message)} ≠ ${JSON.stringify(e.message)}`;
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.join("\u0000") !== keysB.join("\u0000")) return `${path}: keys [${keysA}] ≠ [${keysB}]`;
  for (const key of keysA) {
    const d = firstDifference((a as any)[key], (b as any)[key], `${path}.${key}`, seen);
    if (d !== null) return d;
  }
  return null;
}

export function describe(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return `[function ${v.name}]`;
  if (typeof v === "symbol") return v.toString();
  if (v === undefined) return "undefined";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** What a call did: its value, or the error it threw (constructor name and message). */
export type Outcome = { ok: true; value: unknown } | { ok: false; errorType: string; message: string };

export function runCaptured(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof Error) return { ok: false, errorType: e.constructor.name, message: e.message };
    return { ok: false, errorType: `thrown ${typeof e}`, message: describe(e) };
  }
}

/** First difference between two outcomes, or null. */
export function outcomeDifference(a: Outcome, b: Outcome): string | null {
  if (a.ok && b.ok) return firstDifference(a.value, b.value);
  if (!a.ok && !b.ok) {
    if (a.errorType !== b.errorType) return `threw ${a.errorType} vs ${b.errorType}`;
    if (a.message !== b.message) return `threw ${JSON.stringify(a.message)} vs ${JSON.stringify(b.message)}`;
    return null;
  }
  return a.ok ? `returned ${describe(a.value)} vs threw ${(b as any).errorType}: ${(b as any).message}` : `threw ${a.errorType}: ${a.message} vs returned ${describe((b as any).value)}`;
}
