/**
 * A bound function's target, bound `this` and bound arguments, read through `node:inspector`
 * (`Runtime.getProperties` lists them as the internal properties `[[TargetFunction]]`,
 * `[[BoundThis]]` and `[[BoundArgs]]`; no JavaScript API reaches them). Only the Runtime domain:
 * no Debugger, no script is read.
 *
 * Two readers use it: the core's closure reader (closure.ts), over the session it already has,
 * and the dormant tier (dormant.ts), before kos's core is loaded, through {@link BoundReader}:
 * `jit(obj.method.bind(obj))` loaded the whole core at `jit()` to unbind, and so skipped the
 * dormant tier, whose entry costs nothing measurable, for tier-0 profiling from the first call
 * (minimatch's `Minimatch#match` bound, 220 ns a call: 0.94-0.97x the library over 41 paired
 * rounds of CPU time, /tmp/unseen2/p7.mjs; nunjucks's `Template#render` bound, 0.96x).
 */
import { openSession, type InspectorLoader, type SyncSession } from "./inspector-session.js";
import { InspectorHolder, type InternalProperty } from "./inspector-holder.js";

export interface BoundParts { target: Function; thisArg: unknown; args: unknown[] }

/** The parts of `fn` through `session` and `remote`, or null (not a bound function, or the inspector failed). */
export function readBoundParts(session: SyncSession, remote: InspectorHolder, fn: Function): BoundParts | null {
  if (typeof fn !== "function") return null;
  try {
    return remote.withHolder(session, (post, holderId) => {
      if (!holderId) return null;
      const internals = post<{ internalProperties?: InternalProperty[] }>("Runtime.getProperties", { objectId: remote.remoteId(post, holderId, fn), ownProperties: true }).internalProperties ?? [];
      const target = internals.find((p) => p.name === "[[TargetFunction]]")?.value;
      const thisRO = internals.find((p) => p.name === "[[BoundThis]]")?.value;
      const argsRO = internals.find((p) => p.name === "[[BoundArgs]]")?.value;
      if (!target || !thisRO || !argsRO?.objectId) return null;
      const [targetFn, thisArg, argList] = remote.fetchValues(post, holderId, [target, thisRO, argsRO]);
      if (typeof targetFn !== "function" || !Array.isArray(argList)) return null;
      return { target: targetFn as Function, thisArg, args: [...(argList as unknown[])] };
    });
  } catch {
    return null;
  }
}

/**
 * A session of its own for unbinding, opened at the first use. The first unbind of a process
 * costs loading `node:inspector` and connecting (about 1 ms of CPU), each one after about
 * 0.1 ms; loading kos's core instead cost 10-23 ms of CPU (compiler/dormant.ts, compile-budget.ts).
 */
export class BoundReader {
  private session: SyncSession | null = null;
  private unavailable = false;
  private readonly remote = new InspectorHolder();

  constructor(private readonly loader?: InspectorLoader) {}

  /** The parts of `fn`, or null (not bound, or no inspector: the caller then goes the core's way). */
  read(fn: Function): BoundParts | null {
    if (this.unavailable) return null;
    if (!this.session) {
      const opened = openSession(this.loader);
      if (!opened.ok) {
        this.unavailable = true;
        return null;
      }
      this.session = opened.session;
    }
    return readBoundParts(this.session, this.remote, fn);
  }
}
