/**
 * The clean-up passes over what specialization leaves, in order. Each is
 * switchable by name (`disablePasses`), and with `tracePasses` the source
 * after each is kept for `inspect`.
 */
import type { Node } from "../ast.js";
import type { PassSnapshot } from "../types.js";
import { flattenBlocks } from "./flatten-blocks.js";
import { removeUnusedDeclarations } from "./remove-unused-declarations.js";
import { forwardTemporaries } from "./forward-temporaries.js";
import { removeDeadStores } from "./remove-dead-stores.js";
import { mergeAppends } from "./merge-appends.js";
import { chainAppends } from "./chain-appends.js";
import { threadBranchResults } from "./thread-branch-results.js";
import { branchesToLogical } from "./branches-to-logical.js";
import { slideWindows } from "./slide-windows.js";
import { hoistCommonAllocations } from "./hoist-common-allocations.js";
import { residualFeatures, type ResidualFeatures } from "./features.js";
import { nullishReads } from "./nullish-reads.js";
import { shareTemporaries } from "./share-temporaries.js";
import { sinkClosures } from "./sink-closures.js";
import { EVALUATOR_SWITCHES, OUTLINE_PASS, PASS_NAMES, RESIDUAL_PASS_NAMES } from "../pass-names.js";
import { copyColdCaptures } from "./cold-closure-captures.js";

export interface ResidualContext {
  disabled: Set<string>;
  fastmath: boolean;
  /** Residual variables named as in the source: engine messages may print them. */
  sourceNames: ReadonlySet<string>;
  trace: PassSnapshot[] | null;
  /** Generated code may call kos's own helpers (compiler/typed-array-checks.ts): not for `kos build`, whose output reaches every value from its module. */
  kosHelpers: boolean;
  /** The generated helper that makes a throwing read (nullish-reads.ts), and kos's prefix for its own names; absent for `kos build`. */
  nullReads?: { helper: string; prefix: string; originalNodes?: number };
  /** Parameters the version's entry guards check to be objects (typed arrays, arrays, `object`, functions): never null there. */
  objectParams?: ReadonlySet<string>;
  preview: (fn: Node) => string;
  /** The hook a fork's generic branch calls first (`$k_deopt()`): what follows it in its statement list is cold. */
  forkMissHook?: string;
  /** Called before each pass: throws where the compile ran past its time (compile.ts). */
  checkTime?: () => void;
}

export interface ResidualPass {
  name: string;
  /** Rewrites the residual function in place; returns true if it changed anything. */
  run(fn: Node, ctx: ResidualContext): boolean;
  /** What the pass rewrites (features.ts): without it, the pass is skipped. */
  needs?: keyof ResidualFeatures;
}

export const RESIDUAL_PASSES: readonly ResidualPass[] = [
  { name: "flattenBlocks", run: flattenBlocks },
  { name: "threadBranchResults", run: threadBranchResults },
  { name: "branchesToLogical", run: branchesToLogical },
  { name: "removeDeadStores", run: removeDeadStores },
  { name: "forwardTemporaries", run: forwardTemporaries },
  { name: "removeUnusedDeclarations", run: removeUnusedDeclarations },
  { name: "flattenBlocksAgain", run: flattenBlocks },
  // After the blocks are flattened: the block it may make for a captured declaration stays.
  { name: "sinkClosures", run: sinkClosures },
  { name: "hoistCommonAllocations", run: hoistCommonAllocations, needs: "literalAllocations" },
  { name: "mergeAppends", run: mergeAppends, needs: "literalAppends" },
  // After mergeAppends: the separators it moves into the next append are chained with it.
  { name: "chainAppends", run: chainAppends, needs: "rightConcats" },
  { name: "slideWindows", run: slideWindows, needs: "forUpdates" },
  // Last: it rewrites reads into shapes the clean-ups above do not look through.
  { name: "nullishReads", run: nullishReads },
  // After every pass that tells temporaries apart by name: it gives several one name.
  { name: "shareTemporaries", run: shareTemporaries },
  // After every pass that writes bindings: it copies the ones no later write reaches.
  { name: "copyColdCaptures", run: copyColdCaptures, needs: "closures" },
];

// The names `jit()` accepts in `disablePasses` before this module loads are these passes' own.
if (RESIDUAL_PASSES.map((p) => p.name).join() !== RESIDUAL_PASS_NAMES.join()) throw new Error("kos: compiler/pass-names.ts does not list the residual passes of residual/pipeline.ts");

export { EVALUATOR_SWITCHES, OUTLINE_PASS, PASS_NAMES };

/**
 * Rounds of the store/temporary/declaration passes: removing one dead store can leave the
 * store that fed it dead (`a = d; b = a;` with `b` unread). On json-logic-js's eligibility rule
 * (bench/programs/rules.ts) the residual was 19,154 bytes after one round, 18,611 after two
 * and 18,570 after three.
 */
const MAX_ROUNDS = 3;
// branchesToLogical is in the round: an inner `if` it turns into `r2 = p || q` is then forwarded
// into its parent's branch (`r = r2`), which it can turn too.
const ROUND = new Set(["branchesToLogical", "removeDeadStores", "forwardTemporaries", "removeUnusedDeclarations"]);

export function runResidualPipeline(fn: Node, ctx: ResidualContext): void {
  // Found once, before the first pass that needs them: the gated passes come last, and none of
  // them makes what another looks for.
  let features: ResidualFeatures | null = null;
  const run = (pass: ResidualPass): boolean => {
    if (ctx.disabled.has(pass.name)) return false;
    ctx.checkTime?.();
    if (pass.needs && !(features ??= residualFeatures(fn))[pass.needs]) return false;
    const changed = pass.run(fn, ctx);
    if (ctx.trace && changed) ctx.trace.push({ pass: pass.name, source: ctx.preview(fn) });
    return changed;
  };
  const round = RESIDUAL_PASSES.filter((p) => ROUND.has(p.name));
  for (const pass of RESIDUAL_PASSES) {
    if (pass === round[0]) runRounds(round, run);
    else if (!ROUND.has(pass.name)) run(pass);
  }
}

/**
 * The round's passes again while a round changes something, at most MAX_ROUNDS times. A pass
 * rewrites the same tree the same way each time it is given it: once each pass in turn has left
 * the tree as it found it, the rest of the round and any round after would too, and are not run.
 * A round that ended with its one change early in it (a dead store) was run again whole, only to
 * find nothing: the round's unchanged runs were 3% of compiling mustache, json-logic-js, sift,
 * jmespath and mingo (ctprobe.mjs).
 */
export function runRounds(round: readonly ResidualPass[], run: (pass: ResidualPass) => boolean): void {
  let unchangedRuns = 0;
  for (let r = 0; r < MAX_ROUNDS; r++) {
    let changed = false;
    for (const p of round) {
      if (run(p)) {
        changed = true;
        unchangedRuns = 0;
      } else if (++unchangedRuns === round.length) return;
    }
    if (!changed) return;
  }
}
