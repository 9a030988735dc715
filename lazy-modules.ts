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
import type * as CodeCachedScript from "./code-cached-script.js";
import { preloaded, type LazyModulePath } from "./source-preload.js";

// The CommonJS build defines this name as its module's own `require` (scripts/build-cjs.mjs), so it
// loads its CommonJS twins. Not `typeof require`: `node -e` puts a `require` on globalThis.
declare const __kos_cjs_require: NodeJS.Require | undefined;
// Node's builtins through process.getBuiltinModule, not `import`: an ES import of a builtin makes its
// ES module facade, which reads every export, and `node:fs`'s lazy `ReadStream` then loaded
// node:stream with kos: `import "kos"` cost 5.8-8.7 ms of CPU here, 4 of them streams (Node 20.20.2).
const { createRequire } = process.getBuiltinModule("node:module");
const load: NodeJS.Require = typeof __kos_cjs_require === "function" ? __kos_cjs_require : createRequire(import.meta.url);

/**
 * Entries the build also ships as one bundled file (scripts/bundle-compiler.mjs: the
 * compiler loads in 18 ms as one file against 36-50 ms as 110 ES modules; the compiler's is
 * the code-cached bundle below). A build made by tsc alone has no bundle, and the module
 * itself is loaded.
 */
const BUNDLED: Partial<Record<LazyModulePath, string>> = { "./profiler/tiering.js": "./profiler/tiering.bundle.js" };

/**
 * The compiler as one CommonJS bundle with its packages inside (scripts/bundle-compiler.mjs),
 * run through V8's code cache (code-cached-script.ts). Its external modules
 * are kos's shared ones, served by this build's own loader (so there is one `JitError` class),
 * and Node's builtins. Null when the build has no such bundle.
 */
function loadCodeCachedCompiler(): unknown {
  const { existsSync } = process.getBuiltinModule("node:fs");
  const { dirname, relative, resolve, sep } = process.getBuiltinModule("node:path");
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const bundle = fileURLToPath(new URL("./compiler/index.cached.cjs", import.meta.url));
  if (!existsSync(bundle)) return null;
  const root = dirname(dirname(bundle));
  const requireFn = (spec: string): unknown => (spec.startsWith(".") ? load(`./${relative(root, resolve(dirname(bundle), spec)).split(sep).join("/")}`) : load(spec));
  // Loaded here, not imported: `import "kos"` does not pay for it (nor for node:vm).
  const { loadCodeCached, codeCacheDir } = load("./code-cached-script.js") as typeof CodeCachedScript;
  return loadCodeCached(bundle, requireFn, { dir: codeCacheDir() }).exports;
}

function loadBuilt(path: LazyModulePath): unknown {
  if (path === "./compiler/index.js") {
    const cached = loadCodeCachedCompiler();
    if (cached) return cached;
  }
  const bundle = BUNDLED[path];
  if (bundle) {
    try {
      return load(bundle);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if ((code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") || !String((e as Error).message).includes(bundle.slice(2))) throw e;
    }
  }
  return load(path);
}

/** A getter for one module of source-preload.ts's list, loaded at its first call. */
export function lazyModule<M>(path: LazyModulePath): () => M {
  let loaded: M | undefined;
  return () => (loaded ??= (preloaded?.get(path) ?? loadBuilt(path)) as M);
}

/**
 * A function that loads its module at its first call and forwards to the
 * real one (`this` included). For exports of modules that are costly to load.
 */
export function lazyFunction<M, K extends keyof M & string>(get: () => M, name: K): M[K] {
  const forward = function (this: unknown, ...args: unknown[]): unknown {
    return (get()[name] as Function).apply(this, args);
  };
  Object.defineProperty(forward, "name", { value: name });
  return forward as M[K];
}

/**
 * A stand-in for a class that lives in a heavy module (JitError: its module
 * reads source locations with acorn and eslint-scope, 90% of the cost of
 * `import "kos"` when it loaded eagerly). `new`, `instanceof`, `extends`,
 * static members and `prototype` all reach the real class, loaded on first use.
 * Only `constructor ===` comparisons see the difference.
 */
export function lazyClass<C extends object>(name: string, get: () => C): C {
  const real = () => get() as unknown as Function;
  const stub = { [name]: function () {} }[name]!;
  const proxy: Function = new Proxy(stub, {
    construct: (_t, args, newTarget) => Reflect.construct(real(), args, newTarget === proxy ? real() : newTarget),
    get: (_t, key) => {
      const cls = real();
      if (key === Symbol.hasInstance) return (value: unknown) => value instanceof cls;
      const value = Reflect.get(cls, key);
      // Static methods run on the real class (private static fields need it as `this`).
      return typeof value === "function" ? value.bind(cls) : value;
    },
    has: (_t, key) => Reflect.has(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
  return proxy as unknown as C;
}

/**
 * A read-only object whose properties load on first access: for exported
 * constants that live in a module costly to load (DEFAULT_LEAK_RULE).
 */
export function lazyObject<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get: (_t, key) => Reflect.get(get(), key),
    has: (_t, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
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
