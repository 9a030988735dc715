/**
 * The compile cache's keys (cache.ts): everything that decides the generated code, hashed.
 * The function's source, the specialization and scope values (structural-hash.ts), the
 * compiler options, and the kos version plus a fingerprint of the compiler's own code.
 */
// As in cache.ts: node:crypto (which loads node:stream) and node:fs wait for the first cached compile.
const nodeCrypto = () => process.getBuiltinModule("node:crypto");
const fs = () => process.getBuiltinModule("node:fs");
const { dirname, join } = process.getBuiltinModule("node:path");
const { fileURLToPath } = process.getBuiltinModule("node:url");
import { structuralHash } from "./structural-hash.js";
import { REPLACED_BUILTINS } from "./builtins.js";

/** Bumped when the entry layout changes; part of every key. */
export const ENTRY_FORMAT = 1;

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
  // Folds assume the engine's built-ins; a process that replaced some gets entries of its own.
  if (REPLACED_BUILTINS) h.update(`replaced:${REPLACED_BUILTINS}\0`);
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
