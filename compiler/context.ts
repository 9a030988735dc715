/**
 * The state one compilation carries through the pipeline. A root compile and
 * the helpers it specializes (calls with constant arguments) share `shared`:
 * one name space, one memo of specializations, one budget.
 */
import type { Node } from "./ast.js";
import { analyzeScopes, type ScopeInfo } from "./analyze/scopes.js";
import type { FreezePolicy, TypeAssumption, PassSnapshot } from "./types.js";

export interface Helper {
  name: string;
  /** The specialized FunctionExpression, emitted as a declaration beside the main function. */
  node: Node | null;
  /** Names of the parameters kept (the dynamic ones), in order. */
  keptParams: number[];
  /** Set while the helper's own body is being compiled (recursion guard). */
  compiling: boolean;
  /** The helper body is a single `return <expr>` that may be inlined at call sites. */
  inlinable: boolean;
}

export interface SharedState {
  /** Prefix of every generated identifier; chosen so that no user identifier starts with it. */
  prefix: string;
  nextName: number;
  helpers: Helper[];
  /** function → specialization key → helper. */
  memo: Map<Function, Map<string, Helper>>;
  objectIds: WeakMap<object, number>;
  nextObjectId: number;
  inlinesDone: number;
  freeze: FreezePolicy;
  fastmath: boolean;
  unrollBudget: number;
  maxHelpers: number;
  maxDepth: number;
  inlineBudget: number;
  disabled: Set<string>;
  trace: PassSnapshot[] | null;
}

export interface CompileContext {
  shared: SharedState;
  /** The live function being specialized, when there is one. */
  fn: Function | null;
  /** The function node being optimized (mutated by the passes). */
  root: Node;
  name: string;
  strict: boolean;
  specialize: Map<string, unknown>;
  assume: Map<string, TypeAssumption>;
  scope: Record<string, unknown>;
  depth: number;
  /** Set by a pass when it changed the tree. */
  changed: boolean;
  /** Scope analysis of `root`, valid until a pass changes the tree (the pipeline clears it). */
  scopeCache?: ScopeInfo | null;
}

/** The scope analysis of the tree as it is now; reused while no pass has changed it. */
export function scopesOf(ctx: CompileContext): ScopeInfo {
  if (!ctx.scopeCache) ctx.scopeCache = analyzeScopes(ctx.root, ctx.strict);
  return ctx.scopeCache;
}

export function freshName(shared: SharedState, hint: string): string {
  const clean = hint.replace(/[^A-Za-z0-9_$]/g, "_").slice(0, 32);
  return `${shared.prefix}${clean}_${shared.nextName++}`;
}

export function objectId(shared: SharedState, value: object): number {
  let id = shared.objectIds.get(value);
  if (id === undefined) {
    id = shared.nextObjectId++;
    shared.objectIds.set(value, id);
  }
  return id;
}
