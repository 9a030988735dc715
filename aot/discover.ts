/**
 * Finds what `kos build` should optimize in a module:
 * - functions and class methods marked with a `/** @kos.jit *\/` doc comment, optionally with
 *   `@kos.specialize name=<literal or module constant>` tags (a specialize
 *   tag implies `@kos.jit`);
 * - `jit(fn, { specialize: {...} })` call sites, where `jit` is imported from
 *   kos and `fn` is a top-level function of the same module.
 * An annotation on anything that cannot be optimized is an error with its
 * file:line; a call site that cannot be resolved is merely skipped (runtime
 * jit still handles it), and the report says why.
 */
import { Node, SyntaxKind, type CallExpression, type SourceFile } from "ts-morph";
import { BuildError } from "./errors.js";
import { fromTsExpression, parseConstText, type ConstExpr } from "./const-expr.js";
import { topLevelFunctions, type FunctionSite } from "./sites.js";
import { classMethods } from "./class-methods.js";

/** An annotated function: `@kos.jit` with its `@kos.specialize` values. */
export interface AnnotatedFunction {
  site: FunctionSite;
  specialize: Array<{ param: string; value: ConstExpr }>;
  /** 1-based line of the annotation comment. */
  line: number;
}

/** A `jit(fn, options)` call site. */
export interface JitCallSite {
  call: CallExpression;
  /** The function passed as the first argument, when it is a top-level function of this module. */
  target: FunctionSite | null;
  /** Index among this module's jit call sites, in source order (matches the emitted JS). */
  index: number;
  line: number;
  column: number;
  /** The evaluated option object, or why it is not known at build time. */
  options: ConstExpr | null;
  skipReason: string | null;
}

/** Module specifiers whose `jit` export is kos's. */
export const JIT_MODULES = ["kos"];

const TAG = /@kos\.([A-Za-z]+)/g;

/** Discovers annotated functions; throws BuildError for misplaced or malformed annotations. */
export function findAnnotatedFunctions(sf: SourceFile, display: string, sites: FunctionSite[] = [...topLevelFunctions(sf), ...classMethods(sf)]): AnnotatedFunction[] {
  const text = sf.getFullText();
  const claimed = new Set<number>();
  const result: AnnotatedFunction[] = [];
  const bySite = new Map(sites.map((s) => [s.statement, s] as const));

  sf.forEachDescendant((node) => {
    if (Node.isJSDoc(node) || Node.isJSDocTag(node)) return;
    for (const c of node.getLeadingCommentRanges()) {
      const pos = c.getPos();
      if (claimed.has(pos)) continue;
      const body = c.getText();
      if (!body.startsWith("/**") || !/@kos\./.test(body)) continue;
      claimed.add(pos);
      const line = sf.getLineAndColumnAtPos(pos).line;
      const where = { file: sf.getFilePath(), line, display };
      const tags = parseTags(body, where);
      if (node.getKind() === SyntaxKind.EndOfFileToken) {
        throw new BuildError("EBUILD_ANNOTATION", "a @kos annotation that is attached to no function", where);
      }
      const target = annotationTarget(node);
      const site = target ? bySite.get(target as never) : undefined;
      if (!site) {
        throw new BuildError("EBUILD_ANNOTATION", `@kos.${tags[0]!.tag} on ${describe(node)}: only top-level functions (\`function f\` or \`const f = (...) =>\`) and class methods can be optimized (getters, setters and constructors are not)`, where);
      }
      if (site.unsupported) throw new BuildError("EBUILD_ANNOTATION", `@kos.jit on \`${site.name}\`: ${site.unsupported}`, where);
      const specialize: AnnotatedFunction["specialize"] = [];
      for (const t of tags) {
        if (t.tag !== "specialize") continue;
        if (!site.params.includes(t.param!)) {
          throw new BuildError("EBUILD_ANNOTATION", `@kos.specialize ${t.param}: \`${site.name}\` has no parameter named \`${t.param}\` (parameters: ${site.params.join(", ") || "none"})`, where);
        }
        const value = parseConstText(t.text!);
        if (value.kind === "invalid") throw new BuildError("EBUILD_ANNOTATION", `@kos.specialize ${t.param}=${t.text}: ${value.reason}`, where);
        specialize.push({ param: t.param!, value });
      }
      result.push({ site, specialize, line });
    }
  });
  // Comments no node claims (e.g. at the end of a file) annotate nothing.
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    if (!/@kos\./.test(m[0]) || claimed.has(m.index!)) continue;
    throw new BuildError("EBUILD_ANNOTATION", "a @kos annotation that is attached to no function", { file: sf.getFilePath(), line: sf.getLineAndColumnAtPos(m.index!).line, display });
  }
  return result;
}

interface Tag { tag: string; param?: string; text?: string }

function parseTags(comment: string, where: { file: string; line: number; display: string }): Tag[] {
  const tags: Tag[] = [];
  const lines = comment.replace(/^\/\*\*|\*\/$/g, "").split(/\r?\n/).map((l) => l.replace(/^\s*\*\s?/, ""));
  for (const l of lines) {
    for (const m of l.matchAll(TAG)) {
      const tag = m[1]!;
      if (tag === "jit") { tags.push({ tag }); continue; }
      if (tag !== "specialize") throw new BuildError("EBUILD_ANNOTATION", `unknown annotation @kos.${tag} (known: @kos.jit, @kos.specialize)`, where);
      const rest = l.slice(m.index! + m[0].length);
      const pm = /^\s+([A-Za-z_$][\w$]*)\s*=\s*(.+?)\s*$/.exec(rest);
      if (!pm) throw new BuildError("EBUILD_ANNOTATION", "@kos.specialize needs `name=<literal>`", where);
      tags.push({ tag, param: pm[1]!, text: pm[2]! });
    }
  }
  return tags;
}

/** The statement an annotation comment belongs to: the outermost node starting right after it. */
function annotationTarget(node: Node): Node {
  let n = node;
  while (n.getParent() && n.getParent()!.getStart() === n.getStart() && !Node.isSourceFile(n.getParent()!)) n = n.getParent()!;
  return n;
}

function describe(node: Node): string {
  const kind = node.getKindName().replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const name = (node as { getName?: () => string | undefined }).getName?.();
  const nested = node.getFirstAncestor((a) => Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a)) !== undefined;
  return `${nested ? "a nested " : "a "}${kind}${name ? ` \`${name}\`` : ""}`;
}

/** Finds `jit(...)` calls whose callee is kos's `jit`. */
export function findJitCallSites(sf: SourceFile, sites: FunctionSite[] = topLevelFunctions(sf)): JitCallSite[] {
  const local = jitLocalNames(sf);
  if (local.size === 0) return [];
  const byName = new Map(sites.map((s) => [s.name, s] as const));
  const out: JitCallSite[] = [];
  for (const call of sf.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isIdentifier(callee) || !local.has(callee.getText())) continue;
    const { line, column } = sf.getLineAndColumnAtPos(call.getStart());
    const [first, second] = call.getArguments();
    const site: JitCallSite = { call, target: null, index: out.length, line, column, options: null, skipReason: null };
    out.push(site);
    if (!first || !Node.isIdentifier(first)) { site.skipReason = "the first argument is not the name of a top-level function of this module"; continue; }
    site.target = byName.get(first.getText()) ?? null;
    if (!site.target) { site.skipReason = `\`${first.getText()}\` is not a top-level function of this module`; continue; }
    if (site.target.unsupported) { site.skipReason = site.target.unsupported; continue; }
    if (!second) { site.skipReason = "no specialize options: runtime jit profiles it instead"; continue; }
    const opts = fromTsExpression(second.compilerNode as never);
    if (opts.kind === "invalid") { site.skipReason = `options not known at build time: ${opts.reason}`; continue; }
    if (opts.kind !== "object") { site.skipReason = "options must be an object literal"; continue; }
    site.options = opts;
  }
  return out;
}

/** Local names under which this module imports kos's `jit`. */
function jitLocalNames(sf: SourceFile): Set<string> {
  const names = new Set<string>();
  for (const imp of sf.getImportDeclarations()) {
    if (!JIT_MODULES.includes(imp.getModuleSpecifierValue())) continue;
    for (const n of imp.getNamedImports()) {
      if (n.getName() === "jit" && !n.isTypeOnly()) names.add(n.getAliasNode()?.getText() ?? "jit");
    }
  }
  return names;
}
