/**
 * The on-disk compile cache for runtime `jit` (Numba's `cache=True`).
 *
 * A specialized version is stored as its generated source plus metadata,
 * under a key that covers everything that decides the generated code: the
 * function's source, the specialization values (a deep structural hash,
 * `structuralHash`, structural-hash.ts), the kos version (plus a fingerprint of the
 * compiler's code) and the compiler options (the key: cache-key.ts). A warm
 * start then skips parse → passes → emit and only runs `new Function`.
 *
 * Failure policy, because a cache must never break a run:
 * - a corrupt, truncated or unreadable entry reads as a miss (and is rebuilt
 *   by the next write);
 * - a directory that cannot be written disables caching for this process
 *   with ONE warning;
 * - every write goes to a temporary file renamed into place, so readers
 *   never see half an entry, even with several processes sharing the cache.
 *
 * Directory: `options.dir`, else env `KOS_CACHE_DIR`, else
 * `<cwd>/node_modules/.cache/kos` (the convention of babel-loader, eslint, …).
 */
// The compiler imports this module, and the cache is opt-in: node:crypto (which loads node:stream)
// and node:fs wait for the first cached compile. As ES imports they loaded with every compiler,
// 4-5 ms of CPU of a process's first compile (an ES import of a builtin also builds its ES facade).
const nodeCrypto = () => process.getBuiltinModule("node:crypto");
const fs = () => process.getBuiltinModule("node:fs");
const { dirname, join, resolve } = process.getBuiltinModule("node:path");
import type { Assumption } from "./types.js";
import { deepFreeze } from "./values.js";
import { instantiate } from "./instantiate.js";
import { KOS_HELPERS } from "./generated-helpers.js";
import { ENTRY_FORMAT, computeCacheKey } from "./cache-key.js";
import { jitName } from "./jit-options.js";

export { compilerFingerprint, computeCacheKey, kosVersion, type CacheKeyInput } from "./cache-key.js";
export { structuralHash } from "./structural-hash.js";

/** What the cache stores for one compiled version. */
export interface CacheEntry {
  /** Generated source, as handed to `new Function`. */
  source: string;
  assumptions: Assumption[];
  /** Any other JSON-safe data the compile path wants back (e.g. reference names). */
  meta?: Record<string, unknown>;
}

export interface CompileCacheOptions {
  /** Cache directory; overrides env `KOS_CACHE_DIR`. */
  dir?: string;
  /** Receives the single "caching disabled" warning. Defaults to `process.emitWarning`. */
  warn?: (message: string) => void;
}

/** One cache directory. Most callers use the default instance through the functions below. */
export class CompileCache {
  readonly dir: string;
  private disabled = false;
  private readonly warn: (message: string) => void;

  constructor(options: CompileCacheOptions = {}) {
    this.dir = resolve(options.dir ?? process.env.KOS_CACHE_DIR ?? join(process.cwd(), "node_modules", ".cache", "kos"));
    this.warn = options.warn ?? ((m) => process.emitWarning(m, { code: "KOS_CACHE_DISABLED" }));
  }

  /** True once a write failed and caching was switched off for this instance. */
  get isDisabled(): boolean {
    return this.disabled;
  }

  private pathOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError(`not a cache key: ${key}`);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The entry stored under `key`, or `null` on a miss, a corrupt entry or any read error. */
  read(key: string): CacheEntry | null {
    if (this.disabled) return null;
    let text: string;
    try {
      text = fs().readFileSync(this.pathOf(key), "utf8");
    } catch {
      return null;
    }
    return parseEntry(text, key);
  }

  /** Stores `entry` under `key`. Never throws: the first failure disables the cache with one warning. */
  write(key: string, entry: CacheEntry): boolean {
    if (this.disabled) return false;
    const file = this.pathOf(key);
    const payload = JSON.stringify({ source: entry.source, assumptions: entry.assumptions, meta: entry.meta ?? {} });
    const record = JSON.stringify({ format: ENTRY_FORMAT, key, sha256: sha256(payload), payload });
    const tmp = `${file}.${process.pid}.${nodeCrypto().randomBytes(4).toString("hex")}.tmp`;
    try {
      fs().mkdirSync(dirname(file), { recursive: true });
      fs().writeFileSync(tmp, record);
      fs().renameSync(tmp, file);
      return true;
    } catch (e) {
      try { fs().unlinkSync(tmp); } catch { /* nothing was written */ }
      this.disabled = true;
      this.warn(`kos: compile cache disabled: cannot write to ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      return false;
    }
  }
}

function sha256(text: string): string {
  return nodeCrypto().createHash("sha256").update(text).digest("hex");
}

/** Validates the record envelope; anything unexpected is a miss. */
function parseEntry(text: string, key: string): CacheEntry | null {
  try {
    const rec = JSON.parse(text);
    if (rec?.format !== ENTRY_FORMAT || rec.key !== key || typeof rec.payload !== "string") return null;
    if (sha256(rec.payload) !== rec.sha256) return null;
    const p = JSON.parse(rec.payload);
    if (typeof p?.source !== "string" || !Array.isArray(p.assumptions)) return null;
    return { source: p.source, assumptions: p.assumptions, meta: p.meta ?? {} };
  } catch {
    return null;
  }
}

let defaultCache: CompileCache | null = null;

/** The process-wide cache, created on first use from env `KOS_CACHE_DIR` or the default directory. */
export function defaultCompileCache(): CompileCache {
  return (defaultCache ??= new CompileCache());
}

/** Replaces the process-wide cache (e.g. `configureCompileCache({ dir })`); returns it. */
export function configureCompileCache(options: CompileCacheOptions): CompileCache {
  return (defaultCache = new CompileCache(options));
}

/** Reads `key` from the process-wide cache; `null` on a miss or a corrupt entry. */
export function readCacheEntry(key: string): CacheEntry | null {
  return defaultCompileCache().read(key);
}

/** Writes `entry` under `key` in the process-wide cache; false when caching is disabled. */
export function writeCacheEntry(key: string, entry: CacheEntry): boolean {
  return defaultCompileCache().write(key, entry);
}

/** The result of {@link compileCached}. */
export interface CachedCompile {
  /** The guarded specialized function, or null when the compiler fell back. */
  fn: Function | null;
  /** True when the code came from the cache (no parse, no passes). */
  hit: boolean;
  /** The cache key, or null when the compilation is not cacheable. */
  key: string | null;
  assumptions: Assumption[];
  fallbackReason: string | null;
  /** The generated source (from the cache on a hit). */
  source: string | null;
}

/** Name under which cached code reaches the specialization and scope values. */
const VALUES = "$kos_values";
const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Compiles `fn` through the cache: on a hit, only `new Function` runs; on a
 * miss, `toSource` (the compiler's `specializeToSource`, injected so this
 * module does not import the compiler) runs and the result is stored.
 *
 * Cached code must not capture live objects, so every object the generated
 * code needs is reached through a path into `{ specialize, scope, fn }`,
 * whose contents are part of the key: as a dotted expression
 * (`$kos_values.specialize.schema.properties`) where the compiler accepts
 * one, else as a named reference whose key path is stored with the entry and
 * walked again on a hit. Code that needs any other value is not cached.
 */
export function compileCached(
  fn: Function,
  options: Record<string, unknown> & { specialize?: Record<string, unknown>; scope?: Record<string, unknown> },
  toSource: (fn: Function, options: any) => { ok: boolean; source: string | null; genericName: string; deoptName: string; references: Array<{ name: string; value: unknown }>; assumptions: Assumption[]; fallbackReason: string | null; outsideKey?: boolean },
  onDeopt: (reason: unknown) => void = () => {},
  cache: CompileCache = defaultCompileCache(),
): CachedCompile {
  // kos's own helpers ride along (compiler/typed-array-checks.ts): cached code reaches them by path too.
  const values = { specialize: options.specialize ?? {}, scope: options.scope ?? {}, fn, kos: KOS_HELPERS };
  const { specialize: _s, scope: _c, ...rest } = options;
  // A plain function's own `caller` says it is sloppy (parse.ts): the same text compiles otherwise
  // in a strict script (sweep43: a CommonJS function ran the strict code an ES module's had cached).
  const sloppy = Object.prototype.hasOwnProperty.call(fn, "caller");
  const key = computeCacheKey({ source: Function.prototype.toString.call(fn), specialize: values.specialize, scope: values.scope, options: { ...rest, sloppy } });
  const make = (source: string, genericName: string, deoptName: string, refs: Array<{ name: string; value: unknown }>): Function =>
    // Named like every other compiled version (kos://<name>.js), in stack traces and profiles.
    instantiate([genericName, deoptName, VALUES, ...refs.map((r) => r.name)], `return (${source});\n//# sourceURL=kos://${(jitName(fn, options as { name?: string }) || "anonymous").replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64)}.js`, [fn, onDeopt, values, ...refs.map((r) => r.value)]) as Function;
  if (key !== null) {
    const hit = cache.read(key);
    const meta = hit?.meta as { genericName?: unknown; deoptName?: unknown; refs?: unknown } | undefined;
    const refs = hit ? resolveRefs(values, meta?.refs) : null;
    if (hit && refs && typeof meta?.genericName === "string" && typeof meta.deoptName === "string") {
      // Same freeze guarantee as a compile: the code folded reads from these objects.
      if ((options.freeze ?? "guard") === "deep") for (const v of Object.values(values.specialize)) deepFreeze(v);
      try {
        return { fn: make(hit.source, meta.genericName, meta.deoptName, refs), hit: true, key, assumptions: hit.assumptions, fallbackReason: null, source: hit.source };
      } catch { /* a corrupt entry that still parsed as JSON: rebuild below */ }
    }
  }
  const paths = pathsInto(values);
  const r = toSource(fn, {
    ...options,
    kosHelpers: true,
    referenceExpression: (v: unknown) => {
      const p = v !== null && (typeof v === "object" || typeof v === "function") ? paths.get(v) : undefined;
      return p && p.every((k) => IDENT.test(k)) ? [VALUES, ...p].join(".") : null;
    },
  });
  if (!r.ok || r.source === null) return { fn: null, hit: false, key, assumptions: [], fallbackReason: r.fallbackReason, source: null };
  const refPaths = r.references.map((ref) => ({ name: ref.name, path: isObj(ref.value) ? (paths.get(ref.value) ?? null) : null }));
  // Code that read a closure or module binding, or its mode from its script, depends on more than the
  // key says (sweep43: two closures of one factory shared an entry; a module constant computed at load,
  // or a helper edited since, came back from the cache).
  const cacheable = key !== null && !r.outsideKey && refPaths.every((x) => x.path !== null);
  const made = make(r.source, r.genericName, r.deoptName, r.references);
  if (cacheable) cache.write(key, { source: r.source, assumptions: r.assumptions, meta: { genericName: r.genericName, deoptName: r.deoptName, refs: refPaths } });
  return { fn: made, hit: false, key: cacheable ? key : null, assumptions: r.assumptions, fallbackReason: null, source: r.source };
}

function isObj(v: unknown): v is object {
  return v !== null && (typeof v === "object" || typeof v === "function");
}

/** Walks stored reference paths again; null when one no longer resolves (then the entry is a miss). */
function resolveRefs(values: object, refs: unknown): Array<{ name: string; value: unknown }> | null {
  if (!Array.isArray(refs)) return null;
  const out: Array<{ name: string; value: unknown }> = [];
  for (const r of refs as Array<{ name?: unknown; path?: unknown }>) {
    if (typeof r?.name !== "string" || !IDENT.test(r.name) || !Array.isArray(r.path)) return null;
    let v: unknown = values;
    for (const k of r.path) {
      if (!isObj(v) || typeof k !== "string") return null;
      const d = Object.getOwnPropertyDescriptor(v, k);
      if (!d || !("value" in d)) return null;
      v = d.value;
    }
    out.push({ name: r.name, value: v });
  }
  return out;
}

/** Breadth-first key paths from `values` to every object inside it (shortest first). */
function pathsInto(values: object): Map<object, string[]> {
  const paths = new Map<object, string[]>();
  let level: Array<[object, string[]]> = [[values, []]];
  for (let depth = 0; depth < 10 && level.length > 0; depth++) {
    const next: Array<[object, string[]]> = [];
    for (const [obj, path] of level) {
      if (paths.has(obj)) continue;
      paths.set(obj, path);
      if (ArrayBuffer.isView(obj) || typeof obj === "function") continue;
      for (const k of Object.keys(obj)) {
        const d = Object.getOwnPropertyDescriptor(obj, k);
        if (d && "value" in d && isObj(d.value)) next.push([d.value, [...path, k]]);
      }
    }
    level = next;
  }
  return paths;
}
