/**
 * The dispatcher state of one jitted function (Numba's dispatcher object):
 * its tier, the compiled source, guards, counters and history. `inspect(f)`
 * reads it. The profiler's tiering registers its tiered functions here too.
 */
import type { Assumption, JitInspection, PassSnapshot } from "./types.js";

export interface DispatcherState {
  tier: JitInspection["tier"];
  name: string;
  source: string | null;
  passes: PassSnapshot[] | null;
  assumptions: Assumption[];
  fallbackReason: string | null;
  /** Read the live call count (generated code keeps it in a closure variable). */
  calls: () => number;
  deopts: number;
  deoptReasons: Map<string, number>;
  compileTimeMs: number;
  history: JitInspection["history"];
}

const registry = new WeakMap<Function, () => JitInspection>();

export function registerInspectable(f: Function, snapshot: () => JitInspection): void {
  registry.set(f, snapshot);
}

export function inspectRegistered(f: Function): JitInspection | null {
  return registry.get(f)?.() ?? null;
}

export function snapshotOf(state: DispatcherState): JitInspection {
  return {
    tier: state.tier,
    name: state.name,
    source: state.source,
    passes: state.passes,
    assumptions: state.assumptions,
    fallbackReason: state.fallbackReason,
    calls: state.calls(),
    deopts: state.deopts,
    compileTimeMs: state.compileTimeMs,
    history: [
      ...state.history,
      ...[...state.deoptReasons].map(([reason, count]) => ({ at: 0, event: "deopt", detail: `${reason} ×${count}` })),
    ],
  };
}
