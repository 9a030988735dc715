/**
 * A function body evaluated apart from the code around it: the body of a
 * function of its own that runs at a time kos does not know, after any code
 * (a residual version of a recursion, residual-versions.ts; a callback's
 * specialized body, callback-bodies.ts). It starts with no enclosing jump
 * targets, loops or `try`, with foreign code taken to have run (nothing read
 * from an unfrozen object before it holds in it), and every piece of the
 * evaluator's state around it is put back afterwards.
 */
import type { Node } from "../ast.js";
import { id, type Env, type Specializer } from "./specializer.js";
import type { Val } from "./values.js";

export interface DetachedBody {
  /** The body's statements, a `return` of its result last. */
  body: Node[];
  /** Its result; null where the body could not be evaluated (or never ended). */
  result: Val | null;
  /** Names the body declared (its temporaries): a `let` of them opens the function. */
  declared: string[];
}

export interface DetachOptions {
  /** What the body starts from. */
  env: Env;
  /**
   * Its own inlining and frame stacks (a version is called from anywhere: the frames running where
   * it was made are its callers'); otherwise it sees the ones around it, as a closure made here does.
   */
  ownStacks: boolean;
  /** Put back whether an unfrozen object was read (a callback's reads say nothing of the code around it). */
  restoreStaleMiss: boolean;
}

export function evaluateDetached(s: Specializer, options: DetachOptions, run: () => Val | null): DetachedBody {
  const saved = {
    out: s.out, env: s.env, targets: s.targets, dynDepth: s.dynDepth, tryDepth: s.tryDepth, foreignRan: s.foreignRan,
    staleMiss: s.staleMiss, residualLoops: s.residualLoops, loopHoists: s.loopHoists.splice(0), deadSlots: s.deadSlots,
    forkAnyway: s.forkAnyway, frameStack: s.frameStack, callerFrames: s.callerFrames,
    inlineStack: options.ownStacks ? s.inlineStack.splice(0) : null, hoisted: s.hoistMark(),
    // A body that runs later knows nothing of a loop's shared objects (loop-shared-objects.ts).
    sharedFrames: s.sharedFrames, restartFloor: s.restartFloor, versionDepth: s.versionDepth, shapeBodies: s.shapeBodies,
  };
  let body: Node[] = [];
  let result: Val | null = null;
  let declared: string[] = [];
  try {
    s.env = options.env;
    s.sharedFrames = saved.sharedFrames?.length ? saved.sharedFrames.map((f) => ({ ...f, guarded: 0, floors: new Map(), unsure: new Set(), leaked: new Set(), detached: f })) : saved.sharedFrames;
    s.targets = [];
    s.dynDepth = 0;
    s.tryDepth = 0;
    s.residualLoops = 0;
    s.deadSlots = null;
    s.forkAnyway = false;
    // A recursion generalized again from its outermost level (residual-versions.ts) never restarts a
    // frame outside this body, nor the version's own frame: the body would be left half made.
    s.restartFloor = s.frame.depth + (options.ownStacks ? 1 : 0);
    if (options.ownStacks) {
      // A version is a function of its own: the bodies it inlines are not levels of the recursion
      // that called it (a walker's version per array depth re-walks the rest of its path).
      s.versionDepth = s.frame.depth + 1;
      s.shapeBodies = new Map();
      s.callerFrames = [s.frame, ...(saved.frameStack ?? []), ...(saved.callerFrames ?? [])];
      s.frameStack = [];
    }
    s.foreignCodeMayRun();
    let ended = false;
    body = s.collect(() => {
      result = run();
      if (result && s.env) s.out.push({ type: "ReturnStatement", argument: s.residual(result) });
      ended = true;
    });
    if (!ended) result = null;
  } finally {
    declared = s.hoistedSince(saved.hoisted);
    s.out = saved.out;
    s.env = saved.env;
    for (const f of s.sharedFrames ?? []) if (f.detached && (f.voided || f.unsure.size || f.leaked.size)) f.detached.voided = true;
    s.sharedFrames = saved.sharedFrames;
    s.targets = saved.targets;
    s.dynDepth = saved.dynDepth;
    s.tryDepth = saved.tryDepth;
    s.foreignRan = saved.foreignRan;
    if (options.restoreStaleMiss) s.staleMiss = saved.staleMiss;
    s.residualLoops = saved.residualLoops;
    s.loopHoists.splice(0, s.loopHoists.length, ...saved.loopHoists);
    s.deadSlots = saved.deadSlots;
    s.forkAnyway = saved.forkAnyway;
    s.restartFloor = saved.restartFloor;
    s.versionDepth = saved.versionDepth;
    s.shapeBodies = saved.shapeBodies;
    if (saved.inlineStack) {
      s.frameStack = saved.frameStack;
      s.callerFrames = saved.callerFrames;
      s.inlineStack.splice(0, s.inlineStack.length, ...saved.inlineStack);
    }
  }
  return { body, result, declared };
}

/** The block of a detached function: `let` of what it declared, then its statements. */
export function detachedBlock(d: DetachedBody): Node {
  const decls: Node[] = d.declared.length ? [{ type: "VariableDeclaration", kind: "let", declarations: d.declared.map((n) => ({ type: "VariableDeclarator", id: id(n), init: null })) }] : [];
  return { type: "BlockStatement", body: [...decls, ...d.body] };
}
