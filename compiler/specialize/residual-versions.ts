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
}

declare module "./specializer.js" {
  interface Specializer {
    /** Residual versions made this compile, by call signature (null: the signature could not be made one). */
    versions?: Map<string, Version | null>;
    /** The frames running where the versions being built were called from, innermost first (generalizedCall counts levels across them). */
    callerFrames?: Frame[];
    versionCall(info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Val | null;
    versionDeclarations(): Array<{ name: string; node: Node }>;
    generalizedCall(info: FnInfo, fn: Function, thisVal: Val, args: Val[], signature: readonly string[]): Val | null | undefined;
  }
}

const P = Specializer.prototype;

/**
 * Most versions one compile makes. Each is a full specialization of its function: jsonpath-plus's
 * `_trace` and sift's `walkKeyPathValues` each need one per static path depth, which stays well
 * below this for a realistic program.
 */
const MAX_VERSIONS = 24;

P.versionCall = function (this: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Val | null {
  if (this.generic || info.usesArguments) return null;
  // An object kos made would have to be allocated to be passed, and its identity is in the key.
  if (thisVal.k === "v" || args.some((a) => a.k === "v")) return null;
  const versions = (this.versions ??= new Map());
  let version = versions.get(key);
  if (version === null) return null;
  if (version === undefined) {
    if (versions.size >= MAX_VERSIONS || this.budget <= 0 || this.frame.depth + 1 > this.options.maxDepth) return null;
    version = buildVersion(this, info, fn, thisVal, args, key, signature);
    if (!version) return null;
  }
  const argNodes: Node[] = [];
  if (version.passesThis) argNodes.push(this.residual(thisVal));
  for (const i of version.passed) argNodes.push(this.residual(args[i]!));
  this.foreignCodeMayRun();
  return D({ type: "CallExpression", optional: false, callee: id(version.name), arguments: argNodes });
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
  const moving = new Set<number>();
  let levels = 0;
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
  }
  if (levels < GENERALIZE_AFTER || moving.has(0)) return undefined;
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

P.versionDeclarations = function (this: Specializer): Array<{ name: string; node: Node }> {
  const out: Array<{ name: string; node: Node }> = [];
  for (const v of this.versions?.values() ?? []) if (v?.node) out.push({ name: v.name, node: v.node });
  return out;
};

/** Specializes the body for this signature, apart from the code around the call; null if it cannot be. */
function buildVersion(s: Specializer, info: FnInfo, fn: Function, thisVal: Val, args: Val[], key: string, signature: readonly string[]): Version | null {
  const versions = s.versions!;
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
  versions.set(key, version);
  const before = new Set(versions.keys());
  const made = evaluateDetached(s, { env: new Map(), ownStacks: true, restoreStaleMiss: false }, () => s.inlineFrame(info, info.node, new Map(), boundThis, boundArgs, key, undefined, fn, signature));
  if (made.result) version.node = { type: "FunctionDeclaration", id: id(version.name), params: params.map(id), generator: false, async: false, expression: false, body: detachedBlock(made) };
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
