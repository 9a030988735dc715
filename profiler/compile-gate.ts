/**
 * The cost gate of one function at tier 0 (no `hotCalls` given): has it used enough time to pay
 * for its predicted compile (compile-cost.ts), and does the compile fit the process's compile
 * budget? tiering.ts holds one per function, made at its first call, over the process's one
 * compile-cost model.
 */
import { cpuUsage } from "../intrinsic-clocks.js";
import { trace, type Dispatcher } from "../compiler/dispatcher.js";
import { CLOSURE_ONLY_SAVED_SHARE, CompileCostModel, type CompileCostPrediction, type SourceEstimate } from "./compile-cost.js";
import { EXACT_CALLS } from "./tier0-sampling.js";

// Cost-gated tier-up is considered from this many calls on: the first EXACT_CALLS calls
// decide the first speculation.
export const MIN_GATED_CALLS = EXACT_CALLS;
/** fitsBudget reads the clock again once the function has used this much more of its own time (ms): a tenth of a cold small compile. */
const BUDGET_RECHECK_MS = 5;

export class CompileGate {
  private estimated: SourceEstimate | null = null;
  /** The gate's threshold (sampled ms) as last priced, and the cost model's revision it was priced at. */
  private payAtMs = Infinity;
  private pricedAt = -1;
  /** The prediction the last gate check made (what a compile that follows is measured against). */
  prediction: CompileCostPrediction | null = null;
  /** No argument stayed constant, and the closure is to be read at the tier-up (NoConstantArguments.holdsClosureInputs, through betOnClosure). */
  closurePending = false;
  private waitingSaid = false;
  private budgetSaid = false;
  /** After a "no" from fitsBudget, the asks answered "no" without reading the clock, doubling up to 64. */
  private budgetBackoff = 0;
  private budgetSkips = 0;
  /** The function's sampled time at the last clock read of fitsBudget. */
  private budgetCheckedAtMs = 0;

  constructor(
    private readonly d: Dispatcher,
    private readonly source: string,
    private readonly costs: CompileCostModel,
    /** The calls after which the gate says why it is still waiting (TieredFunction.hotCalls). */
    private readonly hotCalls: number,
    /** The share of the process's CPU time tiering's compiles may have cost (TieringOptions.compileBudget). */
    private readonly compileBudget: number,
  ) {}

  /** The source's part of the prediction (CompileCostModel.estimate), made when first asked. */
  estimate(): SourceEstimate {
    return (this.estimated ??= CompileCostModel.estimate(this.source));
  }

  /** No argument stayed constant: a version would fold the closure alone, and is priced again with the closure-only share. */
  betOnClosure(): void {
    this.closurePending = true;
    this.pricedAt = -1; // priced again with the closure-only share
  }

  /** The share of its time a version is bet to save (compile-cost.ts). */
  private savedShare(): number {
    return this.closurePending ? CLOSURE_ONLY_SAVED_SHARE : this.estimated!.savedShare;
  }

  /** The cost gate: has the function used enough time (`sampledMs`) to pay for its predicted compile? */
  compileWouldPay(sampledMs: number): boolean {
    const costs = this.costs;
    // Priced again only when the model changed: a compile elsewhere in the process may have loaded
    // the compiler or rescaled it. A full price at every timed call (its explanation string included)
    // was most of the gate's cost.
    if (this.pricedAt !== costs.revision) {
      this.estimated ??= CompileCostModel.estimate(this.source);
      this.pricedAt = costs.revision;
      this.payAtMs = CompileCostModel.usedToPay(costs.priceMs(this.estimated), this.savedShare());
    }
    if (sampledMs < this.payAtMs && (this.waitingSaid || this.d.calls < this.hotCalls)) return false;
    if (sampledMs >= this.payAtMs && !this.fitsBudget(sampledMs)) return false;
    this.prediction = costs.price(this.estimated!);
    if (CompileCostModel.worthIt(sampledMs, this.prediction, this.savedShare())) return true;
    if (!this.waitingSaid && this.d.calls >= this.hotCalls) {
      this.waitingSaid = true;
      const p = this.prediction;
      const detail = `a compile is predicted to cost ${p.ms.toFixed(0)} ms of CPU (${p.why}); it compiles once the function has used ${CompileCostModel.usedToPay(p.ms, this.savedShare()).toFixed(0)} ms (${sampledMs.toFixed(1)} ms so far)`;
      this.d.event("waiting", detail);
      trace(`waiting ${this.d.name || "(anonymous)"}: ${detail}`);
    }
    return false;
  }

  /**
   * The process's compile budget (compile-cost.ts, COMPILE_BUDGET): has the process used
   * enough CPU that this compile keeps tiering's compiles within their share of it? Read only
   * once the function's own time would pay, at its timed calls (process.cpuUsage: about 1 µs).
   */
  fitsBudget(sampledMs?: number): boolean {
    // The process's CPU time grows slowly against a function's timed calls: asked at each one, the
    // clock read (process.cpuUsage, a syscall) was 5.7 ms of the rules program's 1.17 s run while
    // its functions waited for the budget. A "no" now holds for the next 1, 2, 4 … 64 asks, or
    // until the function itself has used BUDGET_RECHECK_MS more: a 0.5 ms kernel is timed once in
    // hundreds of calls, and 64 asks apart it read the clock every 16 s of its own time, compiling
    // at 40 s of CPU where the budget allowed it from 4.7 s (sweep48).
    if (this.budgetSkips > 0 && (sampledMs === undefined || sampledMs - this.budgetCheckedAtMs < BUDGET_RECHECK_MS)) {
      this.budgetSkips--;
      return false;
    }
    if (sampledMs !== undefined) this.budgetCheckedAtMs = sampledMs;
    const share = this.compileBudget;
    const needCpuMs = this.costs.budgetCpuMs(this.costs.priceMs(this.estimate()), share);
    const used = cpuUsage();
    const cpuMs = (used.user + used.system) / 1000;
    if (cpuMs >= needCpuMs) return true;
    this.budgetBackoff = Math.min(64, this.budgetBackoff * 2 || 1);
    this.budgetSkips = this.budgetBackoff;
    if (!this.budgetSaid) {
      this.budgetSaid = true;
      const detail = `its compile would pay from its own time, but it waits until tiering's compiles fit in ${+(share * 100).toPrecision(3)}% of the process's CPU time: from ${(needCpuMs / 1000).toFixed(1)} s of CPU (${(cpuMs / 1000).toFixed(1)} s so far)`;
      this.d.event("waiting", detail);
      trace(`waiting ${this.d.name || "(anonymous)"}: ${detail}`);
    }
    return false;
  }
}
