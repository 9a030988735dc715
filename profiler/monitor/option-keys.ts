/**
 * Refusing option keys a function does not know, with the near one named:
 * shared by the monitor's options and its leak rule.
 */
import { KosError } from "../../errors.js";

/** Levenshtein distance, for "did you mean" (option names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Refuses (KosError `code`) keys not in `known`, naming the nearest known one. */
export function refuseUnknownKeys(object: object, known: readonly string[], what: string, code: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    const near = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
    const hint = near && near[1] <= 2 ? `did you mean '${near[0]}'?` : `known: ${known.join(", ")}`;
    throw new KosError(code, `unknown ${what} '${key}': ${hint}`);
  }
}
