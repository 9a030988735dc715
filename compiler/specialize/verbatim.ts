/**
 * Residual code copied from the source: nested functions and classes, and
 * the few expressions kos does not specialize. The copy is built from fresh
 * nodes. References to the enclosing function's bindings are renamed to
 * their residual variables (which are made to hold their current values
 * first); free names become references to the values kos resolved.
 */
import { expandShorthand, type Node } from "../ast.js";
import { childKeys, walk } from "../ast.js";
import { KNOWN_GLOBALS } from "../builtins.js";
import { Specializer, id } from "./specializer.js";
import type { Slot } from "./specializer.js";
import { declarableName } from "./source-name-plans.js";
import { closureSourceNames, type CapturedRead } from "./closure-source-names.js";

declare module "./specializer.js" {
  interface Specializer {
    verbatim(n: Node, sourceNamed?: Map<string, Node>): Node;
  }
}

const P = Specializer.prototype;

const isNonArrowFunction = (n: Node) => n.type === "FunctionExpression" || n.type === "FunctionDeclaration";

/**
 * With `sourceNamed`, the local variables the copy only reads keep their source names where their
 * residual variables are named otherwise (a second unrolled iteration's `fn4` is `fn4_3`): the map
 * gets source name → residual variable, for the caller to declare the names just before the copy
 * (engine messages print them: "fn4 is not a function"). Not for a copy that makes a closure (it
 * would capture the declared copy), nor for a variable a closure may write (read early, it could
 * be stale).
 */
P.verbatim = function (this: Specializer, n: Node, sourceNamed?: Map<string, Node>): Node {
  const scopes = this.frame.info.scopes;
  this.escapeReferencedIn([n]);
  const renames = new Map<Node, Node>();
  const written: Slot[] = [];
  const makesClosure = containsFunction(n);
  const pinnedNow: Slot[] = [];
  // The captured locals the copied closure reads under other names (closure-source-names.ts).
  const capturedReads: CapturedRead[] = [];
  const visit = (x: Node, ownThis: boolean) => {
    walk(x, (y) => {
      if (y !== x && isNonArrowFunction(y)) {
        visit(y, false);
        return false;
      }
      // `this.#x` of a known receiver, copied: the field's value (generated code cannot name `#x`).
      if (y.type === "MemberExpression" && y.property.type === "PrivateIdentifier" && !this.privateNamesHere()) {
        if (y.object.type !== "ThisExpression" || !ownThis) this.fail("USES_PRIVATE_NAME", `the function reads \`#${y.property.name as string}\` of an object not known at compile time; generated code outside the class cannot reach private names`, y);
        const v = this.foldedPrivateRead(y);
        renames.set(y, this.residual(v));
        return false;
      }
      if (y.type === "ThisExpression" && ownThis) {
        if (!this.frame.root) renames.set(y, this.residual(this.frame.thisVal));
        return;
      }
      if (y.type !== "Identifier") return;
      const ref = scopes.referenceOf(y);
      if (!ref) return;
      const variable = ref.resolved;
      if (variable) {
        const slot = this.frame.slots.get(variable);
        if (slot?.scopeEnded) {
          // Out of its block (see Slot.scopeEnded): a constant it holds is copied as that constant.
          const known = this.env?.get(slot)?.val;
          if (ref.isWrite() || !known || known.k !== "s" || makesClosure) this.fail("UNSUPPORTED", `'${slot.name}' is a binding of an inlined call that has ended (a closure it returned reads it)`, y);
          renames.set(y, this.constNode(known.v));
          return;
        }
        if (slot) {
          // A static value stays known after the copy reads it (a non-pinned slot is not
          // captured by a closure, so only this expression reads the variable, now); a copy
          // that writes it makes it dynamic below.
          this.materialize(slot, true);
          // A captured binding is declared in place by its own declaration (or, never reached, at the end
          // of its block, keeping its temporal dead zone): a closure made before it must not hoist it.
          if (!slot.declared && !slot.pinned) this.declare(slot);
          if (slot.lazy && makesClosure && !slot.pinned) pinnedNow.push(slot);
          // Named here before its declaration runs (a closure in its own initializer): declared under
          // this name too. Renamed in place, the second arm of a speculation declared `lo` and its
          // closure read `lo_6` (sweep27 repro-6).
          if (slot.pinned && !slot.declared && makesClosure) slot.keepName = true;
          if (slot.name !== y.name) {
            renames.set(y, id(slot.name));
            if (!ref.isWrite()) capturedReads.push({ ref: y, slot, def: variable.defs[0] as CapturedRead["def"] });
          }
          if (ref.isWrite()) written.push(slot);
        } else if (variable.defs[0]?.type === "FunctionName" && variable.scope.type === "function-expression-name" && variable.scope.block === this.frame.info.node) {
          renames.set(y, { ...this.constNode(this.frame.info.fn), sourceName: y.name });
        }
        return;
      }
      if (y.name === "arguments") {
        if (ownThis && !this.frame.root) this.fail("USES_ARGUMENTS", "`arguments` is used inside a closure of an inlined function", y);
        return;
      }
      if (ref.isWrite()) this.fail("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${y.name}'`, y);
      const value = this.freeVariable(y.name, y);
      if (value.k === "s") {
        const g = (globalThis as Record<string, unknown>)[y.name];
        if (!(KNOWN_GLOBALS.has(y.name) && g === value.v)) {
          const c = this.constNode(value.v);
          // A reference keeps the source's name where it can (compile.ts): messages name it as written.
          renames.set(y, c.type === "KosConst" ? { ...c, sourceName: y.name } : c);
        }
        else if (this.globalRef(y.name).type !== "Identifier") renames.set(y, this.globalRef(y.name));
      } else if (value.k === "d") renames.set(y, value.e);
    });
  };
  visit(n, !isNonArrowFunction(n));
  // A closure the copy makes would capture the declared copy of a name it reads: those keep their
  // residual names. (Kept for none before: `str.split(" ").map((w) => w + "!")` of an inlined `str`
  // failed as "str_1.split is not a function", nunjucks's `title` filter so, where the original
  // names `str`.)
  if (sourceNamed) keepSourceNames(this, n, renames, written, sourceNamed, makesClosure ? namesInFunctions(n) : null);
  closureSourceNames(n, capturedReads, renames, (x) => cloneWith(x, renames));
  const copy = cloneWith(n, renames);
  // A captured binding whose declaration has not run yet (a hoisted function that writes a later
  // `let`) stays in its temporal dead zone: its declaration, when it runs, is the one it names.
  for (const slot of written) if (!slot.pinned || this.env!.has(slot)) this.env!.set(slot, { val: null });
  // The closure now shares the variable: from here on every write goes to it, and a reassigned one is
  // read from it (the closure may write it whenever foreign code runs).
  for (const slot of pinnedNow) {
    slot.pinned = true;
    slot.latePinned = true;
    if (slot.reassigned && this.env) this.env.set(slot, { val: null });
  }
  if (written.length || mayRunCode(n)) this.foreignCodeMayRun();
  return copy;
};

/**
 * See `sourceNamed` above: drops the renames of read-only locals whose source name nothing else in
 * the copy takes. A local of an inlined call that has ended, copied as the primitive it holds (a
 * missing argument's `void 0`), is declared under its name with that value: V8 names the callee as
 * written, "f is not a function", where the copy said "(void 0) is not a function" (sweep29
 * repro-1, fp-ts's `modifyAt(k)(r)` with `f` missing).
 */
function keepSourceNames(s: Specializer, n: Node, renames: Map<Node, Node>, written: Slot[], out: Map<string, Node>, readByClosures: Set<string> | null): void {
  const writtenNames = new Set(written.map((w) => w.name));
  // Source name -> the slot its renames read (null: two slots, or one that must stay renamed), and the value to declare.
  const target = new Map<string, { slot: Slot; init: Node } | null>();
  const taken = new Set<string>();
  for (const [from, to] of renames) {
    if (to.type === "Identifier") taken.add(to.name as string);
    if (from.type !== "Identifier") continue;
    const slot = s.slotOf(from);
    const ok = !!slot && !readByClosures?.has(from.name) && (to.type === "Identifier" ? slot.name === to.name && !slot.pinned && !writtenNames.has(slot.name) : !!slot.scopeEnded && isPrimitiveConstant(to));
    const prev = target.get(from.name);
    target.set(from.name, ok && (prev === undefined || prev?.slot === slot) ? (prev ?? { slot: slot!, init: to.type === "Identifier" ? id(to.name as string) : to }) : null);
  }
  // A name some other identifier of the copy takes (a residual variable, a free name) stays renamed.
  walk(n, (y) => {
    if (y.type === "Identifier" && !renames.has(y)) taken.add(y.name as string);
  });
  for (const [name, chosen] of target) {
    if (!chosen || taken.has(name) || !declarableName(name)) continue;
    out.set(name, chosen.init);
    for (const from of [...renames.keys()]) if (from.type === "Identifier" && from.name === name && s.slotOf(from) === chosen.slot) renames.delete(from);
  }
}

/** A constant that reads as the primitive it is and runs nothing: a literal (not a regular expression), `void 0`, `-1`. */
function isPrimitiveConstant(n: Node): boolean {
  if (n.type === "Literal") return !n.regex;
  return n.type === "UnaryExpression" && (n.operator === "void" || n.operator === "-") && n.argument.type === "Literal" && !n.argument.regex;
}

/** Every identifier name inside the functions and classes `n` contains. */
function namesInFunctions(n: Node): Set<string> {
  const names = new Set<string>();
  walk(n, (y) => {
    if (y.type === "FunctionExpression" || y.type === "ArrowFunctionExpression" || y.type === "FunctionDeclaration" || y.type === "ClassExpression" || y.type === "ClassDeclaration") {
      walk(y, (z) => void (z.type === "Identifier" && names.add(z.name as string)));
      return false;
    }
    return;
  });
  return names;
}

function containsFunction(n: Node): boolean {
  let found = false;
  walk(n, (y) => {
    if (found) return false;
    if (y.type === "FunctionExpression" || y.type === "ArrowFunctionExpression" || y.type === "FunctionDeclaration" || y.type === "ClassExpression" || y.type === "ClassDeclaration") found = true;
    return;
  });
  return found;
}

/**
 * Whether evaluating the copy may run code of the program's: a call, a proxy trap or
 * `Symbol.hasInstance` (`in`, `instanceof`), a conversion (`valueOf`/`toString` of an operand, a
 * computed key, a template's parts), an iterator (spread, destructuring, for-of), a setter. A
 * member read alone is not counted: a callee copied as written (`re.test`) is judged with its call
 * (regexp-calls.ts: a private RegExp's test runs nothing), and the other copies of reads are made
 * after a probe of the same code, whose foreign code its undo keeps (specializer.ts). Making a
 * function runs none of its code; making a class runs its heritage expression, computed keys,
 * static blocks and static field initialisers. Counted as calls only, a copied `{ ...x }`, `[...x]`,
 * `{ [x]: 1 }` or `class { static { … } }` let the code after it fold reads of an unfrozen
 * configuration that the getter, iterator, `toString` or static block had just changed.
 */
function mayRunCode(n: Node): boolean {
  let found = false;
  walk(n, (y) => {
    if (found) return false;
    if (y.type === "FunctionExpression" || y.type === "ArrowFunctionExpression" || y.type === "FunctionDeclaration") return false;
    if (y.type === "ClassExpression" || y.type === "ClassDeclaration") {
      if (y.superClass || (y.body.body as Node[]).some((m) => m.computed || m.type === "StaticBlock" || (m.static && m.type === "PropertyDefinition" && m.value))) found = true;
      return false;
    }
    switch (y.type) {
      case "CallExpression": case "NewExpression": case "TaggedTemplateExpression": case "SpreadElement": case "RestElement":
      case "ObjectPattern": case "ArrayPattern": case "UpdateExpression": case "AssignmentExpression":
      case "ForOfStatement": case "ForInStatement": case "YieldExpression": case "AwaitExpression": case "ImportExpression":
        found = true;
        return false;
      case "BinaryExpression":
        if (y.operator !== "===" && y.operator !== "!==") found = true;
        return;
      case "UnaryExpression":
        if (y.operator === "+" || y.operator === "-" || y.operator === "~" || y.operator === "delete") found = true;
        return;
      case "TemplateLiteral":
        if ((y.expressions as Node[]).length) found = true;
        return;
      case "Property":
        if (y.computed) found = true;
        return;
    }
    return;
  });
  return found;
}

/** A deep copy of `n` (fresh nodes, `loc` dropped) with some nodes replaced. */
export function cloneWith(n: Node, replace: Map<Node, Node>): Node {
  const r = replace.get(n);
  if (r) return r.type === "KosConst" ? { ...r } : cloneWith(r, new Map());
  // A constant's value is shared, never walked: an array value was copied item by item as if it
  // were a list of nodes, so a closure copied twice (an object literal's method, made by an inlined
  // function, then emitted) pushed to a copy of the module's array instead of the array itself.
  if (n.type === "KosConst") return { ...n };
  const out: Node = {};
  for (const key of Object.keys(n)) {
    if (key === "loc" || key === "range" || key === "start" || key === "end") continue;
    const v = n[key];
    if (Array.isArray(v)) out[key] = v.map((c) => (c && typeof c === "object" && typeof c.type === "string" ? cloneWith(c, replace) : c));
    else if (v && typeof v === "object" && typeof v.type === "string") out[key] = cloneWith(v, replace);
    else if (key === "regex" && v) out[key] = { ...v };
    else if (key === "value" && n.type === "TemplateElement") out[key] = { ...v };
    else out[key] = v;
  }
  // Shorthand properties whose value was renamed must be written out in full.
  if (out.type === "Property" && out.shorthand && (out.value.type !== "Identifier" || out.value.name !== out.key.name)) return expandShorthand(out);
  void childKeys;
  return out;
}
