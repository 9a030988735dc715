/**
 * The verdicts `kos profile` recorded in a `kos-profile.json` (profile-verdicts.ts), as the dormant
 * tier (compiler/dormant.ts) reads them: under `KOS_PROFILE` naming one file, a `jit(fn)` whose
 * entry says it settles returns `fn` itself without loading kos's core.
 *
 * Why: the core decides the same from the same file, but loading it to do so cost a program whose
 * wrapped functions all settle about 9-10 ms of CPU at its first `jit()` (the life program of
 * bench/programs: 0.98× no kos under KOS_PROFILE). What is uncertain is left to the core, as before:
 * several profiles (they merge, and the merged profile decides anew), a file the core would reject
 * (it reports why, with the error's code, at the function's first call), verdicts of another model.
 */
import { tieringActsOn, validateProfile } from "./profile-schema.js";

/**
 * The model of KOS_PROFILE's decisions that verdicts are recorded under: bumped whenever what the
 * core decides from an entry changes (profile-guided.ts, compile-cost.ts, compile-budget.ts's
 * LOAD_MS), so that a profile written before is decided anew by the core. test/profiler/
 * profile-verdicts.test.ts pins the decisions of model 1 on a grid of entries and fails on a change.
 */
export const VERDICT_MODEL = 1;

/**
 * The settle reasons `list` records, by source key (of the first entry with each key, the one the
 * core's lookup takes: profile-file.ts, matchTables), or null where the core must decide: `list`
 * names several files, or the one it names cannot be read, is not JSON, is not a valid version-1
 * profile, or has no verdicts of this model.
 */
export function readSettleVerdicts(list: string): Map<string, string> | null {
  const { delimiter } = process.getBuiltinModule("node:path");
  if (list.includes(",") || list.includes(delimiter)) return null;
  const path = list.trim();
  let profile;
  try {
    profile = validateProfile(JSON.parse(process.getBuiltinModule("node:fs").readFileSync(path, "utf8")), path);
  } catch {
    return null;
  }
  if (profile.verdictModel !== VERDICT_MODEL) return null;
  const byKey = new Map<string, string>();
  const seen = new Set<string>();
  for (const e of profile.hot) {
    if (!e.sourceKey || seen.has(e.sourceKey)) continue;
    seen.add(e.sourceKey);
    if (e.settle !== undefined && tieringActsOn(e)) byKey.set(e.sourceKey, e.settle);
  }
  return byKey;
}
