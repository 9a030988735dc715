/**
 * A function none of whose arguments stayed constant: tiering compiles only on constants, so it
 * settles on the original, unless its closure holds its program (compiler/closure-inputs.ts),
 * which a version folds. tiering.ts makes one per function when it first needs it.
 */
import { trace, type Dispatcher } from "../compiler/dispatcher.js";
import type { ArgumentProfile } from "./feedback.js";
import type { CompileCostModel } from "./compile-cost.js";
import type { CompileGate } from "./compile-gate.js";

// A cost-gated function none of whose arguments (nor its receiver) has stayed one constant over this
// many calls settles on the original: tiering compiles only on constants, so it would wait at tier 0
// for a compile that cannot come. lodash's `_.get(object, path, default)`, called with other objects
// and paths, paid 7 ns a call over its 91 ns at tier 0 (0.92x) for 480,000 calls
// (/work/explore probe, Node 20.20.2); the time-based gate had not even priced it.
export const NO_CONSTANT_CALLS = 2048;
// Such a function is still compiled if its closure holds its program (closureInputs), but asking
// costs the compiler's load once (23 ms of CPU) and a closure read through the inspector: it is
// asked only of functions whose calls take at least this long (ms, the median of their last timed calls), where tier 0's own cost is
// under 1% and a version has most to fold (sift's matcher 2 µs a call, jsonschema's validate 30-120 µs).
const CLOSURE_CHECK_MS = 0.001;

export class NoConstantArguments {
  /** The stable closure bindings holding a program (compiler/closure-inputs.ts), read when no argument stayed constant. */
  private closureInputs: string[] = [];
  private closureChecked = false;

  constructor(
    private readonly d: Dispatcher,
    /** Reads the closure inputs (through the compiler, which it loads). */
    private readonly readInputs: () => string[],
    private readonly costs: CompileCostModel,
    private readonly gate: CompileGate,
  ) {}

  /**
   * At NO_CONSTANT_CALLS calls of a cost-gated function with no version (asked once): why it
   * settles on the original, or null when an argument (or the receiver) stayed constant, or its
   * closure is to be read (holdsClosureInputs). `perCallMs`: its time per call as it runs now.
   */
  settleReason(profiles: ArgumentProfile[], receiver: ArgumentProfile | null, perCallMs: number): string | null {
    if (profiles.some((p) => p?.stability === "constant") || receiver?.stability === "constant" || this.holdsClosureInputs(perCallMs)) return null;
    return `no argument stayed constant over its first ${NO_CONSTANT_CALLS} calls (tiering speculates on constants; stable types alone are left to V8)`;
  }

  /**
   * No argument stayed constant: the function may still hold its program in its closure
   * (compiler/closure-inputs.ts). A function whose calls take CLOSURE_CHECK_MS (per call, as it runs now)
   * keeps waiting at tier 0, and its closure is read when the cost gate says a compile would pay
   * (reading it loads the compiler and the inspector: about 100 ms the first time in a process,
   * a few ms after); without closure inputs it then settles on the original.
   */
  private holdsClosureInputs(perCallMs: number): boolean {
    if (!(perCallMs >= CLOSURE_CHECK_MS)) return false;
    this.gate.betOnClosure(); // priced again with the closure-only share
    this.d.event("no-constant", "no argument stayed constant; the closure is read for a program to fold once a compile would pay");
    return true;
  }

  /** Reads the closure inputs once; true when there are some. */
  readClosureInputs(): boolean {
    if (this.closureChecked) return this.closureInputs.length > 0;
    this.closureChecked = true;
    try {
      this.closureInputs = this.readInputs();
    } catch {
      this.closureInputs = [];
    }
    this.costs.loaded();
    if (this.closureInputs.length === 0) return false;
    this.d.event("closure-inputs", `no argument stayed constant; its closure holds ${this.closureInputs.map((x) => `\`${x}\``).join(", ")}, which a version folds`);
    trace(`closure inputs ${this.d.name || "(anonymous)"}: ${this.closureInputs.join(", ")}`);
    return true;
  }
}
