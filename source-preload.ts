/**
 * Only for running kos from its TypeScript sources (vitest, tsx): there
 * `require` cannot load `.ts` files, so the modules `lazy-modules.ts` loads
 * on demand are imported here up front. From the built package (`.js`) this
 * does nothing, and the CommonJS build replaces it with `preloaded = null`
 * (scripts/build-cjs.mjs), since CommonJS has no top-level await.
 */

/** Every module `index.ts` loads on first use, by path relative to the package root. */
export const LAZY_MODULES = [
  "./compiler/index.js",
  "./compiler/dormant.js",
  "./compiler/dispatcher.js",
  "./compiler/cache.js",
  "./profiler/tiering.js",
  "./profiler/profile-run.js",
  "./profiler/hot.js",
  "./profiler/sampling.js",
  "./profiler/monitor/index.js",
  "./profiler/heap-profile.js",
  "./runtime/affinity.js",
  "./runtime/numa.js",
  "./runtime/aligned.js",
  "./runtime/directio.js",
  "./runtime/sequential-reader.js",
  "./runtime/worker-pool.js",
  "./runtime/native/binding.js",
  "./runtime/native/system-error.js",
  "./runtime/queue/index.js",
  "./runtime/pool.js",
  "./runtime/slab.js",
  "./runtime/batch.js",
  "./runtime/lru.js",
  "./runtime/memoize.js",
  "./profiler/profile-file.js",
  "./profiler/profile-format.js",
  "./profiler/cpuprofile.js",
] as const;

export type LazyModulePath = (typeof LAZY_MODULES)[number];

const fromSource = /\.[cm]?ts$/.test(new URL(import.meta.url).pathname);

async function preload(): Promise<Map<string, unknown>> {
  const modules = new Map<string, unknown>();
  for (const path of LAZY_MODULES) modules.set(path, await import(path));
  return modules;
}

/** The modules by path, when running from sources; null from the build. */
export const preloaded: Map<string, unknown> | null = fromSource ? await preload() : null;
