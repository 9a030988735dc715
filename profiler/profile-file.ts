/**
 * `kos-profile.json`: what `kos profile` writes and what a later run reads
 * back (`KOS_PROFILE=path` or {@link loadProfile}) to compile the named hot
 * functions at first call. Live functions are matched to entries by
 * {@link sourceHash} of `fn.toString()`, which survives restarts and file
 * moves but not edits to the function.
 */
import { dirname } from "node:path";
import { KosError } from "../errors.js";
import { mergeProfiles, splitProfileList } from "./profile-merge.js";
import { tieringActsOn, validateProfile, type HotEntry, type KosProfile } from "./profile-schema.js";
import { sourceKey } from "./source-key.js";

export { sourceKey } from "./source-key.js";
export { settledInProfile, tieringActsOn, validateProfile, type HotEntry, type KosProfile } from "./profile-schema.js";

/** sha256 hex of a function's exact source text (what `fn.toString()` returns). */
export function sourceHash(text: string): string {
  // node:crypto loads on the first hash, not with this module: with the streams it pulls in, it was
  // about 40 of node's internal modules and 3-5 ms of CPU on the first `jit(fn)` of every process
  // (the tiering imports this module), which most never hash anything in.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Reads and validates a `kos-profile.json`.
 * @throws KosError `KOS_PROFILE_READ` (cannot read), `KOS_PROFILE_JSON` (not JSON),
 *   `KOS_PROFILE_VERSION`, `KOS_PROFILE_INVALID`
 */
export function readProfile(path: string): KosProfile {
  let text: string;
  try {
    text = process.getBuiltinModule("node:fs").readFileSync(path, "utf8");
  } catch (err) {
    throw new KosError("KOS_PROFILE_READ", `cannot read profile ${path}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KosError("KOS_PROFILE_JSON", `${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateProfile(value, path);
}

/** Validates and writes a profile as pretty JSON, creating the directory. */
export function writeProfile(path: string, profile: KosProfile): void {
  const text = profileText(profile, path);
  // node:fs through process.getBuiltinModule, not an ES import: importing node:fs's ES module evaluates
  // every export, streams included (19 internal modules, about 1 ms of CPU on the first `jit(fn)`).
  const fs = process.getBuiltinModule("node:fs");
  fs.mkdirSync(dirname(path), { recursive: true });
  fs.writeFileSync(path, text);
}

/** The text of `kos-profile.json` for `profile`, validated. @throws KosError as validateProfile */
export function profileText(profile: KosProfile, path: string): string {
  validateProfile(profile, path);
  return JSON.stringify(profile, null, 2) + "\n";
}

/** A profile ready for matching live functions. */
export interface LoadedProfile {
  /** The file, or the files merged, comma-separated. */
  path: string;
  profile: KosProfile;
  /** Hot entries, ranked as in the file. */
  entries: HotEntry[];
  /**
   * The entry for `fn` (by sourceKey, else sourceHash, of `fn.toString()`), or undefined. Cached per
   * function. With `stableOnly`, only an entry KOS_PROFILE acts on: one with stable arguments, or
   * one the profiled run settled on the original ({@link settledInProfile}).
   */
  lookup(fn: Function, options?: { stableOnly?: boolean }): HotEntry | undefined;
}

/**
 * Loads a `kos-profile.json` for matching, or several merged into one (a
 * list, or one string of paths separated by commas or the OS path
 * delimiter: fleet profiles). Synchronous so the tiering can call
 * it at a function's first call. When two entries share a hash (the same
 * source text at two places), the hotter one wins.
 * @throws the codes of {@link readProfile}
 */
export function loadProfile(path: string | string[]): LoadedProfile {
  const paths = splitProfileList(path);
  if (paths.length === 0) throw new KosError("KOS_PROFILE_READ", "no profile path given");
  const profile = mergeProfiles(paths.map((p) => readProfile(p)));
  path = paths.join(",");
  const { byHash, byKey } = matchTables(profile);
  // Entries with a key are matched by it; the others (sampled functions kos never wrapped, and
  // profiles written before keys existed) by sha256, computed only when such an entry could match.
  const keyedOnly = profile.hot.every((e) => !e.sourceHash || e.sourceKey);
  const stableKeyed = profile.hot.every((e) => !tieringActsOn(e) || !e.sourceHash || e.sourceKey);
  const find = (text: string, stableOnly: boolean): HotEntry | null => {
    const keyed = byKey.size === 0 ? undefined : byKey.get(sourceKey(text));
    if (keyed || keyedOnly || (stableOnly && stableKeyed)) return keyed ?? null;
    return byHash.size === 0 ? null : (byHash.get(sourceHash(text)) ?? null);
  };
  const cache = new WeakMap<Function, HotEntry | null>();
  const stableCache = new WeakMap<Function, HotEntry | null>();
  return {
    path,
    profile,
    entries: profile.hot,
    lookup(fn: Function, options?: { stableOnly?: boolean }): HotEntry | undefined {
      const stableOnly = options?.stableOnly === true;
      const c = stableOnly ? stableCache : cache;
      let hit = c.get(fn);
      if (hit === undefined) {
        hit = find(Function.prototype.toString.call(fn), stableOnly);
        if (stableOnly && hit && !tieringActsOn(hit)) hit = null;
        c.set(fn, hit);
      }
      return hit ?? undefined;
    },
  };
}

/**
 * What {@link loadProfile} matches live functions against: the entries, each with the CPU ms its
 * samples stand for (`runMs`), by sourceKey and by sourceHash (the first entry of each, ranked as in
 * the file). `kos profile` records its verdicts from the same tables (profile-verdicts.ts).
 */
export function matchTables(profile: KosProfile): { byKey: Map<string, HotEntry>; byHash: Map<string, HotEntry> } {
  const byHash = new Map<string, HotEntry>();
  const byKey = new Map<string, HotEntry>();
  const msPerSample = profile.totalSamples > 0 ? profile.durationMs / profile.totalSamples : undefined;
  for (const hot of profile.hot) {
    const e = msPerSample !== undefined && typeof hot.totalSamples === "number" ? { ...hot, runMs: hot.totalSamples * msPerSample } : hot;
    if (e.sourceHash && !byHash.has(e.sourceHash)) byHash.set(e.sourceHash, e);
    if (e.sourceKey && !byKey.has(e.sourceKey)) byKey.set(e.sourceKey, e);
  }
  return { byKey, byHash };
}

/**
 * The profile `KOS_PROFILE` names, loaded at the first function's first call, or why it could not
 * be: kept either way, so that the next function neither reads the file again nor stays silent.
 */
let envProfile: { path: string; loaded: LoadedProfile } | { path: string; error: unknown } | undefined;

/**
 * Says once, as a process warning, that the profile `KOS_PROFILE` names is not used and why (with
 * the error's code). Each function also records it in `inspect(f).history` and the trace; a user
 * who set the variable and saw no change had no other sign that the file was never read (a typo in
 * the path, a profile of another kos version). `node --no-warnings` silences it, as Node's own.
 */
function warnUnusedProfile(path: string, error: unknown): void {
  const code = (error as { code?: unknown })?.code;
  process.emitWarning(`KOS_PROFILE=${path} is not used: ${(error as Error)?.message ?? String(error)}; functions tier up as without a profile`, { code: typeof code === "string" ? code : "KOS_PROFILE_READ" });
}

/**
 * The profile entry for a live function. With no `profile` argument, uses the
 * file (or merged list of files) named by env `KOS_PROFILE` (loaded once); returns undefined when that
 * is unset.
 * @throws the codes of {@link readProfile} when `KOS_PROFILE` names a bad file
 */
export function findProfiledFunction(fn: Function, profile?: LoadedProfile, options?: { stableOnly?: boolean }): HotEntry | undefined {
  if (profile) return profile.lookup(fn, options);
  const path = process.env.KOS_PROFILE;
  if (!path) return undefined;
  if (!envProfile || envProfile.path !== path) {
    try {
      envProfile = { path, loaded: loadProfile(path) };
    } catch (error) {
      envProfile = { path, error };
      warnUnusedProfile(path, error);
    }
  }
  if ("error" in envProfile) throw envProfile.error;
  return envProfile.loaded.lookup(fn, options);
}
