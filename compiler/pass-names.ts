/**
 * The names `disablePasses` accepts, in pipeline order, apart from the passes themselves: `jit()`
 * checks them when it is called (compiler/jit-options.ts), before the compiler is loaded, so that an
 * unknown name is a BAD_OPTIONS error as every other bad option is, not a fallback at the first
 * compile. The residual pipeline (residual/pipeline.ts) runs passes of exactly these names, in this
 * order, and says so at load.
 */
/** The clean-up passes over what specialization leaves (residual/pipeline.ts, RESIDUAL_PASSES). */
export const RESIDUAL_PASS_NAMES: readonly string[] = [
  "flattenBlocks", "threadBranchResults", "branchesToLogical", "removeDeadStores", "forwardTemporaries",
  "removeUnusedDeclarations", "flattenBlocksAgain", "sinkClosures", "hoistCommonAllocations", "mergeAppends",
  "chainAppends", "slideWindows", "nullishReads", "shareTemporaries", "copyColdCaptures",
];

/** Evaluator features that can be switched off by name too (`unrollLoops`: every loop stays a loop; `inlineCalls`: every call stays a call). */
export const EVALUATOR_SWITCHES: readonly string[] = ["unrollLoops", "inlineCalls"];

/** Splitting a function too big for V8 into several (outline-blocks.ts), after the clean-up. */
export const OUTLINE_PASS = "outlineLargeBlocks";

/** Throws of a fixed error moved into helpers of their own (outline-throws.ts), last. */
export const OUTLINE_THROWS_PASS = "outlineThrows";

/** A function's leading `let` of temporaries written as `var` (var-temporaries.ts), last. */
export const VAR_TEMPORARIES_PASS = "letTemporariesToVar";

export const PASS_NAMES: readonly string[] = ["specialize", ...EVALUATOR_SWITCHES, ...RESIDUAL_PASS_NAMES, OUTLINE_PASS, OUTLINE_THROWS_PASS, VAR_TEMPORARIES_PASS];
