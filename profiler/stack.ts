/**
 * The common currency of the profile readers: sampled call stacks, root
 * first, each with a sample weight. `.cpuprofile` trees and 0x's v8 log ticks
 * are both turned into this before hot-function analysis.
 */

/** One frame of a sampled stack. `line`/`column` are 0-based, as in `.cpuprofile`. */
export interface Frame {
  name: string;
  /** Script URL or path; "" for VM pseudo-frames such as `(garbage collector)`. */
  url: string;
  line: number;
  column: number;
  /** True when the frame was reconstructed from inlining data (positionTicks or 0x). */
  inlined?: boolean;
}

/** A stack (root first, leaf last) seen `weight` times. */
export interface StackSample {
  frames: Frame[];
  weight: number;
}

/** VM pseudo-frames: `(program)`, `(garbage collector)`, `(idle)`, `(root)`. */
export function isVmFrame(f: Frame): boolean {
  return f.url === "" && f.name.startsWith("(");
}

/** A stable identity for a function: name and definition position. */
export function frameKey(f: Frame): string {
  return `${f.name}\u0000${f.url}:${f.line}:${f.column}`;
}

/** Human label, with 1-based line and column as editors show them. */
export function frameLabel(f: Frame): string {
  if (isVmFrame(f)) return f.name;
  return `${f.name || "(anonymous)"} ${f.url}:${f.line + 1}:${f.column + 1}`;
}
