/**
 * The heavy parts of kos, loaded on first use so that `import "kos"` stays
 * cheap (issue 13: 137 ms against 49 ms for a bare node; the compiler alone,
 * with acorn, astring and eslint-scope, took 35–55 ms to import here).
 *
 * `jit()` is synchronous, so the compiler is loaded with `require`: in the
 * CommonJS build the module's own `require`, in the ES build Node's
 * require(esm) (Node ≥ 20.19 and ≥ 22.12), which returns the very module
 * instance `import` would (checked: same `JitError` class either way).
 * Run from the TypeScript sources (vitest, tsx), `require` cannot load `.ts`;
 * there `source-preload.ts` has imported these modules up front.
 */
import { createRequire } from "node:module";
import type * as Compiler from "./compiler/index.js";
import type * as Tiering from "./profiler/tiering.js";
import type * as ProfileRun from "./profiler/profile-run.js";
import type * as Hot from "./profiler/hot.js";
import { preloaded } from "./source-preload.js";

// The CommonJS build defines this name as its module's own `require` (scripts/build-cjs.mjs), so it
// loads its CommonJS twins. Not `typeof require`: `node -e` puts a `require` on globalThis.
declare const __kos_cjs_require: NodeJS.Require | undefined;
const load: NodeJS.Require = typeof __kos_cjs_require === "function" ? __kos_cjs_require : createRequire(import.meta.url);

/** The compiler (`compiler/index.js`). */
export function compilerModule(): typeof Compiler {
  return preloaded?.compiler ?? (load("./compiler/index.js") as typeof Compiler);
}

/** The tiering policy (`profiler/tiering.js`), which loads the compiler. */
export function tieringModule(): typeof Tiering {
  return preloaded?.tiering ?? (load("./profiler/tiering.js") as typeof Tiering);
}

/** `kos profile` as a library (`profiler/profile-run.js`). */
export function profileRunModule(): typeof ProfileRun {
  return preloaded?.profileRun ?? (load("./profiler/profile-run.js") as typeof ProfileRun);
}

/** Hot-function analysis of profiles (`profiler/hot.js`). */
export function hotModule(): typeof Hot {
  return preloaded?.hot ?? (load("./profiler/hot.js") as typeof Hot);
}

/**
 * A stand-in for a class that lives in a heavy module (JitError: its module
 * reads source locations with acorn and eslint-scope, 90% of the cost of
 * `import "kos"` when it loaded eagerly). `new`, `instanceof`, `extends`,
 * static members and `prototype` all reach the real class, loaded on first use.
 * Only `constructor ===` comparisons see the difference.
 */
export function lazyClass<C extends abstract new (...args: never[]) => unknown>(name: string, get: () => C): C {
  const real = () => get() as unknown as Function;
  const stub = { [name]: function () {} }[name]!;
  const proxy: Function = new Proxy(stub, {
    construct: (_t, args, newTarget) => Reflect.construct(real(), args, newTarget === proxy ? real() : newTarget),
    get: (_t, key) => {
      if (key === Symbol.hasInstance) return (value: unknown) => value instanceof real();
      return Reflect.get(real(), key);
    },
    has: (_t, key) => Reflect.has(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return proxy as unknown as C;
}

/**
 * A read-only array whose contents load on first access: for exported
 * constants that live in a heavy module (PASS_NAMES).
 */
export function lazyArray<T>(get: () => readonly T[]): readonly T[] {
  const forward = <R>(f: (a: readonly T[]) => R) => f(get());
  return new Proxy([] as T[], {
    get: (_t, key) => forward((a) => {
      const v = Reflect.get(a, key);
      return typeof v === "function" ? (v as Function).bind(a) : v;
    }),
    has: (_t, key) => forward((a) => Reflect.has(a, key)),
    ownKeys: () => forward((a) => Reflect.ownKeys(a)),
    getOwnPropertyDescriptor: (_t, key) =>
      forward((a) => {
        const d = Reflect.getOwnPropertyDescriptor(a, key);
        // The proxy's target keeps its own non-configurable `length`; report it as such.
        return d && key !== "length" ? { ...d, configurable: true, writable: false } : d;
      }),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
