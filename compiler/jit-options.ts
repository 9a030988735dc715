/**
 * The keys `jit(fn, options)` takes. A key it does not know is a mistake
 * that would otherwise pass in silence: `jit(fn, { hotCalls: 200 })` (a
 * tiering option, `{ tiering: { hotCalls: 200 } }`) left the function at
 * tier 0 with nothing said (found by a differential sweep of 31 npm
 * libraries). TypeScript's excess-property check catches it only in typed
 * code and only on an object literal.
 */
import { JitError } from "./jit-error.js";
import { TYPED_ARRAY_NAMES } from "./builtins.js";
import { PASS_NAMES } from "./pass-names.js";
import { nearKey, unknownKey } from "../option-keys.js";

/** JitOptions (types.ts) and `tiering`. */
const JIT_KEYS: ReadonlySet<string> = new Set([
  "specialize", "argumentCount", "assume", "scope", "strict", "fastmath", "freeze", "name",
  "disablePasses", "tracePasses", "unrollBudget", "maxCompileMs", "outlineLimit", "cache", "tiering",
]);

/** TieringOptions (profiler/tiering-options.ts). */
const TIERING_KEYS: ReadonlySet<string> = new Set(["hotCalls", "hotTimeMs", "compileBudget", "maxVersions", "profile"]);

function unknownKeyError(key: string, where: string, known: ReadonlySet<string>): JitError {
  let hint = "";
  if (where === "options" && TIERING_KEYS.has(key)) hint = `: it is a tiering option, jit(fn, { tiering: { ${key}: … } })`;
  else if (where === "tiering" && JIT_KEYS.has(key)) hint = `: it is an option of jit itself, jit(fn, { ${key}: … })`;
  else {
    const near = nearKey(key, known);
    if (near) hint = `: did you mean '${near}'?`;
  }
  return new JitError("BAD_OPTIONS", `unknown ${where === "options" ? "option" : "tiering option"} '${key}'${hint} (known: ${[...known].join(", ")})`);
}

/** Throws BAD_OPTIONS for a key jit does not know, at the top level or under `tiering`. */
export function checkJitOptions(options: object): void {
  // Own keys only: a key a program added to Object.prototype is no option the caller passed.
  const key = unknownKey(options, JIT_KEYS);
  if (key !== undefined) throw unknownKeyError(key, "options", JIT_KEYS);
  const name = (options as { name?: unknown }).name;
  if (name !== undefined && typeof name !== "string") throw new JitError("BAD_OPTIONS", `name must be a string, got ${typeof name}`);
  checkOptionValues(options as Record<string, unknown>);
  const tiering = (options as { tiering?: unknown }).tiering;
  if (tiering === undefined) return;
  if (tiering === null || typeof tiering !== "object") throw new JitError("BAD_OPTIONS", `tiering must be an object of tiering options, got ${tiering === null ? "null" : typeof tiering}`);
  const tieringKey = unknownKey(tiering, TIERING_KEYS);
  if (tieringKey !== undefined) throw unknownKeyError(tieringKey, "tiering", TIERING_KEYS);
  // Counts and times are positive numbers (Infinity allowed): `hotCalls: "3"`, `-1` or NaN were taken
  // as given and tiered up at once or never, with nothing said (sweep48).
  for (const key of ["hotCalls", "hotTimeMs", "maxVersions"] as const) {
    const v = (tiering as Record<string, unknown>)[key];
    if (v !== undefined && !(typeof v === "number" && v > 0)) throw new JitError("BAD_OPTIONS", `tiering.${key} must be a positive number, got ${typeof v === "number" ? String(v) : typeof v}`);
  }
}

const TYPE_ASSUMPTIONS: ReadonlySet<string> = new Set([
  "number", "string", "boolean", "bigint", "undefined", "function", "array", "object",
  ...TYPED_ARRAY_NAMES.map((t) => `typedarray:${t}`),
]);
const FREEZE_POLICIES: ReadonlySet<string> = new Set(["guard", "deep", "require-frozen", "reference"]);

const shown = (v: unknown): string => (v === null ? "null" : typeof v === "string" ? JSON.stringify(v) : typeof v === "number" || typeof v === "boolean" ? String(v) : typeof v);
const bad = (message: string): JitError => new JitError("BAD_OPTIONS", message);

/**
 * Throws BAD_OPTIONS for an option of the wrong type or range, at `jit()`: `specialize: 3`
 * compiled a version specialized on nothing, `assume: { x: "nubmer" }` one that assumed nothing,
 * `freeze: "sometimes"` ran as the default, `unrollBudget: -5` and `strict: "yes"` were taken as
 * given; and a value the compile rejects (`maxCompileMs: "x"`) fell back only at the first call,
 * as if the function could not compile.
 */
function checkOptionValues(o: Record<string, unknown>): void {
  for (const key of ["specialize", "scope", "assume"] as const) {
    const v = o[key];
    if (v !== undefined && (v === null || typeof v !== "object")) throw bad(`${key} must be an object of values by name, got ${shown(v)}`);
  }
  if (o.assume !== undefined) {
    for (const [name, t] of Object.entries(o.assume as object)) {
      if (typeof t !== "string" || !TYPE_ASSUMPTIONS.has(t)) throw bad(`assume.${name} must be one of ${[...TYPE_ASSUMPTIONS].join(", ")}; got ${shown(t)}`);
    }
  }
  for (const key of ["strict", "fastmath", "tracePasses", "cache"] as const) {
    const v = o[key];
    if (v !== undefined && typeof v !== "boolean") throw bad(`${key} must be true or false, got ${shown(v)}`);
  }
  if (o.freeze !== undefined && !(typeof o.freeze === "string" && FREEZE_POLICIES.has(o.freeze))) throw bad(`freeze must be one of ${[...FREEZE_POLICIES].join(", ")}; got ${shown(o.freeze)}`);
  if (o.disablePasses !== undefined) {
    if (!Array.isArray(o.disablePasses)) throw bad(`disablePasses must be an array of pass names, got ${shown(o.disablePasses)}`);
    for (const p of o.disablePasses) if (typeof p !== "string" || !PASS_NAMES.includes(p)) throw bad(`unknown pass ${typeof p === "string" ? `'${p}'` : shown(p)} in disablePasses (passes: ${PASS_NAMES.join(", ")})`);
  }
  const count = (key: string, min: number, what: string): void => {
    const v = o[key];
    if (v !== undefined && !(typeof v === "number" && Number.isInteger(v) && v >= min)) throw bad(`${key} must be ${what}, got ${shown(v)}`);
  };
  count("argumentCount", 0, "a whole number");
  count("unrollBudget", 0, "a whole number of syntax nodes (0: no loop is unrolled)");
  count("outlineLimit", 1, "a positive integer (syntax nodes)");
  if (o.maxCompileMs !== undefined && !(typeof o.maxCompileMs === "number" && o.maxCompileMs > 0)) throw bad(`maxCompileMs must be a positive number of milliseconds, got ${shown(o.maxCompileMs)}`);
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
