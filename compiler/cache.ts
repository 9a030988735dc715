/**
 * The on-disk compile cache for runtime `jit` (Numba's `cache=True`).
 *
 * A specialized version is stored as its generated source plus metadata,
 * under a key that covers everything that decides the generated code: the
 * function's source, the specialization values (a deep structural hash,
 * `structuralHash` below), the kos version (plus a fingerprint of the
 * compiler's code) and the compiler options. A warm
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
import type { Hash } from "node:crypto";
// The compiler imports this module, and the cache is opt-in: node:crypto (which loads node:stream)
// and node:fs wait for the first cached compile. As ES imports they loaded with every compiler,
// 4-5 ms of CPU of a process's first compile (an ES import of a builtin also builds its ES facade).
const nodeCrypto = () => process.getBuiltinModule("node:crypto");
const fs = () => process.getBuiltinModule("node:fs");
const { dirname, join, resolve } = process.getBuiltinModule("node:path");
const { fileURLToPath } = process.getBuiltinModule("node:url");
import type { Assumption } from "./types.js";
import { deepFreeze } from "./values.js";
import { instantiate } from "./instantiate.js";
import { KOS_HELPERS } from "./typed-array-checks.js";

/** Bumped when the entry layout changes; part of every key. */
const ENTRY_FORMAT = 1;

/** What the cache stores for one compiled version. */
export interface CacheEntry {
  /** Generated source, as handed to `new Function`. */
  source: string;
  assumptions: Assumption[];
  /** Any other JSON-safe data the compile path wants back (e.g. reference names). */
  meta?: Record<string, unknown>;
}

/** Everything that decides the generated code. */
export interface CacheKeyInput {
  /** `fn.toString()` of the function being compiled. */
  source: string;
  /** Specialization values by parameter name (hashed deeply and structurally). */
  specialize?: Record<string, unknown>;
  /** Values of free variables (`scope`), hashed like `specialize`. */
  scope?: Record<string, unknown>;
  /** Compiler options other than the values above (assume, freeze, fastmath, disablePasses, …). */
  options?: Record<string, unknown>;
  /** Defaults to the version in kos's package.json. */
  kosVersion?: string;
}

export interface CompileCacheOptions {
  /** Cache directory; overrides env `KOS_CACHE_DIR`. */
  dir?: string;
  /** Receives the single "caching disabled" warning. Defaults to `process.emitWarning`. */
  warn?: (message: string) => void;
}

let cachedVersion: string | undefined;

/** The kos version from the package.json above this file. */
export function kosVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(fs().readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.name === "kos") return (cachedVersion = String(pkg.version));
    } catch { /* keep walking up */ }
    dir = dirname(dir);
  }
  return (cachedVersion = "unknown");
}

let cachedFingerprint: string | undefined;

/**
 * sha256 over the compiler's own code (every .js/.ts file next to this one,
 * recursively), so a changed compiler misses even when the version number
 * did not move (development builds, patched installs). About 40 small files,
 * read once per process.
 */
export function compilerFingerprint(): string {
  if (cachedFingerprint !== undefined) return cachedFingerprint;
  const h = nodeCrypto().createHash("sha256");
  const root = dirname(fileURLToPath(import.meta.url));
  const walk = (dir: string) => {
    let names: string[];
    try { names = fs().readdirSync(dir).sort(); } catch { return; }
    for (const name of names) {
      const path = join(dir, name);
      if (/\.(js|ts)$/.test(name) && !name.endsWith(".d.ts")) {
        try { h.update(`${name}\0`).update(fs().readFileSync(path)); } catch { /* unreadable: skip */ }
      } else if (!name.includes(".")) {
        walk(path);
      }
    }
  };
  walk(root);
  return (cachedFingerprint = h.digest("hex"));
}

/**
 * The cache key for one compilation: sha256 hex, or `null` when some value
 * cannot be hashed faithfully (closures, symbols, getters, class instances);
 * such compilations are simply not cached.
 */
export function computeCacheKey(input: CacheKeyInput): string | null {
  const parts: string[] = [];
  for (const v of [input.specialize ?? {}, input.scope ?? {}, stripUnhashableOptions(input.options ?? {})]) {
    const h = structuralHash(v);
    if (h === null) return null;
    parts.push(h);
  }
  const h = nodeCrypto().createHash("sha256");
  h.update(`kos-cache/${ENTRY_FORMAT}\0${input.kosVersion ?? `${kosVersion()}+${compilerFingerprint()}`}\0`);
  h.update(`${input.source.length}:${input.source}\0`);
  h.update(parts.join("\0"));
  return h.digest("hex");
}

/** Drops option keys that are callbacks of the caller, not inputs of the code. */
function stripUnhashableOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(options).sort()) {
    if (k === "specialize" || k === "scope" || k === "tracePasses" || k === "strict" || k === "name") continue;
    out[k] = options[k];
  }
  return out;
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
  toSource: (fn: Function, options: any) => { ok: boolean; source: string | null; genericName: string; deoptName: string; references: Array<{ name: string; value: unknown }>; assumptions: Assumption[]; fallbackReason: string | null },
  onDeopt: (reason: unknown) => void = () => {},
  cache: CompileCache = defaultCompileCache(),
): CachedCompile {
  // kos's own helpers ride along (compiler/typed-array-checks.ts): cached code reaches them by path too.
  const values = { specialize: options.specialize ?? {}, scope: options.scope ?? {}, fn, kos: KOS_HELPERS };
  const { specialize: _s, scope: _c, ...rest } = options;
  const key = computeCacheKey({ source: Function.prototype.toString.call(fn), specialize: values.specialize, scope: values.scope, options: rest });
  const make = (source: string, genericName: string, deoptName: string, refs: Array<{ name: string; value: unknown }>): Function =>
    // Named like every other compiled version (kos://<name>.js), in stack traces and profiles.
    instantiate([genericName, deoptName, VALUES, ...refs.map((r) => r.name)], `return (${source});\n//# sourceURL=kos://${(String(options.name ?? fn.name) || "anonymous").replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64)}.js`, [fn, onDeopt, values, ...refs.map((r) => r.value)]) as Function;
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
  const cacheable = key !== null && refPaths.every((x) => x.path !== null);
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

// ---------------------------------------------------------------------------
/*
 * A deep, structural hash of JavaScript values, for the compile cache's key.
 *
 * Two values hash alike only when code specialized for one is exactly right
 * for the other. So the encoding keeps everything the generated code can
 * observe: property order (it drives `Object.keys` and `JSON.stringify`),
 * -0 versus 0, NaN, bigint versus number, typed-array element type, and
 * aliasing (the same object reached twice is encoded as a back-reference, so
 * a DAG never hashes like a tree; cycles terminate the same way).
 *
 * Values whose behaviour is not captured by their structure make the key
 * uncacheable rather than wrong: functions (closures), symbols, accessors
 * (getters run code), class instances other than the plain containers listed
 * below, and anything with symbol keys.
 */

/** Thrown internally when a value cannot be hashed; surfaced as `null`. */
class Unhashable extends Error {}

const TYPED_ARRAY_NAMES = new Set([
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
  "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
]);

/**
 * sha256 hex of the structure of `value`, or `null` when some part of it
 * cannot be hashed faithfully (see the module comment).
 */
export function structuralHash(value: unknown): string | null {
  const h = nodeCrypto().createHash("sha256");
  try {
    feed(h, value, new Map());
  } catch (e) {
    if (e instanceof Unhashable) return null;
    throw e;
  }
  return h.digest("hex");
}

/** Writes a length-prefixed token so that no two encodings can collide by concatenation. */
function tok(h: Hash, tag: string, body = ""): void {
  h.update(`${tag}${body.length}:${body};`);
}

function feed(h: Hash, v: unknown, seen: Map<object, number>): void {
  switch (typeof v) {
    case "undefined": return tok(h, "u");
    case "boolean": return tok(h, "b", v ? "1" : "0");
    case "string": return tok(h, "s", v);
    case "bigint": return tok(h, "n", v.toString());
    case "number": return tok(h, "d", Object.is(v, -0) ? "-0" : String(v));
    case "symbol":
    case "function":
      throw new Unhashable();
  }
  if (v === null) return tok(h, "z");
  const obj = v as object;
  const ref = seen.get(obj);
  if (ref !== undefined) return tok(h, "r", String(ref));
  seen.set(obj, seen.size);
  feedObject(h, obj, seen);
}

function feedObject(h: Hash, obj: object, seen: Map<object, number>): void {
  if (ArrayBuffer.isView(obj)) {
    const name = obj.constructor?.name ?? "";
    if (!TYPED_ARRAY_NAMES.has(name) || Object.getPrototypeOf(obj) !== obj.constructor.prototype) throw new Unhashable();
    tok(h, "t", name);
    h.update(new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength));
    return tok(h, "e");
  }
  const proto = Object.getPrototypeOf(obj);
  if (Array.isArray(obj)) {
    if (proto !== Array.prototype) throw new Unhashable();
    tok(h, "a", String(obj.length));
    // Holes differ from undefined for `in` and forEach; encode them apart.
    for (let i = 0; i < obj.length; i++) {
      if (!(i in obj)) tok(h, "hole");
      else feedOwnValue(h, obj, String(i), seen);
    }
    return feedExtraKeys(h, obj, seen, (k) => !isIndex(k) && k !== "length");
  }
  if (obj instanceof Map && proto === Map.prototype) {
    tok(h, "m", String(obj.size));
    for (const [k, val] of obj) { feed(h, k, seen); feed(h, val, seen); }
    return feedExtraKeys(h, obj, seen, () => true);
  }
  if (obj instanceof Set && proto === Set.prototype) {
    tok(h, "S", String(obj.size));
    for (const k of obj) feed(h, k, seen);
    return feedExtraKeys(h, obj, seen, () => true);
  }
  if (obj instanceof RegExp && proto === RegExp.prototype) {
    tok(h, "x", `${obj.source}/${obj.flags}/${obj.lastIndex}`);
    return feedExtraKeys(h, obj, seen, (k) => k !== "lastIndex");
  }
  if (obj instanceof Date && proto === Date.prototype) {
    tok(h, "D", String(obj.getTime()));
    return feedExtraKeys(h, obj, seen, () => true);
  }
  if (proto !== Object.prototype && proto !== null) throw new Unhashable();
  tok(h, proto === null ? "O" : "o");
  feedExtraKeys(h, obj, seen, () => true);
}

function isIndex(k: string): boolean {
  return /^(0|[1-9]\d*)$/.test(k);
}

/** Own string keys in property order, then a frozen/sealed marker (freezing changes what may be folded). */
function feedExtraKeys(h: Hash, obj: object, seen: Map<object, number>, keep: (k: string) => boolean): void {
  const keys = Reflect.ownKeys(obj);
  for (const k of keys) {
    if (typeof k === "symbol") throw new Unhashable();
    if (!keep(k)) continue;
    tok(h, "k", k);
    feedOwnValue(h, obj, k, seen);
  }
  tok(h, "end", Object.isFrozen(obj) ? "F" : Object.isSealed(obj) ? "S" : Object.isExtensible(obj) ? "" : "P");
}

function feedOwnValue(h: Hash, obj: object, k: string, seen: Map<object, number>): void {
  const d = Object.getOwnPropertyDescriptor(obj, k)!;
  if (!("value" in d)) throw new Unhashable();
  tok(h, d.enumerable ? "v" : "V");
  feed(h, d.value, seen);
}
