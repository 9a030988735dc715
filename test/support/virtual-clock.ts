import { CallClock } from "../../compiler/call-clock.js";

/**
 * A clock on virtual time: each call it makes costs what `cost` says of the function and its
 * arguments, so the verdicts of a gain check depend on no machine's timing.
 */
export class VirtualClock extends CallClock {
  private t: number;
  constructor(
    private readonly cost: (fn: Function, args: ArrayLike<unknown>) => number,
    start = 0,
  ) {
    super();
    this.t = start;
  }
  override now(): number {
    return this.t;
  }
  override probe(): number {
    return 0;
  }
  override call(fn: Function, thisArg: unknown, args: unknown[]): unknown {
    this.t += this.cost(fn, args);
    return Reflect.apply(fn, thisArg, args);
  }
}
