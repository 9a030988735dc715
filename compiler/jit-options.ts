/**
 * The keys `jit(fn, options)` takes. A key it does not know is a mistake
 * that would otherwise pass in silence: `jit(fn, { hotCalls: 200 })` (a
 * tiering option, `{ tiering: { hotCalls: 200 } }`) left the function at
 * tier 0 with nothing said (found by a differential sweep of 31 npm
 * libraries). TypeScript's excess-property check catches it only in typed
 * code and only on an object literal.
 */
import { JitError } from "./jit-error.js";

/** JitOptions (types.ts) and `tiering`. */
const JIT_KEYS: ReadonlySet<string> = new Set([
  "specialize", "argumentCount", "assume", "scope", "strict", "fastmath", "freeze", "name",
  "disablePasses", "tracePasses", "unrollBudget", "maxCompileMs", "outlineLimit", "cache", "tiering",
]);

/** TieringOptions (profiler/tiering-options.ts). */
const TIERING_KEYS: ReadonlySet<string> = new Set(["hotCalls", "hotTimeMs", "compileBudget", "maxVersions", "profile"]);

/** Levenshtein distance, for a "did you mean" on the error path only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function unknownKey(key: string, where: string, known: ReadonlySet<string>): JitError {
  let hint = "";
  if (where === "options" && TIERING_KEYS.has(key)) hint = `: it is a tiering option, jit(fn, { tiering: { ${key}: … } })`;
  else if (where === "tiering" && JIT_KEYS.has(key)) hint = `: it is an option of jit itself, jit(fn, { ${key}: … })`;
  else {
    const near = [...known].find((k) => distance(key, k) <= Math.max(1, Math.floor(k.length / 4)));
    if (near) hint = `: did you mean '${near}'?`;
  }
  return new JitError("BAD_OPTIONS", `unknown ${where === "options" ? "option" : "tiering option"} '${key}'${hint} (known: ${[...known].join(", ")})`);
}

const HAS_OWN = Object.prototype.hasOwnProperty;

/** Throws BAD_OPTIONS for a key jit does not know, at the top level or under `tiering`. */
export function checkJitOptions(options: object): void {
  // Own keys only: a key a program added to Object.prototype is no option the caller passed.
  for (const key in options) if (!JIT_KEYS.has(key) && HAS_OWN.call(options, key)) throw unknownKey(key, "options", JIT_KEYS);
  const name = (options as { name?: unknown }).name;
  if (name !== undefined && typeof name !== "string") throw new JitError("BAD_OPTIONS", `name must be a string, got ${typeof name}`);
  const tiering = (options as { tiering?: unknown }).tiering;
  if (tiering === undefined) return;
  if (tiering === null || typeof tiering !== "object") throw new JitError("BAD_OPTIONS", `tiering must be an object of tiering options, got ${tiering === null ? "null" : typeof tiering}`);
  for (const key in tiering) if (!TIERING_KEYS.has(key) && HAS_OWN.call(tiering, key)) throw unknownKey(key, "tiering", TIERING_KEYS);
  // Counts and times are positive numbers (Infinity allowed): `hotCalls: "3"`, `-1` or NaN were taken
  // as given and tiered up at once or never, with nothing said (sweep48).
  for (const key of ["hotCalls", "hotTimeMs", "maxVersions"] as const) {
    const v = (tiering as Record<string, unknown>)[key];
    if (v !== undefined && !(typeof v === "number" && v > 0)) throw new JitError("BAD_OPTIONS", `tiering.${key} must be a positive number, got ${typeof v === "number" ? String(v) : typeof v}`);
  }
}

/**
 * The name kos shows a function by (traces, `kos://<name>.js`, inspect): `options.name`, else the
 * function's own `name` where that is a string. A `name` property is any value a program gives it
 * (`Object.defineProperty(f, "name", { value: Symbol("s") })`): a Symbol made kos's own messages
 * throw into the program's call, and a number its compile fall back as INTERNAL (sweep33 repro-2).
 */
export function jitName(fn: Function, options: { name?: string }): string {
  if (options.name !== undefined) return options.name;
  const own = fn.name as unknown;
  return typeof own === "string" ? own : "";
}
