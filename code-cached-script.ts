/**
 * Loads a CommonJS bundle through V8's code cache: the bytecode of every
 * function a process ran the first time, so that later processes do not parse
 * and compile the compiler's own code again. Node 20 has no compile cache for
 * modules (`module.enableCompileCache` came in Node 22.1), so the bundle is run
 * as a `vm.Script` with `cachedData`, the way v8-compile-cache does for
 * CommonJS, and the cache lives where Node 22 keeps its own: a directory
 * under the system's temporary directory, one per user.
 *
 * Why: a program's first `jit()` that compiles paid 92 ms of CPU (median of
 * 10 runs: loading the compiler, then a first, cold compile of the DSP
 * program's `fir`, bench/programs/dsp.ts). Through this cache it paid 74 ms;
 * as one CommonJS script without the cache, 92 ms; the cache of a bundle that
 * had only loaded, 80 ms (Node 20.20.2, 2 cores, 14 runs each). So the cache
 * is written after the first compile, not at load.
 *
 * Safety: bytecode from a cache runs as code, so a cache is read only from a
 * directory and file the current user owns (mode 0700 when made here), and
 * its name carries the bundle's build id (the hash the build wrote on its
 * first line: V8 itself checks only the source's length), the bundle's path,
 * the Node version and the process's flags. V8 rejects a cache made by another V8 or under
 * other flags anyway; the bundle then compiles as any script does, and the
 * cache is written again. `KOS_CODE_CACHE=0` turns all of this off;
 * `KOS_CODE_CACHE_DIR` moves the directory.
 */
// Builtins through process.getBuiltinModule, not `import`: this module is loaded (require of an ES
// module) at the first compile, and an ES import of node:fs makes its ES facade, which loads
// node:stream for fs's lazy `ReadStream` (4 ms of CPU, lazy-modules.ts).
const { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { tmpdir } = process.getBuiltinModule("node:os");
const { dirname, join } = process.getBuiltinModule("node:path");
const { pathToFileURL } = process.getBuiltinModule("node:url");
const vm = process.getBuiltinModule("node:vm");

/** What became of the cache: used, refused by V8, not there, or not to be used (disabled, or a bundle without a build id). */
export type CodeCacheState = "accepted" | "rejected" | "absent" | "off";

export interface CodeCachedModule {
  exports: unknown;
  cache: CodeCacheState;
  /** The cache file read or to be written; null when caching is off. */
  cacheFile: string | null;
}

export interface CodeCacheOptions {
  /** The cache directory; null turns caching off. */
  dir: string | null;
  /**
   * Writes the cache (when it was not accepted) once the current task ends, so that it
   * holds the bytecode of what the caller ran right after loading. Default true.
   */
  writeAfterTask?: boolean;
  /**
   * Writes it at the process's exit instead, so that it holds all the bundle's code the
   * process ran: for a small bundle whose code runs all along (the core: the tiering runs
   * at every threshold of every tiered function), where a cache written after the first
   * task held the dispatcher alone, and a later tiering run's first `jit()` and first
   * calls took 5.1-6.9 ms against 4.1-4.2 ms with the tiering in the cache
   * (.scratch/loadcost2.mjs). Writing costs about 0.5 ms, once.
   */
  writeAtExit?: boolean;
}

const BUILD_LINE = /^\/\/kos-build:([0-9a-f]{16,64})\n/;

/** The cache directory from the environment: null when `KOS_CODE_CACHE` is 0, false or off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const off = env.KOS_CODE_CACHE;
  if (off !== undefined && /^(0|false|off)$/i.test(off.trim())) return null;
  if (env.KOS_CODE_CACHE_DIR) return env.KOS_CODE_CACHE_DIR;
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return join(tmpdir(), `kos-code-cache-${uid}`);
}

/** 32-bit FNV-1a, in hex: names a cache by what V8 checks it against (no crypto module to load). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** A file or directory this user owns (any, where there are no user ids). */
function ownedByUs(uid: number): boolean {
  return typeof process.getuid !== "function" || uid === process.getuid();
}

/** The cache's bytes, or null when there is none this process may trust. */
function readTrusted(file: string): Buffer | null {
  let fd: number;
  try {
    if (!ownedByUs(statSync(dirname(file)).uid)) return null;
    fd = openSync(file, "r");
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedByUs(st.uid)) return null;
    const bytes = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, bytes, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === st.size ? bytes : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * How many cache files a directory keeps. Each build of kos (its build id), bundle path, Node and
 * set of flags has a file of its own, and nothing else removes them: a flag that differs per run
 * (`--cpu-prof-dir` of a new directory, `--inspect-port`) writes a new file each time. This
 * machine's cache directory, after two weeks of development builds and profiling runs, held 1,459
 * files, 447 MB (0.1-0.8 MB each). Two bundles under a handful of flag sets are what a program
 * uses; 32 files are at most about 26 MB.
 */
export const MAX_CACHE_FILES = 32;
/** A writer's temporary file older than this was left by a process that died while writing. */
const STALE_TEMP_MS = 60 * 60 * 1000;
// The names loadCodeCached gives its files: only these are ever removed (`KOS_CODE_CACHE_DIR` may name a directory that holds other files).
const CACHE_NAME = /^[0-9a-f]{16}-[0-9a-f]{8}\.v8cache$/;
const TEMP_NAME = /^[0-9a-f]{16}-[0-9a-f]{8}\.v8cache\.\d+\.tmp$/;

/**
 * Removes the least recently written cache files past {@link MAX_CACHE_FILES}, and temporary
 * files left by writers that died. Runs after a write only (a write is rare: a process whose
 * cache was absent or refused), so that loading a cached bundle never lists the directory.
 * Files another process removes meanwhile are skipped; every error is ignored.
 */
export function pruneCacheDir(dir: string, keep = MAX_CACHE_FILES, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const caches: Array<{ path: string; mtimeMs: number }> = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      if (CACHE_NAME.test(name)) caches.push({ path, mtimeMs: statSync(path).mtimeMs });
      else if (TEMP_NAME.test(name) && now - statSync(path).mtimeMs > STALE_TEMP_MS) unlinkSync(path);
    } catch {
      // removed by another process meanwhile
    }
  }
  if (caches.length <= keep) return;
  caches.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of caches.slice(keep)) {
    try {
      unlinkSync(path);
    } catch {
      // removed by another process meanwhile
    }
  }
}

/** Writes the cache next to its final name, then renames it there: a reader never sees half a file. */
function writeCache(script: import("node:vm").Script, file: string): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedByUs(statSync(dir).uid)) return;
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    renameSync(temp, file);
    pruneCacheDir(dir);
  } catch {
    // A cache that cannot be written costs the next process the time it costs today.
  }
}

/**
 * The CommonJS wrapper, with one more parameter: what `import.meta.url` became
 * when the bundle was made from ES modules (scripts/bundle-compiler.mjs).
 */
function wrap(source: string): string {
  return `(function (exports, require, module, __filename, __dirname, __kos_import_meta_url) {${source}\n})`;
}

/**
 * The process's flags that name its cache: all but node's own profiling flags and preloads, which
 * V8 never sees. `node --cpu-prof --cpu-prof-dir=<dir>`, as `kos profile` runs a program (with a
 * `--require` of its own beside it), named a new cache for every output directory: each such run
 * loaded kos's core cold and wrote a cache file (about 8 ms), and the directory filled with files
 * only one run used. V8 checks its own flags against a cache, and refuses one made under others.
 */
function keyFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (/^--(cpu|heap)-prof(-[a-z]+)?(=|$)/.test(a)) {
      if (!a.includes("=") && /^--(cpu|heap)-prof-(dir|name|interval)$/.test(a)) i++;
      continue;
    }
    if (a === "--require" || a === "-r" || a === "--import") {
      i++;
      continue;
    }
    if (/^--(require|import)=/.test(a)) continue;
    kept.push(a);
  }
  return kept;
}

/**
 * Runs the CommonJS bundle `file`, with the cached bytecode of an earlier run
 * when there is one for this very bundle, Node and flags. `requireFn` serves
 * the bundle's `require` calls (its external modules).
 */
export function loadCodeCached(file: string, requireFn: (specifier: string) => unknown, options: CodeCacheOptions): CodeCachedModule {
  const source = readFileSync(file, "utf8");
  const buildId = BUILD_LINE.exec(source)?.[1] ?? null;
  // The bundle's path is part of the key: V8 restores a cached script's functions under the name
  // the cache was made with, so two installs of one build (two projects' node_modules) shared a
  // cache, and the second one's stack frames named the first one's file (sweep12, repro-3), which
  // profiler/kos-frames.ts tells kos's own frames apart by.
  const key = buildId && options.dir !== null ? `${buildId.slice(0, 16)}-${fnv1a([file, process.version, process.arch, ...keyFlags(process.execArgv), process.env.NODE_OPTIONS ?? ""].join("\0"))}` : null;
  const cacheFile = key && options.dir !== null ? join(options.dir, `${key}.v8cache`) : null;
  const cachedData = cacheFile ? readTrusted(cacheFile) : null;
  const script = new vm.Script(wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const cache: CodeCacheState = cacheFile === null ? "off" : !cachedData ? "absent" : script.cachedDataRejected ? "rejected" : "accepted";
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as unknown };
  run(module.exports, requireFn, module, file, dirname(file), pathToFileURL(file).href);
  // Written after the task that loaded the bundle, which goes on to compile: the cache then holds
  // that compile's functions too (a setImmediate, not unref'd, so a one-shot script writes it).
  if (cacheFile && cache !== "accepted") {
    if (options.writeAtExit) process.once("exit", () => writeCache(script, cacheFile));
    else if (options.writeAfterTask !== false) setImmediate(() => writeCache(script, cacheFile));
  }
  return { exports: module.exports, cache, cacheFile };
}
