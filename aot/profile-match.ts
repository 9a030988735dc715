/**
 * Applies a `kos-profile.json` to the project: finds the project function
 * each hot entry names, and refuses a profile recorded from another version
 * of the source.
 *
 * An entry names a function by `name` and by the JS file and position V8
 * saw. kos build matches it to a top-level function or class method (V8 names
 * a method by its key) with that name in the TS
 * module of the same file stem, then checks the content hash: the profiler
 * records sha256 of `fn.toString()`, and kos build computes the same over
 * the function it just compiled. Different text means the profile describes
 * code that no longer exists, and its stable arguments may be wrong; that is
 * an error naming the function's file:line (re-run `kos profile`).
 */
import { basename } from "node:path";
import { loadProfile, sourceHash, type HotEntry, type LoadedProfile } from "../profiler/profile-file.js";
import { scriptFunctions } from "../profiler/function-source.js";
import { BuildError } from "./errors.js";
import type { FunctionSite } from "./sites.js";

export interface ProfileMatch {
  site: FunctionSite;
  entry: HotEntry;
  /** False when the entry carries no sourceHash, so the version could not be checked. */
  verified: boolean;
}

export interface ProfileApplication {
  matches: ProfileMatch[];
  /** Entries above the threshold naming no function of the project (node internals, libraries, closures). */
  unmatched: Array<{ name: string; file: string; line: number; reason: string }>;
}

/** Reads the profile, mapping the profiler's errors to EBUILD_PROFILE. */
export function readBuildProfile(path: string): LoadedProfile {
  try {
    return loadProfile(path);
  } catch (e) {
    throw new BuildError("EBUILD_PROFILE", (e as Error).message, { file: path }, { cause: e });
  }
}

function stem(file: string): string {
  const clean = file.replace(/^file:\/\//, "").replace(/[?#].*$/, "");
  return basename(clean).replace(/\.(d\.)?(m|c)?(t|j)sx?$/, "");
}

/**
 * Matches hot entries (selfPercent ≥ `minSelfPercent`) to project functions.
 * `liveSource(site)` returns the compiled function's `toString()` (the probe);
 * `emittedJs(site)` the JS of its module, used to tell an entry about another
 * function of the same name (a method, a nested function) from a stale one.
 */
export async function matchProfile(
  profile: LoadedProfile,
  sites: FunctionSite[],
  liveSource: (site: FunctionSite) => Promise<string | null>,
  display: (file: string) => string,
  minSelfPercent: number,
  emittedJs: (site: FunctionSite) => string | null = () => null,
): Promise<ProfileApplication> {
  const matches: ProfileMatch[] = [];
  const unmatched: ProfileApplication["unmatched"] = [];
  const taken = new Set<FunctionSite>();
  for (const entry of profile.entries) {
    if (entry.selfPercent < minSelfPercent) continue;
    const candidates = sites.filter((s) => s.name === entry.name && stem(s.sourceFile.getFilePath()) === stem(entry.file));
    if (candidates.length === 0) {
      // V8 names a class's constructor by the class (tinycolor's hot `TinyColor`, sweep30 F8).
      const file = sites.find((s) => stem(s.sourceFile.getFilePath()) === stem(entry.file))?.sourceFile;
      const isClass = !!entry.name && !!file?.getClass(entry.name);
      const reason = !entry.name ? "anonymous function" : isClass ? `the constructor of class \`${entry.name}\` (constructors are left as written)` : "no top-level function or class method of that name in a module of that name";
      unmatched.push({ name: entry.name, file: entry.file, line: entry.line, reason });
      continue;
    }
    if (!entry.sourceHash) {
      if (candidates.length === 1) {
        if (!taken.has(candidates[0]!)) matches.push({ site: candidates[0]!, entry, verified: false });
        taken.add(candidates[0]!);
      } else {
        unmatched.push({ name: entry.name, file: entry.file, line: entry.line, reason: "ambiguous: several functions of that name and no source hash" });
      }
      continue;
    }
    let hit: FunctionSite | undefined;
    const seen: string[] = [];
    for (const c of candidates) {
      const text = await liveSource(c);
      if (text === null) continue;
      const h = sourceHash(text);
      seen.push(h);
      if (h === entry.sourceHash) { hit = c; break; }
    }
    if (!hit) {
      const c = candidates[0]!;
      // Another function of the current build has exactly that text: the entry is about it, not a stale version of ours.
      const js = emittedJs(c);
      const script = js === null ? undefined : scriptFunctions(js);
      if (script?.functions.some((f) => sourceHash(js!.slice(f.textStart, f.textEnd)) === entry.sourceHash)) {
        unmatched.push({ name: entry.name, file: entry.file, line: entry.line, reason: "a nested function, or a method kos build could not reach (only top-level functions and class methods are optimized)" });
        continue;
      }
      throw new BuildError("EBUILD_PROFILE_STALE",
        `the profile was recorded from a different version of \`${entry.name}\` (profile source hash ${entry.sourceHash.slice(0, 12)}…, ` +
        `current ${seen[0]?.slice(0, 12) ?? "unknown"}…); re-run \`kos profile\` on the current build`,
        { file: c.sourceFile.getFilePath(), line: c.line, column: c.column, display: display(c.sourceFile.getFilePath()) });
    }
    if (!taken.has(hit)) matches.push({ site: hit, entry, verified: true });
    taken.add(hit);
  }
  return { matches, unmatched };
}
