// Helpers for compiler tests: compile a function and look at the generated main function.
import { specializeToSource, PASS_NAMES } from "../../index.js";
import type { JitOptions } from "../../index.js";

/** The specialized source with only `passes` enabled (plus the binding of specialized values). */
export function sourceWith(fn: Function, options: JitOptions, passes: string[] | "all" = "all"): string {
  const disablePasses = passes === "all" ? [] : PASS_NAMES.filter((p) => p !== "bindSpecializedParams" && !passes.includes(p));
  const r = specializeToSource(fn, { ...options, disablePasses });
  if (!r.ok) throw new Error(`did not compile: ${r.fallbackReason}`);
  return r.source!;
}

/** Body of the main function only (guards removed), whitespace-normalized. */
export function mainBody(source: string): string {
  const start = source.lastIndexOf("return function");
  const body = source.slice(source.indexOf("{", start) + 1);
  return body
    .replace(/if \(!\([^\n]*\)\) \{\n\s*\$+k_deopt\(\d+\);\n\s*return [^\n]*\n\s*\}/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/; \}\)\(\)$/, "");
}

/** Object.is-based deep equality, so -0 and NaN are compared exactly. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Runs `f` and captures its outcome: value or thrown error (constructor name + message). */
export function outcome(f: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}` };
  }
}

/**
 * A version's source without the keys checks kos writes out for its guards (compiler/content-guards.ts
 * ownKeysCheck: `function $k_ownKeys0(o) { … for (const k in o) … }`, and the walks written in
 * place, compiler/keys-check-statements.ts: `for (const $k_key in $k_ref_3) { … }`), so that a test
 * about the program's own loops sees only those.
 */
export function withoutKeysChecks(source: string): string {
  return source
    .replace(/function \$+\w*ownKeys\d+\(o\) \{\n(?: .*\n)*?\}\n/g, "")
    .replace(/^( *)for \(const \$+\w*key in [^)\n]+\) \{\n[\s\S]*?^\1\}\n/gm, "");
}
