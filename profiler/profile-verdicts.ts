/**
 * `kos profile` records in `kos-profile.json` what `KOS_PROFILE` will decide for each function it
 * acts on, where that is to settle it on the original: the core's own decision (profile-guided.ts),
 * computed from the same entry, as the core would compute it in a process that has not loaded the
 * compiler yet. The dormant tier (compiler/dormant.ts, recorded-verdicts.ts) then settles these
 * functions without loading kos's core: a program whose wrapped functions all settle (the life,
 * logs and rules programs of bench/programs) no longer pays the core's load, about 9-10 ms of CPU.
 *
 * The decision needs the share of its time a version of the function is bet to save, which depends
 * on the function's source (compile-cost.ts): the profiled run's feedback carries it
 * (FunctionFeedback.savedShare). An entry whose share is needed and unknown gets no verdict, and the
 * core decides it as before.
 */
import { LOAD_MS } from "./compile-budget.js";
import { profileSaysGeneric, profileShare } from "./profile-guided.js";
import { matchTables } from "./profile-file.js";
import { settledInProfile, tieringActsOn, type HotEntry, type KosProfile } from "./profile-schema.js";
import { VERDICT_MODEL } from "./recorded-verdicts.js";

/**
 * `profile` with a `settle` reason on each entry the core's lookup takes for its source key, acts on,
 * and settles, and the model they were decided under. `savedShareOf(sourceKey)`: the share its
 * source is bet to save (CompileCostModel.estimate), or undefined where unknown.
 */
export function recordSettleVerdicts(profile: KosProfile, savedShareOf: (sourceKey: string) => number | undefined): KosProfile {
  const verdicts = new Map<string, string>();
  for (const [key, entry] of matchTables(profile).byKey) {
    if (!tieringActsOn(entry)) continue;
    // The source's share counts only where an argument was constant (profileShare); a settled entry needs none.
    const constant = !settledInProfile(entry) && !!entry.stableArgs?.some((a) => a.stability === "constant");
    const share = constant ? savedShareOf(key) : 0;
    if (share === undefined) continue;
    // LOAD_MS: before kos's core loads, no compile has loaded the compiler (CompileCostModel.pendingLoadMs).
    const reason = profileSaysGeneric(entry, profileShare(entry, { savedShare: share }), LOAD_MS);
    if (reason !== null) verdicts.set(key, reason);
  }
  const seen = new Set<string>();
  const hot = profile.hot.map((e): HotEntry => {
    const { settle: _stale, ...entry } = e;
    if (!e.sourceKey || seen.has(e.sourceKey)) return entry;
    seen.add(e.sourceKey);
    const reason = verdicts.get(e.sourceKey);
    return reason === undefined ? entry : { ...entry, settle: reason };
  });
  return { ...profile, hot, verdictModel: VERDICT_MODEL };
}
