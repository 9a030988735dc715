/**
 * Value and type profiles for one argument position, as V8's feedback
 * vectors keep them: a small state machine that only moves towards "less
 * stable" (constant → shape → type → varies), so recording is a compare in
 * the common case and nothing is allocated after the first observation.
 */

import { typedArrayName } from "../compiler/builtins.js";

const isProxy = process.getBuiltinModule("node:util").types.isProxy;

/**
 * The type names kos speculates on; the compiler's TypeAssumption uses the same spelling.
 * A proxy is "proxy", a tag no assumption takes: `Array.isArray` on a revoked one throws.
 */
export function typeTagOf(v: unknown): string {
  if (v === null) return "null";
  const t = typeof v;
  if (t !== "object") return t;
  if (isProxy(v)) return "proxy";
  if (Array.isArray(v)) return "array";
  const kind = typedArrayName(v);
  if (kind !== undefined) return `typedarray:${kind}`;
  return "object";
}

const enum State {
  Uninitialized = 0,
  Constant = 1,
  Shape = 2,
  Type = 3,
  Varies = 4,
}

/**
 * Own keys of a plain object, as a string: the "hidden class" kos can see from JavaScript.
 * Null for a proxy: listing its keys would run its ownKeys and getOwnPropertyDescriptor traps,
 * which the program never asked for.
 */
function shapeOf(v: object): string | null {
  return isProxy(v) ? null : Object.keys(v).join("\u0000");
}

export class ArgumentProfile {
  private state: State = State.Uninitialized;
  private value: unknown = undefined;
  private tag = "";
  private shape = "";

  observe(v: unknown): void {
    switch (this.state) {
      case State.Uninitialized:
        this.state = State.Constant;
        this.value = v;
        this.tag = typeTagOf(v);
        return;
      case State.Constant:
        // Object.is semantics: 0 and -0 are different constants, NaN equals NaN.
        if (v === this.value ? v !== 0 || Object.is(v, this.value) : v !== v && this.value !== this.value) return;
        this.demote(v);
        return;
      case State.Shape:
        if (typeTagOf(v) === "object" && shapeOf(v as object) === this.shape) return; // never null: the shape state has a string
        this.state = typeTagOf(v) === this.tag ? State.Type : State.Varies;
        return;
      case State.Type:
        if (typeTagOf(v) !== this.tag) this.state = State.Varies;
        return;
      default:
        return;
    }
  }

  private demote(v: unknown): void {
    const tag = typeTagOf(v);
    if (tag !== this.tag) {
      this.state = State.Varies;
    } else if (tag === "object") {
      const a = shapeOf(this.value as object);
      this.state = a !== null && a === shapeOf(v as object) ? State.Shape : State.Type;
      this.shape = a ?? "";
    } else {
      this.state = State.Type;
    }
    this.value = undefined; // do not keep a user's object alive once it stopped being constant
  }

  get stability(): "constant" | "shape" | "type" | "varies" | "unseen" {
    return (["unseen", "constant", "shape", "type", "varies"] as const)[this.state];
  }
  get constantValue(): unknown {
    return this.value;
  }
  get typeTag(): string {
    return this.tag;
  }
  /** Forget everything (after a deopt proved the speculation wrong). */
  markVaries(): void {
    this.state = State.Varies;
    this.value = undefined;
  }
}
