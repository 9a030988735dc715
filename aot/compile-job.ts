/**
 * Compiles one job with the compiler's `specializeToSource`, feeding it what
 * only a whole-module view can give: the module-level constants and helpers
 * (`scope`), expressions that reach live objects from module scope
 * (`referenceExpression`), and the TypeScript-declared typed-array
 * parameters (`assume` + `trustAssumptions`).
 */
import { types as utilTypes } from "node:util";
import type * as Compiler from "../compiler/index.js";
import { lazyModule } from "../lazy-modules.js";
import type { Assumption, SourceOptions } from "../compiler/types.js";
import { evaluateConst } from "./const-expr.js";
import type { Job } from "./jobs.js";
import { dataLiteral } from "./literal.js";
import type { ModuleBindings } from "./probe.js";
import type { ReferenceIndex } from "./references.js";
import { bindFunction, checkGeneratedExpression, type BoundFunction } from "./splice.js";

// The compiler as jit() loads it (one bundled file in a build): the package ships the bundle, not
// the compiler's modules one by one.
const compiler = lazyModule<typeof Compiler>("./compiler/index.js");

/**
 * Budgets for functions the profile names hot. Go's PGO raises its inlining
 * budget at hot call sites (80 → 2000 nodes); kos build doubles the
 * compiler's unroll budget (default 3000 AST nodes) and quadruples its
 * helper-inlining budget (default 64 nodes; passed as `inlineBudget`, which
 * the compiler may honour — it ignores options it does not know).
 */
export const HOT_UNROLL_BUDGET = 2 * 3000;
export const HOT_INLINE_BUDGET = 4 * 64;

export type JobResult =
  | { ok: true; bound: BoundFunction; source: string; assumptions: Assumption[]; freeze: string[]; trusted: string[]; specialized: string[]; length: number }
  | { ok: false; reason: string; specialized: string[] };

/**
 * Compiles `job` against the module's live bindings; `genericExpr` is the fallback's expression in the output.
 * `method` is a class method's live function (method-install.ts); a top-level function is read from `bindings`.
 */
export function compileJob(job: Job, bindings: ModuleBindings, refs: ReferenceIndex, genericExpr: string, compilerDefaults: Partial<SourceOptions>, method?: Function): JobResult {
  const specialized = [...job.specialize].map(([p, s]) => `${p} = ${s.text}`);
  if (job.skipReason) return { ok: false, reason: job.skipReason, specialized };
  let fn: Function;
  if (method) fn = method;
  else {
    const live = bindings.get(job.site.name);
    if (!live.found || typeof live.value !== "function") return { ok: false, reason: live.found ? `\`${job.site.name}\` is not a function at build time` : live.reason, specialized };
    fn = live.value as Function;
  }

  const specialize: Record<string, unknown> = {};
  for (const [param, src] of job.specialize) {
    if (src.kind === "value") { specialize[param] = src.value; continue; }
    // An object or array written in place is made once, here: a version guarded on it is never run,
    // since no caller can pass that object (sweep30 F8: `@kos.specialize options={}`).
    if (src.expr.kind === "object" || src.expr.kind === "array") {
      return { ok: false, reason: `cannot specialize \`${param}\` on \`${src.text}\`: an ${src.expr.kind} written in place is a new one, which no call passes (the version would guard on its identity and never run); name a module-level constant that the callers pass instead`, specialized };
    }
    const r = evaluateConst(src.expr, (name) => (bindings.immutable.has(name) ? bindings.get(name) : { found: false, reason: `\`${name}\` is not a module-level constant (a \`let\` or \`var\` may change)` }));
    if (!r.ok) return { ok: false, reason: `cannot specialize \`${param}\`: ${r.reason}`, specialized };
    specialize[param] = r.value;
  }
  const extra: Record<string, unknown> = {};
  for (const [k, e] of job.extra) {
    const r = evaluateConst(e, (name) => bindings.get(name));
    if (!r.ok) return { ok: false, reason: `option \`${k}\` is not known at build time: ${r.reason}`, specialized };
    extra[k] = r.value;
  }

  const scope: Record<string, unknown> = {};
  // Inside a class nested in a function, a free name may be the function's local, not the module's binding.
  const shadowed = job.site.method?.shadowed ?? new Set<string>();
  for (const name of bindings.names) {
    if (!bindings.immutable.has(name) || shadowed.has(name)) continue;
    const b = bindings.get(name);
    if (b.found) scope[name] = b.value;
  }

  // Objects the compiler freezes (policy `deep`) were folded into the code; the output must freeze them too.
  const reachable = refs.objects();
  const wasFrozen = reachable.map((o) => Object.isFrozen(o));

  const trusted = job.trust.filter((p) => job.assume[p] !== undefined);
  const options: SourceOptions = {
    // kos build freezes what it folds, in the output module too (content guards would name objects the output cannot reach).
    freeze: "deep",
    frozenOnly: true,
    ...compilerDefaults,
    ...extra,
    name: job.site.name,
    specialize,
    assume: job.assume,
    scope,
    trustAssumptions: trusted,
    // The compiler takes dotted paths only; other values come back as references, bound below.
    referenceExpression: (v) => { const e = refs.expressionFor(v); return e !== null && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(e) ? e : null; },
    ...(job.hot ? { unrollBudget: Math.max(HOT_UNROLL_BUDGET, compilerDefaults.unrollBudget ?? 0), inlineBudget: HOT_INLINE_BUDGET } : {}),
  } as SourceOptions;
  let r;
  try {
    r = compiler().specializeToSource(fn, options);
  } catch (e) {
    return { ok: false, reason: `the compiler threw: ${(e as Error).message}`, specialized };
  }
  if (!r.ok || r.source === null) return { ok: false, reason: r.fallbackReason ?? "the compiler declined", specialized };

  const extraRefs: Array<{ name: string; expr: string }> = [];
  for (const ref of r.references) {
    // kos's own error helpers (for-of's "x is not iterable" as the engine words it) by their source.
    const expr = refs.expressionFor(ref.value) ?? dataLiteral(ref.value) ?? ref.source ?? null;
    if (expr === null) return { ok: false, reason: `the optimized code needs ${describeValue(ref.value)} (kos's \`${ref.name}\`), a value no module-level binding of the output holds`, specialized };
    extraRefs.push({ name: ref.name, expr });
  }
  const bound = bindFunction(r.source, r.genericName, r.deoptName, genericExpr, extraRefs);
  const bad = checkGeneratedExpression(bound.expression, options.privateNames === true);
  if (bad) return { ok: false, reason: bad, specialized };

  // Under the `deep` policy the specialized objects are frozen by kos, whether now or when the
  // module's own jit() call ran at load time (the probe imports the module): the output must freeze them too.
  const deep = (options.freeze ?? "deep") === "deep";
  const freeze: string[] = [];
  reachable.forEach((o, i) => {
    const specializedHere = deep && Object.values(specialize).includes(o);
    if ((!wasFrozen[i] || specializedHere) && Object.isFrozen(o)) freeze.push(refs.expressionFor(o)!);
  });
  // The original's `length`, which the installed function keeps (`scale(x, k = 2)` is 1).
  return { ok: true, bound, source: r.source, assumptions: r.assumptions, freeze, trusted, specialized, length: fn.length };
}

/**
 * A value as a report names it: kos's own name for its reference (`$k_ref_0`) told the user
 * nothing (sweep30 F8). A function by its name, a symbol by its description, an object by its
 * class; never by calling anything of the program's (no `toString`, no getters).
 */
function describeValue(value: unknown): string {
  if (typeof value === "function") {
    const name = Object.getOwnPropertyDescriptor(value, "name")?.value;
    return typeof name === "string" && name ? `the function \`${name}\`` : "an anonymous function";
  }
  if (typeof value === "symbol") return `the symbol \`${value.description === undefined ? "Symbol()" : `Symbol(${value.description})`}\``;
  if (value === null || typeof value !== "object") return `the value ${String(value)}`;
  if (utilTypes.isProxy(value)) return "a proxy";
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  const proto = Reflect.getPrototypeOf(value);
  const ctor = proto === null ? undefined : Object.getOwnPropertyDescriptor(proto, "constructor")?.value;
  const name = typeof ctor === "function" ? Object.getOwnPropertyDescriptor(ctor, "name")?.value : undefined;
  return typeof name === "string" && name && name !== "Object" ? `an object of class \`${name}\`` : "an object";
}
