/**
 * Property reads of a variable that may hold null or undefined throw from a helper of one line.
 *
 * V8 words the TypeError of such a read ("Cannot read properties of null (reading 'price')") by
 * parsing again the whole function the read is in (messages.cc, RenderCallSite), so that
 * throwing costs in proportion to the function's size: in a probe, 4.9 us a throw in a function
 * of one statement, 58 us with 100 more, 556 us with 1,000 (/tmp/throwsize.mjs, Node 20). A
 * residual is many times the size of the library functions it came from: expression-eval's
 * version threw at 37-40 us a call where the library threw at 7.4-8.3 us, so that on its
 * seeded inputs (7% of them throw) the version ran 3.5 times slower than the library in all,
 * though 3 times faster on the calls that return. Rewritten here, it threw at 4.5-5.4 us, and
 * its calls that return ran as before (86-89 ns; .scratch/eenull.mjs).
 *
 * `o.k` becomes `(o ?? $k_nullRead(o, "k")).k`: the helper runs only where the read throws, and
 * makes the same read, so the same error comes from a small function. Only where V8 words the
 * error by the value, never by the expression's text: a callee (`o.k is not a function`), `new`,
 * a spread, a for-of source, a destructuring source or a tag would read "(intermediate value)".
 * Only in functions past MIN_NODES, which throw slowly enough to matter, and only on variables
 * that may hold something else than an object literal, an array literal, a `new` or a function.
 * A read needs no helper where the variable is known to hold neither null nor undefined: after
 * a test of the residual's own that ruled them out (non-null-facts.ts), or after a read of the
 * same variable that ran whenever this one does (`o.a; … o.b`: had `o` been null, `o.a` threw).
 * With the second, valibot's natural version went from 1,002 helper reads to 436, mingo's from
 * 279 to 183, mustache's from 305 to 186 (1-4% less code).
 */
import { childKeys, countNodesUpTo, forEachPatternName, type Node } from "../ast.js";
import type { ResidualContext } from "./pipeline.js";
import { alwaysExits, namesWritten, nonNullWhenFalse, WrittenIndex } from "./non-null-facts.js";

/**
 * Functions smaller than this keep their reads as they are: a throw there is within a few times
 * the original's (a 50-statement function re-parses in about 25 us, from the probe above).
 */
const MIN_NODES = 600;
/**
 * Unless they are larger than the function they came from, and past this: then each throw costs
 * more than the original's. Squirrelly's compiled template (292 nodes) specialized on its config
 * was a version of 379 (its entry guards, calls inlined): on views that throw ("Cannot read
 * properties of null (reading 'html')", one in eight) it ran 33-35 us a throw against the
 * original's 26-28 us, 0.80x, and 0.86x over all its calls (.scratch/sq2.mjs). Libraries that
 * compile to closures throw from closures of one line: subscript's evaluator, 150 nodes once kos
 * had inlined its closures, threw a null read at 17 us against the library's 8.6 us, and ran 0.74x
 * the library on the expression-eval inputs (6% of them throw); with the helper, 8 us and 2.2x, its
 * calls that return unchanged (90-100 ns against 100 ns; .scratch/sub2.mjs, sub3.mjs). Below this,
 * a version is a kernel whose every read counts (horner, dot products) and whose throw costs little.
 */
const MIN_GROWN_NODES = 150;

export function nullishReads(fn: Node, ctx: ResidualContext): boolean {
  if (!ctx.nullReads) return false;
  const size = countNodesUpTo(fn, MIN_NODES);
  if (size < MIN_NODES && !(size >= MIN_GROWN_NODES && size > (ctx.nullReads.originalNodes ?? Infinity))) return false;
  const { helper, prefix } = ctx.nullReads;
  const candidates = maybeNullish(fn, prefix, ctx.objectParams);
  if (candidates.size === 0) return false;
  let changed = false;
  const temp = `${prefix}nr`;
  // The function being rewritten: a chain's read keeps its base in a variable of its own (null: an
  // arrow with an expression body, whose chains are left as written).
  let scope: { temp: string | null; used: boolean } = { temp, used: false };
  // Variables known here to hold neither null nor undefined (non-null-facts.ts), never one a nested
  // function writes (a call could run it between the test and the read).
  let facts = new Set<string>();
  const unsafe = new Set<string>();
  const written = new WrittenIndex(fn.body, FACT_BARRIERS, unsafe);
  const keep = (names: Iterable<string>) => {
    for (const name of names) if (!unsafe.has(name)) facts.add(name);
  };
  // Above 0 inside what may not run each time the code around it does (the right of `&&`, `||`,
  // `??` and their assignments, a conditional's branches, a default value, an optional call's
  // arguments, a for-loop's update): a read there says nothing about what follows.
  let conditional = 0;
  const visitConditionally = (n: Node | null | undefined, rendered: boolean): void => {
    conditional++;
    try {
      if (n) visit(n, rendered);
    } finally {
      conditional--;
    }
  };
  const visit = (n: Node, rendered: boolean): void => {
    if (!n || typeof n.type !== "string" || n.type === "KosConst") return;
    // A loop's body runs again after its own writes, a handler after part of its `try`, a case after
    // a jump or a fall-through, and a `break` leaves a labeled statement: none keeps a fact about a
    // variable it writes, nor lets one made inside it out.
    if (FACT_BARRIERS.has(n.type)) {
      const saved = new Set([...facts].filter((name) => !written.writes(n, name)));
      facts = new Set(saved);
      visitNode(n, rendered);
      retainIn(facts, saved);
      return;
    }
    // `o.k` read: past it, `o` holds neither null nor undefined (the read threw otherwise).
    const base = n.type === "MemberExpression" && !n.optional && n.object.type === "Identifier" ? (n.object.name as string) : null;
    visitNode(n, rendered);
    if (base !== null && conditional === 0) keep([base]);
    if (n.type === "AssignmentExpression" || n.type === "UpdateExpression" || n.type === "VariableDeclarator") for (const name of namesWritten(n)) facts.delete(name);
  };
  const visitNode = (n: Node, rendered: boolean): void => {
    switch (n.type) {
      case "BlockStatement":
      case "SwitchCase": {
        if (n.type === "SwitchCase" && n.test) visit(n.test, rendered);
        const saved = new Set(facts);
        for (const s of n.type === "SwitchCase" ? n.consequent : n.body) visit(s, rendered);
        retainIn(facts, saved);
        return;
      }
      case "IfStatement": {
        visit(n.test, rendered);
        const before = new Set(facts);
        visit(n.consequent, rendered);
        const afterConsequent = facts;
        // The alternate, and what follows an `if` whose consequent always leaves, run where the test was false.
        facts = new Set(before);
        keep(nonNullWhenFalse(n.test));
        if (n.alternate) visit(n.alternate, rendered);
        if (!alwaysExits(n.consequent)) retainIn(facts, afterConsequent);
        return;
      }
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "ArrowFunctionExpression": {
        const outer = scope;
        const outerFacts = facts;
        // A parameter's default cannot see the body's `let` of the temporary (sweep21, repro-1:
        // "$k_nr is not defined"): chains there are left as written.
        scope = { temp: null, used: false };
        // A closure runs later, after writes the facts here do not see.
        facts = new Set();
        try {
          for (const p of n.params) visit(p, false);
          scope.temp = n.body.type === "BlockStatement" ? temp : null;
          visit(n.body, false);
          if (scope.used) declareTemp(n.body, temp);
        } finally {
          scope = outer;
          facts = outerFacts;
        }
        return;
      }
      case "ChainExpression":
        // `o?.k`: a short-circuit decides what runs; left as written.
        return;
      case "LogicalExpression":
      case "AssignmentPattern":
        // The right of `&&`, `||`, `??`, and a default value, run only sometimes.
        visit(n.left, rendered);
        visitConditionally(n.right, rendered);
        return;
      case "ConditionalExpression":
        visit(n.test, rendered);
        visitConditionally(n.consequent, rendered);
        visitConditionally(n.alternate, rendered);
        return;
      case "ForStatement":
        if (n.init) visit(n.init, rendered);
        if (n.test) visit(n.test, rendered);
        visitConditionally(n.update, rendered);
        visit(n.body, rendered);
        return;
      case "CallExpression":
      case "NewExpression":
        visit(n.callee, true);
        for (const a of n.arguments) (n.optional ? visitConditionally : visit)(a, rendered);
        return;
      case "SpreadElement":
        visit(n.argument, true);
        return;
      case "TaggedTemplateExpression":
        visit(n.tag, true);
        visit(n.quasi, rendered);
        return;
      case "ForOfStatement":
        // `for (o.k of xs)` stores: "Cannot set properties of null (setting 'k')".
        visitTarget(n.left, rendered);
        visit(n.right, true);
        visit(n.body, rendered);
        return;
      case "YieldExpression":
        if (n.argument) visit(n.argument, rendered || n.delegate);
        return;
      case "VariableDeclarator":
        if (n.init) visit(n.init, rendered || n.id.type !== "Identifier");
        return;
      case "AssignmentExpression": {
        // A store's target is not a read; its object part is (`a.b.c = v` reads `a.b`).
        visitTarget(n.left, rendered);
        const right = rendered || (n.left.type !== "Identifier" && n.left.type !== "MemberExpression");
        if (n.operator === "&&=" || n.operator === "||=" || n.operator === "??=") visitConditionally(n.right, right);
        else visit(n.right, right);
        return;
      }
      case "UpdateExpression":
        visitTarget(n.argument, rendered);
        return;
      case "UnaryExpression":
        if (n.operator === "delete") {
          visitTarget(n.argument, rendered);
          return;
        }
        break;
      case "ForInStatement":
        visitTarget(n.left, rendered);
        visit(n.right, rendered);
        visit(n.body, rendered);
        return;
      case "MemberExpression": {
        if (rendered || n.optional || !keyIsPlain(n)) break;
        const key: Node = n.computed ? { ...n.property } : { type: "Literal", value: n.property.name, raw: JSON.stringify(n.property.name) };
        if (n.object.type === "Identifier" && candidates.has(n.object.name) && !facts.has(n.object.name)) {
          n.object = nullishOr(n.object.name, key, helper);
          changed = true;
          if (n.computed) visit(n.property, rendered);
          return;
        }
        if ((n.object.type === "MemberExpression" || n.object.type === "CallExpression" || n.object.type === "ChainExpression") && scope.temp) {
          // `a.b.c`: `((t = a.b) ?? h(t, "c")).c`, the base evaluated once, as written; so is a
          // parenthesized chain's (`(o?.item).price`, as an inlined `ctx?.item` leaves it).
          visit(n.object, rendered);
          const read: Node = { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: scope.temp }, right: n.object };
          n.object = { ...nullishOr(scope.temp, key, helper), left: read };
          scope.used = true;
          changed = true;
          if (n.computed) visit(n.property, rendered);
          return;
        }
        break;
      }
    }
    for (const k of childKeys(n)) {
      const v = n[k];
      if (!v) continue;
      if (Array.isArray(v)) for (const x of v) visit(x, rendered);
      else visit(v, rendered);
    }
  };
  /** A write target: itself left alone, its parts read as usual (patterns: left whole). */
  const visitTarget = (t: Node, rendered: boolean): void => {
    if (t.type === "MemberExpression") {
      if (t.object.type !== "Identifier") visit(t.object, rendered);
      if (t.computed) visit(t.property, rendered);
    } else if (t.type === "VariableDeclaration") {
      for (const d of t.declarations) if (d.init) visit(d.init, rendered);
    }
  };
  visit(fn.body, false);
  if (scope.used) declareTemp(fn.body, temp);
  return changed;
}

/**
 * Keeps in `facts` only the names also in `kept`, in place, where each block, case, `if` and loop
 * made an array of the names and a new set from it: the set in hand is the visit's own (each set
 * kept for later is a copy, or set aside before `facts` is replaced), and only which names it
 * holds matters.
 */
function retainIn(facts: Set<string>, kept: ReadonlySet<string>): void {
  for (const name of facts) if (!kept.has(name)) facts.delete(name);
}

/** `(name ?? helper(name, key))`. */
function nullishOr(name: string, key: Node, helper: string): Node {
  return {
    type: "LogicalExpression",
    operator: "??",
    left: { type: "Identifier", name },
    right: { type: "CallExpression", optional: false, callee: { type: "Identifier", name: helper }, arguments: [{ type: "Identifier", name }, key] },
  };
}

/** `let t;` first in a function body, after its directives. */
function declareTemp(body: Node, name: string): void {
  let at = 0;
  while (at < body.body.length && body.body[at].type === "ExpressionStatement" && typeof body.body[at].directive === "string") at++;
  body.body.splice(at, 0, { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name }, init: null }] });
}

/** A key whose evaluation runs nothing: a name, a literal or a variable. */
function keyIsPlain(n: Node): boolean {
  if (!n.computed) return n.property.type === "Identifier";
  return (n.property.type === "Literal" && (typeof n.property.value === "string" || typeof n.property.value === "number")) || n.property.type === "Identifier";
}

/** Values that are never null or undefined when assigned. */
const OBJECT_MAKERS = new Set(["ObjectExpression", "ArrayExpression", "NewExpression", "FunctionExpression", "ArrowFunctionExpression", "ClassExpression"]);

/**
 * The variables of the function (parameters, declarations, catch parameters, nested functions'
 * too) that may hold null or undefined where read: all but kos's own names and those only ever
 * given an object made on the spot.
 */
function maybeNullish(fn: Node, prefix: string, objectParams?: ReadonlySet<string>): Set<string> {
  const declared = new Set<string>();
  const onlyObjects = new Map<string, boolean>();
  const other = (name: string) => onlyObjects.set(name, false);
  const made = (name: string, value: Node | null) => {
    if (!value || !OBJECT_MAKERS.has(value.type)) other(name);
    else if (!onlyObjects.has(name)) onlyObjects.set(name, true);
  };
  const patternNames = (p: Node): void =>
    forEachPatternName(p, (name) => {
      declared.add(name);
      other(name);
    });
  const scan = (n: Node): void => {
    if (!n || typeof n.type !== "string" || n.type === "KosConst") return;
    switch (n.type) {
      case "FunctionExpression":
      case "FunctionDeclaration":
      case "ArrowFunctionExpression":
        for (const p of n.params) {
          // A rest parameter is an array until the code assigns it.
          if (p.type === "RestElement" && p.argument.type === "Identifier") {
            declared.add(p.argument.name);
            made(p.argument.name, { type: "ArrayExpression", elements: [] });
          } else if (n === fn && p.type === "Identifier" && objectParams?.has(p.name)) {
            // An object by the version's entry guard (a typed array, an array, `typeof x === "object"`)
            // until the code assigns it: matmul's `a[0]` read as `(a ?? $k_nullRead(a, 0))[0]`.
            declared.add(p.name);
            made(p.name, { type: "ObjectExpression", properties: [] });
          } else patternNames(p);
        }
        break;
      case "CatchClause":
        if (n.param) patternNames(n.param);
        break;
      case "VariableDeclarator":
        if (n.id.type === "Identifier") {
          declared.add(n.id.name);
          made(n.id.name, n.init);
        } else patternNames(n.id);
        break;
      case "AssignmentExpression":
        if (n.left.type === "Identifier") {
          if (n.operator === "=") made(n.left.name, n.right);
          else other(n.left.name);
        } else if (n.left.type !== "MemberExpression") patternNames(n.left);
        break;
      case "UpdateExpression":
        if (n.argument.type === "Identifier") other(n.argument.name);
        break;
      case "ForInStatement":
      case "ForOfStatement":
        if (n.left.type === "Identifier") other(n.left.name);
        else if (n.left.type !== "VariableDeclaration" && n.left.type !== "MemberExpression") patternNames(n.left);
        else if (n.left.type === "VariableDeclaration") for (const d of n.left.declarations) patternNames(d.id);
        break;
    }
    for (const k of childKeys(n)) {
      const v = n[k];
      if (!v) continue;
      if (Array.isArray(v)) for (const x of v) scan(x);
      else scan(v);
    }
  };
  scan(fn);
  const out = new Set<string>();
  for (const name of declared) if (!name.startsWith(prefix) && onlyObjects.get(name) !== true) out.add(name);
  return out;
}

/** Statements that keep no fact about what they write, and let none out (see `visit`). */
const FACT_BARRIERS = new Set(["ForStatement", "ForInStatement", "ForOfStatement", "WhileStatement", "DoWhileStatement", "TryStatement", "SwitchStatement", "LabeledStatement"]);

