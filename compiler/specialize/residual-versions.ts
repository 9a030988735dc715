/**
 * Residual versions: polyvariant specialization of recursion (mix's
 * specialized program points for functions). A call that recurs on a
 * signature already being inlined (`walk(item[i], path, next, depth)` inside
 * `walk(item, path, next, depth)`, with `path`, `next` and `depth` known)
 * cannot be inlined again without end. It becomes a call of a function
 * specialized once for that signature: its static arguments folded in, its
 * dynamic ones its parameters. The version is declared beside the residual
 * function (compile.ts hands it to assemble.ts as a helper), and calls of the same signature inside it call it
 * again, so the recursion runs specialized at every depth.
 *
 * A version starts from nothing known of the heap: it is called from
 * anywhere, after any code. Reads of unfrozen objects in it are therefore
 * speculated where they are made (speculation.ts), never folded on an entry
 * guard, and its call counts as foreign code for the caller.
 */
import type { Node } from "../ast.js";
import { Specializer, id, type Frame } from "./specializer.js";
import { D, type Val } from "./values.js";
import type { FnInfo } from "./fn-info.js";
import { keyOf } from "./inlining.js";
import { detachedBlock, evaluateDetached } from "./detached-bodies.js";

interface Version {
  name: string;
  /** Positions of the arguments passed at run time (the dynamic ones), in order. */
  passed: number[];
  /** `this` is passed first (a dynamic receiver of a function that reads it). */
  passesThis: boolean;
  node: Node | null;
  /** Its body is built after the code around its first call (planVersion). */
  deferred?: boolean;
}

/** A version whose body is built once the code around its first call is done (see deferBuild). */
interface PendingVersion {
  version: Version;
  key: string;
  /** Builds the body with the frames of the first call restored; null where it could not be built. */
  build: () => Node | null;
  /** Calls the function as written, with the version's parameters: its body where the build fails. */
  fallback: () => Node;
}

declare module "./specializer.js" {
  interface Specializer {
    /** Residual versions made this compile, by call signature (null: the signature could not be made one). */
    versions?: Map<string, Version | null>;
    /** The frames running where the versions being built were called from, innermost first (generalizedCall counts levels across them). */
    callerFrames?: Frame[];
    versionCall(info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[], defer?: boolean): Val | null;
    versionDeclarations(): Array<{ name: string; node: Node }>;
    /** Versions called already whose bodies wait for the code around them to be done (deferBuild). */
    pendingVersions?: PendingVersion[];
    /** Calls of deferred versions emitted so far this compile (never decreases: speculation.ts counts them as a pass's work). */
    deferredCalls?: number;
    buildPendingVersions(): void;
    loopedRecursionCall(info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Val | null;
    generalizedCall(info: FnInfo, fn: Function, thisVal: Val, args: Val[], signature: readonly string[]): Val | null | undefined;
    /** Bodies inlined this compile by the shape of their call (function and signature with its numbers erased). */
    shapeBodies?: Map<string, number>;
    /** Counts a body inlined for this call's shape; returns how many were inlined before it. */
    countShapeBody(fn: Function, signature: readonly string[]): number;
    /** Frames at this depth or above are not restarted by a generalization (detached-bodies.ts sets it). */
    restartFloor?: number;
    /** The depth of the frame of the version being built (detached-bodies.ts): shapeBodies counts from there. */
    versionDepth?: number;
    /** Shapes of recursion generalized from their outermost level (restartedCall), with the positions that moved. */
    branchingShapes?: Map<string, ReadonlySet<number>>;
    /** The version call that replaces `frame`'s inlined body, where `e` restarts it (generalizedCall); else undefined. */
    restartedCall(e: unknown, frame: Frame, thisVal: Val, args: Val[]): Val | null | undefined;
  }
}

const P = Specializer.prototype;

/**
 * Most versions one compile makes. Each is a full specialization of its function: jsonpath-plus's
 * `_trace` and sift's `walkKeyPathValues` each need one per static path depth, which stays well
 * below this for a realistic program.
 */
const MAX_VERSIONS = 24;

/** `defer`: a new version's body is built after the code around it (planVersion), else here. */
P.versionCall = function (this: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[], defer = false): Val | null {
  if (this.generic || info.usesArguments) return null;
  // An object kos made would have to be allocated to be passed, and its identity is in the key.
  if (thisVal.k === "v" || args.some((a) => a.k === "v")) return null;
  const versions = (this.versions ??= new Map());
  let version = versions.get(key);
  if (version === null) return null;
  if (version === undefined) {
    if (versions.size >= MAX_VERSIONS || this.budget <= 0 || this.frame.depth + 1 > this.options.maxDepth) return null;
    version = defer ? planVersion(this, info, fn, thisVal, args, key, signature) : buildVersion(this, info, fn, thisVal, args, key, signature);
    if (!version) return null;
  }
  const argNodes: Node[] = [];
  if (version.passesThis) argNodes.push(this.residual(thisVal));
  for (const i of version.passed) argNodes.push(this.residual(args[i]!));
  this.foreignCodeMayRun();
  if (version.deferred) this.deferredCalls = (this.deferredCalls ?? 0) + 1;
  return D({ type: "CallExpression", optional: false, callee: id(version.name), arguments: argNodes });
};

/**
 * A function calling itself inside a loop over data its own body runs (a tree walker's
 * `for (…) walk(item[i], path, next, depth, i, item)`): a residual version of that signature, where
 * forks spend a compile-wide budget (deferBuild). Unfolded, each level copied the callee's whole
 * specialized body into the loop once more: sift's key-path walker tests at every level whether the
 * value is an array and walks its items, so each operation of a query carried a copy of itself per
 * level of its path, which the inputs run only when the value is an array. As a version it is one
 * function per signature, built after the code around it, with the budgets left. Only a call on the
 * same program as the running one (its static arguments the same, the others dynamic): the call
 * that goes one level deeper outside the loop (`walk(item[key], path, next, depth + 1)`) and a
 * schema walker's call on an array's item schema unfold as before.
 * Null where the call is not of that kind.
 */
P.loopedRecursionCall = function (this: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Val | null {
  const frame = this.frame;
  if (frame.info.fn !== fn || !frame.signature || signature.length < frame.signature.length || this.residualLoops <= (frame.loopsAtEntry ?? 0) || !deferBuild(this)) return null;
  // The same program as the running call's (every static argument the same), on other data: a
  // schema walker's call for an array's items passes another schema, which unfolds as before. (An
  // argument the running call did not pass is undefined there, as the default of a dynamic one.)
  if (!signature.every((p, i) => p === "d" || p === frame.signature![i])) return null;
  return this.versionCall(info, fn, thisVal, args, key, signature, true);
};

/**
 * Recursion that only counts: the same function inlined again and again on the same values but
 * for a number that moves at each level (`walk(item[k], path, next, depth + 1)` where the length of
 * `path` is not known here, so nothing ends it). Unfolding it ran to the inlining depth: sift's
 * key-path walker, on a path read after foreign code, unrolled 16 levels of guarded copies per
 * operation and spent the compile's whole budget on its first operation, leaving the other six
 * as calls of the library. After GENERALIZE_AFTER such levels the moving numbers become
 * parameters of one residual version, which then calls itself (mix's generalization).
 * Returns undefined when the call is not of that kind (inlining goes on as usual).
 */
P.generalizedCall = function (this: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], signature: readonly string[]): Val | null | undefined {
  if (this.generic) return undefined;
  const shape = shapeKey(this.objectId(fn), signature);
  const branching = this.branchingShapes?.get(shape);
  // The same shape has numbers where this one had them.
  if (branching) return generalizedVersionCall(this, info, thisVal, args, signature, branching);
  const moving = new Set<number>();
  let levels = 0;
  let outermost: Frame | undefined;
  for (const f of [this.frame, ...(this.frameStack ?? []), ...(this.callerFrames ?? [])]) {
    if (f.info.fn !== fn || !f.signature) continue;
    const differ: number[] = [];
    let other = false;
    // Over the arguments both calls pass: a walker's calls at one level and the next may pass a flag
    // more or less (sift's `walk(item[i], path, next, depth, i, item, true)` into an array). By the
    // signatures at entry: an object kos made counts with the fields it had then, so a parser's
    // `this.expression(rbp)` after `this.index` moved is not the same call with another number.
    const n = Math.min(signature.length, f.signature.length);
    for (let i = 0; i < n; i++) {
      const a = signature[i]!;
      const b = f.signature[i]!;
      if (a === b) continue;
      if (a.startsWith("s:number:") && b.startsWith("s:number:")) differ.push(i);
      else other = true;
    }
    if (other || differ.length === 0) continue;
    levels++;
    for (const i of differ) moving.add(i);
    // The outermost level entered first (the counts only grow), wherever its frame is listed.
    if (f.shapeBodiesAtEntry !== undefined && f.depth >= (this.versionDepth ?? 0) && shapeKey(this.objectId(fn), f.signature) === shape && f.shapeBodiesAtEntry < (outermost?.shapeBodiesAtEntry ?? Infinity)) outermost = f;
  }
  // Bodies of this shape inlined since the outermost level began: the levels where the recursion
  // is linear, many more where it branches (a tree walk's `walk(node.l, d + 1); walk(node.r, d + 1)`
  // unfolded 2^8 bodies before its eighth level).
  const bodies = outermost ? (this.shapeBodies?.get(shape) ?? 0) - outermost.shapeBodiesAtEntry! : 0;
  if ((levels < GENERALIZE_AFTER && bodies < GENERALIZE_AFTER) || moving.has(0)) return undefined;
  // Where it branches, the levels unfolded so far are thrown away and the outermost one calls the
  // version instead (mix's generalization upward): kept, each is a copy of the body on a counter
  // that ends nothing, with the whole subtree of calls under it (restartedCall).
  if (bodies > levels && outermost && restartable(this, outermost, this.frameStack ?? [])) throw new GeneralizeFrom(outermost, moving);
  const general = args.map((a, i) => (moving.has(i + 1) ? D(this.residual(a), "number") : a));
  const generalSignature = signature.map((p, i) => (moving.has(i) ? "d" : p));
  return this.versionCall(info, fn, thisVal, general, keyOf(this.objectId(fn), generalSignature), generalSignature);
};

/**
 * Levels of counting recursion unfolded before the counter becomes a parameter (see generalizedCall).
 * A walk whose end is known ends before it: a frozen 5-key path walked into nested arrays ran 8.2 ns a
 * call with its keys folded, against 21.1 ns generalized after 3 levels (the original: 51-55 ns).
 * sift's walker on paths read after foreign code compiled alike, and ran alike, with 3 and with 8.
 */
const GENERALIZE_AFTER = 8;

/** Thrown where a branching counting recursion is found, to the inlined frame of its outermost level. */
class GeneralizeFrom {
  constructor(
    readonly frame: Frame,
    /** Positions of the signature (`this` first) whose numbers moved. */
    readonly moving: ReadonlySet<number>,
  ) {}
}

/**
 * Whether `frame` can be restarted: an inlined frame of the evaluation running now (not one of a
 * version's callers, nor above the body being built apart, where the throw would leave it half
 * made), on arguments a version can take.
 */
function restartable(s: Specializer, frame: Frame, stack: Frame[]): boolean {
  return !frame.root && frame.depth > (s.restartFloor ?? 0) && (frame === s.frame || stack.includes(frame));
}

P.restartedCall = function (this: Specializer, e: unknown, frame: Frame, thisVal: Val, args: Val[]): Val | null | undefined {
  if (!(e instanceof GeneralizeFrom) || e.frame !== frame || !frame.signature) return undefined;
  // Met again (another call site, the second pass of a speculation), the shape is generalized at
  // once: rou3's findRoute unfolded and threw away 8 bodies for each, and its tiered compile
  // passed its 1.6 s at load 4.
  (this.branchingShapes ??= new Map()).set(shapeKey(this.objectId(frame.info.fn), frame.signature), e.moving);
  return generalizedVersionCall(this, frame.info, thisVal, args, frame.signature, e.moving);
};

/** The call of the version with the `moving` numbers, and any object kos made, as parameters. */
function generalizedVersionCall(s: Specializer, info: FnInfo, thisVal: Val, args: Val[], signature: readonly string[], moving: ReadonlySet<number>): Val | null {
  const fn = info.fn;
  // An object kos made is allocated to be passed (a walk's accumulator, `_findAll(child, …, matches)`):
  // each level's copy differs in it, so it is generalized with the counter.
  const generalSignature = signature.map((p, i) => (moving.has(i) || p.startsWith("v") ? "d" : p));
  // With nothing static left (a walk on a child it does not know and a counter), a version would
  // be the function as written: the call stays a call of it. rou3's findRoute specialized on its
  // router: 1,730 -> 795 ms of compile CPU, 77 -> 56 KB, 722 -> 685 ns a call (the original 652).
  if (!generalSignature.some((p, i) => p !== "d" && p !== "s:undefined:undefined" && (i > 0 || info.usesThis))) return null;
  const general = args.map((a, i) => (moving.has(i + 1) ? D(s.residual(a), "number") : a.k === "v" ? D(s.residual(a)) : a));
  const generalThis = thisVal.k === "v" ? D(s.residual(thisVal)) : thisVal;
  return s.versionCall(info, fn, generalThis, general, keyOf(s.objectId(fn), generalSignature), generalSignature);
}

/** A call's function and signature with its numbers erased: the levels of counting recursion share it. */
const shapeKey = (fnId: number, signature: readonly string[]): string => keyOf(fnId, signature.map((p) => (p.startsWith("s:number:") ? "n" : p)));

P.countShapeBody = function (this: Specializer, fn: Function, signature: readonly string[]): number {
  const key = shapeKey(this.objectId(fn), signature);
  const counts = (this.shapeBodies ??= new Map());
  const before = counts.get(key) ?? 0;
  counts.set(key, before + 1);
  return before;
};

P.versionDeclarations = function (this: Specializer): Array<{ name: string; node: Node }> {
  const out: Array<{ name: string; node: Node }> = [];
  for (const v of this.versions?.values() ?? []) if (v?.node) out.push({ name: v.name, node: v.node });
  return out;
};

/**
 * Whether a new version's body waits until the code around its call is done. Where reads of
 * unfrozen objects are speculated on again after foreign code (speculation.ts), every fork spends
 * one compile-wide budget (MAX_FORKS, the generic branches' nodes, the unroll budget), and a body
 * built at its first call spent it depth-first: sift's key-path walker, recursing into the items of
 * an array at each level of its first operation (an `$or`), built versions that took 58 of the 161
 * forks, and the budget ran out before the six operations after it, which stayed calls of the
 * library on every call. A version is called from anywhere, after any code (it starts from nothing
 * known of the heap), so its body does not depend on where it is built; built last, the code that
 * runs on every call is specialized first, and the versions take what is left. Not inside a loop
 * whose objects are shared across its iterations (loop-shared-objects.ts): a body there may undo
 * what that loop assumed, which must be known before the loop is emitted. Only for the calls
 * loopedRecursionCall makes versions (a walk into data the inputs rarely have): other recursion
 * (mustache's sections) is the program's own hot path, and deferred with the rest it was left
 * with less (mustache's explicit use: 0.81x the library against 1.82x by the wall median).
 */
function deferBuild(s: Specializer): boolean {
  return s.options.freeze === "guard" && s.foreignRan && s.staleMiss && !s.sharedFrames?.length;
}

/** A version named and called now, its body built by buildPendingVersions. */
function planVersion(s: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Version {
  const { version, boundThis, boundArgs, params } = versionShape(s, info, thisVal, args);
  version.deferred = true;
  s.versions!.set(key, version);
  const frame = s.frame;
  const frameStack = [...(s.frameStack ?? [])];
  const callerFrames = s.callerFrames;
  const build = (): Node | null => {
    const saved = { frame: s.frame, frameStack: s.frameStack, callerFrames: s.callerFrames };
    s.frame = frame;
    s.frameStack = frameStack;
    s.callerFrames = callerFrames;
    // As where it was called (deferBuild): an unfrozen object was read, so speculating pays.
    s.staleMiss = true;
    try {
      const made = evaluateDetached(s, { env: new Map(), ownStacks: true, restoreStaleMiss: false }, () => s.inlineFrame(info, info.node, new Map(), boundThis, boundArgs, key, undefined, fn, signature));
      return made.result ? functionOf(version.name, params, detachedBlock(made)) : null;
    } finally {
      s.frame = saved.frame;
      s.frameStack = saved.frameStack;
      s.callerFrames = saved.callerFrames;
    }
  };
  const fallback = (): Node => {
    // `fn.call(receiver, ...arguments)`, as the call was written: its static values as constants.
    // A receiver that is not passed is not read by the function (versionShape): the caller's node means nothing here.
    const receiver = boundThis.k === "d" && !version.passesThis ? { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } } : s.residual(boundThis);
    const callArgs = [receiver, ...boundArgs.map((a) => s.residual(a))];
    const call: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: s.constNode(fn), property: id("call"), computed: false, optional: false }, arguments: callArgs };
    return functionOf(version.name, params, { type: "BlockStatement", body: [{ type: "ReturnStatement", argument: call }] });
  };
  (s.pendingVersions ??= []).push({ version, key, build, fallback });
  return version;
}

/**
 * Builds the bodies of the versions planVersion deferred, in the order of their first calls (those
 * their bodies call are built after them). One whose body cannot be built calls the function as
 * written, and the versions its attempt made go with it, as in buildVersion.
 */
P.buildPendingVersions = function (this: Specializer): void {
  const pending = this.pendingVersions;
  if (!pending) return;
  const versions = this.versions!;
  while (pending.length) {
    const next = pending.shift()!;
    if (versions.get(next.key) !== next.version) continue;
    // With the unroll budget spent nothing in the body would be inlined or unrolled: the body is the
    // function's own code, which the call as written runs at no cost to the compile (sift: 9 of its
    // versions, 6,874 residual lines down to 6,676; its tiering compile 816-916 ms in the bench,
    // main's 844 ms in the same minutes).
    if (this.budget <= 0) {
      next.version.node = next.fallback();
      continue;
    }
    const before = new Set(versions.keys());
    const pendingBefore = pending.length;
    const node = next.build();
    if (node) {
      next.version.node = node;
      continue;
    }
    for (const k of [...versions.keys()]) if (!before.has(k)) versions.delete(k);
    pending.splice(pendingBefore);
    next.version.node = next.fallback();
  }
};

function functionOf(name: string, params: string[], body: Node): Node {
  return { type: "FunctionDeclaration", id: id(name), params: params.map(id), generator: false, async: false, expression: false, body };
}

/** A version's name and parameters: `this` first where it is passed, then the dynamic arguments. */
function versionShape(s: Specializer, info: FnInfo, thisVal: Val, args: Val[]): { version: Version; boundThis: Val; boundArgs: Val[]; params: string[] } {
  const passesThis = info.usesThis && thisVal.k === "d";
  const params: string[] = [];
  const sourceParams = info.node.params as Node[];
  const boundThis = passesThis ? D(id(param(s, "self", params))) : thisVal;
  const passed: number[] = [];
  const boundArgs = args.map((a, i) => {
    if (a.k !== "d") return a;
    passed.push(i);
    const p = sourceParams[i];
    return D(id(param(s, p?.type === "Identifier" ? p.name : "arg", params)));
  });
  const version: Version = { name: s.fresh(info.parsed.name || "version"), passed, passesThis, node: null };
  return { version, boundThis, boundArgs, params };
}

/** Specializes the body for this signature, apart from the code around the call; null if it cannot be. */
function buildVersion(s: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Version | null {
  const versions = s.versions!;
  const { version, boundThis, boundArgs, params } = versionShape(s, info, thisVal, args);
  versions.set(key, version);
  const before = new Set(versions.keys());
  const made = evaluateDetached(s, { env: new Map(), ownStacks: true, restoreStaleMiss: false }, () => s.inlineFrame(info, info.node, new Map(), boundThis, boundArgs, key, undefined, fn, signature));
  if (made.result) version.node = functionOf(version.name, params, detachedBlock(made));
  if (!version.node) {
    // The versions its attempt made are reached only from the code thrown away.
    for (const k of [...versions.keys()]) if (!before.has(k)) versions.delete(k);
    versions.set(key, null);
    return null;
  }
  return version;
}

/** A parameter of a version, named as the source names it where that name is free (engine messages print it). */
function param(s: Specializer, hint: string, params: string[]): string {
  const name = s.fresh(hint);
  s.immutable.add(name);
  params.push(name);
  return name;
}
