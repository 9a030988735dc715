/**
 * Finds the live function of a class method at build time and writes the
 * output lines that install its rewritten version.
 *
 * The rewritten method is assigned over the original at the end of the
 * module (`Class.prototype.m = ...`), like a rewritten top-level function:
 * tsc's lines stay as written (source maps hold), and by then every
 * module-level binding the compiled code references is initialized (a class
 * body runs before later declarations, so code placed in it could meet them
 * in their temporal dead zone). Assigning an existing writable property
 * keeps its attributes (a class method stays non-enumerable). Between the
 * class's creation and the end of the module, calls run the original, which
 * behaves the same.
 */
import * as acorn from "acorn";
import { underCondition } from "./build-time-values.js";
import type { EmittedClass } from "./emitted-classes.js";
import { commentText, memberExpression, stringLiteral } from "./literal.js";
import type { ClassCreation } from "./probe.js";
import type { ReferenceIndex } from "./references.js";
import type { FunctionSite } from "./sites.js";
import type { BoundFunction } from "./splice.js";

export type ResolvedMethod = { ok: true; fn: Function; cls: Function } | { ok: false; reason: string };

/**
 * The method's function as the module created it. `tsClassCount` is the
 * number of classes class-methods.ts found in the TypeScript module;
 * `emitted` the classes of its JS; `creations` what the probe saw.
 */
export function resolveMethod(site: FunctionSite, tsClassCount: number, emitted: EmittedClass[] | null, creations: ClassCreation[][]): ResolvedMethod {
  const m = site.method!;
  const keyText = `${m.isStatic ? "static " : ""}${m.key}`;
  if (!emitted || emitted.length !== tsClassCount || !emitted[m.classIndex]!.methods.includes(keyText)) {
    return { ok: false, reason: "could not locate the class in the emitted JavaScript (a target below ES2015 turns classes into functions)" };
  }
  const made = creations[m.classIndex] ?? [];
  if (made.length === 0) return { ok: false, reason: `the class \`${m.className}\` is not created when the module loads (inside a function not called at load time), so kos build cannot reach it` };
  if (made.length > 1) return { ok: false, reason: `the class \`${m.className}\` is created ${made.length} times when the module loads; kos build rewrites classes created once` };
  const c = made[0]!;
  const d = (m.isStatic ? c.statics : c.proto)[m.key];
  if (!d || typeof d.value !== "function") return { ok: false, reason: `\`${m.key}\` is not a method of the class at build time` };
  const holder = m.isStatic ? c.cls : (c.cls as { prototype: object }).prototype;
  const now = Reflect.getOwnPropertyDescriptor(holder, m.key);
  if (!now || now.value !== d.value) return { ok: false, reason: `\`${m.key}\` is replaced after the class is created (by the module's own code at load time)` };
  if (!now.writable) return { ok: false, reason: `\`${m.key}\` is read-only on the class at build time (frozen?), so it cannot be replaced` };
  return { ok: true, fn: d.value as Function, cls: c.cls };
}

/** The expression of the method's property in the output (`Serializer.prototype.serialize`), or why there is none. */
export function methodExpression(site: FunctionSite, cls: Function, refs: ReferenceIndex): { ok: true; expr: string } | { ok: false; reason: string } {
  const m = site.method!;
  const classExpr = refs.expressionFor(cls);
  if (classExpr === null || classExpr.startsWith("globalThis.")) {
    return { ok: false, reason: `the class \`${m.className}\` is not reachable from a module-level binding (kos build installs the rewritten method at the end of the module)` };
  }
  return { ok: true, expr: memberExpression(m.isStatic ? classExpr : `${classExpr}.prototype`, m.key) };
}

/**
 * The `name` the compiled method gets: the compiler names its method after the original
 * only where the key is a plain identifier (`({ key() {} }).key`), else `f`.
 */
export function compiledMethodName(source: string): string | null {
  try {
    const e = acorn.parseExpressionAt(source, 0, { ecmaVersion: "latest", checkPrivateFields: false }) as acorn.Expression;
    const arrow = e.type === "CallExpression" && e.callee.type === "ArrowFunctionExpression" ? e.callee : null;
    const body = arrow && arrow.body.type === "BlockStatement" ? arrow.body.body : [];
    const last = body[body.length - 1];
    const arg = last?.type === "ReturnStatement" ? last.argument : null;
    if (arg?.type === "MemberExpression" && !arg.computed && arg.property.type === "Identifier") return arg.property.name;
    if (arg?.type === "FunctionExpression") return arg.id?.name ?? "";
  } catch { /* unknown shape: the name is set explicitly */ }
  return null;
}

/**
 * The `length` of the function the compiler's source returns, or null for a shape it does not know.
 * The compiler resolves default parameters in the body (`top(arg) { … arg === void 0 ? 1 : arg … }`),
 * so its function counts every parameter: `top(n = 1)` has length 0, the compiled `top(arg)` 1.
 */
export function compiledLength(source: string): number | null {
  try {
    const e = acorn.parseExpressionAt(source, 0, { ecmaVersion: "latest", checkPrivateFields: false }) as acorn.Expression;
    const arrow = e.type === "CallExpression" && e.callee.type === "ArrowFunctionExpression" ? e.callee : null;
    const body = arrow && arrow.body.type === "BlockStatement" ? arrow.body.body : [];
    const last = body[body.length - 1];
    let arg: acorn.Expression | null | undefined = last?.type === "ReturnStatement" ? last.argument : null;
    // `({ key() {} }).key`: the method of the object literal.
    if (arg?.type === "MemberExpression" && arg.object.type === "ObjectExpression") {
      const m = arg.object.properties.find((p): p is acorn.Property => p.type === "Property");
      arg = m ? (m.value as acorn.Expression) : null;
    }
    if (arg?.type !== "FunctionExpression" && arg?.type !== "ArrowFunctionExpression") return null;
    const params = (arg as acorn.FunctionExpression).params;
    const stop = params.findIndex((p) => p.type === "AssignmentPattern" || p.type === "RestElement");
    return stop < 0 ? params.length : stop;
  } catch {
    return null;
  }
}

/** The line that gives an installed function the original's `length`, when the compiled one's differs (or is unknown). */
export function lengthLine(target: string, compiledLength: number | null, length: number): string | null {
  return compiledLength === length ? null : `Object.defineProperty(${target}, "length", { value: ${length} });`;
}

/**
 * The trailer lines that install a rewritten method over `target` (the property expression). A
 * method keeps its `name` (`"quoted key"`, a key the compiler does not name its function after)
 * and its `length` (`top(n = 1)` is 0).
 */
export function installMethod(opts: { target: string; key: string; compiledName: string | null; compiledLength: number | null; length: number; bound: BoundFunction; note: string; freeze: string[]; condition: string | null }): string {
  const lines = [`${opts.target} = ${opts.bound.expression};`];
  if (opts.compiledName !== opts.key) lines.push(`Object.defineProperty(${opts.target}, "name", { value: ${stringLiteral(opts.key)} });`);
  const len = lengthLine(opts.target, opts.compiledLength, opts.length);
  if (len) lines.push(len);
  for (const f of opts.freeze) lines.push(`Object.freeze(${f});`);
  return [`/* kos build: ${commentText(opts.note)} */`, ...underCondition(opts.condition, lines)].join("\n") + "\n";
}

/**
 * A method that uses private names (`this.#x`) is compiled with `privateNames` and must sit inside
 * its class body, where `#x` resolves. The class's first line gets, after its `{`, a static block
 * that stores a factory of the rewritten method in a module-level `var`; the end of the module
 * calls it with the original (`C.prototype.m = $kos_m(C.prototype.m)`), as for other methods, so
 * the module-level values it references are read then, not while the class is being defined
 * (they may still be in their temporal dead zone). The block is one line appended where tsc's
 * line ends: every line keeps its number and every source-map entry its column.
 */
export function installInClassBody(opts: {
  js: string; cls: EmittedClass; site: FunctionSite; holder: string; param: string;
  target: string; key: string; compiledName: string | null; compiledLength: number | null; length: number; bound: BoundFunction; note: string; freeze: string[]; condition: string | null;
}): { ok: true; edit: { start: number; end: number; text: string }; trailer: string } | { ok: false; reason: string } {
  const lineEnd = opts.js.slice(opts.cls.bodyOpen).search(/[\r\n]/);
  const restOfLine = opts.js.slice(opts.cls.bodyOpen, lineEnd < 0 ? undefined : opts.cls.bodyOpen + lineEnd);
  if (restOfLine.trim() !== "") return { ok: false, reason: "the class body's first line holds code, so the rewritten method (it uses private names) has nowhere to go without moving tsc's columns" };
  const code = oneLine(opts.bound.expression);
  if (code === null) return { ok: false, reason: "the rewritten method (it uses private names) cannot be written on one line (a template literal with a line break, or a comment)" };
  const shadowed = opts.site.method!.shadowed;
  const names = identifiers(code);
  if (names.filter((n) => n === opts.param).length !== 1) return { ok: false, reason: `the method's code uses the name \`${opts.param}\` kos build needs for the original` };
  const clash = names.find((n) => shadowed.has(n));
  if (clash !== undefined || shadowed.has(opts.holder)) {
    return { ok: false, reason: `the rewritten method (it uses private names) goes in the class body, where \`${clash ?? opts.holder}\` is declared by the code around the class` };
  }
  const edit = { start: opts.cls.bodyOpen, end: opts.cls.bodyOpen, text: ` static { ${opts.holder} = (${opts.param}) => ${code}; }` };
  const lines = [`${opts.target} = ${opts.holder}(${opts.target});`];
  if (opts.compiledName !== opts.key) lines.push(`Object.defineProperty(${opts.target}, "name", { value: ${stringLiteral(opts.key)} });`);
  const len = lengthLine(opts.target, opts.compiledLength, opts.length);
  if (len) lines.push(len);
  for (const f of opts.freeze) lines.push(`Object.freeze(${f});`);
  return { ok: true, edit, trailer: [`var ${opts.holder};`, `/* kos build: ${commentText(opts.note)} */`, ...underCondition(opts.condition, lines)].join("\n") + "\n" };
}

/** `code` with its line breaks turned into spaces, or null where a break is not between tokens. */
function oneLine(code: string): string | null {
  if (/[\u2028\u2029]/.test(code)) return null;
  let ok = true;
  try {
    for (const t of acorn.tokenizer(code, { ecmaVersion: "latest", onComment: () => { ok = false; } })) {
      if (t.type === acorn.tokTypes.template && /[\r\n]/.test(code.slice(t.start, t.end))) ok = false;
    }
  } catch {
    return null;
  }
  return ok ? code.replace(/\r?\n[ \t]*/g, " ") : null;
}

/** Every name token of `code` but property names after `.` (conservative: object keys count). */
function identifiers(code: string): string[] {
  const out: string[] = [];
  let afterDot = false;
  for (const t of acorn.tokenizer(code, { ecmaVersion: "latest" })) {
    if (t.type === acorn.tokTypes.name && !afterDot) out.push(code.slice(t.start, t.end));
    afterDot = t.type === acorn.tokTypes.dot || t.type === acorn.tokTypes.questionDot;
  }
  return out;
}
