/**
 * The optimization pipeline, in one place. `bindSpecializedParams` runs once;
 * the rest run in rounds until nothing changes (or MAX_ROUNDS), because each
 * enables the others: folding makes a loop bound known, unrolling makes an
 * index constant, propagation feeds folding, specialization of a call
 * exposes a return value to inline. Any pass can be switched off by name
 * (`jit(fn, { disablePasses: ["unrollConstantLoops"] })`), and with
 * `tracePasses` the source after every pass is kept for `inspect`.
 */
import type { CompileContext } from "./context.js";
import { bindSpecializedParams } from "./passes/bind-specialized-params.js";
import { propagateConstants } from "./passes/propagate-constants.js";
import { foldConstants } from "./passes/fold-constants.js";
import { eliminateDeadBranches } from "./passes/eliminate-dead-branches.js";
import { narrowTypes } from "./passes/narrow-types.js";
import { forwardTemporaries } from "./passes/forward-temporaries.js";
import { conditionalReturns } from "./passes/conditional-returns.js";
import { reassociateReductions } from "./passes/reassociate-reductions.js";
import { trackLetValues } from "./passes/track-let-values.js";
import { inlineStatements } from "./passes/inline-statements.js";
import { unrollConstantLoops } from "./passes/unroll-constant-loops.js";
import { specializeCalls } from "./passes/specialize-calls.js";
import { removeDeadCode } from "./passes/remove-dead-code.js";
import { previewSource } from "./emit.js";

export interface Pass {
  name: string;
  run(ctx: CompileContext): void;
  /** Runs once, before the rounds. */
  once?: boolean;
}

export const PASSES: readonly Pass[] = [
  { name: "bindSpecializedParams", run: bindSpecializedParams, once: true },
  { name: "propagateConstants", run: propagateConstants },
  { name: "trackLetValues", run: trackLetValues },
  { name: "foldConstants", run: foldConstants },
  { name: "eliminateDeadBranches", run: eliminateDeadBranches },
  { name: "narrowTypes", run: narrowTypes },
  { name: "unrollConstantLoops", run: unrollConstantLoops },
  { name: "specializeCalls", run: specializeCalls },
  { name: "inlineStatements", run: inlineStatements },
  { name: "removeDeadCode", run: removeDeadCode },
  { name: "forwardTemporaries", run: forwardTemporaries },
  { name: "conditionalReturns", run: conditionalReturns },
  { name: "reassociateReductions", run: reassociateReductions },
];

export const PASS_NAMES = PASSES.map((p) => p.name);

const MAX_ROUNDS = 12;

export function runPipeline(ctx: CompileContext): void {
  const enabled = PASSES.filter((p) => !ctx.shared.disabled.has(p.name));
  const trace = ctx.depth === 0 ? ctx.shared.trace : null;
  if (trace) trace.push({ pass: "input", source: previewSource(ctx.root) });
  // A pass that ran on exactly this tree before would find nothing new: skip it.
  let treeVersion = 0;
  const lastRun = new Map<Pass, number>();
  const runOne = (pass: Pass, round: number) => {
    if (lastRun.get(pass) === treeVersion) return false;
    ctx.changed = false;
    pass.run(ctx);
    if (ctx.changed) {
      ctx.scopeCache = null;
      treeVersion++;
    }
    // A pass that changed the tree may find more in its own output: let it run again.
    lastRun.set(pass, ctx.changed ? -1 : treeVersion);
    if (trace && ctx.changed) trace.push({ pass: round < 0 ? pass.name : `${pass.name} (round ${round + 1})`, source: previewSource(ctx.root) });
    return ctx.changed;
  };
  for (const pass of enabled) if (pass.once) runOne(pass, -1);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    for (const pass of enabled) if (!pass.once && runOne(pass, round)) changed = true;
    if (!changed) break;
  }
}
