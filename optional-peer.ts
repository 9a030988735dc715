/**
 * Optional peer dependencies: packages that only some features need (piscina
 * for worker pools, prom-client for Prometheus, ts-morph for `kos build`, tsx
 * for TypeScript task files). A user of `jit()` alone does not install them
 * (issue 13: with 0x, then a dependency, they were 65 MB of a 70 MB install),
 * so each is loaded on first use, and a missing one is a clear error naming
 * the package.
 */
import { createRequire } from "node:module";
import { KosError } from "./errors.js";

/** The packages kos lists under `peerDependenciesMeta` as optional. */
export type OptionalPeer = "piscina" | "prom-client" | "ts-morph" | "tsx";

// Resolved from kos's own location: an installed kos finds the user's copy in
// the node_modules above it, a source checkout finds its devDependencies.
// (In the CommonJS build, import.meta.url is the ESM twin's URL, one folder up: same resolution.)
const load = createRequire(import.meta.url);

/** The error thrown when an optional peer is missing; `code` is `KOS_MISSING_PEER`. */
export function missingPeerError(name: OptionalPeer, feature: string, cause?: unknown): KosError {
  const err = new KosError("KOS_MISSING_PEER", `${feature} needs the optional package "${name}", which is not installed: run \`npm install ${name}\``, { cause });
  (err as KosError & { packageName?: string }).packageName = name;
  return err;
}

/** True when `error` says `name` itself (not one of its own imports) could not be found. */
function isMissing(error: unknown, name: string): boolean {
  const e = error as { code?: string; message?: string };
  return (e?.code === "MODULE_NOT_FOUND" || e?.code === "ERR_MODULE_NOT_FOUND") && typeof e.message === "string" && e.message.includes(`'${name}'`);
}

/**
 * Loads an optional peer synchronously (all five are CommonJS or load
 * through Node's require(esm)).
 * @throws KosError `KOS_MISSING_PEER` when the package is not installed
 */
export function requirePeer<T>(name: OptionalPeer, feature: string): T {
  try {
    return load(name) as T;
  } catch (error) {
    if (isMissing(error, name)) throw missingPeerError(name, feature, error);
    throw error;
  }
}

/** Where the peer's entry is, or undefined when it is not installed. */
export function resolvePeer(name: OptionalPeer): string | undefined {
  try {
    return load.resolve(name);
  } catch {
    return undefined;
  }
}
