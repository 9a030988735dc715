/**
 * Only for running kos from its TypeScript sources (vitest, tsx): there
 * `require` cannot load `.ts` files, so the modules `lazy-modules.ts` loads
 * on demand are imported here up front. From the built package (`.js`) this
 * does nothing, and the CommonJS build replaces it with `preloaded = null`
 * (scripts/build-cjs.mjs), since CommonJS has no top-level await.
 */
import type * as Compiler from "./compiler/index.js";
import type * as Tiering from "./profiler/tiering.js";
import type * as ProfileRun from "./profiler/profile-run.js";
import type * as Hot from "./profiler/hot.js";

export interface PreloadedModules {
  compiler: typeof Compiler;
  tiering: typeof Tiering;
  profileRun: typeof ProfileRun;
  hot: typeof Hot;
}

const fromSource = /\.[cm]?ts$/.test(new URL(import.meta.url).pathname);

/** The modules, when running from sources; null from the build. */
export const preloaded: PreloadedModules | null = fromSource
  ? {
      compiler: await import("./compiler/index.js"),
      tiering: await import("./profiler/tiering.js"),
      profileRun: await import("./profiler/profile-run.js"),
      hot: await import("./profiler/hot.js"),
    }
  : null;
