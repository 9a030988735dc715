/**
 * The heavy parts of kos, loaded on first use so that `import "kos"` stays
 * cheap (issue 13: 137 ms against 49 ms for a bare node; the compiler alone,
 * with acorn, astring and eslint-scope, took 35–55 ms to import here).
 *
 * `jit()` is synchronous, so what it needs is loaded synchronously: the
 * build's two bundles (the core, then the compiler: scripts/bundle-compiler.mjs)
 * run as scripts through V8's code cache, and any other module with `require`:
 * in the CommonJS build the module's own, in the ES build Node's require(esm)
 * (Node ≥ 20.19 and ≥ 22.12), which returns the very module instance `import`
 * would. Run from the TypeScript sources (vitest, tsx), `require` cannot load
 * `.ts`; there `source-preload.ts` has imported these modules up front.
 *
 * The bundles' loader is imported, not loaded on first use: `import "kos"` costs
 * about 1 ms more (5.2 → 6.1 ms here), and the first `jit()` 1.9 ms less
 * (6.5 → 4.6 ms: require(esm) of it was the process's first `require`).
 */
import { codeCacheDir, loadCodeCached } from "./code-cached-script.js";
import * as errors from "./errors.js";
// The clocks kos reads, captured now, with `import "kos"`: before the program can replace them
// (intrinsic-clocks.ts). The core and the compiler, loaded later, get this same instance.
import * as clocks from "./intrinsic-clocks.js";
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
 * Runs one of the build's CommonJS bundles (scripts/bundle-compiler.mjs) through V8's code cache
 * (code-cached-script.ts); `path` is relative to the package root. Its `require` of a kos module
 * is served by {@link loadKosModule}, so that the bundles and the rest of kos share one instance
 * of each module (one `JitError` class, one `Dispatcher`). Null when the build has no such bundle
 * (a build made by tsc alone): the modules are then loaded one by one.
 */
function loadBundle(path: string, writeAtExit: boolean): unknown {
  const { existsSync } = process.getBuiltinModule("node:fs");
  const { dirname, relative, resolve, sep } = process.getBuiltinModule("node:path");
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const bundle = fileURLToPath(new URL(path, import.meta.url));
  if (!existsSync(bundle)) return null;
  const root = fileURLToPath(new URL(".", import.meta.url));
  // Builtins through process.getBuiltinModule: the first `require` of a process, even of a builtin,
  // sets up Node's CommonJS loader, 2.0-2.2 ms here (.scratch/loadparts2.mjs).
  const requireFn = (spec: string): unknown =>
    spec.startsWith(".") ? loadKosModule(`./${relative(root, resolve(dirname(bundle), spec)).split(sep).join("/")}`) : spec.startsWith("node:") ? process.getBuiltinModule(spec) : load(spec);
  return loadCodeCached(bundle, requireFn, { dir: codeCacheDir(), writeAtExit }).exports;
}

/** The dormant tier's bundle (compiler/dormant.ts and the entry factories it shares with the core), loaded once. */
const tier0 = (() => {
  let modules: Record<string, unknown> | null | undefined;
  return () => (modules === undefined ? (modules = (loadBundle("./compiler/tier0.cached.cjs", true) as { modules: Record<string, unknown> } | null)?.modules ?? null) : modules);
})();

/** The core bundle's modules by path (what the first `jit()` runs, and what it shares with the compiler), loaded once. */
const core = (() => {
  let modules: Record<string, unknown> | null | undefined;
  // A build made by tsc alone has no bundle: there the core is loaded once the dispatcher is.
  let dispatcherLoaded = false;
  let loading = false;
  return {
    modules: () => {
      if (modules !== undefined || loading) return modules ?? null;
      // While the bundle runs, its `require` of a module outside it (what `import "kos"` loads) is
      // served from that module's own file.
      loading = true;
      try {
        return (modules = (loadBundle("./compiler/core.cached.cjs", true) as { modules: Record<string, unknown> } | null)?.modules ?? null);
      } finally {
        loading = false;
      }
    },
    loaded: () => preloaded !== null || (modules !== undefined && modules !== null) || dispatcherLoaded,
    loadedDispatcher: () => {
      dispatcherLoaded = true;
    },
  };
})();

/**
 * Whether kos's core (the dispatcher and the tiering) is loaded: the dormant tier (compiler/dormant.ts)
 * waits only while it is not. From the TypeScript sources, everything is loaded up front.
 */
export function coreLoaded(): boolean {
  return core.loaded();
}

/** A kos module by its path from the package root: from the core bundle when it holds it, else its own file. */
function loadKosModule(path: string): unknown {
  // The same instance `import "kos"` loaded, in either build.
  if (path === "./errors.js") return errors;
  if (path === "./intrinsic-clocks.js") return clocks;
  const first = tier0();
  if (first && Object.prototype.hasOwnProperty.call(first, path)) return first[path];
  const modules = core.modules();
  if (modules && Object.prototype.hasOwnProperty.call(modules, path)) return modules[path];
  if (path === "./compiler/index.js") return loadBundle("./compiler/index.cached.cjs", false) ?? load(path);
  if (path === "./compiler/dispatcher.js") core.loadedDispatcher();
  return load(path);
}

/** A getter for one module of source-preload.ts's list, loaded at its first call. */
export function lazyModule<M>(path: LazyModulePath): () => M {
  let loaded: M | undefined;
  return () => (loaded ??= (preloaded?.get(path) ?? loadKosModule(path)) as M);
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
